"""Idempotency records: claim a key before a side effect, complete it after, expire it eventually.

A claim is a ``Create`` (so exactly one caller wins); an ``in_progress`` claim whose lease ran out (its
holder crashed) can be taken over with a compare-and-set. Failed work releases its claim so a retry can
run. Records carry ``expires_at`` (a Firestore TTL policy on that field deletes them).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from typing import Any

from zapdoc.ports.store import AlreadyExists, Conflict, Create, DocumentStore, Remove, Update

COLLECTION = "idempotency"


class Claim(enum.StrEnum):
    CLAIMED = "claimed"  # go ahead, then complete() or release()
    COMPLETED = "completed"  # done before: skip
    IN_PROGRESS = "in_progress"  # someone else holds a live lease: retry later


def record_path(key: str) -> str:
    return f"{COLLECTION}/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}"


class Idempotency:
    def __init__(self, store: DocumentStore, clock: Callable[[], dt.datetime], ttl: dt.timedelta) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl

    def claim(self, key: str, *, lease: dt.timedelta) -> Claim:
        now = self._clock()
        record = {
            "key": key,
            "status": "in_progress",
            "lease_until": now + lease,
            "expires_at": now + self._ttl,
            "claimed_at": now,
        }
        for _ in range(5):
            try:
                self._store.commit([Create(record_path(key), record)])
            except AlreadyExists:
                pass
            else:
                return Claim.CLAIMED
            snap = self._store.get(record_path(key))
            if snap is None:
                continue  # released meanwhile: try to create again
            data: dict[str, Any] = snap.data
            if data.get("status") == "completed":
                return Claim.COMPLETED
            if data.get("lease_until") and data["lease_until"] > now:
                return Claim.IN_PROGRESS
            try:  # the holder's lease ran out: take over
                self._store.commit([Update(snap.path, record, if_version=snap.version)])
            except Conflict:
                continue
            return Claim.CLAIMED
        return Claim.IN_PROGRESS

    def complete(self, key: str, **result: Any) -> None:
        now = self._clock()
        self._store.commit(
            [Update(record_path(key), {"status": "completed", "completed_at": now, "result": result})]
        )

    def release(self, key: str) -> None:
        """Forget an unfinished claim so a retry can claim it again."""
        self._store.commit([Remove(record_path(key))])
