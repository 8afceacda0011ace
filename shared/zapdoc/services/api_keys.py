"""API keys for scripts: shown once, stored only as a SHA-256 hash, revocable, last use recorded.

A key is ``zd_<id>_<secret>``: ``id`` finds the record (``api_keys/<id>``), the 256-bit ``secret`` is
checked against the stored hash in constant time. A fast hash is right here: the secret is random, not
a password, so there is nothing to brute-force.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zapdoc.ports.store import DOCUMENT_ID, Create, DocumentStore, Order, Query, Update, Where
from zapdoc.services import paging
from zapdoc.services.ledger import user_path
from zapdoc.services.quotas import LimitReached, QuotaExceeded, Slots

PREFIX = "zd_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # at most one last-used write per key per minute


@dataclass(frozen=True)
class NewKey:
    id: str
    name: str
    key: str  # the only time the plaintext exists outside the caller
    created_at: dt.datetime


def key_path(key_id: str) -> str:
    return f"api_keys/{key_id}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def public_view(key_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """What listing shows: never the hash, never the key."""
    return {
        "id": key_id,
        "name": data.get("name", ""),
        "prefix": data.get("prefix", ""),
        "created_at": data.get("created_at"),
        "last_used_at": data.get("last_used_at"),
        "revoked_at": data.get("revoked_at"),
    }


class ApiKeys:
    def __init__(self, store: DocumentStore, clock: Callable[[], dt.datetime], *, max_keys: int = 20) -> None:
        self._store = store
        self._clock = clock
        self._max_keys = max_keys

    def _slots(self, user_id: str) -> Slots:
        return Slots(self._store, f"{user_path(user_id)}/quota_api_keys", self._max_keys)

    def create(self, user_id: str, name: str) -> NewKey:
        name = " ".join(name.split())[:100] or "API key"
        too_many = LimitReached(f"at most {self._max_keys} active API keys; revoke one first")
        if len(self.list(user_id, include_revoked=False)) >= self._max_keys:
            raise too_many
        key_id = secrets.token_hex(8)
        key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = self._clock()
        record = {
            "user_id": user_id,
            "name": name,
            "hash": hash_key(key),
            "prefix": key[: len(PREFIX) + len(key_id) + 5],
            "created_at": now,
            "last_used_at": None,
            "revoked_at": None,
        }
        try:  # the slot makes the limit hold under concurrent creates (see services.quotas)
            self._slots(user_id).claim(
                key_id, lambda slot: [Create(key_path(key_id), {**record, "slot": slot})]
            )
        except QuotaExceeded:
            raise too_many from None
        return NewKey(key_id, name, key, now)

    def list(self, user_id: str, *, include_revoked: bool = True) -> list[dict[str, Any]]:
        """The user's keys, newest first. Active ones only: at most ``max_keys`` reads; with the revoked
        ones every key ever made (tests and audits; the API pages with ``page``)."""
        where: tuple[Where, ...] = (Where("user_id", "==", user_id),)
        limit = None
        if not include_revoked:
            where, limit = (*where, Where("revoked_at", "==", None)), self._max_keys + 1
        snaps = self._store.query(Query("api_keys", where, limit=limit))
        views = [public_view(s.id, s.data) for s in snaps]
        return sorted(views, key=lambda v: (str(v["created_at"]), str(v["id"])), reverse=True)

    def page(
        self, user_id: str, limit: int, cursor: str | None = None
    ) -> tuple[builtins.list[dict[str, Any]], str | None]:
        """One page of the user's keys (revoked ones too), newest first: ``limit + 1`` reads."""
        order = (Order("created_at", "desc"), Order(DOCUMENT_ID, "desc"))
        query = Query("api_keys", (Where("user_id", "==", user_id),), order_by=order)
        found = paging.fetch(self._store, query, limit, cursor)
        return [public_view(s.id, s.data) for s in found.items], found.cursor

    def revoke(self, user_id: str, key_id: str) -> bool:
        """Revoke the user's key; False when the user has no such key (someone else's looks missing)."""
        snap = self._store.get(key_path(key_id)) if _valid_id(key_id) else None
        if snap is None or snap.data.get("user_id") != user_id:
            return False
        if snap.data.get("revoked_at") is None:
            free = self._slots(user_id).release(snap.data.get("slot"))
            self._store.commit([Update(snap.path, {"revoked_at": self._clock()}), *free])
        return True

    def authenticate(self, presented: str) -> str | None:
        """The user id owning ``presented`` when it is a live key, else None; records the last use."""
        if not presented.startswith(PREFIX):
            return None
        key_id, _, secret = presented[len(PREFIX) :].partition("_")
        if not _valid_id(key_id) or not secret:
            return None
        snap = self._store.get(key_path(key_id))
        if snap is None:
            return None
        if not hmac.compare_digest(str(snap.data.get("hash", "")), hash_key(presented)):
            return None
        if snap.data.get("revoked_at") is not None:
            return None
        now = self._clock()
        last = snap.data.get("last_used_at")
        if last is None or now - last >= LAST_USED_RESOLUTION:
            self._store.commit([Update(snap.path, {"last_used_at": now})])
        return str(snap.data["user_id"])


def _valid_id(key_id: str) -> bool:
    return len(key_id) == 16 and all(c in "0123456789abcdef" for c in key_id)
