"""Firestore work per document (issue 15): intake reads nothing it just wrote, extract completes in one
commit, a count of open documents on the job lets only the last result trigger assembly, refunds of a
job go in one ledger commit, and writers on one balance coalesce. In-memory store, counted."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump, zip_of
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain import job_model
from zapdoc.domain.errors import TransientError
from zapdoc.ports.store import Query, Snapshot, Update, Write
from zapdoc.services import jobs
from zapdoc.services.assemble import assemble_job
from zapdoc.services.extract import StepOutcome, classify_document, extract_document
from zapdoc.services.intake import handle_upload
from zapdoc.services.ledger import Change, Ledger, Outcome


class CountingStore(MemoryStore):
    """A MemoryStore that records every operation: (kind, path or collection, writes)."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[tuple[str, str, int]] = []
        self._ops_lock = threading.Lock()

    def _note(self, kind: str, where: str, n: int) -> None:
        with self._ops_lock:
            self.ops.append((kind, where, n))

    def get(self, path: str) -> Snapshot | None:
        self._note("get", path, 1)
        return super().get(path)

    def query(self, query: Query) -> list[Snapshot]:
        found = super().query(query)
        self._note("query", query.collection, max(1, len(found)))
        return found

    def commit(self, writes: Sequence[Write]) -> None:
        self._note("commit", ",".join(w.path for w in writes), len(writes))
        super().commit(writes)

    def mark(self) -> int:
        return len(self.ops)

    def since(self, mark: int) -> list[tuple[str, str, int]]:
        return self.ops[mark:]


def _world() -> tuple[MemoryWorld, CountingStore]:
    store = CountingStore()
    return memory_world(store), store


def _job(world: MemoryWorld, files: dict[str, bytes], credits: int = 100) -> tuple[str, str]:
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@x.com", filenames=list(files), fields=FIELDS
    )
    return user, created.job_id


def _upload(world: MemoryWorld, job_id: str, files: dict[str, bytes]) -> None:
    job = jobs.get_job(world.rt, job_id)
    assert job is not None
    for record in job.data["files"].values():
        world.blobs.write("uploads", record["object"], files[record["name"]], "application/zip")
        handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1")


def _deliver(world: MemoryWorld, *, classify_first: bool = False) -> Counter[str]:
    """Run every published message once (documents: extract and classify, in the order asked);
    returns how many messages each topic carried."""
    carried: Counter[str] = Counter()
    while batch := world.bus.drain():
        for topic, data, _ in batch:
            carried[topic] += 1
            if topic == world.rt.settings.documents_topic:
                steps = [classify_document, extract_document]
                for step in steps if classify_first else reversed(steps):
                    step(world.rt, str(data["job_id"]), str(data["document_id"]))
            elif topic == world.rt.settings.results_topic:
                assemble_job(world.rt, str(data["job_id"]))
    return carried


def _twelve() -> dict[str, bytes]:
    inner = {f"inv-{i}.pdf": invoice_pdf(f"N-{i}", f"{i}.50", pages=1 + i % 2) for i in range(12)}
    return {"batch.zip": zip_of(inner)}


def test_intake_reads_no_document_record_it_wrote() -> None:
    # GIVEN a job of one zip with 12 invoices
    world, store = _world()
    _, job_id = _job(world, _twelve())
    mark = store.mark()
    # WHEN the upload arrives
    _upload(world, job_id, _twelve())
    ops = store.since(mark)
    # THEN intake neither read nor queried a document record (it wrote them): the job lists them
    assert [o for o in ops if "/documents" in o[1] and o[0] != "commit"] == []
    job = jobs.get_job(world.rt, job_id)
    assert job is not None
    assert job.data["status"] == "running" and job.data[jobs.OPEN] == 12
    assert len(next(iter(job.data["files"].values()))["pending"]) == 12
    # AND it published every document once
    published = [d for t, d, _ in world.bus.drain() if t == world.rt.settings.documents_topic]
    assert sorted(str(d["document_id"]) for d in published) == sorted(
        next(iter(job.data["files"].values()))["pending"]
    )


