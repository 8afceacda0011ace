"""Intake: an upload arrived. Record its documents on the job; when every declared file is in, debit the
job's pages once (or reject the job without charge) and publish one message per document.

Idempotent: keyed on bucket/object#generation (storage events repeat with different event ids), file
records are keyed by the declared file, the debit by the job, and publishing is recorded on the job.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from typing import Any

from zapdoc.domain import jobs as J
from zapdoc.domain.documents import Rejected
from zapdoc.domain.errors import InputError, TransientError
from zapdoc.logging import bind, event
from zapdoc.ports.store import Put, Update, Write
from zapdoc.services import jobs, sources
from zapdoc.services.idempotency import Claim
from zapdoc.services.ledger import Outcome
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.intake")

_BATCH = 400  # Firestore allows 500 writes per commit


class IntakeOutcome(enum.StrEnum):
    IGNORED = "ignored"  # not a job upload, unknown job or file, job already finished
    WAITING = "waiting"  # recorded; other declared files have not arrived yet
    STARTED = "started"  # debited and documents published
    REJECTED = "rejected"  # not enough credits: no charge, user told
    HELD = "held"  # a ``hold`` job: counted, waiting for the user to confirm the cost (no charge yet)
    SHORT = "short"  # a confirmed ``hold`` job the balance does not cover: still held, no charge


def handle_upload(rt: Runtime, *, bucket: str, name: str, generation: str) -> IntakeOutcome:
    """Handle one Cloud Storage ``object.finalized`` event."""
    if bucket != rt.settings.uploads_bucket:
        event(log, "ignored object outside the uploads bucket", logging.WARNING, bucket=bucket)
        return IntakeOutcome.IGNORED
    upload = J.parse_upload_name(name)
    bind(job_id=upload.job_id)
    snap = jobs.get_job(rt, upload.job_id)
    if snap is None:
        event(log, "upload for an unknown job: deleted", logging.WARNING, object=name)
        rt.blobs.delete(bucket, name)
        return IntakeOutcome.IGNORED
    job = snap.data
    if J.JobStatus(job["status"]).terminal:
        event(log, "upload for a finished job: deleted", object=name, state=job["status"])
        rt.blobs.delete(bucket, name)  # nothing of a finished job is kept (privacy)
        return IntakeOutcome.IGNORED
    declared = (job.get("files") or {}).get(upload.file_id)
    if declared is None or declared.get("object") != name:
        event(log, "upload that the job did not declare: deleted", logging.WARNING, object=name)
        rt.blobs.delete(bucket, name)
        return IntakeOutcome.IGNORED
    if not declared.get("arrived"):
        _record_file(rt, upload.job_id, upload.file_id, declared, bucket, name, generation)
    return settle(rt, upload.job_id)


def _record_file(
    rt: Runtime, job_id: str, file_id: str, declared: dict[str, Any], bucket: str, name: str, generation: str
) -> None:
    idem = jobs.idempotency(rt)
    key = f"intake:{bucket}/{name}#{generation}"
    claim = idem.claim(key, lease=dt.timedelta(seconds=rt.settings.inspect_timeout_s * 4 + 60))
    if claim is Claim.IN_PROGRESS:
        raise TransientError("this upload is being processed by another invocation")
    if claim is Claim.COMPLETED:
        return
    try:
        writes, pages, count, rejected = _documents_of(rt, job_id, file_id, declared, name)
        for start in range(0, len(writes), _BATCH):
            rt.store.commit(writes[start : start + _BATCH])
        rt.store.commit(
            [
                Update(
                    J.job_path(job_id),
                    {
                        f"files.{file_id}.arrived": True,
                        f"files.{file_id}.generation": generation,
                        f"files.{file_id}.documents": count,
                        f"files.{file_id}.rejected": rejected,
                        f"files.{file_id}.pages": pages,
                        "updated_at": rt.clock(),
                    },
                )
            ]
        )
    except Exception:
        idem.release(key)
        raise
    idem.complete(key)
    event(log, "file arrived", file_id=file_id, documents=count, rejected=rejected, pages=pages)


def _documents_of(
    rt: Runtime, job_id: str, file_id: str, declared: dict[str, Any], object_name: str
) -> tuple[list[Write], int, int, int]:
    data = sources.read_upload(rt, object_name)
    filename = str(declared["name"])
    now = rt.clock()
    writes: list[Write] = []
    pages_total = rejected = 0
    items = list(sources.expand(filename, data))
    candidates = [item for item in items if not isinstance(item, Rejected)]
    inspected = dict(zip((id(c) for c in candidates), sources.inspect_all(rt, candidates), strict=True))
    for position, item in enumerate(items):
        base = {
            "name": item.name,
            "file_id": file_id,
            "file_name": filename,
            "object": object_name,
            "in_archive": item.name != filename,
            "position": position,
            "created_at": now,
            "classified": False,
            "attempts": 0,
        }
        if isinstance(item, Rejected):
            doc = {**base, "status": J.DocStatus.REJECTED.value, "reason": item.reason, "pages": item.pages}
            doc["charged"] = False
            rejected += 1
        else:
            text = inspected[id(item)]
            if isinstance(text, InputError):
                doc = {**base, "status": J.DocStatus.REJECTED.value, "reason": str(text), "pages": None}
                doc["charged"] = False
                rejected += 1
            else:
                doc = {**base, "status": J.DocStatus.PENDING.value, "pages": text.page_count, "charged": True}
                doc["text"] = sources.storable_text(text)
                pages_total += text.page_count
        writes.append(Put(J.document_path(job_id, J.document_id(file_id, item.name)), doc))
    return writes, pages_total, len(writes), rejected


def settle(rt: Runtime, job_id: str) -> IntakeOutcome:
    """If every declared file is in: debit once (or reject), then publish the documents once."""
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return IntakeOutcome.IGNORED
    job = snap.data
    status = J.JobStatus(job["status"])
    unpaid = (J.JobStatus.AWAITING_FILES, J.JobStatus.AWAITING_CONFIRMATION)
    if status in unpaid:
        files = job.get("files") or {}
        if not all(f.get("arrived") for f in files.values()):
            return IntakeOutcome.WAITING
        pages = sum(int(d.data.get("pages") or 0) for d in jobs.pending_documents(rt, job_id))
        if job.get("hold") and job.get("confirmed_credits") != pages:
            # Held for the user (web app): show the cost, charge only what they confirmed.
            if status is J.JobStatus.AWAITING_FILES:
                jobs.transition(
                    rt, job_id, [J.JobStatus.AWAITING_FILES],
                    {"status": J.JobStatus.AWAITING_CONFIRMATION.value, "quote": pages,
                     "held_at": rt.clock()},
                )  # fmt: skip
            return IntakeOutcome.HELD
        if pages > 0:
            result = jobs.ledger(rt).apply(
                str(job["user_id"]), J.debit_key(job_id), -pages, meta={"job_id": job_id, "reason": "job"}
            )
            if result.outcome is Outcome.INSUFFICIENT:
                if job.get("hold"):
                    return IntakeOutcome.SHORT  # stays held: the user can buy credits and confirm again
                _reject(rt, job_id, job, pages, result.balance)
                return IntakeOutcome.REJECTED
            event(log, "job debited", pages=pages, outcome=result.outcome.value, balance=result.balance)
        jobs.transition(rt, job_id, unpaid, {"status": J.JobStatus.RUNNING.value, "charged": pages})
        rt.crash("intake.after_debit")
        snap = jobs.get_job(rt, job_id)
        if snap is None:
            return IntakeOutcome.IGNORED
        job = snap.data
        status = J.JobStatus(job["status"])
    if status is J.JobStatus.REJECTED:
        return IntakeOutcome.REJECTED
    if status is not J.JobStatus.RUNNING or job.get("published"):
        return IntakeOutcome.STARTED
    _publish(rt, job_id)
    return IntakeOutcome.STARTED


def _publish(rt: Runtime, job_id: str) -> None:
    pending = jobs.pending_documents(rt, job_id)
    rt.bus.publish_all(
        rt.settings.documents_topic, [{"job_id": job_id, "document_id": d.id} for d in pending]
    )
    if not pending:  # nothing to extract: let assemble finish the job (error rows only)
        rt.bus.publish(rt.settings.results_topic, {"job_id": job_id, "document_id": "", "step": "intake"})
    rt.store.commit([Update(J.job_path(job_id), {"published": True, "published_at": rt.clock()})])
    event(log, "documents published", documents=len(pending))


def _reject(rt: Runtime, job_id: str, job: dict[str, Any], needed: int, balance: int) -> None:
    reason = f"not enough credits: the job needs {needed} and the balance is {balance}"
    jobs.transition(
        rt, job_id, [J.JobStatus.AWAITING_FILES], {"status": J.JobStatus.REJECTED.value, "reason": reason}
    )
    jobs.delete_uploads(rt, job_id)
    mail = jobs.notice_mail(
        str(job["email"]),
        "ZapDoc: your job was not processed",
        [
            f"Your documents need {needed} credits (one per page) and your balance is {balance}.",
            "Nothing was charged and your uploads were deleted. Buy credits and submit the job again.",
        ],
        key=f"reject:{job_id}",
    )
    jobs.send_once(rt, f"reject:{job_id}", mail)
