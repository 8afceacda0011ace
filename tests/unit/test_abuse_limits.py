"""Issue 9 weaknesses on in-memory adapters: the open-job quota and stray objects under a job."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world
from zapdoc.services import jobs
from zapdoc.services.intake import IntakeOutcome, handle_upload
from zapdoc.services.sweep import sweep


def _create(world: MemoryWorld, user: str) -> str:
    created = jobs.create_job(
        world.rt,
        user_id=user,
        email="o@example.com",
        filenames=["a.pdf"],
        fields=FIELDS,
        limit_open_jobs=True,
    )
    return created.job_id


def test_open_jobs_per_user_are_limited_and_freed_when_a_job_ends() -> None:
    # GIVEN a limit of 3 open jobs
    world = memory_world(max_open_jobs=3)
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email="o@example.com", initial_credits=100)
    first = [_create(world, user) for _ in range(3)]
    # WHEN a fourth is created THEN it is refused, while another user is not affected
    with pytest.raises(jobs.OpenJobLimit, match="3 jobs in progress"):
        _create(world, user)
    _create(world, "someone-else")
    # WHEN one job ends (cancelled by the sweep) THEN exactly one more may start
    job = jobs.get_job(world.rt, first[0])
    assert job is not None
    world.store.commit(
        [
            __import__("zapdoc.ports.store", fromlist=["Update"]).Update(
                job.path, {"deadline_at": world.clock()}
            )
        ]
    )
    world.clock.advance(seconds=1)
    assert sweep(world.rt).cancelled == [first[0]]
    _create(world, user)
    with pytest.raises(jobs.OpenJobLimit):
        _create(world, user)


def test_open_job_limit_holds_under_concurrent_creates() -> None:
    world = memory_world(max_open_jobs=5)
    user = f"u-{uuid.uuid4().hex[:8]}"

    def create(_: int) -> bool:
        try:
            _create(world, user)
        except jobs.OpenJobLimit:
            return False
        return True

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert sum(pool.map(create, range(30))) == 5


def test_delivered_and_rejected_jobs_free_their_slot() -> None:
    world = memory_world(max_open_jobs=1)
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email="o@example.com", initial_credits=0)
    job_id = _create(world, user)
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    obj = snap.data["files"]["f000"]["object"]
    world.blobs.write("uploads", obj, invoice_pdf("X", "1"), "application/pdf")
    assert handle_upload(world.rt, bucket="uploads", name=obj, generation="1") is IntakeOutcome.REJECTED
    _create(world, user)  # the rejected job no longer counts


@pytest.mark.parametrize("suffix", ["extra.pdf", "f000/other.pdf", "f999/a.pdf", "f000/a.pdf/x", "zz/a.pdf"])
def test_stray_objects_under_a_job_are_deleted_at_once(suffix: str) -> None:
    # GIVEN a job waiting for a.pdf
    world = memory_world()
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email="o@example.com", initial_credits=10)
    job_id = _create(world, user)
    stray = f"jobs/{job_id}/{suffix}"
    world.blobs.write("uploads", stray, invoice_pdf("S", "1"), "application/pdf")
    # WHEN its finalize event arrives THEN the object is deleted and nothing is recorded
    assert handle_upload(world.rt, bucket="uploads", name=stray, generation="1") is IntakeOutcome.IGNORED
    assert world.blobs.list("uploads", f"jobs/{job_id}/") == []
    assert jobs.list_documents(world.rt, job_id) == []


def _job_of(world: MemoryWorld, files: dict[str, bytes], credits: int) -> tuple[str, str]:
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email="b@example.com", initial_credits=credits)
    created = jobs.create_job(
        world.rt, user_id=user, email="b@example.com", filenames=list(files), fields=FIELDS
    )
    for f in created.files:
        world.blobs.write("uploads", f.object_name, files[f.filename], "application/octet-stream")
    return user, created.job_id


def _arrive_all(world: MemoryWorld, job_id: str) -> list[IntakeOutcome]:
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    return [
        handle_upload(world.rt, bucket="uploads", name=f["object"], generation="1")
        for f in snap.data["files"].values()
    ]


def test_counting_stops_as_soon_as_the_balance_is_exceeded() -> None:
    # GIVEN 16 credits and a zip of 40 PDFs of 60 blank pages each (2,400 pages)
    from tests.pdfs import make_pdf
    from tests.unit.test_money_holes import raw_zip

    world = memory_world()
    blank = make_pdf([""] * 60)
    user, job_id = _job_of(world, {"burn.zip": raw_zip([(f"b{i}.pdf", blank) for i in range(40)])}, 16)
    # WHEN it arrives
    assert _arrive_all(world, job_id) == [IntakeOutcome.REJECTED]
    # THEN counting stopped at the first document past the balance (60 pages counted, not 2,400), no text
    # was read or stored, nothing was charged and the reason says so
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "rejected"
    assert job.data["reason"] == "not enough credits: the job needs at least 60 and the balance is 16"
    assert jobs.list_documents(world.rt, job_id) == []
    assert jobs.ledger(world.rt).balance(user) == 16
    assert world.blobs.list("uploads", f"jobs/{job_id}/") == []
    # and a redelivery of the event does not count again
    assert _arrive_all(world, job_id) == [IntakeOutcome.IGNORED]


def test_the_balance_counts_pages_of_files_already_arrived() -> None:
    # GIVEN 5 credits and two 3-page PDFs: the second file alone fits, both together do not
    world = memory_world()
    pdf = invoice_pdf("P", "1", pages=3)
    _, job_id = _job_of(world, {"a.pdf": pdf, "b.pdf": pdf}, 5)
    outcomes = _arrive_all(world, job_id)
    assert outcomes == [IntakeOutcome.WAITING, IntakeOutcome.REJECTED]
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and "at least 6" in job.data["reason"]


def test_pages_and_documents_per_job_are_bounded() -> None:
    from tests.unit.test_money_holes import raw_zip

    world = memory_world(max_job_pages=5, max_job_documents=4)
    pdf = invoice_pdf("P", "1", pages=3)
    _, job_id = _job_of(world, {"a.zip": raw_zip([("a.pdf", pdf), ("b.pdf", pdf)])}, 100)
    assert _arrive_all(world, job_id) == [IntakeOutcome.REJECTED]
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and "more than 5 pages" in job.data["reason"]
    _, job_id = _job_of(
        world, {"a.zip": raw_zip([(f"{i}.pdf", invoice_pdf("P", "1")) for i in range(5)])}, 100
    )
    assert _arrive_all(world, job_id) == [IntakeOutcome.REJECTED]
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and "5 documents, over the limit of 4" in job.data["reason"]
