"""Submit files to the local stack as a user would: create the job through the same service the API
calls, upload each declared file, wait for the job to finish, fetch the workbook."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zapdoc.domain import job_model
from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import FieldSpec
from zapdoc.domain.records import AssemblyFields, DocFields, FileFields, JobFields
from zapdoc.services import jobs
from zapdoc.services.runtime import Runtime


@dataclass(frozen=True)
class SubmitResult:
    job_id: str
    status: str
    workbook: Path | None
    charged: int
    refunded: int
    balance: int
    reason: str = ""
    documents: list[dict[str, Any]] = field(default_factory=list)
    """name, status, pages and reason of every document, as the API's job view lists them."""


def user_id_for(email: str) -> str:
    """A stable local user id for an email address."""
    return "local-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def submit(
    rt: Runtime,
    paths: Sequence[Path],
    fields: Sequence[FieldSpec],
    *,
    email: str = "dev@zapdoc.local",
    credits: int = 100,
    template: str | None = None,
    wait: float = 300.0,
    download_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> SubmitResult:
    """Create a job for ``paths``, upload them, and wait until the job is delivered or stopped;
    ``progress`` hears what the job is waiting for while it runs."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".pdf", ".zip")))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path} does not exist")
    if not files:
        raise UsageError("no .pdf or .zip files to submit")
    user = user_id_for(email)
    ledger = jobs.ledger(rt)
    ledger.ensure_user(user, email=email, initial_credits=credits)
    created = jobs.create_job(
        rt, user_id=user, email=email, filenames=[f.name for f in files], fields=fields, template=template
    )
    if progress is not None:
        progress(f"job {created.job_id}: uploading {len(files)} file{'s' if len(files) != 1 else ''}")
    for declared, path in zip(created.files, files, strict=True):
        content_type = "application/zip" if path.suffix.lower() == ".zip" else "application/pdf"
        rt.blobs.write(rt.settings.uploads_bucket, declared.object_name, path.read_bytes(), content_type)
    return wait_for(rt, created.job_id, user, wait=wait, download_dir=download_dir, progress=progress)


def _progress_of(rt: Runtime, job_id: str, job: dict[str, Any]) -> dict[str, int]:
    files = job.get(JobFields.FILES) or {}
    docs = (
        [d.data for d in jobs.list_documents(rt, job_id)]
        if job.get(JobFields.STATUS) != "awaiting_files"
        else []
    )
    return {
        "files_declared": len(files),
        "files_arrived": sum(1 for f in files.values() if f.get(FileFields.ARRIVED)),
        "documents": len(docs),
        "documents_finished": sum(1 for d in docs if job_model.document_finished(d)),
        "pages": sum(int(d.get(DocFields.PAGES) or 0) for d in docs),
    }


def wait_for(
    rt: Runtime,
    job_id: str,
    user: str,
    *,
    wait: float = 300.0,
    download_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> SubmitResult:
    """Poll the job until it is delivered, rejected or cancelled (or ``wait`` seconds pass); with
    ``download_dir`` the delivered workbook is saved there."""
    from zapdoc.client.report import WaitProgress

    deadline = time.monotonic() + wait
    status, job = "", {}
    waiting = WaitProgress(progress, time.monotonic) if progress is not None else None
    last_look = 0.0
    while time.monotonic() < deadline:
        snap = jobs.get_job(rt, job_id)
        job = snap.data if snap else {}
        status = str(job.get(JobFields.STATUS, ""))
        if status and job_model.JobStatus(status).terminal:
            break
        if waiting is not None and status and time.monotonic() - last_look >= 1.0:
            last_look = time.monotonic()  # the document query at most once a second
            waiting(status, _progress_of(rt, job_id, job))
        time.sleep(0.1)
    workbook: Path | None = None
    if status == job_model.JobStatus.DELIVERED and download_dir is not None:
        name = (job.get(JobFields.ASSEMBLY) or {}).get(
            AssemblyFields.WORKBOOK
        ) or job_model.results_object_name(job_id)
        data = rt.blobs.read(rt.settings.results_bucket, name)
        download_dir.mkdir(parents=True, exist_ok=True)
        workbook = download_dir / f"zapdoc-{job_id}.xlsx"
        workbook.write_bytes(data)
    return SubmitResult(
        job_id=job_id,
        status=status or "unknown",
        workbook=workbook,
        charged=int(job.get(JobFields.CHARGED) or 0),
        refunded=int(job.get(JobFields.REFUNDED) or 0),
        balance=jobs.ledger(rt).balance(user),
        reason=str(job.get(JobFields.REASON) or ""),
        documents=[
            {k: d.data.get(k) for k in ("name", "status", "pages", "reason")}
            for d in jobs.list_documents(rt, job_id)
        ],
    )
