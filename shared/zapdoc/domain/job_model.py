"""The job model: states and their transitions, files and documents, keys and object names.

A job declares its files when it is created; each file is uploaded to
``jobs/<job_id>/<file_id>/<file name>`` in the uploads bucket. Intake turns each file into documents
(a loose PDF is one document, a zip gives one per entry). Records are plain dicts in the store; these
helpers keep their keys in one place.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass

from zapdoc.domain.errors import PermanentError, UsageError


class JobStatus(enum.StrEnum):
    AWAITING_FILES = "awaiting_files"  # created, waiting for every declared file
    # every file in and its pages counted, nothing charged: waiting for the user to confirm the cost
    # (jobs created with ``hold``, as the web app does)
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    RUNNING = "running"  # debited, documents being extracted and classified
    ASSEMBLING = "assembling"  # claimed by assemble: workbook being built and mailed
    DELIVERED = "delivered"
    REJECTED = "rejected"  # not enough credits: nothing charged
    CANCELLED = "cancelled"  # files never all arrived, or the user cancelled before paying: nothing charged

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.DELIVERED, JobStatus.REJECTED, JobStatus.CANCELLED)


_S = JobStatus

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    # every file in: held for the user's confirmation of the cost (``hold`` jobs)
    _S.AWAITING_FILES: frozenset({_S.AWAITING_CONFIRMATION, _S.RUNNING, _S.REJECTED, _S.CANCELLED}),
    # confirmed and debited, or cancelled unpaid (by the user, or by the sweep once nobody confirmed)
    _S.AWAITING_CONFIRMATION: frozenset({_S.RUNNING, _S.CANCELLED}),
    _S.RUNNING: frozenset({_S.ASSEMBLING}),  # every document finished: assembly claims the job
    # the assembly lease of a holder that died is taken over (a move to the same state); delivered
    _S.ASSEMBLING: frozenset({_S.ASSEMBLING, _S.DELIVERED}),
    _S.DELIVERED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.CANCELLED: frozenset(),
}
"""Which job states may move to which: the one state machine, checked by ``services.jobs.transition``
and by every commit that moves a job (the debit that starts it, the assembly claim). Terminal states
have no way out."""

del _S


def job_status(value: object) -> JobStatus | None:
    """The ``JobStatus`` a record's ``status`` field holds (None for a missing or unknown value)."""
    try:
        return JobStatus(str(value)) if value is not None else None
    except ValueError:
        return None


def may_move(current: object, to: JobStatus) -> bool:
    """Whether a job in ``current`` (a ``JobStatus`` or a record's ``status`` value) may move to ``to``."""
    status = job_status(current)
    return status is not None and to in TRANSITIONS[status]


def sources_of(to: JobStatus) -> frozenset[JobStatus]:
    """The states a job may move to ``to`` from."""
    return frozenset(s for s, targets in TRANSITIONS.items() if to in targets)


class DocStatus(enum.StrEnum):
    PENDING = "pending"  # counted and charged, waiting for extraction
    DONE = "done"  # extracted (values stored)
    FAILED = "failed"  # permanent failure: reason recorded, pages refunded (if they were charged)
    REJECTED = "rejected"  # never a processable document (bad zip entry, not a PDF): never charged


@dataclass(frozen=True)
class UploadName:
    """A parsed upload object name."""

    job_id: str
    file_id: str
    filename: str


_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def upload_object_name(job_id: str, file_id: str, filename: str) -> str:
    """Where the file ``file_id`` of ``job_id`` is uploaded in the uploads bucket."""
    return f"jobs/{job_id}/{file_id}/{safe_filename(filename)}"


def parse_upload_name(name: str) -> UploadName:
    """Invert ``upload_object_name``; raises ``PermanentError`` for names that are not ours."""
    parts = name.split("/", 3)
    if len(parts) != 4 or parts[0] != "jobs" or not _ID_RE.match(parts[1]) or not _ID_RE.match(parts[2]):
        raise PermanentError(f"object {name!r} is not a job upload")
    return UploadName(parts[1], parts[2], parts[3])


def safe_filename(filename: str) -> str:
    """The last path segment of a user's file name, without control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "upload"
    return base[:200]


MAX_OBJECT_NAME_BYTES = 1024  # Cloud Storage's limit on an object name (UTF-8)


def check_filename(filename: str) -> str:
    """The file name an upload is stored under; ``UsageError`` when the name cannot be one.

    ``.``, ``..`` and names ending in a separator (``x/..``, ``d/``) have no usable last segment: their
    object path would be normalised away by HTTP clients and Cloud Storage, so the signed URL could
    never be used. Every accepted name round-trips: ``parse_upload_name(upload_object_name(...))``
    gives it back unchanged."""
    if not isinstance(filename, str) or not filename.strip():
        raise UsageError("a file name must be a non-empty string")
    base = "".join(ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()).strip()
    if base in ("", ".", ".."):
        raise UsageError(
            f"file name {filename[:100]!r} has no usable last path segment (it is empty, '.' or '..');"
            " give the file's own name, e.g. invoice.pdf"
        )
    name = safe_filename(filename)
    probe = upload_object_name("j" * 20, file_id(0), name)
    if parse_upload_name(probe).filename != name or len(probe.encode("utf-8")) > MAX_OBJECT_NAME_BYTES:
        raise UsageError(f"file name {filename[:100]!r} cannot be stored as an upload; rename the file")
    return name


def unique_names(names: list[str]) -> list[str]:
    """Display names made distinct: a second ``a.pdf`` becomes ``a (2).pdf``."""
    used: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, n = name, 2
        stem, dot, ext = name.rpartition(".")
        if not stem:
            stem, dot, ext = name, "", ""
        while candidate in used:
            candidate = f"{stem} ({n}){dot}{ext}"
            n += 1
        used.add(candidate)
        out.append(candidate)
    return out


def file_id(index: int) -> str:
    return f"f{index:03d}"


def content_digest(data: bytes) -> str:
    """SHA-256 of a document's bytes: what was counted and charged is provably what is extracted."""
    return hashlib.sha256(data).hexdigest()


def document_id(file_id: str, position: int, content_sha256: str) -> str:
    """Deterministic id of a document: its file, its entry index in that file and its content hash.

    Two entries never share a record, even when their names collide once cleaned (``./a.pdf`` and
    ``a.pdf``) or are identical; the same upload always maps to the same records."""
    if position < 0:
        raise ValueError("position must be >= 0")
    return f"{file_id}-{position:05d}-{content_sha256[:16]}"


def job_path(job_id: str) -> str:
    return f"jobs/{job_id}"


def documents_collection(job_id: str) -> str:
    return f"jobs/{job_id}/documents"


def document_path(job_id: str, doc_id: str) -> str:
    return f"jobs/{job_id}/documents/{doc_id}"


def analytics_path(job_id: str, doc_id: str) -> str:
    return f"analytics/{job_id}-{doc_id}"


def debit_key(job_id: str) -> str:
    return f"debit:{job_id}"


def refund_key(job_id: str, doc_id: str) -> str:
    return f"refund:{job_id}:{doc_id}"


def results_object_name(job_id: str) -> str:
    return f"results/{job_id}/zapdoc-{job_id}.xlsx"


def document_finished(doc: dict[str, object]) -> bool:
    """A document no longer blocks assembly: failed/rejected, or extracted and classified."""
    status = doc.get("status")
    if status in (DocStatus.FAILED, DocStatus.REJECTED):
        return True
    return status == DocStatus.DONE and bool(doc.get("classified"))
