"""``Idempotency.holding``: the claim → work → complete / release sequence intake, extract and the
once-only mails share, in one place."""

from __future__ import annotations

import datetime as dt

import pytest

from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.ports.store import Update
from zapdoc.services.idempotency import Claim, Idempotency, LeaseLost, record_path
from zapdoc.services.runtime import SimulatedCrash

LEASE = dt.timedelta(seconds=30)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _idem() -> tuple[Idempotency, MemoryStore, Clock]:
    store, clock = MemoryStore(), Clock()
    return Idempotency(store, clock, dt.timedelta(days=1)), store, clock


def _status(store: MemoryStore, key: str) -> str | None:
    snap = store.get(record_path(key))
    return None if snap is None else str(snap.data["status"])


def test_the_block_ending_normally_completes_the_key() -> None:
    idem, store, _ = _idem()
    assert idem.claim("k", lease=LEASE) is Claim.CLAIMED
    with idem.holding("k"):
        pass
    assert _status(store, "k") == "completed"
    assert idem.claim("k", lease=LEASE) is Claim.COMPLETED


def test_a_failure_releases_the_key_so_a_retry_claims_it_at_once() -> None:
    idem, store, _ = _idem()
    idem.claim("k", lease=LEASE)
    with pytest.raises(TransientError), idem.holding("k"):
        raise TransientError("busy")
    assert _status(store, "k") == "in_progress"
    assert Idempotency(store, idem._clock, dt.timedelta(days=1)).claim("k", lease=LEASE) is Claim.CLAIMED


def test_complete_on_exceptions_complete_and_still_raise() -> None:
    idem, store, _ = _idem()
    idem.claim("k", lease=LEASE)
    with pytest.raises(PermanentError), idem.holding("k", complete_on=(PermanentError,)):
        raise PermanentError("refused for good")
    assert _status(store, "k") == "completed"


def test_a_lost_lease_or_a_crash_leaves_the_claim_alone() -> None:
    idem, store, clock = _idem()
    for key, exc in (("lost", LeaseLost("taken over")), ("crash", SimulatedCrash("dies"))):
        idem.claim(key, lease=LEASE)
        before = store.get(record_path(key))
        with pytest.raises(type(exc)), idem.holding(key):
            raise exc
        after = store.get(record_path(key))
        assert before is not None and after is not None and after.version == before.version
    # another invocation takes them over only once the lease ran out
    other = Idempotency(store, clock, dt.timedelta(days=1))
    assert other.claim("crash", lease=LEASE) is Claim.IN_PROGRESS
    clock.now += LEASE + dt.timedelta(seconds=1)
    assert other.claim("crash", lease=LEASE) is Claim.CLAIMED


def test_a_completion_taken_for_the_callers_commit_is_only_forgotten() -> None:
    idem, store, _ = _idem()
    idem.claim("k", lease=LEASE)
    taken: list[Update] = []

    def commit_fails() -> None:
        with idem.holding("k") as held:
            taken.append(held.completion())
            raise TransientError("the commit carrying the completion failed")

    with pytest.raises(TransientError):
        commit_fails()
    assert _status(store, "k") == "in_progress"  # not released: it expires with its lease
    snap = store.get(record_path("k"))
    assert snap is not None and snap.data["owner"]  # still the holder's: nobody expired it early
    store.commit(taken)
    assert _status(store, "k") == "completed"
