"""Sweep (run every few minutes): the safety net that makes "nothing lost" true when an event is dropped.

- cancels jobs whose files did not all arrive before their deadline (no charge, uploads deleted, user told);
- fails documents stuck past the maximum age (pages refunded once);
- re-drives finished jobs that were never assembled (a dropped ``document-results`` message, or an
  assembly whose holder died);
- purges extracted values of delivered jobs whose retention has passed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from zapdoc.domain import jobs as J
from zapdoc.domain.errors import ZapdocError
from zapdoc.logging import bind, clear, event
from zapdoc.ports.store import Query, Update, Where
from zapdoc.services import jobs
from zapdoc.services.assemble import AssembleOutcome, assemble_job, purge_values
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.sweep")


@dataclass
class SweepReport:
    cancelled: list[str] = field(default_factory=list)
    failed_documents: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "cancelled": self.cancelled,
            "failed_documents": self.failed_documents,
            "delivered": self.delivered,
            "purged": self.purged,
            "errors": self.errors,
        }


def _jobs_in(rt: Runtime, status: J.JobStatus) -> list[str]:
    return [s.id for s in rt.store.query(Query("jobs", (Where("status", "==", status.value),)))]


def sweep(rt: Runtime) -> SweepReport:
    """One pass over unfinished jobs; a transient failure on one job does not stop the others."""
    report = SweepReport()
    now = rt.clock()
    for job_id in _jobs_in(rt, J.JobStatus.AWAITING_FILES):
        bind(job_id=job_id)
        snap = jobs.get_job(rt, job_id)
        if snap is None:
            continue
        deadline = snap.data.get("deadline_at")
        if isinstance(deadline, dt.datetime) and deadline < now:
            try:
                _cancel(rt, job_id, snap.data)
            except ZapdocError as exc:  # e.g. the notice mail failed: the job is cancelled all the same
                report.errors.append(f"{job_id}: {exc}")
            report.cancelled.append(job_id)
        clear()
    from zapdoc.services.confirm import sweep_held

    for job_id in _jobs_in(rt, J.JobStatus.AWAITING_CONFIRMATION):  # held jobs (services/confirm.py)
        bind(job_id=job_id)
        try:
            if sweep_held(rt, job_id, now) == "cancelled":
                report.cancelled.append(job_id)
        except ZapdocError as exc:
            report.errors.append(f"{job_id}: {exc}")
        clear()
    for status in (J.JobStatus.RUNNING, J.JobStatus.ASSEMBLING):
        for job_id in _jobs_in(rt, status):
            bind(job_id=job_id)
            try:
                _redrive(rt, job_id, now, report)
            except ZapdocError as exc:
                report.errors.append(f"{job_id}: {exc}")
            clear()
    for job_id in _jobs_in(rt, J.JobStatus.DELIVERED):
        snap = jobs.get_job(rt, job_id)
        if snap is None or snap.data.get("purged"):
            continue
        purge_after = snap.data.get("purge_after")
        if isinstance(purge_after, dt.datetime) and purge_after <= now:
            purge_values(rt, job_id)
            report.purged.append(job_id)
    event(log, "sweep finished", **{k: len(v) for k, v in report.to_dict().items()})
    return report


def _cancel(rt: Runtime, job_id: str, job: dict[str, Any]) -> None:
    files: dict[str, dict[str, Any]] = job.get("files") or {}
    missing = [str(f.get("name")) for f in files.values() if not f.get("arrived")]
    reason = f"files never arrived: {', '.join(missing)}"
    if not jobs.transition(
        rt, job_id, [J.JobStatus.AWAITING_FILES], {"status": J.JobStatus.CANCELLED.value, "reason": reason}
    ):
        return
    jobs.delete_uploads(rt, job_id)
    mail = jobs.notice_mail(
        str(job["email"]),
        "ZapDoc: your job was cancelled",
        [
            f"Some files of your job never arrived ({', '.join(missing)}), so it was cancelled.",
            "Nothing was charged and the files that did arrive were deleted. Please submit the job again.",
        ],
        key=f"cancel:{job_id}",
    )
    jobs.send_once(rt, f"cancel:{job_id}", mail)


def _redrive(rt: Runtime, job_id: str, now: dt.datetime, report: SweepReport) -> None:
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return
    job = snap.data
    lease = job.get("lease_until")
    if job.get("status") == J.JobStatus.ASSEMBLING and isinstance(lease, dt.datetime) and lease > now:
        return  # an assembly is in progress and its holder is alive
    cutoff = now - rt.settings.document_max_age
    for doc in jobs.pending_documents(rt, job_id):
        created = doc.data.get("created_at")
        if isinstance(created, dt.datetime) and created < cutoff:
            jobs.fail_document(rt, job, job_id, doc, "processing took too long")
            report.failed_documents.append(f"{job_id}/{doc.id}")
    unclassified = rt.store.query(
        Query(J.documents_collection(job_id), (Where("status", "==", J.DocStatus.DONE.value),))
    )
    for doc in unclassified:
        created = doc.data.get("created_at")
        if not doc.data.get("classified") and isinstance(created, dt.datetime) and created < cutoff:
            rt.store.commit(
                [
                    Update(
                        doc.path,
                        {"classified": True, "doc_type": "other", "classify_note": "not classified in time"},
                    )
                ]
            )
    if J.JobStatus(job["status"]) is J.JobStatus.RUNNING and not job.get("published"):
        from zapdoc.services.intake import settle

        settle(rt, job_id)  # crashed between debit and publishing, and no redelivery came
        return
    if assemble_job(rt, job_id) is AssembleOutcome.DELIVERED:
        report.delivered.append(job_id)