@pytest.mark.parametrize("classify_first", [False, True])
def test_only_the_last_result_triggers_assembly(classify_first: bool) -> None:
    # GIVEN a running job of 12 documents
    world, _ = _world()
    _, job_id = _job(world, _twelve())
    _upload(world, job_id, _twelve())
    # WHEN every document is extracted and classified (in either order)
    carried = _deliver(world, classify_first=classify_first)
    # THEN one results message was published (by the step that finished the 12th document), and the
    # job was delivered with the counter at exactly zero
    assert carried[world.rt.settings.results_topic] == 1
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered" and job.data[jobs.OPEN] == 0


def test_assemble_checks_in_one_read_while_documents_are_open() -> None:
    world, store = _world()
    _, job_id = _job(world, _twelve())
    _upload(world, job_id, _twelve())
    mark = store.mark()
    assert assemble_job(world.rt, job_id).value == "waiting"
    assert store.since(mark) == [("get", job_model.job_path(job_id), 1)]


def test_extract_records_its_result_and_completion_in_one_commit() -> None:
    world, store = _world()
    _, job_id = _job(world, {"a.pdf": invoice_pdf("A-1", "1.00")})
    _upload(world, job_id, {"a.pdf": invoice_pdf("A-1", "1.00")})
    [(_, data, _)] = [m for m in world.bus.drain() if m[0] == world.rt.settings.documents_topic]
    mark = store.mark()
    assert extract_document(world.rt, job_id, str(data["document_id"])) is StepOutcome.DONE
    commits = [o for o in store.since(mark) if o[0] == "commit"]
    # THEN: the claim, then ONE commit with the result, the completion (and no analytics record yet)
    assert len(commits) == 2
    result_commit = commits[1][1].split(",")
    assert any("/documents/" in p for p in result_commit) and any(
        p.startswith("idempotency/") for p in result_commit
    )
    assert not any(p.startswith("analytics/") for p in result_commit)


def test_an_extractor_that_types_in_its_answer_leaves_classify_nothing_to_do() -> None:
    # GIVEN an extractor whose answers carry the document type
    world, store = _world()
    world.extractor.types_in_extraction = True  # type: ignore[attr-defined]
    files = {"a.pdf": invoice_pdf("A-1", "1.00"), "r.pdf": invoice_pdf("R-1", "2.00", extra="receipt")}
    _, job_id = _job(world, files)
    _upload(world, job_id, files)
    msgs = [m for m in world.bus.drain() if m[0] == world.rt.settings.documents_topic]
    # WHEN classify runs for each document THEN it reads and writes nothing
    mark = store.mark()
    assert [classify_document(world.rt, job_id, str(d["document_id"])) for _, d, _ in msgs] == [
        StepOutcome.TYPED
    ] * 2
    assert store.since(mark) == []
    # AND the extraction classified each document in its own commit; the last one triggered assembly
    for _, data, _ in msgs:
        world.bus.publish(world.rt.settings.documents_topic, data)
    _deliver(world)
    docs = jobs.list_documents(world.rt, job_id)
    assert all(d.data["classified"] and d.data["doc_type"] == "invoice" for d in docs)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered"


def test_failed_documents_of_a_job_are_refunded_in_one_ledger_commit() -> None:
    # GIVEN a job of 5 documents, 3 of which the provider refuses (2 pages each)
    world, store = _world()
    inner = {f"ok-{i}.pdf": invoice_pdf(f"K-{i}", "1.00") for i in range(2)}
    inner |= {f"bad-{i}.pdf": invoice_pdf("X", "1", pages=2, extra="PERMANENT-FAIL") for i in range(3)}
    files = {"b.zip": zip_of(inner)}
    user, job_id = _job(world, files, credits=20)
    _upload(world, job_id, files)
    mark = store.mark()
    pump(world, duplicate=True)
    # THEN the 6 pages come back once, one entry per document, all in ONE commit on the balance
    ledger = jobs.ledger(world.rt)
    refunds = sorted(e["delta"] for e in ledger.entries(user) if e["key"].startswith(f"refund:{job_id}:"))
    assert refunds == [2, 2, 2]
    assert ledger.balance(user) == 20 - 2 == sum(e["delta"] for e in ledger.entries(user))
    balance_commits = [o for o in store.since(mark) if o[0] == "commit" and f"users/{user}," in o[1] + ","]
    assert len(balance_commits) == 1
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["refunded"] == 6 and job.data["status"] == "delivered"


