"""Sweep (run every few minutes): the safety net that makes "nothing lost" true when an event is dropped.

- cancels jobs whose files did not all arrive before their deadline (no charge, uploads deleted, user told);
- fails documents stuck past the maximum age (pages refunded once);
- re-drives finished jobs that were never assembled (a dropped ``document-results`` message, or an
  assembly whose holder died);
- purges extracted values of delivered jobs whose retention has passed.

Each pass reads only what can need it, never the history: jobs in a non-terminal state (in order of
the time they fall due, at most ``sweep_batch`` per query), ended jobs whose ``purge_after`` has
passed, and jobs whose end-of-job effects are still pending. Each ordered query has its composite
index in terraform/firestore.tf.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field

from zapdoc import mails
from zapdoc.domain import job_model
from zapdoc.domain.errors import ZapdocError
from zapdoc.domain.records import DocFields, DocumentRecord, JobFields, JobRecord
from zapdoc.logging import bind, clear, event
from zapdoc.ports.store import Conflict, Order, Query, Update, Where, Write
from zapdoc.services import jobs, webhooks
from zapdoc.services.assemble import AssembleOutcome, assemble_job, purge_values
from zapdoc.services.job_end import PENDING as END_PENDING
from zapdoc.services.job_end import job_ended, pending_job_ends
from zapdoc.services.ledger import entry_path
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.sweep")


@dataclass
class SweepReport:
    cancelled: list[str] = field(default_factory=list)
    failed_documents: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)  # end-of-job effects (analytics, webhook) caught up
    webhooks: list[str] = field(
        default_factory=list
    )  # webhook events whose message was lost, published again
    overdue: list[str] = field(default_factory=list)  # still unfinished past their deadline after this pass
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "cancelled": self.cancelled,
            "failed_documents": self.failed_documents,
            "delivered": self.delivered,
            "purged": self.purged,
            "ended": self.ended,
            "webhooks": self.webhooks,
            "overdue": self.overdue,
            "errors": self.errors,
        }


def _jobs_in(
    rt: Runtime, status: job_model.JobStatus, due: str, before: dt.datetime | None = None
) -> list[str]:
    """Up to ``sweep_batch`` jobs in ``status``, by the ``due`` field ascending (only those due
    ``before`` a time when given): the longest-waiting first, a bounded read."""
    where = [Where(JobFields.STATUS, "==", status.value)]
    if before is not None:
        where.append(Where(due, "<", before))
    query = Query("jobs", tuple(where), order_by=(Order(due),), limit=rt.settings.sweep_batch)
    return [s.id for s in rt.store.query(query)]


def sweep(rt: Runtime) -> SweepReport:
    """One pass over unfinished jobs; a transient failure on one job does not stop the others."""
    report = SweepReport()
    now = rt.clock()
    for job_id in _jobs_in(rt, job_model.JobStatus.AWAITING_FILES, JobFields.DEADLINE_AT, before=now):
        bind(job_id=job_id)
        snap = jobs.get_job(rt, job_id)
        if snap is None:
            continue
        job = JobRecord.from_doc(snap.data)
        if job.deadline_at is not None and job.deadline_at < now:
            try:
                _cancel(rt, job_id, job)
            except ZapdocError as exc:  # e.g. the notice mail failed: the job is cancelled all the same
                report.errors.append(f"{job_id}: {exc}")
            report.cancelled.append(job_id)
        clear()
    from zapdoc.services.confirm import sweep_held

    # held jobs (services/confirm.py): a confirmation that crashed half-way can need finishing at any time
    for job_id in _jobs_in(rt, job_model.JobStatus.AWAITING_CONFIRMATION, JobFields.HELD_AT):
        bind(job_id=job_id)
        try:
            if sweep_held(rt, job_id, now) == "cancelled":
                report.cancelled.append(job_id)
        except ZapdocError as exc:
            report.errors.append(f"{job_id}: {exc}")
        clear()
    for status in (
        job_model.JobStatus.RUNNING,
        job_model.JobStatus.ASSEMBLING,
    ):  # a lost message can strand any of them
        for job_id in _jobs_in(rt, status, JobFields.UPDATED_AT):  # least recently changed first
            bind(job_id=job_id)
            try:
                _redrive(rt, job_id, now, report)
            except ZapdocError as exc:
                report.errors.append(f"{job_id}: {exc}")
            clear()
    for job_id in _purge_due(rt, now):  # every terminal state carries purge_after, one rule
        snap = jobs.get_job(rt, job_id)
        if snap is None:
            continue
        ended = JobRecord.from_doc(snap.data)
        if ended.purged or not ended.status.terminal:
            continue
        purge_values(rt, job_id)
        report.purged.append(job_id)
    for job_id in pending_job_ends(rt):
        try:
            if job_ended(rt, job_id):
                report.ended.append(job_id)
        except ZapdocError as exc:
            report.errors.append(f"{job_id}: {exc}")
    try:
        report.webhooks = webhooks.redrive_stale(rt)
    except ZapdocError as exc:
        report.errors.append(f"webhooks: {exc}")
    _report_overdue(rt, now, report)
    event(log, "sweep finished", **{k: len(v) for k, v in report.to_dict().items()})
    return report


def _purge_due(rt: Runtime, now: dt.datetime) -> list[str]:
    """Ended jobs not purged yet whose retention has passed, the oldest first (a bounded read: delivered
    jobs inside their retention, or purged already, are not read)."""
    query = Query(
        "jobs",
        (Where(JobFields.PURGED, "==", False), Where(JobFields.PURGE_AFTER, "<=", now)),
        order_by=(Order(JobFields.PURGE_AFTER),),
        limit=rt.settings.sweep_batch,
    )
    return [s.id for s in rt.store.query(query)]


def _cancel(rt: Runtime, job_id: str, job: JobRecord) -> None:
    files = list(job.files.values())
    missing = [str(f.name) for f in files if not f.arrived]
    reason = f"files never arrived: {', '.join(missing)}"
    if not jobs.transition(
        rt,
        job_id,
        job_model.JobStatus.CANCELLED,
        {JobFields.REASON: reason, **jobs.retention_fields(rt), **END_PENDING},
        only_from=[
            job_model.JobStatus.AWAITING_FILES
        ],  # past its files' deadline (a held job has its own TTL)
    ):
        return
    jobs.delete_uploads(rt, job_id)
    jobs.purge_if_due(rt, job_id)  # files that did arrive had their text stored
    refunded = _refund_debit_of_cancelled(rt, job_id, job)
    mail = mails.cancellation_mail(
        to=str(job.email),
        sender=rt.settings.mail_from,
        job_id=job_id,
        when=rt.clock(),
        files=[
            mails.FileLine(str(f.name), f.arrived, "arrived" if f.arrived else "never arrived") for f in files
        ],
        deadline=job.deadline_at,
        public_url=rt.settings.public_url,
        refunded=refunded,
    )
    jobs.send_once(rt, f"cancel:{job_id}", mail)
    job_ended(rt, job_id)


def _refund_debit_of_cancelled(rt: Runtime, job_id: str, job: JobRecord) -> int:
    """Refund, exactly once, a debit found on a cancelled job; 0 when there is none.

    Intake debits and starts a job in one commit, so a cancelled job has no debit; this covers records
    written before that was so, and says so in the mail rather than "nothing was charged"."""
    user_id = str(job.user_id)
    ledger = jobs.ledger(rt)
    debit = rt.store.get(entry_path(user_id, job_model.debit_key(job_id)))
    if debit is None:
        return 0
    pages = -int(debit.data.get("delta") or 0)
    if pages <= 0:
        return 0
    result = ledger.apply(
        user_id,
        job_model.refund_key(job_id, "cancelled"),
        pages,
        meta={"job_id": job_id, "reason": "refund: job cancelled after its debit"},
        also=[Update(job_model.job_path(job_id), {JobFields.REFUNDED: pages})],
    )
    event(log, "debit of a cancelled job refunded", pages=pages, outcome=result.outcome.value)
    return pages


def _redrive(rt: Runtime, job_id: str, now: dt.datetime, report: SweepReport) -> None:
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return
    job = JobRecord.from_doc(snap.data)
    lease = job.lease_until
    if job.status is job_model.JobStatus.ASSEMBLING and lease is not None and lease > now:
        return  # an assembly is in progress and its holder is alive
    cutoff = now - rt.settings.document_max_age
    for doc in jobs.pending_documents(rt, job_id):
        created = DocumentRecord.from_doc(doc.data).created_at
        if created is not None and created < cutoff:
            jobs.fail_document(rt, snap.data, job_id, doc, "processing took too long")
            report.failed_documents.append(f"{job_id}/{doc.id}")
    unclassified = rt.store.query(
        Query(
            job_model.documents_collection(job_id),
            (Where(DocFields.STATUS, "==", job_model.DocStatus.DONE.value),),
        )
    )
    for doc in unclassified:
        record = DocumentRecord.from_doc(doc.data)
        created = record.created_at
        if not record.classified and created is not None and created < cutoff:
            fields = {
                DocFields.CLASSIFIED: True,
                DocFields.DOC_TYPE: "other",
                DocFields.CLASSIFY_NOTE: "not classified in time",
            }
            writes: list[Write] = [Update(doc.path, fields, if_version=doc.version)]
            if job.counts_open:
                writes.append(jobs.finished_write(job_id))  # extracted, now classified: finished
            with contextlib.suppress(Conflict):  # classified meanwhile (and counted by that commit)
                rt.store.commit(writes)
    if job.status is job_model.JobStatus.RUNNING and not job.published:
        from zapdoc.services.intake import settle

        settle(rt, job_id)  # crashed between debit and publishing, and no redelivery came
        return
    if assemble_job(rt, job_id, verify=True) is AssembleOutcome.DELIVERED:  # the documents, not the count
        report.delivered.append(job_id)


def job_deadline(rt: Runtime, job: JobRecord) -> dt.datetime | None:
    """When an unfinished job is overdue: its files' deadline, plus the documents' maximum age once it
    runs, plus a grace period for the sweep itself to cancel, fail or re-drive it."""
    deadline = job.deadline_at
    if deadline is None:
        return None
    if job.status is not job_model.JobStatus.AWAITING_FILES:
        deadline += rt.settings.document_max_age
    return deadline + rt.settings.overdue_grace


def _report_overdue(rt: Runtime, now: dt.datetime, report: SweepReport) -> None:
    """Log each job still unfinished past its deadline after this pass (the overdue-jobs alert)."""
    for status in (
        job_model.JobStatus.AWAITING_FILES,
        job_model.JobStatus.RUNNING,
        job_model.JobStatus.ASSEMBLING,
    ):
        # job_deadline is deadline_at + grace (+ the documents' maximum age once files are in)
        offset = rt.settings.overdue_grace
        if status is not job_model.JobStatus.AWAITING_FILES:
            offset += rt.settings.document_max_age
        query = Query(
            "jobs",
            (Where(JobFields.STATUS, "==", status.value), Where(JobFields.DEADLINE_AT, "<", now - offset)),
            order_by=(Order(JobFields.DEADLINE_AT),),
            limit=rt.settings.sweep_batch,
        )
        for snap in rt.store.query(query):
            deadline = job_deadline(rt, JobRecord.from_doc(snap.data))
            if deadline is not None and deadline < now:
                report.overdue.append(snap.id)
                late = round((now - deadline).total_seconds())
                event(log, "job overdue", logging.WARNING, job_id=snap.id, state=status.value, late_s=late)
