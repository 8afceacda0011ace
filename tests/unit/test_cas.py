"""The one compare-and-set helper (services/cas.py) and the services built on it: a decision is
committed with the version it was made from, re-made from a fresh read after each conflict, and what
follows a commit (events, notifications, increments' reported values) happens once, after it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, user_with_credits
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain import job_model
from zapdoc.domain.errors import TransientError
from zapdoc.ports.store import Create, Increment, Put, Snapshot, Update, Write
from zapdoc.services import cas, jobs
from zapdoc.services.assemble import renew_lease
from zapdoc.services.confirm import ConfirmOutcome, confirm
from zapdoc.services.idempotency import Claim, record_path
from zapdoc.services.intake import handle_upload


class RacingStore(MemoryStore):
    """Before each of the next ``races`` commits touching ``path``, another writer changes it."""

    def __init__(self) -> None:
        super().__init__()
        self.path = ""
        self.races = 0
        self.committed: list[list[Write]] = []

    def commit(self, writes: Sequence[Write]) -> None:
        if self.races and any(w.path == self.path for w in writes):
            self.races -= 1
            super().commit([Update(self.path, {"touched": self.races})])
        super().commit(writes)
        self.committed.append(list(writes))


def _doc(store: MemoryStore, path: str = "things/a", **data: object) -> Snapshot:
    store.commit([Create(path, {"n": 0, **data})])
    snap = store.get(path)
    assert snap is not None
    return snap


def test_a_conflict_reads_again_and_the_decision_is_made_from_the_fresh_snapshot() -> None:
    store = RacingStore()
    snap = _doc(store)
    store.path, store.races = snap.path, 2
    seen: list[object] = []
    counter = Increment(1)

    def step(s: Snapshot | None) -> cas.Commit[int] | cas.Stop[int]:
        assert s is not None
        seen.append(s.data.get("touched"))
        return cas.Commit({"n": int(s.data["n"]) + 1}, len(seen), also=[Update("things/a", {"c": counter})])

    result = cas.compare_and_set(store, snap.path, step, snapshot=snap, exhausted=cas.give_up("busy"))
    # THEN the step ran once per attempt, on the snapshot as given and then as re-read after each race
    assert seen == [None, 1, 0] and result == 3
    # AND one commit landed: the decision and its other writes together, the increment reporting its value
    fresh = store.get(snap.path)
    assert fresh is not None and fresh.data["n"] == 1 and fresh.data["c"] == 1
    assert counter.after == [1]
    last = store.committed[-1][0]
    assert isinstance(last, Update) and last.fields == {"n": 1} and last.if_version is not None


def test_stop_writes_nothing_and_a_missing_document_is_shown_to_the_step() -> None:
    store = MemoryStore()
    commits = store.commits
    got: list[Snapshot | None] = []

    def step(s: Snapshot | None) -> cas.Commit[str] | cas.Stop[str]:
        got.append(s)
        return cas.Stop("absent")

    assert cas.compare_and_set(store, "things/none", step, exhausted=lambda: "never") == "absent"
    assert got == [None] and store.commits == commits
    with pytest.raises(ValueError, match="does not exist"):
        cas.compare_and_set(store, "things/none", lambda s: cas.Commit({"n": 1}, 0), exhausted=lambda: 0)


def test_after_every_attempt_conflicts_exhausted_decides() -> None:
    store = RacingStore()
    snap = _doc(store)
    store.path, store.races = snap.path, cas.MAX_ATTEMPTS

    def step(s: Snapshot | None) -> cas.Commit[str] | cas.Stop[str]:
        return cas.Commit({"n": 1}, "committed")

    assert cas.compare_and_set(store, snap.path, step, exhausted=lambda: "gave up") == "gave up"
    store.races = cas.MAX_ATTEMPTS
    with pytest.raises(TransientError, match="kept changing"):
        cas.compare_and_set(store, snap.path, step, exhausted=cas.give_up("kept changing"))
    # one attempt fewer races: the last attempt commits
    store.races = cas.MAX_ATTEMPTS - 1
    assert cas.compare_and_set(store, snap.path, step, exhausted=lambda: "gave up") == "committed"


# ---------------------------------------------------------------- services on the helper, under races


def _running_job(world: MemoryWorld) -> tuple[str, list[Snapshot]]:
    user = user_with_credits(world, 100)
    files = {"a.pdf": invoice_pdf("A1", "1.00"), "b.pdf": invoice_pdf("B1", "2.00")}
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS
    )
    for f in created.files:
        world.blobs.write("uploads", f.object_name, files[f.filename], "application/pdf")
        handle_upload(world.rt, bucket="uploads", name=f.object_name, generation="1")
    world.bus.drain()
    return created.job_id, jobs.list_documents(world.rt, created.job_id)


def test_fail_document_under_races_fails_once_decrements_once_and_notifies_only_the_last() -> None:
    store = RacingStore()
    world = memory_world(store)
    job_id, docs = _running_job(world)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data[jobs.OPEN] == 2
    first, second = docs
    # WHEN each is failed while another writer keeps touching it (three races each)
    store.path, store.races = first.path, 3
    assert jobs.fail_document(world.rt, job.data, job_id, first, "bad") is True
    assert world.bus.drain() == []  # one document still open: no assembly trigger
    store.path, store.races = second.path, 3
    assert jobs.fail_document(world.rt, job.data, job_id, second, "bad") is True
    # THEN the count went to zero once, and the commit that finished the last one triggered assembly once
    fresh = jobs.get_job(world.rt, job_id)
    assert fresh is not None and fresh.data[jobs.OPEN] == 0
    assert [d["step"] for _, d, _ in world.bus.drain()] == ["failed"]
    # AND a document no longer pending is not failed again (False, nothing written)
    assert jobs.fail_document(world.rt, job.data, job_id, first, "again") is False
    assert jobs.get_job(world.rt, job_id).data[jobs.OPEN] == 0  # type: ignore[union-attr]
    # AND every attempt that lost a race re-read the document: the losing commits were never applied twice
    failures = [w for c in store.committed for w in c if isinstance(w, Update) and "reason" in w.fields]
    assert len(failures) == 2


def test_fail_document_gives_up_with_a_transient_error_when_the_document_keeps_changing() -> None:
    store = RacingStore()
    world = memory_world(store)
    job_id, docs = _running_job(world)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None
    store.path, store.races = docs[0].path, cas.MAX_ATTEMPTS
    with pytest.raises(TransientError, match="kept changing while it was being marked failed"):
        jobs.fail_document(world.rt, job.data, job_id, docs[0], "bad")
    assert jobs.get_job(world.rt, job_id).data[jobs.OPEN] == 2  # type: ignore[union-attr]


def test_transition_and_renewal_and_confirm_keep_their_answers_when_exhausted() -> None:
    store = RacingStore()
    world = memory_world(store)
    job_id, _ = _running_job(world)
    path = job_model.job_path(job_id)
    # a transition that never wins: False, as before (not an error)
    store.path, store.races = path, cas.MAX_ATTEMPTS
    assert jobs.transition(world.rt, job_id, job_model.JobStatus.ASSEMBLING, {}) is False
    # a lease renewal that never wins is busy, not lost: True
    store.commit([Update(path, {"status": "assembling", "lease_owner": "me"})])
    store.path, store.races = path, cas.MAX_ATTEMPTS
    assert renew_lease(world.rt, job_id, "me") is True
    assert renew_lease(world.rt, job_id, "someone else") is False
    # a confirmation that never wins is "not held", and nothing is settled
    store.commit([Update(path, {"status": "awaiting_confirmation", "quote": 2, "hold": True})])
    store.path, store.races = path, cas.MAX_ATTEMPTS
    assert confirm(world.rt, job_id, 2) is ConfirmOutcome.NOT_HELD
    assert jobs.get_job(world.rt, job_id).data.get("confirmed_credits") is None  # type: ignore[union-attr]


def test_idempotency_renew_and_release_are_compare_and_set_on_the_owner() -> None:
    store = RacingStore()
    world = memory_world(store)
    idem = jobs.idempotency(world.rt)
    lease = world.rt.settings.lease
    assert idem.claim("k", lease=lease) is Claim.CLAIMED
    store.path, store.races = record_path("k"), 3
    assert idem.renew("k", lease=lease) is True  # won after three races
    store.path, store.races = record_path("k"), cas.MAX_ATTEMPTS
    assert idem.renew("k", lease=lease) is False  # never won
    # a claim taken over by another holder is neither renewed nor released by its old holder
    store.commit([Put(record_path("k"), {"status": "in_progress", "owner": "other"}, merge=True)])
    assert idem.renew("k", lease=lease) is False
    idem.release("k")
    snap = store.get(record_path("k"))
    assert snap is not None and snap.data["owner"] == "other"
