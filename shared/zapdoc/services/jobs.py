"""Job use cases shared by the functions, the sweep and the API: create, read, fail a document, notify.

A job is created with its declared files; intake records each file as it arrives. Documents failing
after the debit are refunded exactly once (ledger key ``refund:<job>:<document>``): all the failures of
a job in one ledger commit when the job is assembled (``refund_failed``).

A running job counts its documents still open (``open_documents``, set by the commit that starts it):
the commit that finishes a document (extracted and classified, or failed) decrements it, once per
document (a compare-and-set on the document as read), so the step that brings it to zero knows it
finished the job's last document and only it triggers assembly.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from zapdoc.domain import job_model
from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import FieldSpec, fields_from_list, fields_to_list
from zapdoc.domain.records import DocFields, DocumentRecord, FileRecord, JobFields, JobRecord, StatsFields
from zapdoc.logging import event
from zapdoc.ports.mailer import Mail
from zapdoc.ports.store import (
    DOCUMENT_ID,
    Create,
    Increment,
    Order,
    Query,
    Snapshot,
    Update,
    Where,
    Write,
)
from zapdoc.services import paging
from zapdoc.services.cas import Commit, Stop, compare_and_set, give_up
from zapdoc.services.idempotency import Claim, Idempotency
from zapdoc.services.ledger import Change, Ledger, Outcome, user_path
from zapdoc.services.quotas import QuotaExceeded, Slots
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.jobs")

MAX_FILES = 50
OPEN = JobFields.OPEN_DOCUMENTS
"""Job field: documents of a running job not yet finished (see the module's docstring)."""


@dataclass(frozen=True)
class DeclaredFile:
    file_id: str
    filename: str
    object_name: str


@dataclass(frozen=True)
class CreatedJob:
    job_id: str
    files: tuple[DeclaredFile, ...]
    deadline_at: dt.datetime


class OpenJobLimit(UsageError):
    """The user already has ``max_open_jobs`` jobs in progress (the API answers 429)."""


def open_job_slots(rt: Runtime, user_id: str) -> Slots:
    return Slots(rt.store, f"{user_path(user_id)}/quota_open_jobs", rt.settings.max_open_jobs)


def new_job_id() -> str:
    return uuid.uuid4().hex[:20]


def create_job(
    rt: Runtime,
    *,
    user_id: str,
    email: str,
    filenames: Sequence[str],
    fields: Sequence[FieldSpec],
    template: str | None = None,
    job_id: str | None = None,
    limit_open_jobs: bool = False,
    webhook_url: str | None = None,
    hold: bool = False,
) -> CreatedJob:
    """Create a job in ``awaiting_files`` with its declared files; files must arrive before the deadline.

    ``limit_open_jobs`` (the public API) refuses the job with ``OpenJobLimit`` when the user already has
    ``max_open_jobs`` jobs in progress; the limit holds under concurrent creates (slot documents)."""
    if not filenames:
        raise UsageError("a job needs at least one file")
    if len(filenames) > MAX_FILES:
        raise UsageError(f"a job can have at most {MAX_FILES} files")
    if not fields:
        raise UsageError("a job needs at least one field")
    job_id = job_id or new_job_id()
    now = rt.clock()
    deadline = now + rt.settings.file_arrival_timeout
    names = job_model.unique_names(
        [job_model.check_filename(n) for n in filenames]
    )  # 400 for '.', '..', 'x/..'
    files = tuple(
        DeclaredFile(job_model.file_id(i), n, job_model.upload_object_name(job_id, job_model.file_id(i), n))
        for i, n in enumerate(names)
    )
    record = JobRecord(
        status=job_model.JobStatus.AWAITING_FILES,
        user_id=user_id,
        email=email,
        fields=tuple(fields_to_list(fields)),
        template=template,
        files={f.file_id: FileRecord(name=f.filename, object=f.object_name) for f in files},
        declared=len(files),
        created_at=now,
        updated_at=now,
        deadline_at=deadline,
        webhook_url=webhook_url,
        hold=hold,  # counted, then held unpaid until the user confirms the cost (services/confirm.py)
    ).to_doc()
    if not limit_open_jobs:  # local tooling and tests of other things create jobs directly
        rt.store.commit([Create(job_model.job_path(job_id), record)])
    else:
        limit = rt.settings.max_open_jobs
        try:  # the slot is freed by the commit that moves the job into a terminal state (``transition``)
            open_job_slots(rt, user_id).claim(
                job_id, lambda slot: [Create(job_model.job_path(job_id), {**record, JobFields.SLOT: slot})]
            )
        except QuotaExceeded:
            raise OpenJobLimit(
                f"you have {limit} jobs in progress, the most at once; wait for one to finish"
            ) from None
    event(log, "job created", job_id=job_id, state=job_model.JobStatus.AWAITING_FILES.value, files=len(files))
    return CreatedJob(job_id, files, deadline)


NEWEST_FIRST = (Order(JobFields.CREATED_AT, "desc"), Order(DOCUMENT_ID, "desc"))


def list_jobs(rt: Runtime, user_id: str, *, limit: int, cursor: str | None = None) -> paging.Page:
    """One page of the user's jobs, newest first (reads ``limit + 1`` job documents, whatever the
    user's history; index ``jobs_by_user`` in terraform/firestore.tf)."""
    query = Query("jobs", (Where(JobFields.USER_ID, "==", user_id),), order_by=NEWEST_FIRST)
    return paging.fetch(rt.store, query, limit, cursor)


def get_job(rt: Runtime, job_id: str) -> Snapshot | None:
    return rt.store.get(job_model.job_path(job_id))


def job_fields(job: dict[str, Any]) -> tuple[FieldSpec, ...]:
    return fields_from_list(job.get(JobFields.FIELDS) or [])


def list_documents(rt: Runtime, job_id: str) -> list[Snapshot]:
    docs = rt.store.query(Query(job_model.documents_collection(job_id)))
    return sorted(
        docs, key=lambda s: (str(s.data.get(DocFields.FILE_ID, "")), int(s.data.get(DocFields.POSITION, 0)))
    )


def ledger(rt: Runtime) -> Ledger:
    return Ledger(rt.store, clock=rt.clock)


def idempotency(rt: Runtime) -> Idempotency:
    return Idempotency(rt.store, rt.clock, rt.settings.idempotency_ttl)


def counts_open(job: dict[str, Any]) -> bool:
    """The job keeps the open-documents counter (every job started since it exists)."""
    return isinstance(job.get(OPEN), int)


def finished_write(job_id: str) -> Update:
    """One document of the job finished: in the commit that records its result."""
    return Update(job_model.job_path(job_id), {OPEN: Increment(-1)})


def notify_if_last(
    rt: Runtime, job: dict[str, Any], job_id: str, doc_id: str, step: str, finished: Update | None
) -> None:
    """After the commit that finished a document (``finished``: its decrement, None when this commit
    finished no document): trigger assembly when it was the job's last one. The store reports the
    count this commit left (exactly one commit sees zero); a store that does not costs one read. A
    job without the counter triggers on every result, as before the counter existed."""
    if counts_open(job):
        if finished is None:
            return
        increment = finished.fields[OPEN]
        after = increment.after if isinstance(increment, Increment) else []
        if after:
            if after[-1] > 0:
                return
        else:
            fresh = get_job(rt, job_id)
            if fresh is None or int(fresh.data.get(OPEN) or 0) > 0:
                return
    rt.bus.publish(rt.settings.results_topic, {"job_id": job_id, "document_id": doc_id, "step": step})


def fail_document(
    rt: Runtime,
    job: dict[str, Any],
    job_id: str,
    doc: Snapshot,
    reason: str,
    *,
    also: Sequence[Write] = (),
) -> bool:
    """Mark a pending document failed, once: a compare-and-set on the document as read (re-read on a
    conflict), with the open-documents decrement and ``also`` in the same commit. Its pages are refunded
    with the job's other failures in one ledger commit at assembly (``refund_failed``). False when the
    document was no longer pending (another invocation finished it)."""
    Failed = tuple[Snapshot, Update | None] | None  # the document as read, its decrement

    def step(doc: Snapshot | None) -> Commit[Failed] | Stop[Failed]:
        if doc is None:
            return Stop(None)
        record = DocumentRecord.from_doc(doc.data)
        if record.status is not job_model.DocStatus.PENDING:
            return Stop(None)
        now = rt.clock()
        fields = {
            DocFields.STATUS: job_model.DocStatus.FAILED.value,
            DocFields.REASON: reason,
            DocFields.FINISHED_AT: now,
            DocFields.stats(StatsFields.PAGES): record.pages or 0,
            DocFields.stats(StatsFields.STATUS): "failed",
            DocFields.stats(StatsFields.AT): now,
        }
        finished = finished_write(job_id) if counts_open(job) else None
        writes = [*also, finished] if finished is not None else [*also]
        return Commit(fields, (doc, finished), also=writes)

    failed = compare_and_set(
        rt.store,
        doc.path,
        step,
        snapshot=doc,
        exhausted=give_up("the document kept changing while it was being marked failed"),
    )
    if failed is None:
        return False
    doc, finished = failed
    pages = DocumentRecord.from_doc(doc.data).pages or 0
    event(log, "document failed", document_id=doc.id, state="failed", reason=reason, pages=pages)
    notify_if_last(rt, job, job_id, doc.id, "failed", finished)
    return True


def refund_failed(rt: Runtime, job_id: str, job: dict[str, Any], docs: Sequence[Snapshot]) -> int:
    """Refund the pages of the job's failed charged documents, each exactly once (ledger key
    ``refund:<job>:<document>``), all in one ledger commit with the job's ``refunded`` total; the pages
    refunded (0 when none failed). Idempotent: a redelivery finds the entries and changes nothing."""
    record = JobRecord.from_doc(job)
    read = [(d.id, DocumentRecord.from_doc(d.data)) for d in docs]
    failed = [
        (doc_id, r.pages or 0)
        for doc_id, r in read
        if r.status is job_model.DocStatus.FAILED and r.charged and (r.pages or 0) > 0
    ]
    total = sum(pages for _, pages in failed)
    if not failed or record.refunds_done:
        return total
    changes = [
        Change(
            job_model.refund_key(job_id, doc_id),
            pages,
            {"job_id": job_id, "document_id": doc_id, "reason": "refund: document failed"},
        )
        for doc_id, pages in failed
    ]
    done = Update(job_model.job_path(job_id), {JobFields.REFUNDED: total, JobFields.REFUNDS_DONE: True})
    for start in range(0, len(changes), _REFUND_BATCH):  # Firestore allows 500 writes per commit
        part = changes[start : start + _REFUND_BATCH]
        last = start + _REFUND_BATCH >= len(changes)
        results = ledger(rt).apply_many(str(record.user_id), part, also=[done] if last else [])
        if last and not any(r.outcome is Outcome.APPLIED for r in results):
            rt.store.commit([done])  # every entry was there already (a redelivery): record it
    event(log, "failed documents refunded", documents=len(failed), refunded_pages=total)
    return total


_REFUND_BATCH = 400


def transition(
    rt: Runtime,
    job_id: str,
    to: job_model.JobStatus,
    fields: dict[str, Any],
    *,
    only_from: Collection[job_model.JobStatus] | None = None,
    guard: Callable[[dict[str, Any]], bool] | None = None,
) -> bool:
    """Compare-and-set the job into ``to`` (with ``fields``) from a state the domain's table allows
    (``job_model.TRANSITIONS``), narrowed to ``only_from`` when given (and, with ``guard``, only while
    it holds for the record as read); False if the job is in another state. A move into a terminal state frees
    the job's open-job slot in the same commit."""
    sources = job_model.sources_of(to)
    if only_from is not None:
        illegal = set(only_from) - sources
        if illegal:
            names = ", ".join(sorted(s.value for s in illegal))
            raise ValueError(f"a job cannot move from {names} to {to.value} (domain.job_model.TRANSITIONS)")
        sources = frozenset(only_from)
    if JobFields.STATUS in fields:
        raise ValueError("transition sets the job's status itself (pass the target state as ``to``)")
    allowed = {s.value for s in sources}
    fields = {**fields, JobFields.STATUS: to.value}

    def step(snap: Snapshot | None) -> Commit[str | None] | Stop[str | None]:
        if snap is None or snap.data.get(JobFields.STATUS) not in allowed:
            return Stop(None)
        if guard is not None and not guard(snap.data):
            return Stop(None)
        free: list[Write] = []
        if to.terminal:
            free = open_job_slots(rt, str(snap.data.get(JobFields.USER_ID))).release(
                snap.data.get(JobFields.SLOT)
            )
        return Commit(
            {**fields, JobFields.UPDATED_AT: rt.clock()}, str(snap.data.get(JobFields.STATUS)), also=free
        )

    previous = compare_and_set(rt.store, job_model.job_path(job_id), step, exhausted=lambda: None)
    if previous is None:
        return False
    event(log, "job state changed", state=to.value, previous=previous)
    return True


def retention_fields(rt: Runtime) -> dict[str, Any]:
    """Fields every move into a terminal state carries: when its text and values must be gone."""
    return {JobFields.PURGE_AFTER: rt.clock() + rt.settings.retention}


def purge_job_data(rt: Runtime, job_id: str, docs: Sequence[Snapshot] | None = None) -> int:
    """Delete extracted values and text (privacy): keep only status, pages and reasons on the records.

    Runs for every terminal state (delivered, rejected, cancelled; failed documents with their job) on
    the same retention rule: at once when the retention is 0, else by the sweep once ``purge_after``
    has passed. ``docs``: the job's finished documents as the caller just read them (else listed)."""
    docs = list_documents(rt, job_id) if docs is None else docs
    writes: list[Update] = [
        Update(d.path, {DocFields.RESULT: None, DocFields.TEXT: None, DocFields.PURGED: True})
        for d in docs
        if d.data.get(DocFields.RESULT) is not None or d.data.get(DocFields.TEXT) is not None
    ]
    for start in range(0, len(writes), 400):
        rt.store.commit(writes[start : start + 400])
    rt.store.commit([Update(job_model.job_path(job_id), {JobFields.PURGED: True})])
    return len(writes)


def purge_if_due(rt: Runtime, job_id: str, docs: Sequence[Snapshot] | None = None) -> bool:
    """Purge now when the retention is 0 (the default); the sweep handles longer retentions."""
    if rt.settings.retention <= dt.timedelta(0):
        purge_job_data(rt, job_id, docs)
        return True
    return False


def delete_uploads(rt: Runtime, job_id: str) -> int:
    """Delete every uploaded object of the job (and nothing else)."""
    names = rt.blobs.list(rt.settings.uploads_bucket, f"jobs/{job_id}/")
    for name in names:
        rt.blobs.delete(rt.settings.uploads_bucket, name)
    return len(names)


def send_once(rt: Runtime, key: str, mail: Mail) -> bool:
    """Send a notice at most once per ``key`` (a crash between send and record can duplicate it)."""
    idem = idempotency(rt)
    claim = idem.claim(f"mail:{key}", lease=dt.timedelta(minutes=5))
    if claim is not Claim.CLAIMED:
        return False
    with idem.holding(f"mail:{key}"):  # released when the send fails: a retry sends
        rt.mailer.send(mail)
    return True


def notice_mail(to: str, subject: str, paragraphs: Sequence[str], key: str) -> Mail:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return Mail(
        to=to,
        subject=subject,
        html=f"<html><body>{body}</body></html>",
        text="\n\n".join(paragraphs),
        key=key,
    )


def any_unfinished(rt: Runtime, job_id: str) -> bool:
    """True while a document still blocks assembly; two equality queries reading at most one record
    each, so the many ``document-results`` messages of a big job stay cheap."""
    collection = job_model.documents_collection(job_id)
    pending = Query(collection, (Where(DocFields.STATUS, "==", job_model.DocStatus.PENDING.value),), limit=1)
    unclassified = Query(
        collection,
        (
            Where(DocFields.STATUS, "==", job_model.DocStatus.DONE.value),
            Where(DocFields.CLASSIFIED, "==", False),
        ),
        limit=1,
    )
    return bool(rt.store.query(pending)) or bool(rt.store.query(unclassified))


def pending_documents(rt: Runtime, job_id: str) -> list[Snapshot]:
    return rt.store.query(
        Query(
            job_model.documents_collection(job_id),
            (Where(DocFields.STATUS, "==", job_model.DocStatus.PENDING.value),),
        )
    )
