"""Issue 9 regressions with the Firestore emulator as the store: colliding zip names charged for every
page extracted, text purged on rejected/cancelled jobs, a cancel racing the debit, and the API-key and
template limits under concurrent creates."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.pipeline_support import MemoryWorld, invoice_pdf, memory_world, pump, user_with_credits
from tests.unit.test_money_holes import (
    _arrive,
    _job,
    _money_adds_up,
    _short_tree_invoice,
    _texts,
    _two_file_job_rejected_on_the_second,
    _workbook_rows,
    raw_zip,
)
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.domain import job_model
from zapdoc.domain.clock import utcnow
from zapdoc.domain.errors import UsageError
from zapdoc.ports.store import Create
from zapdoc.services import jobs
from zapdoc.services.api_keys import ApiKeys
from zapdoc.services.idempotency import Claim, Idempotency
from zapdoc.services.intake import IntakeOutcome
from zapdoc.services.ledger import entry_path
from zapdoc.services.sweep import sweep
from zapdoc.services.templates_store import MAX_TEMPLATES, SavedTemplates

pytestmark = pytest.mark.emulators


@pytest.fixture
def world(firestore_client: Any) -> MemoryWorld:
    return memory_world(FirestoreStore(firestore_client))


def test_colliding_zip_names_are_charged_for_every_page_extracted(world: MemoryWorld) -> None:
    # GIVEN a zip with ./a.pdf (8 pages) + a.pdf (1 blank-ish page), d//c.pdf + d/c.pdf, and b.pdf twice
    user = user_with_credits(world, 100)
    entries = [
        ("./a.pdf", invoice_pdf("A8", "8", pages=8)),
        ("a.pdf", invoice_pdf("A1", "1")),
        ("d//c.pdf", invoice_pdf("C2", "2", pages=2)),
        ("d/c.pdf", invoice_pdf("C3", "3", pages=3)),
        ("b.pdf", invoice_pdf("B4", "4", pages=4)),
        ("b.pdf", invoice_pdf("B5", "5", pages=5)),
    ]
    job_id = _job(world, user, {"up.zip": raw_zip(entries)})
    # WHEN every event is delivered twice
    assert _arrive(world, job_id) == [IntakeOutcome.STARTED]
    _arrive(world, job_id)
    pump(world, duplicate=True)
    # THEN pages charged == pages extracted == sum of Pages in the workbook, names are distinct
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered"
    rows = _workbook_rows(world, job_id)
    assert len({r["File"] for r in rows}) == 6
    assert sorted(str(r["Invoice number"]) for r in rows) == ["A1", "A8", "B4", "B5", "C2", "C3"]
    assert sum(int(r["Pages"]) for r in rows) == 23 == job.data["charged"]
    assert _money_adds_up(world, user) == 100 - 23
    assert re.search(r"Credits charged: +23$", world.mailer.sent[0].text, re.M)


def test_rejected_and_cancelled_jobs_keep_no_text_on_firestore(world: MemoryWorld) -> None:
    # GIVEN one job rejected for credits and one cancelled with a file that did arrive
    rejected = _two_file_job_rejected_on_the_second(world)
    rich = user_with_credits(world, 10)
    created = jobs.create_job(
        world.rt,
        user_id=rich,
        email="r@example.com",
        filenames=["a.pdf", "b.pdf"],
        fields=jobs.job_fields({"fields": [{"name": "total", "type": "amount"}]}),
    )
    first = created.files[0]
    world.blobs.write("uploads", first.object_name, invoice_pdf("A", "1"), "application/pdf")
    from zapdoc.services.intake import handle_upload

    handle_upload(world.rt, bucket="uploads", name=first.object_name, generation="1")
    assert _texts(world, created.job_id) != [None]
    # WHEN the sweep cancels the second after its deadline
    world.clock.advance(hours=2)
    assert created.job_id in sweep(world.rt).cancelled
    # THEN neither keeps document text
    assert _texts(world, rejected) == [None]
    assert _texts(world, created.job_id) == [None]


def test_cancel_racing_the_debit_never_leaves_a_debit_on_firestore(world: MemoryWorld) -> None:
    # GIVEN a job past its deadline, and a sweep that cancels it just before intake's debit commits
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"x.pdf": invoice_pdf("C", "1", pages=3)})
    world.clock.advance(hours=2)
    store = world.rt.store
    real_commit = store.commit
    fired: list[bool] = []

    def commit(writes: Any) -> None:
        debit = entry_path(user, job_model.debit_key(job_id))
        if not fired and any(isinstance(w, Create) and w.path == debit for w in writes):
            fired.append(True)
            assert sweep(world.rt).cancelled == [job_id]
        real_commit(writes)

    store.commit = commit  # type: ignore[method-assign]
    # WHEN intake settles the job
    assert _arrive(world, job_id) == [IntakeOutcome.IGNORED]
    # THEN no debit exists, the balance is whole, the mail is true
    assert fired
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "cancelled"
    assert not jobs.ledger(world.rt).has_entry(user, job_model.debit_key(job_id))
    assert _money_adds_up(world, user) == 10
    assert "Nothing was charged" in world.mailer.sent[0].text


def test_many_cancels_and_intakes_racing_keep_money_consistent(world: MemoryWorld) -> None:
    # GIVEN 12 jobs past their deadline whose files arrive while sweeps run
    user = user_with_credits(world, 100)
    job_ids = [_job(world, user, {"x.pdf": invoice_pdf(f"J{i}", "1", pages=2)}) for i in range(12)]
    world.clock.advance(hours=2)

    def run(i: int) -> None:
        if i % 2:
            sweep(world.rt)
        else:
            _arrive(world, job_ids[i // 2])
            _arrive(world, job_ids[6 + i // 2])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, range(12)))
    # THEN every job is either cancelled with no debit, or running with its debit
    ledger = jobs.ledger(world.rt)
    for job_id in job_ids:
        snap = jobs.get_job(world.rt, job_id)
        assert snap is not None
        debited = ledger.has_entry(user, job_model.debit_key(job_id))
        assert (snap.data["status"], debited) in (("cancelled", False), ("running", True)), snap.data
    statuses = [jobs.get_job(world.rt, j).data["status"] for j in job_ids]  # type: ignore[union-attr]
    running = statuses.count("running")
    assert _money_adds_up(world, user) == 100 - 2 * running


def test_api_key_limit_holds_under_40_concurrent_creates_on_firestore(world: MemoryWorld) -> None:
    keys = ApiKeys(world.rt.store, world.rt.clock, max_keys=20)
    uid = f"u-{uuid.uuid4().hex[:8]}"

    def create(i: int) -> bool:
        try:
            keys.create(uid, f"k{i}")
        except UsageError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=40) as pool:
        made = sum(pool.map(create, range(40)))
    assert made == 20
    assert len(keys.list(uid, include_revoked=False)) == 20


def test_template_limit_holds_under_130_concurrent_creates_on_firestore(world: MemoryWorld) -> None:
    saved = SavedTemplates(world.rt.store, world.rt.clock)
    uid = f"u-{uuid.uuid4().hex[:8]}"
    fields = [{"name": "total", "type": "amount"}]

    def create(i: int) -> bool:
        try:
            saved.create(uid, f"t{i}", fields)
        except UsageError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=32) as pool:
        made = sum(pool.map(create, range(130)))
    assert made == MAX_TEMPLATES
    assert len(saved.list(uid)) == MAX_TEMPLATES


def test_a_pdf_with_pages_the_reader_cannot_open_is_an_error_row_not_charged(world: MemoryWorld) -> None:
    # GIVEN a zip with a good 2-page PDF and a 5-page PDF whose /Count says 1 (pdfium opens 1 page)
    user = user_with_credits(world, 20)
    entries = [("good.pdf", invoice_pdf("G2", "2", pages=2)), ("short.pdf", _short_tree_invoice())]
    job_id = _job(world, user, {"up.zip": raw_zip(entries)})
    # WHEN every event is delivered twice
    assert _arrive(world, job_id) == [IntakeOutcome.STARTED]
    pump(world, duplicate=True)
    # THEN the damaged PDF is an error row with the reason, and only the good pages were paid for
    rows = {str(r["File"]): r for r in _workbook_rows(world, job_id)}
    assert rows["up.zip/short.pdf"]["Status"] == "error"
    assert "cannot be opened" in str(rows["up.zip/short.pdf"]["Notes"])
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["charged"] == 2 == sum(int(r["Pages"] or 0) for r in rows.values())
    assert _money_adds_up(world, user) == 18


def test_a_crashed_claim_is_taken_over_after_the_short_lease_and_a_renewed_one_is_not(
    firestore_client: Any,
) -> None:
    # GIVEN a holder on the real clock with a 0.6 s lease, renewed by its heartbeat on Firestore
    store = FirestoreStore(firestore_client)
    ttl = dt.timedelta(days=1)
    lease = dt.timedelta(seconds=0.6)
    key = f"lease-test:{uuid.uuid4().hex}"
    holder, other = Idempotency(store, utcnow, ttl), Idempotency(store, utcnow, ttl)
    assert holder.claim(key, lease=lease) is Claim.CLAIMED
    with holder.keep_alive(key, lease=lease) as beat:
        # WHILE it works for 4 leases, every other claim finds it alive
        deadline = time.monotonic() + 2.4
        while time.monotonic() < deadline:
            assert other.claim(key, lease=lease) is Claim.IN_PROGRESS
            time.sleep(0.2)
        assert beat.beats >= 3 and not beat.lost
    # WHEN it stops renewing without releasing (it crashed) THEN one lease later the claim is taken over
    time.sleep(0.7)
    assert other.claim(key, lease=lease) is Claim.CLAIMED
    # AND the crashed holder can no longer renew or release it (compare-and-set on the owner)
    assert holder.renew(key, lease=lease) is False
    holder.release(key)
    assert Idempotency(store, utcnow, ttl).claim(key, lease=lease) is Claim.IN_PROGRESS
