"""Credits: every balance change is a ledger entry written in the same atomic commit.

An entry id is the idempotency key of the change (``debit:<job>``, ``refund:<job>:<document>``,
``purchase:<session>``): applying the same key twice finds the entry already there and changes nothing.
The commit is a compare-and-set on the user document (its version as read) plus ``Create`` of the entry,
retried when another writer got there first, so the balance never goes negative and
sum(ledger) == balance always holds.

Writers on one balance coalesce: ``apply`` joins a per-process queue per user; one caller (the leader)
applies every change waiting for that user in ONE commit (the balance once, one entry per change, in
arrival order, a debit the running balance cannot cover refused), while the others wait for their
result. Under contention a commit carries many changes instead of many commits failing each other's
compare-and-set. Between instances, a failed compare-and-set backs off exponentially with full jitter
(a few ms doubling to a cap), during which more changes queue up behind the leader.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zapdoc.domain.clock import utcnow
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.ids import check_user_id
from zapdoc.ports.store import AlreadyExists, Conflict, Create, DocumentStore, Order, Query, Update, Write

MAX_ATTEMPTS = 200
MAX_BATCH = 200
"""Changes per commit (Firestore allows 500 writes; each change is one entry plus its ``also``)."""
BACKOFF_BASE_S = 0.004
BACKOFF_CAP_S = 0.25


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not_applicable"  # ``also`` said the change no longer applies (e.g. job cancelled)


AlsoWrites = Sequence[Write] | Callable[[], Sequence[Write] | None]
"""Writes committed with the change; a callable is re-evaluated on every attempt (it reads fresh state
and returns writes carrying their own preconditions, or None when the change must not happen)."""


@dataclass(frozen=True)
class Change:
    """One idempotent balance change: ``key`` identifies it, ``delta`` in credits (negative: a debit)."""

    key: str
    delta: int
    meta: Mapping[str, Any] | None = None
    allow_negative: bool = False
    also: AlsoWrites = ()
    at_most: bool = False
    """A debit larger than the balance takes what is left (down to zero) instead of being refused: a
    refunded purchase takes back only the credits not yet spent."""
    also_taken: Callable[[int], Sequence[Write]] | None = None
    """Writes that need the delta actually applied (an ``at_most`` debit may take less than asked)."""


@dataclass(frozen=True)
class LedgerResult:
    outcome: Outcome
    balance: int
    """Balance after the change (or the current balance when nothing changed)."""
    delta: int = 0
    """The delta applied: ``Change.delta``, or less for an ``at_most`` debit; 0 unless APPLIED."""

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


class Ledger:
    """Apply idempotent credit changes to a user's balance."""

    def __init__(
        self,
        store: DocumentStore,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        coalesce: bool = True,
    ) -> None:
        self._store = store
        self._clock = clock
        self._coalesce = coalesce
        self.commits = 0
        """Commits attempted by this ledger object (the contention bench reads it)."""

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
        """Every entry of the user's ledger (audits and tests; it grows with the history)."""
        return [s.data | {"id": s.id} for s in self._store.query(Query(f"users/{user_id}/ledger"))]

    def recent(self, user_id: str, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` newest entries, newest first: reads ``limit`` documents, not the ledger."""
        query = Query(f"users/{user_id}/ledger", order_by=(Order("at", "desc"),), limit=limit)
        return [s.data | {"id": s.id} for s in self._store.query(query)]

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
        at_most: bool = False,
        also_taken: Callable[[int], Sequence[Write]] | None = None,
    ) -> LedgerResult:
        """Change the balance by ``delta`` once per ``key``; refuse a debit the balance cannot cover.

        ``also`` are written in the same commit (e.g. the job moved to running with its debit); they are
        not written when the change was already applied or refused. A callable ``also`` returning None
        ends with ``NOT_APPLICABLE`` and no write. ``at_most``: a debit the balance cannot cover takes
        the balance (``LedgerResult.delta`` says how much), and ``also_taken(delta)`` gives the writes
        that depend on it. Concurrent calls for one user in this process share one commit (see the
        module's docstring).
        """
        check_user_id(user_id)
        change = Change(key, delta, meta, allow_negative, also, at_most, also_taken)
        if not self._coalesce:
            return self.apply_many(user_id, [change])[0]
        return _queue_of(self._store).submit(self, user_id, change)

    def apply_many(
        self,
        user_id: str,
        changes: Sequence[Change],
        *,
        also: Sequence[Write] = (),
        more: Callable[[int], Sequence[Change]] | None = None,
    ) -> list[LedgerResult]:
        """Apply ``changes`` to one balance in ONE commit (with ``also``), each at most once per key,
        in order; a result per change. Retried with backoff when another writer changed the balance;
        before each retry ``more(room)`` may add changes that queued up meanwhile (their results
        follow, in order)."""
        check_user_id(user_id)
        changes = list(changes)
        results: list[LedgerResult | None] = []
        first: dict[str, int] = {}  # a key twice in one batch: the later ones follow the first
        open_: list[int] = []

        def add(new: Sequence[Change]) -> None:
            for change in new:
                i = len(results)
                if i >= len(changes):
                    changes.append(change)
                results.append(None)
                if first.setdefault(change.key, i) == i:
                    open_.append(i)

        add(list(changes))
        for attempt in range(MAX_ATTEMPTS):
            if attempt and more is not None and len(changes) < MAX_BATCH:
                add(more(MAX_BATCH - len(changes)))
            snap = self._store.get(user_path(user_id))
            if snap is None:
                raise PermanentError(f"unknown user {user_id}")
            balance = running = int(snap.data.get("credits", 0))
            now = self._clock()
            writes: list[Write] = []
            applied: list[tuple[int, int, int]] = []  # (change index, balance after, delta applied)
            for i in open_:
                change = changes[i]
                extra = change.also() if callable(change.also) else change.also
                if extra is None:
                    results[i] = LedgerResult(Outcome.NOT_APPLICABLE, running)
                    continue
                delta = change.delta
                if change.at_most and delta < 0:
                    delta = max(delta, -max(running, 0))
                after = running + delta
                if after < 0 and delta < 0 and not change.allow_negative:
                    results[i] = LedgerResult(Outcome.INSUFFICIENT, running)  # unless applied before
                    continue
                running = after
                entry = _entry(change.key, delta, after, now, change.meta)
                writes.append(Create(entry_path(user_id, change.key), entry))
                writes.extend(extra)
                if change.also_taken is not None:
                    writes.extend(change.also_taken(delta))
                applied.append((i, after, delta))
            refused = [i for i in open_ if (r := results[i]) is not None and r.outcome is not Outcome.APPLIED]
            for i in refused:  # refused or not applicable, but applied before: ALREADY_APPLIED, as alone
                if self.has_entry(user_id, changes[i].key):
                    results[i] = LedgerResult(Outcome.ALREADY_APPLIED, balance)
            if not applied:
                break
            update = Update(
                user_path(user_id), {"credits": running, "updated_at": now}, if_version=snap.version
            )
            self.commits += 1
            try:
                self._store.commit([update, *writes, *also])
            except AlreadyExists:
                # Some key was applied before: mark those, and apply the others without them.
                done = [i for i, _, _ in applied if self.has_entry(user_id, changes[i].key)]
                if not done:  # the conflict was elsewhere (``also``): try again
                    _backoff(attempt)
                    continue
                for i in done:
                    results[i] = LedgerResult(Outcome.ALREADY_APPLIED, balance)
                open_ = [i for i in open_ if i not in done]
                for i in open_:
                    results[i] = None
                continue
            except Conflict:
                # Another writer changed the balance (or an ``also`` precondition failed): re-read and
                # try again, backing off so racing instances spread out instead of colliding in lockstep.
                for i in open_:
                    results[i] = None
                _backoff(attempt)
                continue
            for i, after, delta in applied:
                results[i] = LedgerResult(Outcome.APPLIED, after, delta)
            break
        else:
            raise TransientError(f"ledger for {user_id} is too contended; retry later")
        final: list[LedgerResult] = []
        for i, change in enumerate(changes):
            j = first[change.key]
            result = results[j]
            assert result is not None
            if j != i and result.outcome is Outcome.APPLIED:
                result = LedgerResult(Outcome.ALREADY_APPLIED, result.balance)  # delta 0: not this one
            final.append(result)
        return final


def _backoff(attempt: int) -> None:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt))."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** min(attempt, 16)))
    time.sleep(random.uniform(0, ceiling))  # noqa: S311


@dataclass
class _Request:
    change: Change
    done: threading.Event = field(default_factory=threading.Event)
    result: LedgerResult | None = None
    error: BaseException | None = None


class _Queue:
    """Per-process, per-store: the changes waiting for each user's balance, and who applies them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, list[_Request]] = {}
        self._leading: set[str] = set()

    def submit(self, ledger: Ledger, user_id: str, change: Change) -> LedgerResult:
        request = _Request(change)
        with self._lock:
            self._waiting.setdefault(user_id, []).append(request)
            lead = user_id not in self._leading
            if lead:
                self._leading.add(user_id)
        if not lead:
            request.done.wait()
        else:
            self._lead(ledger, user_id)
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _lead(self, ledger: Ledger, user_id: str) -> None:
        """Apply batches for ``user_id`` until nothing waits (the caller's own change is in the first)."""
        while True:
            with self._lock:
                waiting = self._waiting.get(user_id, [])
                batch, rest = waiting[:MAX_BATCH], waiting[MAX_BATCH:]
                if not batch:
                    self._waiting.pop(user_id, None)
                    self._leading.discard(user_id)
                    return
                self._waiting[user_id] = rest

            def more(room: int, batch: list[_Request] = batch) -> list[Change]:
                """Changes that queued up while a commit lost a race: they join the retry."""
                with self._lock:
                    waiting = self._waiting.get(user_id, [])
                    taken, self._waiting[user_id] = waiting[:room], waiting[room:]
                batch.extend(taken)
                return [r.change for r in taken]

            try:
                results = ledger.apply_many(user_id, [r.change for r in batch], more=more)
            except BaseException as exc:  # every caller of the batch hears the failure
                for request in batch:
                    request.error = exc
            else:
                for request, result in zip(batch, results, strict=True):
                    request.result = result
            for request in batch:
                request.done.set()


_QUEUES: weakref.WeakKeyDictionary[Any, _Queue] = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()


def _queue_of(store: DocumentStore) -> _Queue:
    with _QUEUES_LOCK:
        queue = _QUEUES.get(store)
        if queue is None:
            queue = _QUEUES[store] = _Queue()
        return queue


def _entry(
    key: str, delta: int, balance_after: int, at: dt.datetime, meta: Mapping[str, Any] | None
) -> dict[str, Any]:
    return {"key": key, "delta": delta, "balance_after": balance_after, "at": at, **dict(meta or {})}
