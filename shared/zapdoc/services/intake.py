"""Intake: an upload arrived. Record its documents on the job; when every declared file is in, debit the
job's pages once (or reject the job without charge) and publish one message per document.

Idempotent: keyed on bucket/object#generation (storage events repeat with different event ids), file
records are keyed by the declared file, the debit by the job, and publishing is recorded on the job.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from dataclasses import dataclass
from typing import Any

from zapdoc import mails
from zapdoc.domain import job_model
from zapdoc.domain.documents import Rejected
from zapdoc.domain.errors import InputError, PermanentError, TransientError
from zapdoc.domain.records import DocFields, FileFields, FileRecord, JobFields, JobRecord
from zapdoc.logging import bind, event
from zapdoc.ports.store import Put, Snapshot, Update, Write
from zapdoc.services import jobs, sources
from zapdoc.services.idempotency import Claim
from zapdoc.services.job_end import PENDING as END_PENDING
from zapdoc.services.job_end import job_ended
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
    try:
        upload = job_model.parse_upload_name(name)
    except PermanentError:
        if name.startswith("jobs/"):  # a stray object under a job's prefix that matches no declared file
            event(log, "stray upload that matches no declared file: deleted", logging.WARNING, object=name)
            rt.blobs.delete(bucket, name)
            return IntakeOutcome.IGNORED
        raise
    bind(job_id=upload.job_id)
    snap = jobs.get_job(rt, upload.job_id)
    if snap is None:
        event(log, "upload for an unknown job: deleted", logging.WARNING, object=name)
        rt.blobs.delete(bucket, name)
        return IntakeOutcome.IGNORED
    job = JobRecord.from_doc(snap.data)
    if job.status.terminal:
        event(log, "upload for a finished job: deleted", object=name, state=job.status.value)
        rt.blobs.delete(bucket, name)  # nothing of a finished job is kept (privacy)
        return IntakeOutcome.IGNORED
    declared = job.files.get(upload.file_id)
    if declared is None or declared.object != name:
        event(log, "upload that the job did not declare: deleted", logging.WARNING, object=name)
        rt.blobs.delete(bucket, name)
        return IntakeOutcome.IGNORED
    if not declared.arrived:
        try:
            _record_file(rt, snap, upload.file_id, declared, bucket, name, generation)
        except sources.OverBudget as over:
            _reject_over_budget(rt, upload.job_id, over)
            return IntakeOutcome.REJECTED
        except PermanentError:
            again = jobs.get_job(rt, upload.job_id)
            now_is = None if again is None else JobRecord.from_doc(again.data).status
            if now_is is None or now_is.terminal:  # e.g. cancelled meanwhile
                event(log, "job finished while its upload was read", state=now_is and now_is.value)
                return IntakeOutcome.IGNORED
            raise
    return settle(rt, upload.job_id)


def _record_file(
    rt: Runtime,
    job: Snapshot,
    file_id: str,
    declared: FileRecord,
    bucket: str,
    name: str,
    generation: str,
) -> None:
    job_id = job.id
    idem = jobs.idempotency(rt)
    key = f"intake:{bucket}/{name}#{generation}"
    lease = rt.settings.lease  # short, renewed while the file is counted and read: see idempotency
    claim = idem.claim(key, lease=lease)
    if claim is Claim.IN_PROGRESS:
        raise TransientError("this upload is being processed by another invocation")
    if claim is Claim.COMPLETED:
        return
    # counted enough to refuse the job (OverBudget): completed, so a redelivery does not count again
    with idem.holding(key, complete_on=(sources.OverBudget,)):
        with idem.keep_alive(key, lease=lease) as beat:
            writes, pages, count, rejected = _documents_of(rt, job, file_id, declared, name, generation)
            rt.crash("intake.after_read")
            beat.check()  # stalled past the lease and taken over: the new holder records the file
        for start in range(0, len(writes), _BATCH):
            rt.store.commit(writes[start : start + _BATCH])
        rt.store.commit(
            [
                Update(
                    job_model.job_path(job_id),
                    {
                        JobFields.file(file_id, FileFields.ARRIVED): True,
                        JobFields.file(file_id, FileFields.GENERATION): generation,
                        JobFields.file(file_id, FileFields.DOCUMENTS): count,
                        JobFields.file(file_id, FileFields.REJECTED): rejected,
                        JobFields.file(file_id, FileFields.PAGES): pages,
                        # the documents to extract: the start and the publishing read them here, not
                        # the document records just written
                        JobFields.file(file_id, FileFields.PENDING): [
                            w.path.rsplit("/", 1)[-1]
                            for w in writes
                            if isinstance(w, Put)
                            and w.data.get(DocFields.STATUS) == job_model.DocStatus.PENDING.value
                        ],
                        JobFields.UPDATED_AT: rt.clock(),
                    },
                )
            ]
        )
    event(log, "file arrived", file_id=file_id, documents=count, rejected=rejected, pages=pages)


def _documents_of(
    rt: Runtime, job: Snapshot, file_id: str, declared: FileRecord, object_name: str, generation: str
) -> tuple[list[Write], int, int, int]:
    job_id = job.id
    data = sources.read_upload(rt, object_name, generation)  # the generation this event announced
    filename = str(declared.name)
    record = JobRecord.from_doc(job.data)
    now = rt.clock()
    writes: list[Write] = []
    pages_total = rejected = 0
    items = list(sources.expand(filename, data))
    candidates = [item for item in items if not isinstance(item, Rejected)]
    others = [f for fid, f in record.files.items() if fid != file_id and f.arrived]
    documents = len(items) + sum(f.documents or 0 for f in others)
    if documents > rt.settings.max_job_documents:
        limit = rt.settings.max_job_documents
        raise sources.OverBudget(f"the job has {documents:,} documents, over the limit of {limit:,}", 0)
    # Pages are counted first (cheap, no text), against the credits left for this job: counting stops
    # as soon as they are exceeded. Text is read only for a job that can be paid for.
    counted_elsewhere = sum(f.pages or 0 for f in others)
    max_pages = rt.settings.max_job_pages - counted_elsewhere
    # held: the user sees the quote and may buy credits before confirming
    budget = max_pages if record.hold else jobs.ledger(rt).balance(str(record.user_id)) - counted_elsewhere
    try:
        counts = sources.count_within(
            rt,
            candidates,
            budget=budget,
            max_pages=max_pages,
        )
    except sources.OverBudget as over:
        raise sources.OverBudget(over.reason, over.needed + counted_elsewhere) from None
    readable = [c for c, n in zip(candidates, counts, strict=True) if not isinstance(n, InputError)]
    texts = dict(zip((id(c) for c in readable), sources.inspect_all(rt, readable), strict=True))
    inspected = {
        id(c): (n if isinstance(n, InputError) else texts[id(c)])
        for c, n in zip(candidates, counts, strict=True)
    }
    for position, item in enumerate(items):
        base = {
            DocFields.NAME: item.name,
            DocFields.FILE_ID: file_id,
            DocFields.FILE_NAME: filename,
            DocFields.OBJECT: object_name,
            DocFields.GENERATION: generation,  # extraction reads this generation (and checks the hash)
            DocFields.IN_ARCHIVE: item.name != filename,
            DocFields.POSITION: position,
            DocFields.CREATED_AT: now,
            DocFields.CLASSIFIED: False,
            DocFields.ATTEMPTS: 0,
        }
        if isinstance(item, Rejected):
            digest = job_model.content_digest(
                item.name.encode("utf-8")
            )  # no bytes: the entry name identifies it
            doc = {
                **base,
                DocFields.STATUS: job_model.DocStatus.REJECTED.value,
                DocFields.REASON: item.reason,
                DocFields.PAGES: item.pages,
            }
            doc[DocFields.CHARGED] = False
            rejected += 1
        else:
            digest = job_model.content_digest(item.data)
            base[DocFields.SHA256] = digest  # extraction re-reads exactly these bytes or fails (and refunds)
            text = inspected[id(item)]
            if isinstance(text, InputError):
                doc = {
                    **base,
                    DocFields.STATUS: job_model.DocStatus.REJECTED.value,
                    DocFields.REASON: str(text),
                    DocFields.PAGES: None,
                }
                doc[DocFields.CHARGED] = False
                rejected += 1
            else:
                doc = {
                    **base,
                    DocFields.STATUS: job_model.DocStatus.PENDING.value,
                    DocFields.PAGES: text.page_count,
                    DocFields.CHARGED: True,
                }
                max_chars = rt.settings.max_page_chars
                doc[DocFields.TEXT] = sources.storable_text(text, max_chars)
                doc[DocFields.TEXT_NOTES] = sources.cap_text(text, max_chars)[1]
                pages_total += text.page_count
        writes.append(
            Put(job_model.document_path(job_id, job_model.document_id(file_id, position, digest)), doc)
        )
    return writes, pages_total, len(writes), rejected


def settle(rt: Runtime, job_id: str) -> IntakeOutcome:
    """If every declared file is in: debit once (or reject), then publish the documents once."""
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return IntakeOutcome.IGNORED
    job = JobRecord.from_doc(snap.data)
    status = job.status
    if job_model.may_move(
        status, job_model.JobStatus.RUNNING
    ):  # unpaid: awaiting files, or the user's confirmation
        if not all(f.arrived for f in job.files.values()):
            return IntakeOutcome.WAITING
        pending = _pending_ids(rt, job_id, job)
        pages = pending.pages
        start = {JobFields.CHARGED: pages, jobs.OPEN: len(pending.ids)}  # with the move to running
        started = False
        if job.hold and job.confirmed_credits != pages:
            # Held for the user (web app): show the cost, charge only what they confirmed.
            if status is job_model.JobStatus.AWAITING_FILES:
                jobs.transition(
                    rt,
                    job_id,
                    job_model.JobStatus.AWAITING_CONFIRMATION,
                    {JobFields.QUOTE: pages, JobFields.HELD_AT: rt.clock()},
                )
            return IntakeOutcome.HELD
        if pages > 0:
            # The debit and the move to running are ONE commit, guarded by the job's version: a sweep
            # that cancels the job first makes the debit impossible, and a debited job can no longer be
            # cancelled (cancel only moves jobs out of awaiting_files).
            result = jobs.ledger(rt).apply(
                str(job.user_id),
                job_model.debit_key(job_id),
                -pages,
                meta={"job_id": job_id, "reason": "job"},
                also=lambda: _start_writes(rt, job_id, start),
            )
            if result.outcome is Outcome.INSUFFICIENT:
                if job.hold:
                    return IntakeOutcome.SHORT  # stays held: the user can buy credits and confirm again
                _reject(rt, job_id, job, pages, result.balance)
                return IntakeOutcome.REJECTED
            if result.outcome is Outcome.NOT_APPLICABLE:  # cancelled meanwhile: nothing was debited
                event(log, "job no longer awaiting files: not debited")
                return IntakeOutcome.IGNORED
            if result.outcome is Outcome.ALREADY_APPLIED:  # debited by a pre-atomic run: finish the move
                jobs.transition(rt, job_id, job_model.JobStatus.RUNNING, start)
            if result.outcome is Outcome.APPLIED:  # the debit commit moved the job (see _start_writes)
                started = True
                event(
                    log,
                    "job state changed",
                    state=job_model.JobStatus.RUNNING.value,
                    previous="awaiting_files",
                )
            event(log, "job debited", pages=pages, outcome=result.outcome.value, balance=result.balance)
        else:
            started = jobs.transition(rt, job_id, job_model.JobStatus.RUNNING, start)
        rt.crash("intake.after_debit")
        if started:  # this call moved the job: it is running, unpublished (no need to read it back)
            job = dataclasses.replace(
                job,
                status=job_model.JobStatus.RUNNING,
                published=False,
                charged=pages,
                open_documents=len(pending.ids),
            )
            status = job.status
        else:
            snap = jobs.get_job(rt, job_id)
            if snap is None:
                return IntakeOutcome.IGNORED
            job = JobRecord.from_doc(snap.data)
            status = job.status
    if status is job_model.JobStatus.REJECTED:
        job_ended(rt, job_id)
        return IntakeOutcome.REJECTED
    if status is not job_model.JobStatus.RUNNING or job.published:
        return IntakeOutcome.STARTED
    _publish(rt, job_id, job)
    return IntakeOutcome.STARTED


def _start_writes(rt: Runtime, job_id: str, fields: dict[str, Any]) -> list[Write] | None:
    """The job moved to running, conditional on it still awaiting files (or, held, the user's
    confirmation) as just read (else None): a move ``job_model.TRANSITIONS`` allows."""
    snap = jobs.get_job(rt, job_id)
    if snap is None or not job_model.may_move(snap.data.get(JobFields.STATUS), job_model.JobStatus.RUNNING):
        return None
    moved = {**fields, JobFields.STATUS: job_model.JobStatus.RUNNING.value, JobFields.UPDATED_AT: rt.clock()}
    return [Update(snap.path, moved, if_version=snap.version)]


@dataclass(frozen=True)
class _Pending:
    ids: list[str]
    pages: int


def _pending_ids(rt: Runtime, job_id: str, job: JobRecord) -> _Pending:
    """The documents to extract and their pages, as each file's record lists them (a file recorded
    before the record listed them: the document records, queried)."""
    files = list(job.files.values())
    if all(f.pending is not None for f in files):
        ids = [i for f in files for i in f.pending or ()]
        return _Pending(ids, sum(f.pages or 0 for f in files))
    docs = jobs.pending_documents(rt, job_id)
    return _Pending([d.id for d in docs], sum(int(d.data.get(DocFields.PAGES) or 0) for d in docs))


def _publish(rt: Runtime, job_id: str, job: JobRecord) -> None:
    pending = _pending_ids(rt, job_id, job).ids
    rt.bus.publish_all(
        rt.settings.documents_topic, [{"job_id": job_id, "document_id": doc_id} for doc_id in pending]
    )
    if not pending:  # nothing to extract: let assemble finish the job (error rows only)
        rt.bus.publish(rt.settings.results_topic, {"job_id": job_id, "document_id": "", "step": "intake"})
    rt.store.commit(
        [Update(job_model.job_path(job_id), {JobFields.PUBLISHED: True, JobFields.PUBLISHED_AT: rt.clock()})]
    )
    event(log, "documents published", documents=len(pending))


def _reject_over_budget(rt: Runtime, job_id: str, over: sources.OverBudget) -> None:
    """Refuse the job while its pages are still being counted (no charge, nothing kept)."""
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return
    job = JobRecord.from_doc(snap.data)
    if over.reason == "not enough credits":
        balance = jobs.ledger(rt).balance(str(job.user_id))
        event(log, "counting stopped: over the balance", pages_counted=over.needed, balance=balance)
        _reject(rt, job_id, job, over.needed, balance, at_least=True)
        return
    event(log, "counting stopped: over a per-job limit", reason=over.reason)
    _reject(rt, job_id, job, over.needed, None, reason=over.reason)


def _reject(
    rt: Runtime,
    job_id: str,
    job: JobRecord,
    needed: int,
    balance: int | None,
    *,
    at_least: bool = False,
    reason: str = "",
) -> None:
    limit_reason = reason
    if not reason:
        amount = f"at least {needed}" if at_least else f"{needed}"
        reason = f"not enough credits: the job needs {amount} and the balance is {balance}"
    jobs.transition(
        rt,
        job_id,
        job_model.JobStatus.REJECTED,
        {JobFields.REASON: reason, **jobs.retention_fields(rt), **END_PENDING},
    )
    jobs.delete_uploads(rt, job_id)
    files = [
        mails.FileLine(
            str(d.data.get(DocFields.NAME) or d.id),
            False,
            "not processed",
            int(d.data.get(DocFields.PAGES) or 0),
        )
        for d in jobs.list_documents(rt, job_id)
    ]  # listed before the purge removes the records
    jobs.purge_if_due(rt, job_id)  # the documents' text was stored as they arrived
    mail = mails.rejection_mail(
        to=str(job.email),
        sender=rt.settings.mail_from,
        job_id=job_id,
        when=rt.clock(),
        files=files,
        needed=needed,
        balance=balance,
        public_url=rt.settings.public_url,
        at_least=at_least,
        reason=limit_reason,
    )
    jobs.send_once(rt, f"reject:{job_id}", mail)
    job_ended(rt, job_id)
