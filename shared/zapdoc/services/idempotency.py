"""Idempotency records: claim a key before a side effect, complete it after, expire it eventually.

A claim is a ``Create`` (so exactly one caller wins) that names its owner (a random token) and holds a
short lease; an ``in_progress`` claim whose lease ran out (its holder crashed) can be taken over with a
compare-and-set. A live holder keeps its lease with a ``Heartbeat``: a daemon thread renews it every
third of the lease, each renewal a compare-and-set on the owner, so a worker that is still alive is
never taken over while one that died is taken over within one lease. Failed work releases its claim
so a retry can run. Records carry ``expires_at`` (a Firestore TTL policy on that field deletes them).

Why a thread rather than renewing at checkpoints: the slow parts of a step are single blocking calls
(inspecting a big PDF in the sandbox pool, one LLM request, building a workbook) that take longer than
a lease short enough for a quick takeover, so no checkpoint falls inside them. The thread lives and
dies with the process — exactly the liveness signal a lease stands for — and on Cloud Functions gen2
it gets CPU while the request it belongs to is in flight, which is when the step works.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from zapdoc.domain.errors import TransientError
from zapdoc.ports.store import AlreadyExists, Conflict, Create, DocumentStore, Remove, Snapshot, Update
from zapdoc.services.cas import MAX_ATTEMPTS, Commit, Stop, compare_and_set

COLLECTION = "idempotency"

log = logging.getLogger("zapdoc.idempotency")


class Claim(enum.StrEnum):
    CLAIMED = "claimed"  # go ahead, then complete() or release()
    COMPLETED = "completed"  # done before: skip
    IN_PROGRESS = "in_progress"  # someone else holds a live lease: retry later


def record_path(key: str) -> str:
    return f"{COLLECTION}/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}"


class LeaseLost(TransientError):
    """Another invocation took over this step's lease (this one stalled longer than a lease)."""


class Heartbeat:
    """Renew a lease every ``every`` seconds in a daemon thread while the ``with`` block runs.

    ``renew`` returns False when the lease is no longer ours (taken over, completed or gone): renewal
    stops and ``lost`` becomes True; callers ``check()`` before committing their results. A renewal
    that raises (the store is briefly unreachable) is retried at the next beat: the lease allows two
    missed beats."""

    def __init__(self, renew: Callable[[], bool], every: float, *, name: str = "lease") -> None:
        self._renew = renew
        self._every = every
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False
        self.beats = 0

    def beat(self) -> bool:
        """Renew once now; False (and ``lost``) when the lease is no longer ours."""
        if self.lost:
            return False
        try:
            ok = self._renew()
        except Exception:  # a failed renewal is retried at the next beat
            log.warning("lease renewal failed; retrying at the next beat", extra={"lease": self._name})
            return True
        self.beats += 1
        if not ok:
            self.lost = True
            log.warning("lease lost to another invocation", extra={"lease": self._name})
        return ok

    def check(self) -> None:
        """Raise ``LeaseLost`` if another invocation took the lease over (do not commit then)."""
        if self.lost:
            raise LeaseLost(f"{self._name}: another invocation took over this step")

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            if not self.beat():
                return

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._run, name=f"heartbeat:{self._name}", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def renew_every(lease: dt.timedelta) -> float:
    """Seconds between renewals: a third of the lease (two beats may fail before it runs out)."""
    return max(0.05, lease.total_seconds() / 3)


class Held:
    """Our claim on ``key`` while ``Idempotency.holding`` runs its block."""

    def __init__(self, idem: Idempotency, key: str) -> None:
        self._idem = idem
        self.key = key
        self.settled = False

    def completion(self, **result: Any) -> Update:
        """The write completing the key, for the block to commit with its result: the claim is then
        only forgotten when the block ends (committed or not, it is no longer ours to release)."""
        self.settled = True
        return self._idem.completion(self.key, **result)