def test_a_redelivered_step_never_counts_a_document_twice() -> None:
    world, _ = _world()
    _, job_id = _job(world, _twelve())
    _upload(world, job_id, _twelve())
    pump(world, duplicate=True)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered" and job.data[jobs.OPEN] == 0


# --- the ledger under contention ----------------------------------------------------------------------


class SlowStore(MemoryStore):
    """Commits take a moment, as on a real store, so concurrent writers overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.user_commits = 0

    def commit(self, writes: Sequence[Write]) -> None:
        threading.Event().wait(0.002)
        if any(isinstance(w, Update) and w.path.count("/") == 1 for w in writes):
            self.user_commits += 1
        super().commit(writes)


def _ledger_user(ledger: Ledger, credits: int) -> str:
    user = f"u-{uuid.uuid4().hex[:8]}"
    ledger.ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    return user


def _race(ledger: Ledger, user: str, writers: int, each: int) -> list[Outcome]:
    def work(w: int) -> list[Outcome]:
        return [ledger.apply(user, f"debit:w{w}-{i}", -1).outcome for i in range(each)]

    with ThreadPoolExecutor(max_workers=writers) as pool:
        return [o for part in pool.map(work, range(writers)) for o in part]


def test_writers_on_one_balance_share_commits_exactly() -> None:
    # GIVEN 32 writers debiting one balance 10 times each, with credit for all of them
    store = SlowStore()
    ledger = Ledger(store)
    user = _ledger_user(ledger, 1000)
    # WHEN they race
    outcomes = _race(ledger, user, 32, 10)
    # THEN every debit applied once, in fewer commits than debits, and the money adds up
    assert outcomes.count(Outcome.APPLIED) == 320
    assert store.user_commits < 320
    entries = ledger.entries(user)
    assert ledger.balance(user) == 680 == sum(e["delta"] for e in entries)
    # AND the balances after each debit are exactly 999 .. 680 (one commit's entries chain)
    assert sorted(e["balance_after"] for e in entries if e["delta"] == -1) == list(range(680, 1000))


def test_coalesced_writers_never_overdraw() -> None:
    store = SlowStore()
    ledger = Ledger(store)
    user = _ledger_user(ledger, 100)
    outcomes = _race(ledger, user, 32, 5)  # 160 debits for 100 credits
    assert outcomes.count(Outcome.APPLIED) == 100 and outcomes.count(Outcome.INSUFFICIENT) == 60
    entries = ledger.entries(user)
    assert ledger.balance(user) == 0 == sum(e["delta"] for e in entries)
    assert all(e["balance_after"] >= 0 for e in entries)


def test_one_batch_with_the_same_key_twice_applies_it_once() -> None:
    ledger = Ledger(MemoryStore())
    user = _ledger_user(ledger, 10)
    results = ledger.apply_many(user, [Change("debit:j", -4), Change("debit:j", -4), Change("debit:k", -4)])
    assert [r.outcome for r in results] == [Outcome.APPLIED, Outcome.ALREADY_APPLIED, Outcome.APPLIED]
    again = ledger.apply_many(user, [Change("debit:k", -4), Change("debit:m", -1)])
    assert [r.outcome for r in again] == [Outcome.ALREADY_APPLIED, Outcome.APPLIED]
    assert ledger.balance(user) == 1 == sum(e["delta"] for e in ledger.entries(user))


def test_a_refused_debit_that_was_applied_before_says_so() -> None:
    ledger = Ledger(MemoryStore())
    user = _ledger_user(ledger, 5)
    assert ledger.apply(user, "debit:a", -5).outcome is Outcome.APPLIED
    assert ledger.apply(user, "debit:a", -5).outcome is Outcome.ALREADY_APPLIED  # not INSUFFICIENT


def test_a_failing_commit_reaches_every_writer_of_the_batch() -> None:
    class Down(MemoryStore):
        def commit(self, writes: Sequence[Write]) -> None:
            if any("/ledger/debit:" in w.path for w in writes):
                raise TransientError("store unavailable")
            super().commit(writes)

    ledger = Ledger(Down())
    user = _ledger_user(ledger, 10)

    def attempt(i: int) -> Any:
        try:
            return ledger.apply(user, f"debit:{i}", -1)
        except TransientError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(attempt, range(8)))
    assert all(isinstance(g, TransientError) for g in got)
    assert ledger.balance(user) == 10
