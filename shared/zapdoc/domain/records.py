"""Job and document records, typed: the one place that maps them to and from the stored document.

``JobRecord.from_doc`` / ``DocumentRecord.from_doc`` read a stored document (tolerant of the keys older
records lack: each gets its default), ``to_doc`` gives the document a new record is stored as (the same
keys the store has always held, so existing data and the Firestore indexes keep working). Partial
updates name their keys through ``JobFields`` / ``DocFields`` (dotted paths into maps included), so no
service spells a key string; tests/unit/test_record_keys.py holds that rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from zapdoc.domain.job_model import DocStatus, JobStatus


class RecordError(ValueError):
    """A stored record that cannot be read as one (no status, or a status the code does not know)."""


# --- field paths for partial updates (``Update`` fields, ``Where`` / ``Order`` fields) ----------------


class FileFields:
    """Keys of one declared file's map on the job (``files.<file id>.<key>``)."""

    NAME = "name"
    OBJECT = "object"
    ARRIVED = "arrived"
    GENERATION = "generation"
    DOCUMENTS = "documents"
    REJECTED = "rejected"
    PAGES = "pages"
    PENDING = "pending"


class AssemblyFields:
    """Keys of the job's ``assembly`` map (what assemble has done so far)."""

    WORKBOOK = "workbook"
    SIZE = "size"
    DOCUMENTS = "documents"
    FAILED = "failed"
    LOW_CONFIDENCE = "low_confidence"
    MAILED_AT = "mailed_at"
    MAIL_ERROR = "mail_error"


class WebhookFields:
    """Keys of the job's ``webhook`` map (its end event's delivery, copied from the delivery record)."""

    EVENT_ID = "event_id"
    STATE = "state"
    ATTEMPTS = "attempts"
    LAST_STATUS = "last_status"
    LAST_ERROR = "last_error"
    DELIVERED_AT = "delivered_at"
    LAST_ATTEMPT_AT = "last_attempt_at"


class JobFields:
    """Keys (and dotted paths) of a job record, ``jobs/<job id>``."""

    USER_ID = "user_id"
    EMAIL = "email"
    STATUS = "status"
    FIELDS = "fields"
    TEMPLATE = "template"
    FILES = "files"
    DECLARED = "declared"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    DEADLINE_AT = "deadline_at"
    CHARGED = "charged"
    PUBLISHED = "published"
    PUBLISHED_AT = "published_at"
    PURGED = "purged"
    ASSEMBLY = "assembly"
    WEBHOOK_URL = "webhook_url"
    HOLD = "hold"
    SLOT = "slot"
    OPEN_DOCUMENTS = "open_documents"
    QUOTE = "quote"
    HELD_AT = "held_at"
    CONFIRMED_CREDITS = "confirmed_credits"
    REASON = "reason"
    PURGE_AFTER = "purge_after"
    END_DONE = "end_done"
    DELIVERED_AT = "delivered_at"
    ENDED_AT = "ended_at"
    REFUNDED = "refunded"
    REFUNDS_DONE = "refunds_done"
    LLM_USAGE = "llm_usage"
    LEASE_UNTIL = "lease_until"
    LEASE_OWNER = "lease_owner"
    WEBHOOK = "webhook"
    ASSEMBLY_MAILED_AT = f"{ASSEMBLY}.{AssemblyFields.MAILED_AT}"
    ASSEMBLY_MAIL_ERROR = f"{ASSEMBLY}.{AssemblyFields.MAIL_ERROR}"

    @staticmethod
    def file(file_id: str, key: str) -> str:
        """The path of ``key`` (a ``FileFields`` key) in the declared file ``file_id``'s map."""
        return f"{JobFields.FILES}.{file_id}.{key}"

    @staticmethod
    def webhook(key: str) -> str:
        """The path of ``key`` (a ``WebhookFields`` key) in the job's ``webhook`` map."""
        return f"{JobFields.WEBHOOK}.{key}"