class Idempotency:
    def __init__(self, store: DocumentStore, clock: Callable[[], dt.datetime], ttl: dt.timedelta) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl
        self._owners: dict[str, str] = {}  # key -> owner token of the claims this instance holds

    def claim(self, key: str, *, lease: dt.timedelta) -> Claim:
        now = self._clock()
        owner = secrets.token_hex(12)
        record = {
            "key": key,
            "status": "in_progress",
            "owner": owner,
            "lease_until": now + lease,
            "expires_at": now + self._ttl,
            "claimed_at": now,
        }
        for _ in range(MAX_ATTEMPTS):  # a create, or a compare-and-set taking an expired claim over
            try:
                self._store.commit([Create(record_path(key), record)])
            except AlreadyExists:
                pass
            else:
                self._owners[key] = owner
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
            self._owners[key] = owner
            return Claim.CLAIMED
        return Claim.IN_PROGRESS

    def renew(self, key: str, *, lease: dt.timedelta) -> bool:
        """Extend our live claim on ``key`` to now + ``lease``: a compare-and-set on the owner, so a
        claim taken over by another invocation (or completed) is never extended. False then."""
        owner = self._owners.get(key)
        if owner is None:
            return False

        def step(snap: Snapshot | None) -> Commit[bool] | Stop[bool]:
            if snap is None or snap.data.get("status") != "in_progress" or snap.data.get("owner") != owner:
                return Stop(False)
            return Commit({"lease_until": self._clock() + lease}, True)

        # a conflict: changed since read: look again (it may have been taken over)
        return compare_and_set(self._store, record_path(key), step, exhausted=lambda: False)

    def keep_alive(self, key: str, *, lease: dt.timedelta) -> Heartbeat:
        """A ``Heartbeat`` renewing our claim on ``key`` while a ``with`` block works."""
        return Heartbeat(lambda: self.renew(key, lease=lease), renew_every(lease), name=key)

    @contextlib.contextmanager
    def holding(self, key: str, *, complete_on: tuple[type[BaseException], ...] = ()) -> Iterator[Held]:
        """The work done under our claim on ``key`` (claimed just before): completed when the block
        ends normally, released when it raises (a retry can claim again), except

        - ``LeaseLost``: the claim is the new holder's, neither released nor completed;
        - an exception in ``complete_on``: completed all the same, then raised (the work must not run
          again, e.g. an upload counted enough to refuse its job);
        - ``Held.completion()`` was taken (the block commits the completion with its result): only
          forgotten, whatever happens next."""
        held = Held(self, key)
        try:
            yield held
        except LeaseLost:
            raise
        except complete_on:
            if held.settled:
                self.forget(key)
            else:
                self.complete(key)
            raise
        except Exception:  # not a BaseException such as a simulated crash: a dead process releases nothing
            if held.settled:
                self.forget(key)
            else:
                self.release(key)
            raise
        if held.settled:
            self.forget(key)
        else:
            self.complete(key)

    def complete(self, key: str, **result: Any) -> None:
        self._store.commit([self.completion(key, **result)])
        self._owners.pop(key, None)

    def completion(self, key: str, **result: Any) -> Update:
        """The write that completes ``key``, for a caller committing it with its result (then
        ``forget`` the claim)."""
        return Update(
            record_path(key), {"status": "completed", "completed_at": self._clock(), "result": result}
        )

    def forget(self, key: str) -> None:
        """This instance no longer holds ``key`` (completed in the caller's commit, or finished by
        another invocation)."""
        self._owners.pop(key, None)

    def release(self, key: str) -> None:
        """Forget an unfinished claim so a retry can claim it again — only if it is still ours (a claim
        taken over meanwhile belongs to its new holder)."""
        owner = self._owners.pop(key, None)
        if owner is None:
            self._store.commit([Remove(record_path(key))])
            return

        def step(snap: Snapshot | None) -> Commit[None] | Stop[None]:
            if snap is None or snap.data.get("owner") != owner or snap.data.get("status") != "in_progress":
                return Stop(None)
            # expire it now: the next claim takes it over (a Remove has no precondition)
            return Commit({"lease_until": self._clock(), "owner": ""}, None)

        compare_and_set(self._store, record_path(key), step, exhausted=lambda: None)
