"""The sweep reads what can need it, in batches, oldest due first (in-memory store; the emulator test is
tests/integration/test_bounded_reads_firestore.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pipeline_support import memory_world
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain import job_model
from zapdoc.domain.errors import ConfigError
from zapdoc.ports.store import Put, Query, Snapshot
from zapdoc.services import jobs
from zapdoc.services.sweep import sweep
from zapdoc.settings import Settings


class CountingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def get(self, path: str) -> Snapshot | None:
        self.read += 1
        return super().get(path)

    def query(self, query: Query) -> list[Snapshot]:
        found = super().query(query)
        self.read += len(found)
        return found


def _delivered(now: dt.datetime, i: int, *, purge_after: dt.timedelta) -> dict[str, Any]:
    return {
        "user_id": "u1",
        "email": "u1@example.com",
        "status": job_model.JobStatus.DELIVERED.value,
        "created_at": now - dt.timedelta(days=2, minutes=i),
        "updated_at": now - dt.timedelta(days=2),
        "deadline_at": now - dt.timedelta(days=2),
        "purged": False,
        "purge_after": now + purge_after,
        "end_done": True,
        "files": {},
    }


def test_delivered_jobs_inside_their_retention_are_not_read() -> None:
    # GIVEN 120 delivered jobs not purged yet whose retention runs for another day
    store = CountingStore()
    world = memory_world(store=store, retention=dt.timedelta(days=3), sweep_batch=50)
    now = world.rt.clock()
    store.commit(
        [
            Put(job_model.job_path(f"j{i:03d}"), _delivered(now, i, purge_after=dt.timedelta(days=1)))
            for i in range(120)
        ]
    )
    # WHEN the sweep runs
    store.read = 0
    report = sweep(world.rt)
    # THEN it purges none and reads none of them
    assert report.purged == []
    assert store.read == 0
    # AND once their retention has passed it purges them, a batch per pass, oldest due first
    world.clock.advance(days=2)
    first = sweep(world.rt)
    assert len(first.purged) == 50
    assert len(sweep(world.rt).purged) == 50
    assert len(sweep(world.rt).purged) == 20
    assert sweep(world.rt).purged == []


def test_expired_uploads_are_cancelled_in_batches_by_deadline() -> None:
    # GIVEN five jobs waiting for files, three of them past their deadline, and a batch of two
    world = memory_world(sweep_batch=2)
    created = [
        jobs.create_job(world.rt, user_id="u1", email="u1@example.com", filenames=["a.pdf"], fields=_fields())
        for _ in range(5)
    ]
    for n, job in enumerate(created):  # deadlines one minute apart, in reverse creation order
        deadline = world.rt.clock() - dt.timedelta(minutes=3 - n)
        world.store.commit([Put(job_model.job_path(job.job_id), {"deadline_at": deadline}, merge=True)])
    # WHEN the sweep runs twice
    first, second = sweep(world.rt), sweep(world.rt)
    # THEN the earliest deadlines go first, two per pass, and jobs not yet due stay
    ids = [j.job_id for j in created]
    assert first.cancelled == ids[:2]
    assert second.cancelled == ids[2:3]
    assert {jobs.get_job(world.rt, i).data["status"] for i in ids[3:]} == {"awaiting_files"}  # type: ignore[union-attr]


def _fields() -> Any:
    from zapdoc.domain.fields import FieldSpec

    return (FieldSpec("total"),)


@pytest.mark.parametrize("value", ["0", "2001", "many"])
def test_the_sweep_batch_setting_is_bounded(value: str) -> None:
    with pytest.raises(ConfigError, match="ZAPDOC_SWEEP_BATCH"):
        Settings.from_env({"ZAPDOC_SWEEP_BATCH": value})


def test_the_sweep_batch_setting_is_read() -> None:
    assert Settings.from_env({}).cloud.sweep_batch == 200
    assert Settings.from_env({"ZAPDOC_SWEEP_BATCH": "7"}).cloud.sweep_batch == 7