class StatsFields:
    """Keys of a document's ``stats`` map: the steps' figures the job's end turns into its analytics
    record (numbers and names only, never content)."""

    PAGES = "pages"
    STATUS = "status"
    AT = "at"
    EXTRACT_SECONDS = "extract_seconds"
    PROVIDER = "provider"
    MODEL = "model"
    PROMPT_TOKENS = "prompt_tokens"
    OUTPUT_TOKENS = "output_tokens"
    LLM_REQUESTS = "llm_requests"
    COST_USD = "cost_usd"
    ESCALATED = "escalated"
    FAILED_OVER = "failed_over"
    DOC_TYPE = "doc_type"
    CLASSIFY_MODEL = "classify_model"
    CLASSIFY_SECONDS = "classify_seconds"


class DocFields:
    """Keys (and dotted paths) of a document record, ``jobs/<job id>/documents/<document id>``."""

    NAME = "name"
    FILE_ID = "file_id"
    FILE_NAME = "file_name"
    OBJECT = "object"
    GENERATION = "generation"
    IN_ARCHIVE = "in_archive"
    POSITION = "position"
    CREATED_AT = "created_at"
    CLASSIFIED = "classified"
    ATTEMPTS = "attempts"
    SHA256 = "sha256"
    STATUS = "status"
    REASON = "reason"
    PAGES = "pages"
    CHARGED = "charged"
    TEXT = "text"
    TEXT_NOTES = "text_notes"
    RESULT = "result"
    EXTRACTED_AT = "extracted_at"
    EXTRACTED_DOC_TYPE = "extracted_doc_type"
    DOC_TYPE = "doc_type"
    CLASSIFIED_AT = "classified_at"
    CLASSIFY_NOTE = "classify_note"
    FINISHED_AT = "finished_at"
    STATS = "stats"
    PURGED = "purged"

    @staticmethod
    def stats(key: str) -> str:
        """The path of ``key`` (a ``StatsFields`` key) in the document's ``stats`` map."""
        return f"{DocFields.STATS}.{key}"


# --- reading stored values tolerantly ---------------------------------------------------------------


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _time(value: Any) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _doc_of(record: Any, always: frozenset[str]) -> dict[str, Any]:
    """The stored form of a record's scalar fields: each under its own name; a field at its default
    (None, or False for a flag) is left out unless ``always`` names it (the keys every record has)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in always or not (value is None or (value is False and f.default is False)):
            out[f.name] = value
    return out


# --- the records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileRecord:
    """One declared file of a job, as intake records it when it arrives."""

    name: str | None = None
    object: str | None = None
    arrived: bool = False
    generation: str | None = None
    documents: int | None = None
    rejected: int | None = None
    pages: int | None = None
    pending: tuple[str, ...] | None = None  # the documents to extract (files recorded since it exists)

    _ALWAYS: ClassVar[frozenset[str]] = frozenset({"name", "object", "arrived"})

    @classmethod
    def from_doc(cls, data: Mapping[str, Any]) -> FileRecord:
        pending = data.get(FileFields.PENDING)
        return cls(
            name=_str(data.get(FileFields.NAME)),
            object=_str(data.get(FileFields.OBJECT)),
            arrived=bool(data.get(FileFields.ARRIVED)),
            generation=_str(data.get(FileFields.GENERATION)),
            documents=_int(data.get(FileFields.DOCUMENTS)),
            rejected=_int(data.get(FileFields.REJECTED)),
            pages=_int(data.get(FileFields.PAGES)),
            pending=tuple(str(i) for i in pending) if isinstance(pending, list | tuple) else None,
        )

    def to_doc(self) -> dict[str, Any]:
        out = _doc_of(self, self._ALWAYS)
        if self.pending is not None:
            out[FileFields.PENDING] = list(self.pending)
        return out


@dataclass(frozen=True)
class AssemblyState:
    """What assemble has done for a job (each step recorded, so a redelivery resumes after a crash)."""

    workbook: str | None = None
    size: int | None = None
    documents: int | None = None
    failed: int | None = None
    low_confidence: int | None = None
    mailed_at: dt.datetime | None = None
    mail_error: str | None = None

    @classmethod
    def from_doc(cls, data: Mapping[str, Any]) -> AssemblyState:
        return cls(
            workbook=_str(data.get(AssemblyFields.WORKBOOK)) or None,
            size=_int(data.get(AssemblyFields.SIZE)),
            documents=_int(data.get(AssemblyFields.DOCUMENTS)),
            failed=_int(data.get(AssemblyFields.FAILED)),
            low_confidence=_int(data.get(AssemblyFields.LOW_CONFIDENCE)),
            mailed_at=_time(data.get(AssemblyFields.MAILED_AT)),
            mail_error=_str(data.get(AssemblyFields.MAIL_ERROR)) or None,
        )

    def to_doc(self) -> dict[str, Any]:
        return _doc_of(self, frozenset())


@dataclass(frozen=True)
class WebhookState:
    """The job's end event and how its delivery went (copied onto the job by the webhooks service)."""

    event_id: str | None = None
    state: str | None = None
    attempts: int | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: dt.datetime | None = None
    last_attempt_at: dt.datetime | None = None

    @classmethod
    def from_doc(cls, data: Mapping[str, Any]) -> WebhookState:
        return cls(
            event_id=_str(data.get(WebhookFields.EVENT_ID)),
            state=_str(data.get(WebhookFields.STATE)),
            attempts=_int(data.get(WebhookFields.ATTEMPTS)),
            last_status=_int(data.get(WebhookFields.LAST_STATUS)),
            last_error=_str(data.get(WebhookFields.LAST_ERROR)),
            delivered_at=_time(data.get(WebhookFields.DELIVERED_AT)),
            last_attempt_at=_time(data.get(WebhookFields.LAST_ATTEMPT_AT)),
        )

    def to_doc(self) -> dict[str, Any]:
        return _doc_of(self, frozenset())


