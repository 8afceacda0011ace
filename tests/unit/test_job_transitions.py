"""The job state machine: one table in the domain (``job_model.TRANSITIONS``). Every move the services make
(intake, confirm, cancel, sweep, assemble), observed on the store, is in it; every move in it is made by
some scenario; ``transition`` refuses a move the table does not allow."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump, user_with_credits
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain import job_model
from zapdoc.ports.store import Create, Put, Update, Write
from zapdoc.services import jobs
from zapdoc.services.confirm import ConfirmOutcome, cancel, confirm
from zapdoc.services.intake import handle_upload
from zapdoc.services.sweep import sweep

Move = tuple[job_model.JobStatus, job_model.JobStatus]


class MovesStore(MemoryStore):
    """A memory store that records every change of a job's ``status`` its commits make."""

    def __init__(self) -> None:
        super().__init__()
        self.moves: list[Move] = []
        self._commit_lock = threading.Lock()

    def commit(self, writes: Sequence[Write]) -> None:
        with self._commit_lock:  # heartbeats commit from threads: keep before/after of one commit together
            before: dict[str, object] = {}
            for w in writes:
                if w.path.count("/") == 1 and w.path.startswith("jobs/"):
                    snap = self.get(w.path)
                    before[w.path] = snap.data.get("status") if snap is not None else None
            super().commit(writes)
            for w in writes:
                new = _status_written(w)
                if w.path in before and new is not None and before[w.path] is not None:
                    self.moves.append(
                        (job_model.JobStatus(str(before[w.path])), job_model.JobStatus(str(new)))
                    )


def _status_written(w: Write) -> object:
    if isinstance(w, Update):
        return w.fields.get("status")
    if isinstance(w, Put | Create):
        return w.data.get("status")
    return None


def _world() -> tuple[MemoryWorld, MovesStore]:
    store = MovesStore()
    return memory_world(store), store


def _job(world: MemoryWorld, user: str, files: dict[str, bytes], *, hold: bool = False) -> str:
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS, hold=hold
    )
    return created.job_id


def _upload(
    world: MemoryWorld, job_id: str, files: dict[str, bytes], only: Sequence[str] | None = None
) -> None:
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    for record in snap.data["files"].values():
        if only is not None and record["name"] not in only:
            continue
        world.blobs.write("uploads", record["object"], files[record["name"]], "application/pdf")
        handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1")


def _status(world: MemoryWorld, job_id: str) -> str:
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    return str(snap.data["status"])


def _every_scenario() -> set[Move]:
    """Run one job through each path the services take; the moves the store saw."""
    world, store = _world()
    user = user_with_credits(world, 100)
    a = {"a.pdf": invoice_pdf("A1", "10.00")}
    two = {"a.pdf": invoice_pdf("A1", "10.00"), "b.pdf": invoice_pdf("B1", "2.00")}

    # intake → running → assembling → delivered, with one assembly crashing and its lease taken over
    plain = _job(world, user, a)
    world.crash_points.add("assemble.after_workbook")
    _upload(world, plain, a)
    pump(world)
    assert _status(world, plain) == job_model.JobStatus.DELIVERED

    # not enough credits: rejected (counting, then at the debit)
    poor = user_with_credits(world, 0)
    rejected = _job(world, poor, a)
    _upload(world, rejected, a)
    assert _status(world, rejected) == job_model.JobStatus.REJECTED

    # held: awaiting confirmation, confirmed → running; another cancelled by the user
    held = _job(world, user, a, hold=True)
    _upload(world, held, a)
    assert confirm(world.rt, held, 1) is ConfirmOutcome.STARTED
    pump(world)
    assert _status(world, held) == job_model.JobStatus.DELIVERED
    held_cancelled = _job(world, user, a, hold=True)
    _upload(world, held_cancelled, a)
    assert cancel(world.rt, held_cancelled)

    # cancelled by the user before every file arrived; cancelled by the sweep past the deadline
    early = _job(world, user, two)
    assert cancel(world.rt, early)
    late = _job(world, user, two)
    _upload(world, late, two, only=["a.pdf"])
    world.clock.advance(hours=2)
    assert sweep(world.rt).cancelled == [late]
    assert _status(world, late) == job_model.JobStatus.CANCELLED
    return set(store.moves)


def test_every_move_the_services_make_is_in_the_table_and_every_move_in_the_table_is_made() -> None:
    moves = _every_scenario()
    table = {(a, b) for a, targets in job_model.TRANSITIONS.items() for b in targets}
    assert moves - table == set(), "moves the services made that the domain's table does not allow"
    assert table - moves == set(), "moves in the table that no scenario exercised"


def test_terminal_states_are_exactly_those_without_a_way_out() -> None:
    assert set(job_model.TRANSITIONS) == set(job_model.JobStatus)
    for status, targets in job_model.TRANSITIONS.items():
        assert status.terminal == (not targets), status
    assert job_model.sources_of(job_model.JobStatus.RUNNING) == {
        job_model.JobStatus.AWAITING_FILES,
        job_model.JobStatus.AWAITING_CONFIRMATION,
    }
    assert job_model.may_move("awaiting_files", job_model.JobStatus.CANCELLED)
    assert not job_model.may_move("delivered", job_model.JobStatus.RUNNING)
    assert not job_model.may_move("no-such-state", job_model.JobStatus.RUNNING) and not job_model.may_move(
        None, job_model.JobStatus.RUNNING
    )


def test_transition_refuses_a_move_the_table_does_not_allow() -> None:
    world, store = _world()
    user = user_with_credits(world, 100)
    job_id = _job(world, user, {"a.pdf": invoice_pdf("A1", "10.00")})
    # a job awaiting files cannot be delivered or start assembling: False, nothing written
    assert jobs.transition(world.rt, job_id, job_model.JobStatus.DELIVERED, {}) is False
    assert jobs.transition(world.rt, job_id, job_model.JobStatus.ASSEMBLING, {}) is False
    assert _status(world, job_id) == job_model.JobStatus.AWAITING_FILES and store.moves == []
    # a caller naming a source the table does not allow is a programming error
    with pytest.raises(ValueError, match="cannot move from running to cancelled"):
        jobs.transition(
            world.rt, job_id, job_model.JobStatus.CANCELLED, {}, only_from=[job_model.JobStatus.RUNNING]
        )
    with pytest.raises(ValueError, match="status"):
        jobs.transition(world.rt, job_id, job_model.JobStatus.CANCELLED, {"status": "delivered"})
    # narrowed sources: the job is not awaiting confirmation, so it is not cancelled
    narrowed = [job_model.JobStatus.AWAITING_CONFIRMATION]
    assert jobs.transition(world.rt, job_id, job_model.JobStatus.CANCELLED, {}, only_from=narrowed) is False
    # a legal move is made, once: a terminal state has no way out
    assert jobs.transition(world.rt, job_id, job_model.JobStatus.CANCELLED, {"reason": "test"}) is True
    assert store.moves == [(job_model.JobStatus.AWAITING_FILES, job_model.JobStatus.CANCELLED)]
    for target in job_model.JobStatus:
        assert jobs.transition(world.rt, job_id, target, {}) is False
    assert _status(world, job_id) == job_model.JobStatus.CANCELLED
