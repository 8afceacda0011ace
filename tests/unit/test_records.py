"""Typed job and document records (domain.records): the one mapping to and from the stored document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import pytest

from tests.pipeline_support import FIELDS, invoice_pdf, memory_world, pump, zip_of
from zapdoc.domain import job_model
from zapdoc.domain.records import (
    AssemblyFields,
    AssemblyState,
    DocFields,
    DocumentRecord,
    FileFields,
    FileRecord,
    JobFields,
    JobRecord,
    RecordError,
    WebhookFields,
    WebhookState,
)
from zapdoc.services import jobs
from zapdoc.services.intake import handle_upload

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def full_job() -> JobRecord:
    """A job with every field set (none at its default)."""
    later = NOW + dt.timedelta(minutes=5)
    return JobRecord(
        status=job_model.JobStatus.DELIVERED,
        user_id="u1",
        email="u1@example.com",
        fields=({"name": "total", "type": "amount"},),
        template="invoice",
        files={
            "f000": FileRecord("a.pdf", "jobs/j/f000/a.pdf", True, "7", 2, 1, 3, ("f000-00000-ab",)),
        },
        declared=1,
        created_at=NOW,
        updated_at=later,
        deadline_at=NOW + dt.timedelta(hours=1),
        charged=3,
        published=True,
        published_at=NOW,
        purged=True,
        assembly=AssemblyState("results/j/x.xlsx", 100, 2, 1, 0, later, "refused"),
        webhook_url="https://example.com/hook",
        hold=True,
        slot=2,
        open_documents=0,
        quote=3,
        held_at=NOW,
        confirmed_credits=3,
        reason="why",
        purge_after=later,
        end_done=True,
        delivered_at=later,
        ended_at=later,
        refunded=1,
        refunds_done=True,
        llm_usage={"gemini": {"documents": 1}},
        lease_until=later,
        lease_owner="owner",
        webhook=WebhookState("ev", "delivered", 1, 200, "slow", later, later),
    )


def full_document() -> DocumentRecord:
    return DocumentRecord(
        status=job_model.DocStatus.DONE,
        name="a.pdf",
        file_id="f000",
        file_name="a.zip",
        object="jobs/j/f000/a.zip",
        generation="7",
        in_archive=True,
        position=3,
        created_at=NOW,
        classified=True,
        attempts=2,
        sha256="ab" * 32,
        reason="none",
        pages=2,
        charged=False,
        text=("page one", "page two"),
        text_notes=("cut",),
        result={"file": "a.pdf", "status": "ok"},
        extracted_at=NOW,
        extracted_doc_type="invoice",
        doc_type="invoice",
        classified_at=NOW,
        classify_note="",
        finished_at=NOW,
        stats={"pages": 2, "status": "ok"},
        purged=True,
    )


def _not_default(record: Any) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(record)
        if f.default is not dataclasses.MISSING and getattr(record, f.name) == f.default
    ]


def test_a_record_round_trips_through_its_stored_document() -> None:
    # GIVEN a job and a document with every field set
    job, doc = full_job(), full_document()
    assert _not_default(job) == [] and _not_default(doc) == []
    # WHEN each is stored and read back
    # THEN it is the same record, and the document holds only plain values (lists, dicts, strings)
    assert JobRecord.from_doc(job.to_doc()) == job
    assert DocumentRecord.from_doc(doc.to_doc()) == doc
    stored = job.to_doc()
    assert stored["status"] == "delivered" and isinstance(stored["status"], str)
    assert stored["files"]["f000"]["pending"] == ["f000-00000-ab"]
    assert stored["assembly"]["mailed_at"] == NOW + dt.timedelta(minutes=5)
    assert stored["webhook"] == {
        "event_id": "ev", "state": "delivered", "attempts": 1, "last_status": 200, "last_error": "slow",
        "delivered_at": NOW + dt.timedelta(minutes=5), "last_attempt_at": NOW + dt.timedelta(minutes=5),
    }  # fmt: skip
    assert doc.to_doc()["text"] == ["page one", "page two"]


def test_the_field_constants_name_exactly_the_stored_keys() -> None:
    # GIVEN every field set (so to_doc writes every key)
    job, doc = full_job().to_doc(), full_document().to_doc()

    def keys(cls: type) -> set[str]:
        return {v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str) and "." not in v}

    # THEN the constants are the keys, no more, no fewer
    assert keys(JobFields) == set(job)
    assert keys(DocFields) == set(doc)
    assert keys(FileFields) == set(job["files"]["f000"])
    assert keys(AssemblyFields) == set(job["assembly"])
    assert keys(WebhookFields) == set(job["webhook"])
    assert JobFields.ASSEMBLY_MAILED_AT == "assembly.mailed_at"
    assert JobFields.file("f001", FileFields.ARRIVED) == "files.f001.arrived"
    assert JobFields.webhook(WebhookFields.STATE) == "webhook.state"
    assert DocFields.stats("pages") == "stats.pages"


def test_older_records_without_the_newer_keys_read_with_their_defaults() -> None:
    # GIVEN records as older code stored them: only a few keys
    job = JobRecord.from_doc({"status": "running", "user_id": "u1", "files": {"f000": {"name": "a.pdf"}}})
    doc = DocumentRecord.from_doc({"status": "failed", "pages": 2, "file_id": "f000"})
    # THEN every missing key has its default, and what the services ask of them is answered
    assert job.status is job_model.JobStatus.RUNNING
    assert not job.counts_open and not job.end_pending and not job.hold and not job.published
    assert job.assembly == AssemblyState() and job.webhook is None and job.fields == ()
    assert job.files["f000"] == FileRecord(name="a.pdf")
    assert job.files["f000"].pending is None
    assert doc.charged is True  # documents stored before "charged" existed were charged
    assert doc.finished and doc.position == 0 and doc.attempts == 0 and doc.text is None
    # AND a stored False or a present counter is told apart from a missing key
    assert JobRecord.from_doc({"status": "delivered", "end_done": False}).end_pending
    assert JobRecord.from_doc({"status": "running", "open_documents": 0}).counts_open
    assert DocumentRecord.from_doc({"status": "failed", "charged": False}).charged is False
    # AND values of the wrong type read as missing rather than as something else
    odd = JobRecord.from_doc({"status": "running", "charged": True, "created_at": "yesterday", "files": []})
    assert odd.charged is None and odd.created_at is None and odd.files == {}


@pytest.mark.parametrize("status", [None, "", "done", "paused"])
def test_a_job_with_an_unknown_or_missing_status_is_refused(status: str | None) -> None:
    data = {"user_id": "u1"} if status is None else {"user_id": "u1", "status": status}
    with pytest.raises(RecordError, match="no job state"):
        JobRecord.from_doc(data)


@pytest.mark.parametrize("status", [None, "running", "ok"])
def test_a_document_with_an_unknown_or_missing_status_is_refused(status: str | None) -> None:
    data = {"name": "a.pdf"} if status is None else {"name": "a.pdf", "status": status}
    with pytest.raises(RecordError, match="no document state"):
        DocumentRecord.from_doc(data)


def test_the_records_the_pipeline_writes_map_back_to_the_same_stored_keys() -> None:
    # GIVEN a job created through the API's path (an open-job slot, a webhook, held) and one by tools
    world = memory_world()
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=100)
    held = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=["a.pdf", "b.zip"], fields=FIELDS,
        limit_open_jobs=True, webhook_url="https://example.com/h", hold=True, template="invoice",
    )  # fmt: skip
    plain = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=["c.pdf"], fields=FIELDS
    )
    # AND its files arrived: a loose PDF, and a zip with a PDF and an entry that is not one
    files = {
        "a.pdf": invoice_pdf("A-1", "10.00"),
        "b.zip": zip_of({"x.pdf": invoice_pdf("B", "2"), "n.txt": b"no"}),
    }
    snap = jobs.get_job(world.rt, held.job_id)
    assert snap is not None
    for record in snap.data["files"].values():
        world.blobs.write("uploads", record["object"], files[record["name"]], "application/octet-stream")
        handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1")
    # AND the plain job ran to delivery (assembly, analytics, purge)
    snap = jobs.get_job(world.rt, plain.job_id)
    assert snap is not None
    for record in snap.data["files"].values():
        world.blobs.write("uploads", record["object"], invoice_pdf("C", "3"), "application/pdf")
        handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1")
    pump(world)
    # WHEN each stored job and document is read as a record and written again
    stored = [jobs.get_job(world.rt, held.job_id), jobs.get_job(world.rt, plain.job_id)]
    docs = jobs.list_documents(world.rt, held.job_id) + jobs.list_documents(world.rt, plain.job_id)
    # THEN the document holds what the store holds (same keys, same values)
    for s in stored:
        assert s is not None
        assert s.id != held.job_id or (
            s.data["status"],
            s.data["quote"],
            isinstance(s.data["slot"], int),
        ) == ("awaiting_confirmation", 2, True)
        assert _set(JobRecord.from_doc(s.data).to_doc()) == _set(s.data)
    assert stored[1] is not None and stored[1].data["status"] == "delivered"
    assert stored[0] is not None
    assert JobRecord.from_doc(stored[0].data).to_doc() == stored[0].data  # as created: every key too
    assert {str(d.data["status"]) for d in docs} == {"pending", "rejected", "done"}
    for d in docs:
        assert _set(DocumentRecord.from_doc(d.data).to_doc()) == _set(d.data)
        if d.data["status"] != "done":  # as intake created it: every key, None-valued ones too
            assert DocumentRecord.from_doc(d.data).to_doc() == d.data


def _set(data: dict[str, Any]) -> dict[str, Any]:
    """The keys holding a value (a purge or an update may store None where a record leaves a key out)."""
    return {k: v for k, v in data.items() if v is not None}
