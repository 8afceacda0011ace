"""Read an uploaded file back as documents, exactly as the CLI does (sniff, safe unzip, bounded parsing)."""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Iterator, Sequence
from typing import Any

from zapdoc.domain import job_model
from zapdoc.domain.documents import DocumentText, Rejected, Source
from zapdoc.domain.errors import InputError, PermanentError
from zapdoc.domain.records import DocFields
from zapdoc.inputs import archive, sandbox
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.ports.blobs import BlobNotFound
from zapdoc.services.runtime import Runtime


def expand(name: str, data: bytes) -> Iterator[Source | Rejected]:
    """Every candidate document of one upload (a loose PDF, or each entry of a zip)."""
    return archive.expand(name, data, archive.Limits())


def inspect(rt: Runtime, source: Source, *, with_text: bool) -> DocumentText:
    """Count pages (and read text) in a bounded worker; raises ``InputError`` with a user-facing reason."""
    return sandbox.inspect_bounded(
        source,
        timeout=rt.settings.inspect_timeout_s,
        memory_mb=rt.settings.inspect_memory_mb,
        with_text=with_text,
    )


MAX_STORED_TEXT_BYTES = 300_000
"""Text layers up to this size are kept on the document record: Firestore allows 1 MiB per document,
which must also hold the extracted values."""


def inspect_all(rt: Runtime, items: Sequence[Source]) -> list[DocumentText | InputError]:
    """Count pages and read text of every candidate in one bounded worker pool (intake parses each
    untrusted PDF once; extract and classify then read the stored text)."""
    if not items:
        return []
    workers = max(1, min(4, len(items), os.cpu_count() or 1))
    out: list[DocumentText | InputError] = []
    with sandbox.BoundedPool(
        workers, timeout=rt.settings.inspect_timeout_s, memory_mb=rt.settings.inspect_memory_mb
    ) as pool:
        for result in pool.map(functools.partial(inspect_pdf, with_text=True), items):
            out.append(
                sandbox.failure_as_input_error(result) if isinstance(result, sandbox.TaskFailed) else result
            )
    return out


def cap_text(text: DocumentText, max_chars: int) -> tuple[DocumentText, list[str]]:
    """Each page's text cut to ``max_chars`` characters, with a note for the row when anything was cut."""
    cut = [(n, len(p)) for n, p in enumerate(text.pages, start=1) if len(p) > max_chars]
    if not cut:
        return text, []
    pages = tuple(p[:max_chars] for p in text.pages)
    shown = ", ".join(f"page {n} ({size:,} characters)" for n, size in cut[:5])
    more = f" and {len(cut) - 5} more pages" if len(cut) > 5 else ""
    note = f"text cut to {max_chars:,} characters per page: {shown}{more}"
    return dataclasses.replace(text, pages=pages), [note]