def _job_status(value: Any) -> JobStatus:
    try:
        return JobStatus(str(value))
    except ValueError:
        raise RecordError(f"a job record with status {value!r}, which is no job state") from None


def _doc_status(value: Any) -> DocStatus:
    try:
        return DocStatus(str(value))
    except ValueError:
        raise RecordError(f"a document record with status {value!r}, which is no document state") from None


@dataclass(frozen=True)
class JobRecord:
    """A job (``jobs/<job id>``): its owner, declared files, state, charge and what the steps recorded."""

    status: JobStatus
    user_id: str | None = None
    email: str | None = None
    fields: tuple[Mapping[str, Any], ...] = ()  # the field specs (``domain.fields.fields_to_list``)
    template: str | None = None
    files: Mapping[str, FileRecord] = field(default_factory=dict)
    declared: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deadline_at: dt.datetime | None = None
    charged: int | None = None  # pages debited (set with the move to running)
    published: bool = False
    published_at: dt.datetime | None = None
    purged: bool = False
    assembly: AssemblyState = field(default_factory=AssemblyState)
    webhook_url: str | None = None
    hold: bool = False  # created held: waits for the user to confirm the cost (services/confirm.py)
    slot: int | None = None  # the open-job slot it holds (jobs created through the API)
    open_documents: int | None = None  # documents still open (jobs started since the counter exists)
    quote: int | None = None
    held_at: dt.datetime | None = None
    confirmed_credits: int | None = None
    reason: str | None = None
    purge_after: dt.datetime | None = None
    end_done: bool | None = None  # False: the end-of-job effects are still to run (services/job_end)
    delivered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None  # read for older records; analytics falls back to the others
    refunded: int | None = None
    refunds_done: bool = False
    llm_usage: Mapping[str, Any] | None = None
    lease_until: dt.datetime | None = None
    lease_owner: str | None = None
    webhook: WebhookState | None = None

    _ALWAYS: ClassVar[frozenset[str]] = frozenset(
        {"user_id", "email", "status", "fields", "template", "files", "declared", "created_at",
         "updated_at", "deadline_at", "charged", "published", "purged", "assembly", "webhook_url"}
    )  # fmt: skip
    """The keys every job has had since it was created (written even when None)."""

    @property
    def counts_open(self) -> bool:
        """The job keeps the open-documents counter (every job started since it exists)."""
        return self.open_documents is not None

    @property
    def end_pending(self) -> bool:
        """A terminal transition left the end-of-job effects to run (``end_done`` is False)."""
        return self.end_done is False

    @classmethod
    def from_doc(cls, data: Mapping[str, Any]) -> JobRecord:
        """The job as stored; ``RecordError`` when its status is missing or unknown."""
        f = JobFields
        files = _map(data.get(f.FILES))
        webhook = data.get(f.WEBHOOK)
        specs = data.get(f.FIELDS)
        llm_usage = data.get(f.LLM_USAGE)
        refunds_done = data.get(f.REFUNDS_DONE)
        return cls(
            status=_job_status(data.get(f.STATUS)),
            user_id=_str(data.get(f.USER_ID)),
            email=_str(data.get(f.EMAIL)),
            fields=tuple(s for s in specs if isinstance(s, Mapping)) if isinstance(specs, list) else (),
            template=_str(data.get(f.TEMPLATE)),
            files={str(k): FileRecord.from_doc(_map(v)) for k, v in files.items()},
            declared=_int(data.get(f.DECLARED)),
            created_at=_time(data.get(f.CREATED_AT)),
            updated_at=_time(data.get(f.UPDATED_AT)),
            deadline_at=_time(data.get(f.DEADLINE_AT)),
            charged=_int(data.get(f.CHARGED)),
            published=bool(data.get(f.PUBLISHED)),
            published_at=_time(data.get(f.PUBLISHED_AT)),
            purged=bool(data.get(f.PURGED)),
            assembly=AssemblyState.from_doc(_map(data.get(f.ASSEMBLY))),
            webhook_url=_str(data.get(f.WEBHOOK_URL)) or None,
            hold=bool(data.get(f.HOLD)),
            slot=_int(data.get(f.SLOT)),
            open_documents=_int(data.get(f.OPEN_DOCUMENTS)),
            quote=_int(data.get(f.QUOTE)),
            held_at=_time(data.get(f.HELD_AT)),
            confirmed_credits=_int(data.get(f.CONFIRMED_CREDITS)),
            reason=_str(data.get(f.REASON)),
            purge_after=_time(data.get(f.PURGE_AFTER)),
            end_done=None if data.get(f.END_DONE) is None else bool(data.get(f.END_DONE)),
            delivered_at=_time(data.get(f.DELIVERED_AT)),
            ended_at=_time(data.get(f.ENDED_AT)),
            refunded=_int(data.get(f.REFUNDED)),
            refunds_done=bool(refunds_done),
            llm_usage=llm_usage if isinstance(llm_usage, Mapping) else None,
            lease_until=_time(data.get(f.LEASE_UNTIL)),
            lease_owner=_str(data.get(f.LEASE_OWNER)),
            webhook=WebhookState.from_doc(webhook) if isinstance(webhook, Mapping) else None,
        )

    def to_doc(self) -> dict[str, Any]:
        """The stored document of this job."""
        out = _doc_of(self, self._ALWAYS)
        out[JobFields.STATUS] = self.status.value
        out[JobFields.FIELDS] = [dict(s) for s in self.fields]
        out[JobFields.FILES] = {k: v.to_doc() for k, v in self.files.items()}
        out[JobFields.ASSEMBLY] = self.assembly.to_doc()
        if self.llm_usage is not None:
            out[JobFields.LLM_USAGE] = dict(self.llm_usage)
        if self.webhook is not None:
            out[JobFields.WEBHOOK] = self.webhook.to_doc()
        return out


