"""Issue 9 weakness: crash recovery waited for the whole lease (intake 184 s, assemble 599 s). Leases
are now short (30 s) and renewed by a heartbeat while a step works, each renewal a compare-and-set on
the claim's owner: a crashed step is taken over after one lease, a live one never."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from tests.pipeline_support import Clock, invoice_pdf, memory_world, pump, user_with_credits
from tests.unit.test_money_holes import _arrive, _job, _money_adds_up
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain import job_model
from zapdoc.domain.clock import utcnow
from zapdoc.domain.documents import DocumentText, Extraction
from zapdoc.domain.errors import TransientError
from zapdoc.domain.fields import FieldSpec
from zapdoc.services import jobs
from zapdoc.services.assemble import AssembleOutcome, assemble_job, renew_lease
from zapdoc.services.extract import StepOutcome, classify_document, extract_document
from zapdoc.services.idempotency import Claim, Heartbeat, Idempotency, LeaseLost, record_path
from zapdoc.services.intake import IntakeOutcome, handle_upload
from zapdoc.services.runtime import SimulatedCrash
from zapdoc.settings import CloudSettings

LEASE = dt.timedelta(seconds=30)


def test_the_default_lease_lets_a_crashed_step_be_retried_within_a_minute() -> None:
    settings = CloudSettings.from_env({"GOOGLE_CLOUD_PROJECT": "p"})
    assert settings.lease <= dt.timedelta(seconds=45)
    assert CloudSettings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "ZAPDOC_LEASE_S": "12"}).lease.seconds == 12


def test_renewal_keeps_a_live_claim_and_a_dead_one_is_taken_over_after_one_lease() -> None:
    clock, store = Clock(), MemoryStore()
    holder, other = (
        Idempotency(store, clock, dt.timedelta(days=1)),
        Idempotency(store, clock, dt.timedelta(days=1)),
    )
    assert holder.claim("k", lease=LEASE) is Claim.CLAIMED
    for _ in range(10):  # alive for 200 s, renewing every 20 s
        clock.advance(seconds=20)
        assert holder.renew("k", lease=LEASE)
        assert other.claim("k", lease=LEASE) is Claim.IN_PROGRESS
    clock.advance(seconds=31)  # then it dies: no renewal for one lease
    assert other.claim("k", lease=LEASE) is Claim.CLAIMED


def test_renewal_and_release_are_compare_and_set_on_the_owner() -> None:
    clock, store = Clock(), MemoryStore()
    stalled, newcomer = (
        Idempotency(store, clock, dt.timedelta(days=1)),
        Idempotency(store, clock, dt.timedelta(days=1)),
    )
    assert stalled.claim("k", lease=LEASE) is Claim.CLAIMED
    clock.advance(seconds=31)  # the first holder stalled past its lease
    assert newcomer.claim("k", lease=LEASE) is Claim.CLAIMED
    # THEN the stalled holder can neither extend nor release the newcomer's claim
    assert stalled.renew("k", lease=LEASE) is False
    stalled.release("k")
    snap = store.get(record_path("k"))
    assert snap is not None and snap.data["status"] == "in_progress"
    assert Idempotency(store, clock, dt.timedelta(days=1)).claim("k", lease=LEASE) is Claim.IN_PROGRESS
    # AND the newcomer's own release frees it at once; a completed claim is never renewed
    newcomer.release("k")
    assert stalled.claim("k", lease=LEASE) is Claim.CLAIMED
    stalled.complete("k")
    assert stalled.renew("k", lease=LEASE) is False
    assert newcomer.claim("k", lease=LEASE) is Claim.COMPLETED


def test_heartbeat_thread_renews_until_stopped_and_notices_a_lost_lease() -> None:
    calls: list[float] = []
    answers: Iterator[bool | Exception] = iter([True, True, RuntimeError("store unreachable"), True, False])

    def renew() -> bool:
        calls.append(time.monotonic())
        answer = next(answers, False)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with Heartbeat(renew, 0.02, name="t") as beat:
        deadline = time.monotonic() + 5
        while not beat.lost and time.monotonic() < deadline:
            time.sleep(0.01)
        # a failed renewal (exception) is retried; a refused one (False) ends the heartbeat
        assert beat.lost and len(calls) == 5
        with pytest.raises(LeaseLost):
            beat.check()
    assert isinstance(LeaseLost("x"), TransientError)  # the message is redelivered, not acked
    stopped = Heartbeat(lambda: True, 0.01)
    with stopped:
        time.sleep(0.1)
    beats = stopped.beats
    time.sleep(0.05)
    assert beats > 0 and stopped.beats == beats  # no renewal after the step ended


def test_a_crashed_intake_is_taken_over_after_one_lease() -> None:
    # GIVEN an intake that dies while reading the file (its claim stays in progress)
    world = memory_world()
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"a.pdf": invoice_pdf("A", "1", pages=3)})
    [file] = jobs.get_job(world.rt, job_id).data["files"].values()  # type: ignore[union-attr]
    world.crash_points.add("intake.after_read")
    with pytest.raises(SimulatedCrash):
        handle_upload(world.rt, bucket="uploads", name=file["object"], generation="1")
    # WHEN the event is redelivered within the lease THEN it waits; after one lease it takes over
    world.clock.advance(seconds=10)
    with pytest.raises(TransientError, match="being processed"):
        handle_upload(world.rt, bucket="uploads", name=file["object"], generation="1")
    world.clock.advance(seconds=21)
    assert (
        handle_upload(world.rt, bucket="uploads", name=file["object"], generation="1")
        is IntakeOutcome.STARTED
    )
    pump(world, duplicate=True)
    assert jobs.get_job(world.rt, job_id).data["status"] == "delivered"  # type: ignore[union-attr]
    assert _money_adds_up(world, user) == 7


def test_a_crashed_extraction_is_taken_over_after_one_lease() -> None:
    world = memory_world()
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"a.pdf": invoice_pdf("A", "1")})
    assert _arrive(world, job_id) == [IntakeOutcome.STARTED]
    [doc] = jobs.list_documents(world.rt, job_id)
    world.crash_points.add("extract.after_provider")
    with pytest.raises(SimulatedCrash):
        extract_document(world.rt, job_id, doc.id)
    with pytest.raises(TransientError, match="being extracted"):
        extract_document(world.rt, job_id, doc.id)
    world.clock.advance(seconds=31)
    assert extract_document(world.rt, job_id, doc.id) is StepOutcome.DONE
    assert world.extractor.calls == [doc.data["name"]] * 2  # once per holder, never concurrently


def test_a_crashed_assembly_is_taken_over_after_one_lease_and_a_renewed_one_is_not() -> None:
    world = memory_world()
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"a.pdf": invoice_pdf("A", "1")})
    _arrive(world, job_id)
    world.crash_points.add("assemble.after_workbook")
    for topic, data, _ in world.bus.drain():
        assert topic == world.rt.settings.documents_topic
        extract_document(world.rt, data["job_id"], data["document_id"])
        classify_document(world.rt, data["job_id"], data["document_id"])
    world.bus.drain()
    with pytest.raises(SimulatedCrash):
        assemble_job(world.rt, job_id)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == job_model.JobStatus.ASSEMBLING
    owner = str(job.data["lease_owner"])
    # WHILE its holder renews, nobody else assembles
    for _ in range(5):
        world.clock.advance(seconds=20)
        assert renew_lease(world.rt, job_id, owner)
        with pytest.raises(TransientError, match="being assembled"):
            assemble_job(world.rt, job_id)
    # WHEN the holder stops renewing (it crashed) THEN one lease later another invocation delivers
    world.clock.advance(seconds=31)
    assert assemble_job(world.rt, job_id) is AssembleOutcome.DELIVERED
    assert renew_lease(world.rt, job_id, owner) is False
    assert len(world.mailer.sent) == 1


class SlowExtractor:
    """Blocks in its first ``extract`` until released, as a long LLM request would."""

    name = "slow"

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        return Extraction(values={})

    def classify(self, doc: DocumentText) -> object:
        raise NotImplementedError


def test_a_live_extraction_longer_than_many_leases_is_never_run_twice() -> None:
    # GIVEN a 0.3 s lease on the real clock and a provider call that takes far longer
    world = memory_world(lease=dt.timedelta(seconds=0.3))
    world.rt.clock = utcnow
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"a.pdf": invoice_pdf("A", "1")})
    _arrive(world, job_id)
    [doc] = jobs.list_documents(world.rt, job_id)
    slow = SlowExtractor()
    world.rt._extractor = slow  # type: ignore[assignment]
    outcome: list[StepOutcome] = []
    worker = threading.Thread(target=lambda: outcome.append(extract_document(world.rt, job_id, doc.id)))
    worker.start()
    assert slow.started.wait(10)
    # WHEN redeliveries arrive over 5 leases THEN each finds the renewed lease and retries later
    for _ in range(10):
        time.sleep(0.15)
        with pytest.raises(TransientError, match="being extracted"):
            extract_document(world.rt, job_id, doc.id)
    slow.release.set()
    worker.join(10)
    assert outcome == [StepOutcome.DONE] and slow.calls == 1
