"""Extract a batch of local files into a workbook, in-process: the engine behind ``zapdoc extract``.

Stage 1 reads each PDF in a bounded worker process (time and memory capped, so a hostile file cannot hang
or exhaust the run). Offline extraction, which is CPU-bound, runs in the same worker; network providers run
in a thread pool in this process. Results stay in input order and stream into the workbook.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from zapdoc.domain.documents import Classification, DocumentResult, DocumentText, Rejected, Source
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import FieldSpec
from zapdoc.inputs.archive import Limits
from zapdoc.inputs.collect import collect
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.inputs.sandbox import BoundedPool, TaskFailed, failure_as_input_error
from zapdoc.ports.extractor import Extractor
from zapdoc.workbook import WorkbookInfo, WorkbookStats, write_workbook

ProgressFn = Callable[[DocumentResult, int, int], None]
"""Called after each document with (result, done, estimated_total)."""


@dataclass
class BatchSummary:
    """What the CLI prints at the end (and returns as JSON with --json)."""

    output: str
    provider: str
    documents: int = 0
    pages: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    stats: WorkbookStats = field(default_factory=WorkbookStats)
    results: list[DocumentResult] = field(default_factory=list)


def process_document(
    item: Source | Rejected,
    *,
    fields: Sequence[FieldSpec],
    extractor: Extractor | None,
) -> DocumentResult | DocumentText:
    """Worker-side step: read the PDF and, when ``extractor`` is given, extract right here."""
    if isinstance(item, Rejected):
        return DocumentResult.error(item.name, item.reason, item.pages)
    started = time.perf_counter()
    try:
        doc = inspect_pdf(item)
    except PermanentError as exc:
        return DocumentResult.error(item.name, str(exc))
    if extractor is None:
        return doc
    return extract_document(doc, fields, extractor, started=started)


def extract_document(
    doc: DocumentText, fields: Sequence[FieldSpec], extractor: Extractor, *, started: float | None = None
) -> DocumentResult:
    """Run the extractor and the classifier on one document; failures become an error row."""
    started = time.perf_counter() if started is None else started
    try:
        extraction = extractor.extract(doc, fields)
        # an LLM answer carries the document type: no classification request of its own
        classification = (
            Classification(doc_type=extraction.doc_type, confidence=0.9)
            if extraction.doc_type
            else extractor.classify(doc)
        )
    except (PermanentError, TransientError) as exc:
        return DocumentResult(
            file=doc.name,
            status="error",
            pages=doc.page_count,
            reason=str(exc),
            seconds=time.perf_counter() - started,
        )
    usage = extraction.usage
    if classification.usage is not None:
        if usage is None:
            usage = classification.usage
        else:
            usage.add(classification.usage)
    notes = list(extraction.notes)
    return DocumentResult(
        file=doc.name,
        status="ok",
        pages=doc.page_count,
        values=extraction.values,
        notes=notes,
        doc_type=classification.doc_type,
        usage=usage,
        seconds=time.perf_counter() - started,
        provider=extraction.provider or extractor.name,
        model=extraction.model or (usage.model if usage else ""),
    )


def estimate_documents(paths: Sequence[str | Path], limits: Limits | None = None) -> int:
    """Cheap estimate of how many documents ``paths`` hold, for the progress bar (zips: their entries)."""
    max_entries = (limits or Limits()).max_entries
    total = 0
    for raw in paths:
        path = Path(raw)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if any(part.startswith(".") for part in f.relative_to(path).parts) if path.is_dir() else False:
                continue
            try:
                with zipfile.ZipFile(f) as zf:
                    entries = sum(
                        1 for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                    )
            except (zipfile.BadZipFile, OSError, ValueError):
                entries = 1
            total += entries if 0 < entries <= max_entries else 1
    return total


def _ordered_threads(
    items: Iterator[DocumentResult | DocumentText],
    work: Callable[[DocumentText], DocumentResult],
    workers: int,
) -> Iterator[DocumentResult]:
    """Run ``work`` on DocumentTexts in a thread pool, yielding in input order with a bounded window."""
    window: deque[Future[DocumentResult]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zapdoc-extract") as pool:
        for item in items:
            if isinstance(item, DocumentResult):
                done: Future[DocumentResult] = Future()
                done.set_result(item)
                window.append(done)
            else:
                window.append(pool.submit(work, item))
            while len(window) > workers * 2 or (window and window[0].done()):
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def iter_results(
    paths: Sequence[str | Path],
    fields: Sequence[FieldSpec],
    extractor: Extractor,
    *,
    jobs: int,
    limits: Limits | None = None,
    parse_timeout: float = 60.0,
    memory_mb: int = 2048,
) -> Iterator[DocumentResult]:
    """Yield one DocumentResult per document found under ``paths``, in input order."""
    in_worker = extractor.name == "offline"  # CPU-bound and picklable: parallel across processes
    names: dict[int, str] = {}

    def tracked(items: Iterable[Source | Rejected]) -> Iterator[Source | Rejected]:
        for i, item in enumerate(items):
            names[i] = item.name
            yield item

    task = functools.partial(process_document, fields=fields, extractor=extractor if in_worker else None)
    with BoundedPool(jobs, timeout=parse_timeout, memory_mb=memory_mb) as pool:
        raw = pool.map(task, tracked(collect(paths, limits or Limits())))

        def converted() -> Iterator[DocumentResult | DocumentText]:
            for index, out in enumerate(raw):  # ordered: the n-th output belongs to the n-th input
                name = names.pop(index, f"document #{index + 1}")
                if isinstance(out, TaskFailed):
                    yield DocumentResult.error(name, str(failure_as_input_error(out)))
                else:
                    yield out

        if in_worker:
            for out in converted():
                assert isinstance(out, DocumentResult)
                yield out
        else:
            yield from _ordered_threads(
                converted(), lambda doc: extract_document(doc, fields, extractor), max(1, jobs)
            )


def _umask() -> int:
    """The process umask (reading it means setting it; set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def run_batch(
    paths: Sequence[str | Path],
    fields: Sequence[FieldSpec],
    extractor: Extractor,
    output: str | Path,
    *,
    provider: str = "",
    jobs: int | None = None,
    limits: Limits | None = None,
    progress: ProgressFn | None = None,
    keep_results: bool = False,
    info: WorkbookInfo | None = None,
) -> BatchSummary:
    """Extract everything under ``paths`` into the workbook ``output`` (written atomically, with the
    permissions the umask gives a new file, as any other program's output)."""
    started = time.perf_counter()
    jobs = jobs or max(1, os.cpu_count() or 1)
    out = Path(output)
    summary = BatchSummary(output=str(out), provider=provider or extractor.name)
    estimate = estimate_documents(paths, limits)

    def observed(results: Iterator[DocumentResult]) -> Iterator[DocumentResult]:
        for result in results:
            summary.documents += 1
            summary.pages += result.pages or 0
            if result.status == "ok":
                summary.ok += 1
            else:
                summary.failed += 1
            if keep_results:
                summary.results.append(result)
            if progress is not None:
                progress(result, summary.documents, max(estimate, summary.documents))
            yield result

    fd, tmp = tempfile.mkstemp(prefix=".zapdoc-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 whatever the umask says
        summary.stats = write_workbook(
            tmp,
            fields,
            observed(iter_results(paths, fields, extractor, jobs=jobs, limits=limits)),
            info=info or WorkbookInfo(provider=summary.provider),
        )
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    summary.seconds = time.perf_counter() - started
    return summary
