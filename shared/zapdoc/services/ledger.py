"""Credits: every balance change is a ledger entry written in the same atomic commit.

An entry id is the idempotency key of the change (``debit:<job>``, ``refund:<job>:<document>``,
``purchase:<session>``): applying the same key twice finds the entry already there and changes nothing.
The commit is a compare-and-set on the user document (its version as read) plus ``Create`` of the entry,
retried when another writer got there first, so the balance never goes negative and
sum(ledger) == balance always holds.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.ids import check_user_id
from zapdoc.ports.store import AlreadyExists, Conflict, Create, DocumentStore, Query, Update, Write

MAX_ATTEMPTS = 200


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not_applicable"  # ``also`` said the change no longer applies (e.g. job cancelled)


AlsoWrites = Sequence[Write] | Callable[[], Sequence[Write] | None]
"""Writes committed with the change; a callable is re-evaluated on every attempt (it reads fresh state
and returns writes carrying their own preconditions, or None when the change must not happen)."""


@dataclass(frozen=True)
class LedgerResult:
    outcome: Outcome
    balance: int
    """Balance after the change (or the current balance when nothing changed)."""

    @property
    def applied(self) -> bool:
        return self.outcome is Outcome.APPLIED


def user_path(user_id: str) -> str:
    return f"users/{check_user_id(user_id)}"


def entry_path(user_id: str, key: str) -> str:
    return f"users/{check_user_id(user_id)}/ledger/{_safe_id(key)}"


def _safe_id(key: str) -> str:
    # Firestore ids cannot contain "/"; keys use ":" between parts.
    return key.replace("/", "_")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Ledger:
    """Apply idempotent credit changes to a user's balance."""

    def __init__(self, store: DocumentStore, *, clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self._store = store
        self._clock = clock

    def ensure_user(self, user_id: str, *, email: str, initial_credits: int = 0) -> None:
        """Create the user with an opening balance (one ``grant:opening`` entry) if it does not exist."""
        if self._store.get(user_path(user_id)) is not None:
            return
        now = self._clock()
        entry = _entry("grant:opening", initial_credits, initial_credits, now, {"reason": "opening balance"})
        user = {"email": email, "credits": initial_credits, "created_at": now, "updated_at": now}
        try:
            self._store.commit(
                [Create(user_path(user_id), user), Create(entry_path(user_id, "grant:opening"), entry)]
            )
        except AlreadyExists:
            return  # created concurrently

    def balance(self, user_id: str) -> int:
        snap = self._store.get(user_path(user_id))
        if snap is None:
            raise PermanentError(f"unknown user {user_id}")
        return int(snap.data.get("credits", 0))

    def entries(self, user_id: str) -> list[dict[str, Any]]:
        return [s.data | {"id": s.id} for s in self._store.query(Query(f"users/{user_id}/ledger"))]

    def has_entry(self, user_id: str, key: str) -> bool:
        return self._store.get(entry_path(user_id, key)) is not None

    def apply(
        self,
        user_id: str,
        key: str,
        delta: int,
        *,
        meta: Mapping[str, Any] | None = None,
        allow_negative: bool = False,
        also: AlsoWrites = (),
    ) -> LedgerResult:
        """Change the balance by ``delta`` once per ``key``; refuse a debit the balance cannot cover.

        ``also`` are written in the same commit (e.g. the document marked failed with its refund, or the
        job moved to running with its debit); they are not written when the change was already applied
        or refused. A callable ``also`` returning None ends with ``NOT_APPLICABLE`` and no write.
        """
        check_user_id(user_id)
        for attempt in range(MAX_ATTEMPTS):
            snap = self._store.get(user_path(user_id))
            if snap is None:
                raise PermanentError(f"unknown user {user_id}")
            balance = int(snap.data.get("credits", 0))
            if self._store.get(entry_path(user_id, key)) is not None:
                return LedgerResult(Outcome.ALREADY_APPLIED, balance)
            extra = also() if callable(also) else also
            if extra is None:
                return LedgerResult(Outcome.NOT_APPLICABLE, balance)
            new_balance = balance + delta
            if new_balance < 0 and delta < 0 and not allow_negative:
                return LedgerResult(Outcome.INSUFFICIENT, balance)
            now = self._clock()
            try:
                self._store.commit(
                    [
                        Update(
                            user_path(user_id),
                            {"credits": new_balance, "updated_at": now},
                            if_version=snap.version,
                        ),
                        Create(entry_path(user_id, key), _entry(key, delta, new_balance, now, meta)),
                        *extra,
                    ]
                )
            except AlreadyExists:
                return LedgerResult(Outcome.ALREADY_APPLIED, self.balance(user_id))
            except Conflict:
                # Another writer changed the balance first: re-read and try again, with jitter so
                # racing writers spread out instead of colliding in lockstep.
                time.sleep(random.uniform(0, min(0.05, 0.002 * (attempt + 1))))  # noqa: S311
                continue
            return LedgerResult(Outcome.APPLIED, new_balance)
        raise TransientError(f"ledger for {user_id} is too contended; retry later")


def _entry(
    key: str, delta: int, balance_after: int, at: dt.datetime, meta: Mapping[str, Any] | None
) -> dict[str, Any]:
    return {"key": key, "delta": delta, "balance_after": balance_after, "at": at, **dict(meta or {})}
