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