@dataclass(frozen=True)
class DocumentRecord:
    """A document of a job (a loose PDF, or one entry of a zip): what it is, its state and results."""

    status: DocStatus
    name: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    object: str | None = None
    generation: str | None = None  # extraction reads this generation of the upload
    in_archive: bool = False
    position: int = 0
    created_at: dt.datetime | None = None
    classified: bool = False
    attempts: int = 0
    sha256: str | None = None  # extraction re-reads exactly these bytes or fails (and refunds)
    reason: str | None = None
    pages: int | None = None
    charged: bool = True
    text: tuple[str, ...] | None = None  # the text layer, one string per page (purged at the end)
    text_notes: tuple[str, ...] | None = None
    result: Mapping[str, Any] | None = None  # ``DocumentResult.to_dict`` (purged at the end)
    extracted_at: dt.datetime | None = None
    extracted_doc_type: str | None = None
    doc_type: str | None = None
    classified_at: dt.datetime | None = None
    classify_note: str | None = None
    finished_at: dt.datetime | None = None
    stats: Mapping[str, Any] | None = None  # ``StatsFields``: the steps' analytics figures
    purged: bool = False

    _ALWAYS: ClassVar[frozenset[str]] = frozenset(
        {"name", "file_id", "file_name", "object", "generation", "in_archive", "position", "created_at",
         "classified", "attempts", "status", "pages", "charged"}
    )  # fmt: skip
    """The keys every document has had since intake created it (written even when None)."""

    @property
    def finished(self) -> bool:
        """The document no longer blocks assembly: failed/rejected, or extracted and classified."""
        if self.status in (DocStatus.FAILED, DocStatus.REJECTED):
            return True
        return self.status is DocStatus.DONE and self.classified

    @classmethod
    def from_doc(cls, data: Mapping[str, Any]) -> DocumentRecord:
        """The document as stored; ``RecordError`` when its status is missing or unknown."""
        f = DocFields
        text, notes = data.get(f.TEXT), data.get(f.TEXT_NOTES)
        result, stats = data.get(f.RESULT), data.get(f.STATS)
        return cls(
            status=_doc_status(data.get(f.STATUS)),
            name=_str(data.get(f.NAME)),
            file_id=_str(data.get(f.FILE_ID)),
            file_name=_str(data.get(f.FILE_NAME)),
            object=_str(data.get(f.OBJECT)),
            generation=_str(data.get(f.GENERATION)),
            in_archive=bool(data.get(f.IN_ARCHIVE)),
            position=_int(data.get(f.POSITION)) or 0,
            created_at=_time(data.get(f.CREATED_AT)),
            classified=bool(data.get(f.CLASSIFIED)),
            attempts=_int(data.get(f.ATTEMPTS)) or 0,
            sha256=_str(data.get(f.SHA256)),
            reason=_str(data.get(f.REASON)),
            pages=_int(data.get(f.PAGES)),
            charged=bool(data.get(f.CHARGED, True)),  # older records: charged unless they say not
            text=tuple(str(p) for p in text) if isinstance(text, list | tuple) else None,
            text_notes=tuple(str(n) for n in notes) if isinstance(notes, list | tuple) else None,
            result=result if isinstance(result, Mapping) else None,
            extracted_at=_time(data.get(f.EXTRACTED_AT)),
            extracted_doc_type=_str(data.get(f.EXTRACTED_DOC_TYPE)) or None,
            doc_type=_str(data.get(f.DOC_TYPE)),
            classified_at=_time(data.get(f.CLASSIFIED_AT)),
            classify_note=_str(data.get(f.CLASSIFY_NOTE)),
            finished_at=_time(data.get(f.FINISHED_AT)),
            stats=stats if isinstance(stats, Mapping) else None,
            purged=bool(data.get(f.PURGED)),
        )

    def to_doc(self) -> dict[str, Any]:
        """The stored document (a processable document, pending at its creation, carries its text
        layer and notes even when they are None)."""
        out = _doc_of(self, self._ALWAYS)
        out[DocFields.STATUS] = self.status.value
        for key, value in ((DocFields.TEXT, self.text), (DocFields.TEXT_NOTES, self.text_notes)):
            if value is not None:
                out[key] = list(value)
            elif self.status is DocStatus.PENDING:
                out[key] = None
        if self.result is not None:
            out[DocFields.RESULT] = dict(self.result)
        if self.stats is not None:
            out[DocFields.STATS] = dict(self.stats)
        return out
