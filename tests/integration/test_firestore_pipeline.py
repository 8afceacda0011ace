"""The pipeline services with the real Firestore emulator as their store (other ports in memory).

Proves the money and delivery guarantees hold with Firestore's commit semantics, including 20 jobs of one
user racing for credits that cover 10.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump, zip_of
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.services import jobs
from zapdoc.services.intake import IntakeOutcome, handle_upload

pytestmark = pytest.mark.emulators


@pytest.fixture
def world(firestore_client: Any) -> MemoryWorld:
    return memory_world(FirestoreStore(firestore_client))


def _job(world: MemoryWorld, user: str, files: dict[str, bytes]) -> str:
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS
    )
    for f in created.files:
        world.blobs.write("uploads", f.object_name, files[f.filename], "application/pdf")
    return created.job_id


def _upload_all(world: MemoryWorld, job_id: str) -> list[IntakeOutcome]:
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    return [
        handle_upload(world.rt, bucket="uploads", name=f["object"], generation="7")
        for f in snap.data["files"].values()
    ]


def test_job_with_zip_and_loose_pdfs_is_delivered_once_on_firestore(world: MemoryWorld) -> None:
    # GIVEN a user with 50 credits and a job of a 3-entry zip plus a loose 2-page PDF
    user = f"u-{uuid.uuid4().hex[:8]}"
    ledger = jobs.ledger(world.rt)
    ledger.ensure_user(user, email=f"{user}@example.com", initial_credits=50)
    inner = {f"inv-{i}.pdf": invoice_pdf(f"F-{i}", "1.00") for i in range(3)}
    job_id = _job(world, user, {"b.zip": zip_of(inner), "x.pdf": invoice_pdf("X", "2.00", pages=2)})
    # WHEN every event is delivered twice
    _upload_all(world, job_id)
    _upload_all(world, job_id)
    pump(world, duplicate=True)
    # THEN it is delivered once, debited once, and the ledger adds up
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None and snap.data["status"] == "delivered"
    assert len(world.mailer.sent) == 1
    assert ledger.balance(user) == 45
    assert sum(e["delta"] for e in ledger.entries(user)) == 45


def test_twenty_jobs_racing_for_credits_that_cover_ten(world: MemoryWorld) -> None:
    # GIVEN 20 one-file jobs of 2 pages each and 20 credits
    user = f"u-{uuid.uuid4().hex[:8]}"
    ledger = jobs.ledger(world.rt)
    ledger.ensure_user(user, email=f"{user}@example.com", initial_credits=20)
    pdf = invoice_pdf("R", "1.00", pages=2)
    job_ids = [_job(world, user, {"r.pdf": pdf}) for _ in range(20)]
    # WHEN all their uploads arrive at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = [o for group in pool.map(lambda j: _upload_all(world, j), job_ids) for o in group]
    # THEN exactly the affordable 10 start, the others are rejected with no charge
    assert outcomes.count(IntakeOutcome.STARTED) == 10
    assert outcomes.count(IntakeOutcome.REJECTED) == 10
    entries = ledger.entries(user)
    assert ledger.balance(user) == 0
    assert all(e["balance_after"] >= 0 for e in entries)
    assert sum(e["delta"] for e in entries) == 0
    statuses = [jobs.get_job(world.rt, j).data["status"] for j in job_ids]  # type: ignore[union-attr]
    assert statuses.count("running") == 10 and statuses.count("rejected") == 10


def test_failed_document_is_refunded_exactly_once_on_firestore(world: MemoryWorld) -> None:
    # GIVEN a job with one good PDF and one the provider refuses for good (3 pages)
    user = f"u-{uuid.uuid4().hex[:8]}"
    ledger = jobs.ledger(world.rt)
    ledger.ensure_user(user, email=f"{user}@example.com", initial_credits=10)
    files = {
        "ok.pdf": invoice_pdf("OK-9", "1.00"),
        "bad.pdf": invoice_pdf("X", "1", pages=3, extra="PERMANENT-FAIL"),
    }
    job_id = _job(world, user, files)
    # WHEN every event is delivered twice
    _upload_all(world, job_id)
    pump(world, duplicate=True)
    # THEN 4 pages were debited, 3 refunded once, and the failed document says why
    refunds = [e for e in ledger.entries(user) if e["key"].startswith("refund:")]
    assert [e["delta"] for e in refunds] == [3]
    assert ledger.balance(user) == 9 == sum(e["delta"] for e in ledger.entries(user))
    failed = [d for d in jobs.list_documents(world.rt, job_id) if d.data["status"] == "failed"]
    assert len(failed) == 1 and "refused" in failed[0].data["reason"]
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None and snap.data["refunded"] == 3 and snap.data["status"] == "delivered"
