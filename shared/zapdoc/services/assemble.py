"""Assemble: when every document of a job is finished, claim the job once, build the workbook, mail it,
mark the job delivered, delete the uploads and purge extracted values.

Each step is recorded on the job (``assembly.workbook``, ``assembly.mailed_at``) so a redelivery after a
crash resumes where the crash happened. The claim is a short lease (``lease``, 30 s) naming its owner,
renewed by a heartbeat while the job is assembled (a compare-and-set on the owner): a live lease held by
another invocation makes this one retry later; an expired lease (its holder died) is taken over. The
only duplicate that can happen is an email when a crash falls between sending it and recording it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import io
import logging
import secrets
from typing import Any

from zapdoc import mails
from zapdoc.domain import job_model
from zapdoc.domain.documents import DocumentResult
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import fields_from_list
from zapdoc.domain.records import AssemblyState, DocumentRecord, JobFields, JobRecord
from zapdoc.logging import bind, event
from zapdoc.ports.mailer import Attachment, Mail
from zapdoc.ports.store import Snapshot, Update
from zapdoc.services import jobs
from zapdoc.services.cas import Commit, Stop, compare_and_set, give_up
from zapdoc.services.idempotency import Heartbeat, renew_every
from zapdoc.services.job_end import PENDING as END_PENDING
from zapdoc.services.job_end import job_ended
from zapdoc.services.runtime import Runtime
from zapdoc.workbook import WorkbookInfo, write_workbook

log = logging.getLogger("zapdoc.assemble")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AssembleOutcome(enum.StrEnum):
    IGNORED = "ignored"  # unknown job, or not running
    WAITING = "waiting"  # documents still in flight
    DELIVERED = "delivered"
    ALREADY_DELIVERED = "already_delivered"


def assemble_job(rt: Runtime, job_id: str, *, verify: bool = False) -> AssembleOutcome:
    """Deliver the job if all its documents are finished; safe to call any number of times.

    The check is one read: the job's count of documents still open (the step that finished the last
    one triggered this call). ``verify`` (the sweep) checks the documents themselves instead."""
    bind(job_id=job_id)
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return AssembleOutcome.IGNORED
    job = JobRecord.from_doc(snap.data)
    status = job.status
    if status is job_model.JobStatus.DELIVERED:
        job_ended(rt, job_id)  # a crash after delivery may have left the end-of-job effects undone
        return AssembleOutcome.ALREADY_DELIVERED
    if status not in (job_model.JobStatus.RUNNING, job_model.JobStatus.ASSEMBLING):
        return AssembleOutcome.IGNORED
    if job.counts_open and not verify:
        if (job.open_documents or 0) > 0:
            event(log, "waiting for documents", open_documents=job.open_documents)
            return AssembleOutcome.WAITING
    elif jobs.any_unfinished(rt, job_id):
        event(log, "waiting for documents")
        return AssembleOutcome.WAITING
    docs = jobs.list_documents(rt, job_id)
    if not all(job_model.document_finished(d.data) for d in docs):  # a document changed state meanwhile
        return AssembleOutcome.WAITING
    owner = secrets.token_hex(12)
    snap = _claim(rt, snap, owner)
    if snap is None:
        return AssembleOutcome.ALREADY_DELIVERED
    every = renew_every(rt.settings.lease)
    with Heartbeat(lambda: renew_lease(rt, job_id, owner), every, name=f"assemble:{job_id}") as beat:
        return _assemble(rt, job_id, snap, docs, beat)


def _assemble(
    rt: Runtime, job_id: str, snap: Snapshot, docs: list[Snapshot], beat: Heartbeat
) -> AssembleOutcome:
    """Build, store and mail the workbook, then deliver the job (holding the assembly lease)."""
    job = snap.data  # the refunds and the field specs read the stored job as it is
    record = JobRecord.from_doc(job)
    assembly = record.assembly
    results = [_result_of(DocumentRecord.from_doc(d.data)) for d in docs]
    refunded = jobs.refund_failed(rt, job_id, job, docs)  # all the job's failures in one ledger commit
    charged = record.charged or 0

    if not assembly.workbook:
        buf = io.BytesIO()
        info = WorkbookInfo(job_id=job_id, created=record.created_at, template=record.template)
        stats = write_workbook(buf, jobs.job_fields(job), results, doc_type_column=True, info=info)
        name = job_model.results_object_name(job_id)
        rt.blobs.write(rt.settings.results_bucket, name, buf.getvalue(), XLSX)
        assembly = dataclasses.replace(
            assembly,
            workbook=name,
            size=len(buf.getvalue()),
            documents=stats.documents,
            failed=stats.failed,
            low_confidence=stats.low_confidence,
        )
        from zapdoc.llm.usage import by_provider

        # provider, model, tokens and cost per provider on the job record (numbers and names only)
        usage = by_provider(results)
        rt.store.commit(
            [
                Update(
                    snap.path,
                    {
                        JobFields.ASSEMBLY: assembly.to_doc(),
                        JobFields.REFUNDED: refunded,
                        JobFields.LLM_USAGE: usage,
                    },
                )
            ]
        )
        event(
            log,
            "workbook stored",
            object=name,
            bytes=assembly.size,
            documents=stats.documents,
        )
    rt.crash("assemble.after_workbook")

    if assembly.mailed_at is None and not assembly.mail_error:
        beat.check()  # never mail from an assembly another invocation took over
        try:
            rt.mailer.send(_delivery_mail(rt, job_id, record, assembly, results, charged, refunded))
        except PermanentError as exc:
            # The address or message was refused for good: the workbook stays downloadable through the
            # API until retention ends; retrying would loop forever.
            rt.store.commit([Update(snap.path, {JobFields.ASSEMBLY_MAIL_ERROR: str(exc)})])
            event(log, "workbook mail refused", logging.ERROR, reason=str(exc))
        else:
            rt.store.commit([Update(snap.path, {JobFields.ASSEMBLY_MAILED_AT: rt.clock()})])
            event(log, "workbook mailed", to_domain=str(record.email).rsplit("@", 1)[-1])
    rt.crash("assemble.after_email")

    beat.check()  # stalled past the lease and taken over: the new holder delivers
    now = rt.clock()
    purge_after = now + rt.settings.retention
    jobs.transition(
        rt,
        job_id,
        job_model.JobStatus.DELIVERED,
        {
            JobFields.DELIVERED_AT: now,
            JobFields.PURGE_AFTER: purge_after,
            **END_PENDING,
        },
    )
    job_ended(rt, job_id, docs=docs)  # the documents as read for the workbook (all finished)
    rt.crash("assemble.after_job_end")  # crash tests: the end event is queued, the message redelivered
    deleted = jobs.delete_uploads(rt, job_id)
    if rt.settings.retention <= dt.timedelta(0):
        jobs.purge_job_data(rt, job_id, docs)
    event(
        log, "job delivered", state="delivered", uploads_deleted=deleted, charged=charged, refunded=refunded
    )
    return AssembleOutcome.DELIVERED


def renew_lease(rt: Runtime, job_id: str, owner: str) -> bool:
    """Extend the assembly lease of ``owner`` (compare-and-set: only while the job is still assembling
    under that owner); False when it is no longer ours."""

    def step(snap: Snapshot | None) -> Commit[bool] | Stop[bool]:
        if snap is None:
            return Stop(False)
        job = JobRecord.from_doc(snap.data)
        if job.status is not job_model.JobStatus.ASSEMBLING or job.lease_owner != owner:
            return Stop(False)
        return Commit({JobFields.LEASE_UNTIL: rt.clock() + rt.settings.lease}, True)

    # a conflict: the job changed since read (e.g. this assembly recorded a step): look again; still
    # conflicting after every attempt: busy, not lost (the next beat tries again)
    return compare_and_set(rt.store, job_model.job_path(job_id), step, exhausted=lambda: True)


def _claim(rt: Runtime, snap: Snapshot, owner: str) -> Snapshot | None:
    """Move the job to ``assembling`` with a lease, or take over an expired lease; None if delivered."""
    Claimed = (
        tuple[Snapshot, dict[str, Any], job_model.JobStatus] | None
    )  # as read, the fields, the state left

    def step(snap: Snapshot | None) -> Commit[Claimed] | Stop[Claimed]:
        if snap is None:
            return Stop(None)
        now = rt.clock()
        job = JobRecord.from_doc(snap.data)
        status = job.status
        if status is job_model.JobStatus.DELIVERED:
            return Stop(None)
        if status is job_model.JobStatus.ASSEMBLING:
            lease = job.lease_until
            if lease is not None and lease > now:
                raise TransientError("the job is being assembled by another invocation")
        elif not job_model.may_move(
            status, job_model.JobStatus.ASSEMBLING
        ):  # from running (job_model.TRANSITIONS)
            return Stop(None)
        fields = {
            JobFields.STATUS: job_model.JobStatus.ASSEMBLING.value,
            JobFields.LEASE_UNTIL: now + rt.settings.lease,
            JobFields.LEASE_OWNER: owner,
        }
        return Commit(fields, (snap, fields, status))

    claimed = compare_and_set(
        rt.store, snap.path, step, snapshot=snap, exhausted=give_up("could not claim the job for assembly")
    )
    if claimed is None:
        return None
    snap, fields, status = claimed
    event(log, "job state changed", state="assembling", previous=status.value)
    return Snapshot(snap.path, {**snap.data, **fields}, None)  # as just written: no read back


def _result_of(doc: DocumentRecord) -> DocumentResult:
    if doc.status is job_model.DocStatus.DONE and doc.result is not None:
        result = DocumentResult.from_dict(dict(doc.result))
        result.doc_type = doc.doc_type
        return result
    reason = doc.reason or "not processed"
    if doc.status is job_model.DocStatus.FAILED:
        reason = f"{reason} (pages refunded)"
    result = DocumentResult.error(str(doc.name), reason, pages=doc.pages or None)
    result.doc_type = doc.doc_type
    return result


def _delivery_mail(
    rt: Runtime,
    job_id: str,
    job: JobRecord,
    assembly: AssemblyState,
    results: list[DocumentResult],
    charged: int,
    refunded: int,
) -> Mail:
    size = assembly.size or 0
    attachment: Attachment | None = None
    url, days = "", 0
    if size <= rt.settings.attachment_limit_bytes:
        data = rt.blobs.read(rt.settings.results_bucket, str(assembly.workbook))
        attachment = Attachment(f"zapdoc-{job_id}.xlsx", data, XLSX)
    else:
        url = rt.blobs.download_url(
            rt.settings.results_bucket, str(assembly.workbook), rt.settings.download_link_ttl
        )
        days = max(1, rt.settings.download_link_ttl.days)
    return mails.delivery_mail(
        to=str(job.email),
        sender=rt.settings.mail_from,
        job_id=job_id,
        when=rt.clock(),
        results=results,
        template=job.template,
        field_names=[f.name for f in fields_from_list(list(job.fields))],
        charged=charged,
        refunded=refunded,
        public_url=rt.settings.public_url,
        attachment=attachment,
        download_url=url,
        download_days=days,
        low_confidence=assembly.low_confidence or 0,
    )


def purge_values(rt: Runtime, job_id: str) -> int:
    """Delete extracted values and text of the job (see ``jobs.purge_job_data``)."""
    return jobs.purge_job_data(rt, job_id)