class OverBudget(Exception):
    """Counting stopped: the job needs at least ``needed`` credits (or exceeds a per-job bound)."""

    def __init__(self, reason: str, needed: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.needed = needed


def count_within(
    rt: Runtime, items: Sequence[Source], *, budget: int, max_pages: int
) -> list[DocumentText | InputError]:
    """Count the pages of every candidate (no text yet), stopping as soon as their running total passes
    ``budget`` (the credits left for this job) or ``max_pages`` (the bound per job): raises
    ``OverBudget`` then, so a hostile archive of huge blank PDFs costs seconds, not minutes."""
    if not items:
        return []
    workers = max(1, min(4, len(items), os.cpu_count() or 1))
    out: list[DocumentText | InputError] = []
    total = 0
    with sandbox.BoundedPool(
        workers, timeout=rt.settings.inspect_timeout_s, memory_mb=rt.settings.inspect_memory_mb
    ) as pool:
        for result in pool.map(functools.partial(inspect_pdf, with_text=False), items):
            if isinstance(result, sandbox.TaskFailed):
                out.append(sandbox.failure_as_input_error(result))
                continue
            out.append(result)
            total += result.page_count
            if total > max_pages:
                raise OverBudget(
                    f"the job has more than {max_pages:,} pages, the limit for one job; split it", total
                )
            if total > budget:
                raise OverBudget("not enough credits", total)
    return out


def storable_text(text: DocumentText, max_chars: int | None = None) -> list[str] | None:
    """The pages to keep on the record (cut to ``max_chars`` each), or None when there is no usable
    text layer or it is too big."""
    if max_chars is not None:
        text, _ = cap_text(text, max_chars)
    if not text.has_text_layer or sum(len(p.encode("utf-8")) for p in text.pages) > MAX_STORED_TEXT_BYTES:
        return None
    return list(text.pages)


def document_text_and_notes(rt: Runtime, doc: dict[str, Any]) -> tuple[DocumentText, list[str]]:
    """The document as the provider needs it (the stored text layer, else the PDF read again, bounded),
    every page cut to ``max_page_chars``, and the notes saying what was cut."""
    pages = doc.get(DocFields.TEXT)
    if isinstance(pages, list) and pages:
        text = DocumentText(
            name=str(doc[DocFields.NAME]),
            pages=tuple(str(p) for p in pages),
            page_count=int(doc.get(DocFields.PAGES) or len(pages)),
        )
    else:
        text = inspect(rt, load_source(rt, doc), with_text=True)
    capped, notes = cap_text(text, rt.settings.max_page_chars)
    stored = doc.get(DocFields.TEXT_NOTES)
    if isinstance(stored, list) and stored and not notes:
        notes = [str(n) for n in stored]  # the stored text was cut at intake
    return capped, notes


def document_text(rt: Runtime, doc: dict[str, Any]) -> DocumentText:
    """``document_text_and_notes`` without the notes."""
    return document_text_and_notes(rt, doc)[0]


def check_token_budget(rt: Runtime, text: DocumentText) -> None:
    """``PermanentError`` (the document fails and is refunded) when its text would cost more prompt
    tokens than ``max_document_tokens``."""
    tokens = math.ceil(sum(len(p) for p in text.pages) / 4)  # the stand-ins' and planners' estimate
    limit = rt.settings.max_document_tokens
    if tokens > limit:
        raise PermanentError(
            f"the document's text is about {tokens:,} tokens, over the limit of {limit:,} per document;"
            " split it into smaller PDFs"
        )


def read_upload(rt: Runtime, object_name: str, generation: str | None = None) -> bytes:
    try:
        return rt.blobs.read(rt.settings.uploads_bucket, object_name, generation)
    except BlobNotFound as exc:
        raise PermanentError("the uploaded file is no longer available") from exc


CHANGED_REASON = "the uploaded file changed after its pages were counted; nothing was extracted from it"


def load_source(rt: Runtime, doc: dict[str, Any]) -> Source:
    """The bytes of one document record: the upload itself, or its entry inside the uploaded zip.

    The entry is found by its index in the upload (names can collide) and must hash to what intake
    counted and charged; anything else is a permanent failure (the document is refunded)."""
    generation = doc.get(DocFields.GENERATION)
    data = read_upload(rt, str(doc[DocFields.OBJECT]), str(generation) if generation else None)
    entry = str(doc[DocFields.NAME])
    if not doc.get(DocFields.IN_ARCHIVE):
        return _verified(Source(entry, data), doc)
    position = int(doc.get(DocFields.POSITION) or 0)
    for index, item in enumerate(expand(str(doc[DocFields.FILE_NAME]), data)):
        if index == position:
            if isinstance(item, Rejected):
                raise PermanentError(CHANGED_REASON)
            return _verified(Source(entry, item.data), doc)
    raise PermanentError(f"{entry} is no longer in its archive")


def _verified(source: Source, doc: dict[str, Any]) -> Source:
    expected = doc.get(DocFields.SHA256)
    if expected is not None and job_model.content_digest(source.data) != expected:
        raise PermanentError(CHANGED_REASON)
    return source
