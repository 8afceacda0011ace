"""Held jobs (the web app's "see the cost before the charge"): counted, quoted, charged only when the user
confirms the quote; cancelling one ends it like any other job (text purged, slot freed, end recorded)."""

from __future__ import annotations

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump, user_with_credits
from zapdoc.domain import job_model
from zapdoc.services import jobs
from zapdoc.services.confirm import ConfirmOutcome, cancel, confirm
from zapdoc.services.intake import IntakeOutcome, handle_upload


def _held_job(world: MemoryWorld, user: str, files: dict[str, bytes]) -> str:
    created = jobs.create_job(
        world.rt,
        user_id=user,
        email=f"{user}@example.com",
        filenames=list(files),
        fields=FIELDS,
        hold=True,
        limit_open_jobs=True,
    )
    for f in created.files:
        world.blobs.write("uploads", f.object_name, files[f.filename], "application/pdf")
    snap = jobs.get_job(world.rt, created.job_id)
    assert snap is not None
    for _, f in sorted(snap.data["files"].items()):
        handle_upload(world.rt, bucket="uploads", name=f["object"], generation="1")
    return created.job_id


def _job(world: MemoryWorld, job_id: str) -> dict[str, object]:
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    return dict(snap.data)


def test_a_held_job_over_the_balance_is_quoted_not_rejected_and_runs_once_credits_are_bought() -> None:
    # GIVEN a user with 2 credits and a held job of 5 pages
    world = memory_world()
    user = user_with_credits(world, 2)
    job_id = _held_job(world, user, {"a.pdf": invoice_pdf("A1", "10.00", pages=5)})
    # THEN it waits for a confirmation with its quote, and nothing was charged
    job = _job(world, job_id)
    assert job["status"] == job_model.JobStatus.AWAITING_CONFIRMATION.value and job["quote"] == 5
    assert jobs.ledger(world.rt).balance(user) == 2
    # WHEN the user confirms while short, it stays held and uncharged
    assert confirm(world.rt, job_id, 5) is ConfirmOutcome.SHORT
    assert _job(world, job_id)["status"] == job_model.JobStatus.AWAITING_CONFIRMATION.value
    assert jobs.ledger(world.rt).balance(user) == 2
    # AND a wrong amount is refused as a changed cost
    jobs.ledger(world.rt).apply(user, "purchase-test", 10, meta={"reason": "test purchase"})
    assert confirm(world.rt, job_id, 4) is ConfirmOutcome.COST_CHANGED
    # WHEN they confirm the quote with enough credits, it is debited exactly once and delivered
    assert confirm(world.rt, job_id, 5) is ConfirmOutcome.STARTED
    assert confirm(world.rt, job_id, 5) is ConfirmOutcome.STARTED  # a double click charges nothing more
    pump(world)
    job = _job(world, job_id)
    assert job["status"] == job_model.JobStatus.DELIVERED.value and job["charged"] == 5
    assert jobs.ledger(world.rt).balance(user) == 12 - 5


def test_cancelling_a_held_job_purges_its_text_frees_its_slot_and_records_the_end() -> None:
    # GIVEN a user allowed one open job, with a held (counted, unconfirmed) job
    world = memory_world(max_open_jobs=1)
    user = user_with_credits(world, 10)
    job_id = _held_job(world, user, {"a.pdf": invoice_pdf("A1", "10.00", pages=2)})
    assert any(d.data.get("text") for d in jobs.list_documents(world.rt, job_id))
    # WHEN the user cancels it
    assert cancel(world.rt, job_id, "cancelled by you before any charge")
    # THEN it is cancelled with nothing charged, its documents' text is gone and its end was recorded
    job = _job(world, job_id)
    assert job["status"] == job_model.JobStatus.CANCELLED.value and job.get("end_done") is True
    assert not any(d.data.get("text") for d in jobs.list_documents(world.rt, job_id))
    assert jobs.ledger(world.rt).balance(user) == 10
    # AND the open-job slot is free again: the next job is accepted
    _held_job(world, user, {"b.pdf": invoice_pdf("B1", "5.00")})
    # AND a confirmed job can no longer be cancelled (a debit never races a cancellation)
    other = memory_world()
    rich = user_with_credits(other, 10)
    started = _held_job(other, rich, {"c.pdf": invoice_pdf("C1", "1.00")})
    assert confirm(other.rt, started, 1) is ConfirmOutcome.STARTED
    assert not cancel(other.rt, started)
    assert _job(other, started)["status"] == job_model.JobStatus.RUNNING.value


def test_a_plain_job_over_the_balance_is_still_refused_while_counting() -> None:
    world = memory_world()
    user = user_with_credits(world, 2)
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=["a.pdf"], fields=FIELDS
    )
    f = created.files[0]
    world.blobs.write("uploads", f.object_name, invoice_pdf("A1", "10.00", pages=5), "application/pdf")
    outcome = handle_upload(world.rt, bucket="uploads", name=f.object_name, generation="1")
    assert outcome is IntakeOutcome.REJECTED
    assert _job(world, created.job_id)["status"] == job_model.JobStatus.REJECTED.value
