"""The pipeline services on in-memory adapters: money, delivery and privacy guarantees end to end."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import openpyxl
import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump, zip_of
from zapdoc.domain import job_model
from zapdoc.domain.errors import PermanentError
from zapdoc.services import jobs
from zapdoc.services.intake import IntakeOutcome, handle_upload
from zapdoc.services.runtime import SimulatedCrash
from zapdoc.services.sweep import sweep


def _submit(world: MemoryWorld, files: dict[str, bytes], *, credits: int = 100) -> tuple[str, str]:
    """Create a user and a job for ``files``; returns (user_id, job_id). Nothing is uploaded yet."""
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS
    )
    return user, created.job_id


def _upload(
    world: MemoryWorld, job_id: str, files: dict[str, bytes], only: list[str] | None = None
) -> list[IntakeOutcome]:
    job = jobs.get_job(world.rt, job_id)
    assert job is not None
    outcomes = []
    for record in job.data["files"].values():
        if only is not None and record["name"] not in only:
            continue
        world.blobs.write("uploads", record["object"], files[record["name"]], "application/octet-stream")
        outcomes.append(handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1"))
    return outcomes


def _rows(world: MemoryWorld, job_id: str) -> list[tuple[object, ...]]:
    data, _ = world.blobs.objects[("results", job_model.results_object_name(job_id))]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Results"]
    return [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def _money_adds_up(world: MemoryWorld, user: str) -> int:
    ledger = jobs.ledger(world.rt)
    balance = ledger.balance(user)
    assert sum(e["delta"] for e in ledger.entries(user)) == balance
    return balance


def _twelve_files() -> dict[str, bytes]:
    inner = {f"batch/inv-{i}.pdf": invoice_pdf(f"Z-{i}", f"{10 + i}.50", pages=1 + i % 2) for i in range(10)}
    return {
        "batch.zip": zip_of(inner),
        "loose-a.pdf": invoice_pdf("L-A", "99.00", pages=3),
        "loose-b.pdf": invoice_pdf("L-B", "5.00"),
    }


def test_zip_of_ten_and_two_loose_pdfs_deliver_one_email_with_twelve_rows() -> None:
    # GIVEN a job with a zip of 10 PDFs and 2 loose PDFs
    world = memory_world()
    files = _twelve_files()
    user, job_id = _submit(world, files)
    # WHEN every file arrives and every event is handled
    outcomes = _upload(world, job_id, files)
    assert pump(world) == 0
    # THEN one email carries a workbook with 12 rows holding the values
    assert outcomes[-1] is IntakeOutcome.STARTED
    assert len(world.mailer.sent) == 1
    mail = world.mailer.sent[0]
    assert mail.to == f"{user}@example.com"
    assert mail.attachments[0].filename.endswith(".xlsx")
    rows = _rows(world, job_id)
    assert len(rows) == 12
    numbers = {row[3] for row in rows}
    assert numbers == {f"Z-{i}" for i in range(10)} | {"L-A", "L-B"}
    assert all(row[2] == "invoice" for row in rows)
    # AND the balance dropped by the pages, the ledger adds up, uploads and values are gone
    pages = sum(1 + i % 2 for i in range(10)) + 3 + 1
    assert _money_adds_up(world, user) == 100 - pages
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered" and job.data["charged"] == pages
    assert world.blobs.list("uploads", "") == []
    assert all(d.data.get("result") is None for d in jobs.list_documents(world.rt, job_id))


def test_every_event_delivered_twice_gives_one_debit_one_workbook_one_email() -> None:
    world = memory_world()
    files = _twelve_files()
    user, job_id = _submit(world, files)
    # WHEN every finalize event arrives twice and every message is delivered twice
    _upload(world, job_id, files)
    _upload(world, job_id, files)
    pump(world, duplicate=True)
    # THEN one debit, one email, one workbook
    debits = [e for e in jobs.ledger(world.rt).entries(user) if e["key"].startswith("debit:")]
    assert len(debits) == 1
    assert len(world.mailer.sent) == 1
    assert world.blobs.list("results", "") == [job_model.results_object_name(job_id)]
    assert len(world.extractor.calls) == 12
    _money_adds_up(world, user)


@pytest.mark.parametrize("point", ["intake.after_debit", "assemble.after_workbook", "assemble.after_email"])
def test_crash_at_step_boundary_then_redelivery_ends_like_a_clean_run(point: str) -> None:
    # GIVEN a process that dies once at a step boundary
    world = memory_world()
    files = _twelve_files()
    user, job_id = _submit(world, files)
    world.crash_points.add(point)
    # WHEN the event is redelivered after the crash
    try:
        _upload(world, job_id, files)
    except SimulatedCrash:
        _upload(world, job_id, files)  # storage redelivers the finalize event
    pump(world)
    # THEN the final state is the clean run's
    assert not world.crash_points  # the crash did happen
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered"
    assert len(world.mailer.sent) == 1
    assert len(_rows(world, job_id)) == 12
    assert _money_adds_up(world, user) == 100 - job.data["charged"]


def test_short_of_credits_rejects_without_charge_and_tells_the_user() -> None:
    world = memory_world()
    files = {"a.pdf": invoice_pdf("A", "1", pages=3), "b.pdf": invoice_pdf("B", "2", pages=2)}
    user, job_id = _submit(world, files, credits=4)
    outcomes = _upload(world, job_id, files)
    pump(world)
    assert outcomes == [IntakeOutcome.WAITING, IntakeOutcome.REJECTED]
    assert _money_adds_up(world, user) == 4
    assert len(world.mailer.sent) == 1
    assert "5 credits" in world.mailer.sent[0].text
    assert world.blobs.list("uploads", "") == []
    assert world.extractor.calls == []


def test_corrupt_pdf_in_zip_is_an_error_row_and_a_failed_document_is_refunded_once() -> None:
    # GIVEN a zip with a good PDF, a corrupt one, and a PDF the provider refuses
    world = memory_world()
    inner = {
        "ok.pdf": invoice_pdf("OK-1", "3.00"),
        "corrupt.pdf": b"%PDF-1.7\n" + b"\x00garbage" * 50,
        "refused.pdf": invoice_pdf("R-1", "1.00", pages=2, extra="PERMANENT-FAIL"),
    }
    files = {"mixed.zip": zip_of(inner)}
    user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    pump(world, duplicate=True)
    rows = {str(r[0]).rsplit("/", 1)[-1]: r for r in _rows(world, job_id)}
    # THEN every entry has a row; the failures say why
    assert set(rows) == {"ok.pdf", "corrupt.pdf", "refused.pdf"}
    assert rows["ok.pdf"][3] == "OK-1"
    assert "error" in rows["corrupt.pdf"]
    assert "error" in rows["refused.pdf"]
    # AND the refused document's 2 pages were refunded exactly once; the corrupt one was never charged
    entries = jobs.ledger(world.rt).entries(user)
    refunds = [e for e in entries if e["key"].startswith("refund:")]
    assert [e["delta"] for e in refunds] == [2]
    assert _money_adds_up(world, user) == 100 - 1


def test_transient_failures_are_retried_then_succeed() -> None:
    world = memory_world()
    files = {"slow.pdf": invoice_pdf("S-1", "7.00", extra="TRANSIENT-FAIL")}
    _user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    assert pump(world) == 2  # two redeliveries
    assert _rows(world, job_id)[0][3] == "S-1"


def test_transient_failures_past_the_attempt_limit_become_permanent_and_refund() -> None:
    world = memory_world(delivery_attempts=2)
    world.extractor.transient_left["slow.pdf"] = 99
    files = {"slow.pdf": invoice_pdf("S-1", "7.00", pages=2, extra="TRANSIENT-FAIL")}
    user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    pump(world)
    assert "temporary failures" in str(_rows(world, job_id)[0])
    assert _money_adds_up(world, user) == 100


def test_sweep_cancels_a_job_whose_second_file_never_arrives() -> None:
    world = memory_world()
    files = {"a.pdf": invoice_pdf("A", "1"), "b.pdf": invoice_pdf("B", "2")}
    user, job_id = _submit(world, files)
    _upload(world, job_id, files, only=["a.pdf"])
    # WHEN the arrival deadline passes and the sweep runs
    assert sweep(world.rt).cancelled == []  # not yet
    world.clock.advance(hours=2)
    report = sweep(world.rt)
    # THEN the job is cancelled: no charge, uploads deleted, user told once
    assert report.cancelled == [job_id]
    assert sweep(world.rt).cancelled == []
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "cancelled"
    assert "b.pdf" in job.data["reason"]
    assert _money_adds_up(world, user) == 100
    assert world.blobs.list("uploads", "") == []
    assert len(world.mailer.sent) == 1


def test_sweep_delivers_a_job_whose_results_messages_were_dropped() -> None:
    world = memory_world()
    files = {"a.pdf": invoice_pdf("A", "1")}
    _user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    # WHEN documents are processed but every document-results message is lost
    from zapdoc.services.extract import classify_document, extract_document

    for _topic, data, _ in world.bus.drain():
        extract_document(world.rt, data["job_id"], data["document_id"])
        classify_document(world.rt, data["job_id"], data["document_id"])
    world.bus.drain()
    assert world.mailer.sent == []
    # THEN the sweep delivers it
    assert sweep(world.rt).delivered == [job_id]
    assert len(world.mailer.sent) == 1


def test_sweep_fails_documents_stuck_past_their_maximum_age_with_one_refund() -> None:
    world = memory_world()
    files = {"a.pdf": invoice_pdf("A", "1", pages=2)}
    user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    world.bus.drain()  # the documents message is lost
    world.clock.advance(hours=3)
    sweep(world.rt)
    sweep(world.rt)
    assert len(world.mailer.sent) == 1
    assert _money_adds_up(world, user) == 100
    assert "took too long" in str(_rows(world, job_id)[0])


def test_workbook_above_the_attachment_limit_is_sent_as_a_download_link() -> None:
    world = memory_world(attachment_limit_bytes=1000)
    files = {"a.pdf": invoice_pdf("A-1", "1")}
    _user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    pump(world)
    [mail] = world.mailer.sent
    assert mail.attachments == ()
    assert f"memory://results/{job_model.results_object_name(job_id)}" in mail.html
    assert re.search(r"^  Credits charged: +1$", mail.text, re.M)


def test_extracted_values_are_kept_for_the_retention_period_then_purged_by_sweep() -> None:
    world = memory_world(retention=dt.timedelta(days=1))
    files = {"a.pdf": invoice_pdf("A-1", "1")}
    _user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    pump(world)
    [doc] = jobs.list_documents(world.rt, job_id)
    assert doc.data["result"] is not None and doc.data["text"]
    assert sweep(world.rt).purged == []
    world.clock.advance(days=1, seconds=1)
    assert sweep(world.rt).purged == [job_id]
    [doc] = jobs.list_documents(world.rt, job_id)
    assert doc.data["result"] is None and doc.data["text"] is None
    assert doc.data["status"] == "done" and doc.data["pages"] == 1  # what analytics may keep


def test_uploads_for_finished_unknown_or_undeclared_files_are_deleted() -> None:
    world = memory_world()
    files = {"a.pdf": invoice_pdf("A", "1"), "b.pdf": invoice_pdf("B", "2")}
    _user, job_id = _submit(world, files)
    _upload(world, job_id, files, only=["a.pdf"])
    world.clock.advance(hours=2)
    sweep(world.rt)  # cancelled: b.pdf never came
    # WHEN b.pdf arrives late, and strangers write objects under jobs/
    late = jobs.get_job(world.rt, job_id).data["files"]["f001"]["object"]  # type: ignore[union-attr]
    strays = [late, "jobs/nojob/f000/x.pdf", f"jobs/{job_id}/f009/x.pdf"]
    for name in strays:
        world.blobs.write("uploads", name, b"%PDF-1.7", "application/pdf")
        assert handle_upload(world.rt, bucket="uploads", name=name, generation="1") is IntakeOutcome.IGNORED
    # THEN none of them is kept
    assert world.blobs.list("uploads", "") == []


def test_a_refused_delivery_mail_does_not_block_the_job_forever() -> None:
    # GIVEN a mailer that refuses the address for good
    world = memory_world()

    def refuse(mail: object) -> None:
        raise PermanentError("SendGrid refused the mail (400): invalid address")

    world.mailer.send = refuse  # type: ignore[method-assign]
    files = {"a.pdf": invoice_pdf("A-1", "1")}
    _user, job_id = _submit(world, files)
    _upload(world, job_id, files)
    pump(world)
    # THEN the job is delivered (workbook stored) with the mail error recorded, uploads deleted
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered"
    assert "invalid address" in job.data["assembly"]["mail_error"]
    assert world.blobs.list("results", "") == [job_model.results_object_name(job_id)]
    assert world.blobs.list("uploads", "") == []
