"""Page ranges under a token budget, PDF page subsets for scans, and merging the answers of the ranges.

Merging keeps, per scalar field, the most confident value; table rows are concatenated in page order and
rows repeated across a range boundary (overlapping pages, "carried forward" lines) are dropped once.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from decimal import Decimal

import pypdf

from zapdoc.domain.documents import FieldValue, Scalar
from zapdoc.domain.errors import PermanentError
from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.llm.prompt import estimate_tokens


def plan_text_ranges(
    pages: Sequence[str], *, budget_tokens: int, max_pages: int, overlap: int = 0
) -> list[range]:
    """Consecutive 1-based page ranges, each under ``budget_tokens`` and ``max_pages`` (a page larger than
    the budget gets a range of its own). With ``overlap`` pages, each range repeats the previous range's
    last pages so rows split by a page break are seen whole."""
    n = len(pages)
    if n == 0:
        return [range(1, 2)]
    tokens = [estimate_tokens(p) for p in pages]
    ranges: list[range] = []
    start = 1
    while start <= n:
        end = start
        used = tokens[start - 1]
        while end < n and end - start + 1 < max_pages and used + tokens[end] <= budget_tokens:
            used += tokens[end]
            end += 1
        ranges.append(range(start, end + 1))
        if end >= n:
            break
        step_back = min(overlap, end - start)
        start = end + 1 - step_back
    return ranges


def plan_pdf_ranges(page_count: int, pdf_bytes: int, *, max_pages: int, max_bytes: int) -> list[range]:
    """Page ranges for sending a scan as PDF parts, within a page and an (estimated) byte limit."""
    page_count = max(1, page_count)
    per_page = pdf_bytes / page_count
    by_bytes = max(1, math.floor(max_bytes / per_page)) if per_page > 0 else page_count
    size = max(1, min(max_pages, by_bytes))
    return [range(s, min(s + size, page_count + 1)) for s in range(1, page_count + 1, size)]


def pdf_subset(pdf: bytes, pages: range) -> bytes:
    """A new PDF holding only ``pages`` (1-based) of ``pdf``; the whole file when it is the whole range."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        total = len(reader.pages)
        if pages.start == 1 and pages.stop > total:
            return pdf
        writer = pypdf.PdfWriter()
        for n in pages:
            if 1 <= n <= total:
                writer.add_page(reader.pages[n - 1])
        buf = io.BytesIO()
        writer.write(buf)
    except pypdf.errors.PyPdfError as exc:
        raise PermanentError(f"the PDF could not be split into page ranges ({exc})") from exc
    return buf.getvalue()


def split_range(pages: range) -> tuple[range, range]:
    """Halves of a range of at least two pages (used when an answer was cut off)."""
    mid = pages.start + len(pages) // 2
    return range(pages.start, mid), range(mid, pages.stop)


def _cell_key(value: Scalar | None) -> object:
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if isinstance(value, Decimal):
        return value.normalize()  # 12.5 and 12.50 are the same cell
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row_key(row: object) -> object:
    if isinstance(row, dict):
        return tuple(sorted((k, _cell_key(v)) for k, v in row.items()))
    return _cell_key(row) if isinstance(row, str | int | Decimal | dt.date) else repr(row)


def append_rows(rows: list[object], new: Sequence[object]) -> None:
    """Append ``new`` to ``rows``, dropping the longest prefix of ``new`` that repeats the end of ``rows``."""
    keys_old = [_row_key(r) for r in rows]
    keys_new = [_row_key(r) for r in new]
    overlap = 0
    for k in range(min(len(keys_old), len(keys_new)), 0, -1):
        if keys_old[-k:] == keys_new[:k]:
            overlap = k
            break
    rows.extend(new[overlap:])


def merge_values(
    parts: Sequence[dict[str, FieldValue]], fields: Sequence[FieldSpec]
) -> dict[str, FieldValue]:
    """Merge per-range values (in page order) into one value per field."""
    out: dict[str, FieldValue] = {}
    for spec in fields:
        found = [p[spec.name] for p in parts if spec.name in p]
        with_value = [fv for fv in found if fv.value is not None]
        if not with_value:
            notes = [fv.note for fv in found if fv.note]
            out[spec.name] = FieldValue(value=None, confidence=0.0, note=notes[0] if notes else "")
            continue
        if spec.type is FieldType.TABLE or spec.type is FieldType.LIST:
            rows: list[object] = []
            for fv in with_value:
                assert isinstance(fv.value, list)
                if spec.type is FieldType.TABLE:
                    append_rows(rows, fv.value)
                else:
                    seen = {_row_key(r) for r in rows}
                    rows.extend(v for v in fv.value if _row_key(v) not in seen)
            first = with_value[0]
            out[spec.name] = FieldValue(
                value=rows,  # type: ignore[arg-type]  # rows of one field share one shape
                confidence=min(fv.confidence for fv in with_value),
                evidence=first.evidence,
                note="; ".join(dict.fromkeys(fv.note for fv in with_value if fv.note)),
            )
            continue
        best = max(with_value, key=lambda fv: fv.confidence)  # max keeps the first of equals: page order
        out[spec.name] = best
    return out
