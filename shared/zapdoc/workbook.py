"""The Excel workbook a user receives: one row per document, typed cells, line items, evidence.

Sheets: "Results" (File, Pages, [Type], one column per field, Status, Notes), "Line items" (rows of
table and list fields, File on every row), "Evidence" (every value with its confidence, page and
snippet) and "Summary". Rows are streamed (write-only mode), so memory stays flat on large jobs.

Safety: every string from a document is written as a text cell (never a formula, quote-prefixed when it
starts like one), control characters are stripped and text longer than Excel allows is cut with a note.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from zapdoc.domain.documents import DocumentResult, FieldValue, Scalar
from zapdoc.domain.fields import FieldSpec, FieldType

MAX_CELL_CHARS = 32_000  # Excel's hard limit is 32,767; keep room for the cut marker
CUT_MARKER = " […]"
# Characters Excel refuses in XML (openpyxl raises IllegalCharacterError on them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\ufe62", "\ufe63", "\uff0b", "\uff0d")

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
NUMBER_FORMAT = "General"

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_LOW_FILL = PatternFill("solid", fgColor="FCE4D6")
_ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
_WRAP = Alignment(vertical="top", wrap_text=False)

RESULTS_SHEET = "Results"
ITEMS_SHEET = "Line items"
EVIDENCE_SHEET = "Evidence"
SUMMARY_SHEET = "Summary"


@dataclass
class WorkbookStats:
    """Counts of what was written, for the CLI summary and the job record."""

    documents: int = 0
    ok: int = 0
    failed: int = 0
    pages: int = 0
    item_rows: int = 0
    low_confidence: int = 0
    cut_cells: int = 0


def clean_text(text: str) -> tuple[str, bool]:
    """Strip characters Excel cannot store and cut over-long text; returns (text, was_cut)."""
    text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        return text[: MAX_CELL_CHARS - len(CUT_MARKER)] + CUT_MARKER, True
    return text, False


class _Sheet:
    """A write-only sheet with a styled, frozen, filtered header and typed, safe cells."""

    def __init__(self, wb: Workbook, title: str, headers: Sequence[tuple[str, float]]) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self.width = len(headers)
        self.rows = 1
        for i, (_, width) in enumerate(headers, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "B2"
        header = []
        for name, _ in headers:
            cell = WriteOnlyCell(self.ws, value=name)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            header.append(cell)
        self.ws.append(header)

    def cell(self, value: Any, *, number_format: str | None = None) -> tuple[WriteOnlyCell, bool]:
        """A cell for ``value``: strings forced to text, dates/numbers typed. Returns (cell, was_cut)."""
        cut = False
        if isinstance(value, str):
            value, cut = clean_text(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if value.startswith(_FORMULA_START):
                cell.quotePrefix = True  # Excel keeps it text even when the user edits the cell
        elif isinstance(value, dt.datetime | dt.date):
            cell.number_format = DATE_FORMAT
        if number_format and not isinstance(value, str):
            cell.number_format = number_format
        cell.alignment = _WRAP
        return cell, cut

    def append(self, cells: list[WriteOnlyCell]) -> None:
        self.ws.append(cells)
        self.rows += 1

    def finish(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.width)}{max(self.rows, 1)}"


def _column_width(spec: FieldSpec) -> float:
    by_type = {
        FieldType.DATE: 12,
        FieldType.AMOUNT: 14,
        FieldType.NUMBER: 11,
        FieldType.CURRENCY: 10,
        FieldType.EMAIL: 28,
        FieldType.PHONE: 18,
        FieldType.LIST: 40,
        FieldType.TABLE: 16,
        FieldType.TEXT: 24,
    }
    return float(min(60, max(len(spec.label) + 4, by_type[spec.type])))


def _format_for(ftype: FieldType) -> str | None:
    if ftype is FieldType.AMOUNT:
        return AMOUNT_FORMAT
    if ftype is FieldType.NUMBER:
        return NUMBER_FORMAT
    if ftype is FieldType.DATE:
        return DATE_FORMAT
    return None


def _display(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return "" if value is None else str(value)


def _evidence_comment(fv: FieldValue) -> Comment:
    ev = fv.evidence
    where = f"page {ev.page}" if ev and ev.page else "no page"
    snippet = clean_text(ev.snippet)[0][:300] if ev else "(no evidence)"
    text = f"Low confidence ({fv.confidence:.2f}), check it.\nFound on {where}:\n{snippet}"
    comment = Comment(text, "ZapDoc")
    comment.width, comment.height = 320, 120
    return comment


def write_workbook(
    target: str | Path | IO[bytes],
    fields: Sequence[FieldSpec],
    results: Iterable[DocumentResult],
    *,
    doc_type_column: bool = False,
    title: str = "ZapDoc extraction",
) -> WorkbookStats:
    """Stream ``results`` into an .xlsx at ``target`` (a path or a binary file object)."""
    scalars = [f for f in fields if f.type is not FieldType.TABLE]
    tables = [f for f in fields if f.type is FieldType.TABLE]
    lists = [f for f in fields if f.type is FieldType.LIST]

    wb = Workbook(write_only=True)
    headers: list[tuple[str, float]] = [("File", 40.0), ("Pages", 7.0)]
    if doc_type_column:
        headers.append(("Type", 11.0))
    headers += [(f.label, _column_width(f)) for f in scalars]
    headers += [(f"{t.label} (rows)", 12.0) for t in tables]
    headers += [("Status", 9.0), ("Notes", 60.0)]
    results_sheet = _Sheet(wb, RESULTS_SHEET, headers)

    items_sheet: _Sheet | None = None
    item_columns: list[FieldSpec] = []
    multi = len(tables) + len(lists) > 1 or bool(lists)
    if tables or lists:
        for t in tables:
            for col in t.columns:
                if col.name not in {c.name for c in item_columns}:
                    item_columns.append(col)
        item_headers: list[tuple[str, float]] = [("File", 40.0)]
        if multi:
            item_headers.append(("Field", 16.0))
        item_headers.append(("#", 5.0))
        item_headers += [(c.label, _column_width(c)) for c in item_columns]
        if lists:
            item_headers.append(("Value", 40.0))
        items_sheet = _Sheet(wb, ITEMS_SHEET, item_headers)

    evidence_sheet = _Sheet(
        wb,
        EVIDENCE_SHEET,
        [
            ("File", 40.0),
            ("Field", 20.0),
            ("Value", 24.0),
            ("Confidence", 11.0),
            ("Page", 6.0),
            ("Snippet", 80.0),
            ("Extracted by", 28.0),
        ],
    )
    stats = WorkbookStats()
    done: list[DocumentResult] = []  # provider and usage only (for the Summary), values are not kept

    for result in results:
        if result.status == "ok":
            done.append(
                DocumentResult(
                    file="", status="ok", pages=result.pages, usage=result.usage,
                    provider=result.provider, model=result.model,
                )
            )  # fmt: skip
        stats.documents += 1
        stats.pages += result.pages or 0
        notes: list[str] = []
        if result.status == "error":
            stats.failed += 1
            if result.reason:
                notes.append(result.reason)
        else:
            stats.ok += 1
        notes.extend(result.notes)

        row: list[WriteOnlyCell] = []
        file_cell, _ = results_sheet.cell(result.file)
        row.append(file_cell)
        row.append(results_sheet.cell(result.pages)[0])
        if doc_type_column:
            row.append(results_sheet.cell(result.doc_type or "")[0])
        for spec in scalars:
            fv = result.values.get(spec.name) or FieldValue()
            value: Any = fv.value
            if spec.type is FieldType.LIST and isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            cell, cut = results_sheet.cell(value, number_format=_format_for(spec.type))
            if cut:
                stats.cut_cells += 1
                notes.append(f"{spec.label}: text cut to {MAX_CELL_CHARS:,} characters")
            if fv.is_low_confidence:
                stats.low_confidence += 1
                cell.fill = _LOW_FILL
                cell.comment = _evidence_comment(fv)
            if fv.note:
                notes.append(f"{spec.label}: {fv.note}")
            row.append(cell)
        for t in tables:
            fv = result.values.get(t.name) or FieldValue()
            count = len(fv.value) if isinstance(fv.value, list) else None
            row.append(results_sheet.cell(count)[0])
            if fv.note:
                notes.append(f"{t.label}: {fv.note}")
        status_cell, _ = results_sheet.cell(result.status)
        if result.status == "error":
            status_cell.fill = _ERROR_FILL
        row.append(status_cell)
        note_text, cut = results_sheet.cell("; ".join(n for n in notes if n))
        row.append(note_text)
        results_sheet.append(row)

        if items_sheet is not None:
            stats.item_rows += _write_items(items_sheet, result, tables, lists, item_columns, multi=multi)
        _write_evidence(evidence_sheet, result, fields)

    results_sheet.finish()
    if items_sheet is not None:
        items_sheet.finish()
    evidence_sheet.finish()
    _write_summary(wb, stats, title, done)
    wb.save(target)
    return stats


def _write_items(
    sheet: _Sheet,
    result: DocumentResult,
    tables: Sequence[FieldSpec],
    lists: Sequence[FieldSpec],
    columns: Sequence[FieldSpec],
    *,
    multi: bool,
) -> int:
    written = 0
    for t in tables:
        rows = result.values.get(t.name, FieldValue()).value
        if not isinstance(rows, list):
            continue
        for i, item in enumerate(rows, start=1):
            if not isinstance(item, dict):
                continue
            cells = [sheet.cell(result.file)[0]]
            if multi:
                cells.append(sheet.cell(t.label)[0])
            cells.append(sheet.cell(i)[0])
            for col in columns:
                cell_value: Scalar | None = item.get(col.name)
                cells.append(sheet.cell(cell_value, number_format=_format_for(col.type))[0])
            if lists:
                cells.append(sheet.cell(None)[0])
            sheet.append(cells)
            written += 1
    for lf in lists:
        values = result.values.get(lf.name, FieldValue()).value
        if not isinstance(values, list):
            continue
        for i, v in enumerate(values, start=1):
            cells = [sheet.cell(result.file)[0], sheet.cell(lf.label)[0], sheet.cell(i)[0]]
            cells += [sheet.cell(None)[0] for _ in columns]
            cells.append(sheet.cell(str(v))[0])
            sheet.append(cells)
            written += 1
    return written


def _write_evidence(sheet: _Sheet, result: DocumentResult, fields: Sequence[FieldSpec]) -> None:
    for spec in fields:
        fv = result.values.get(spec.name)
        if fv is None or fv.value is None:
            continue
        if spec.type is FieldType.TABLE:
            shown = f"{len(fv.value) if isinstance(fv.value, list) else 0} rows"
        elif isinstance(fv.value, list):
            shown = "; ".join(str(v) for v in fv.value)
        else:
            shown = _display(fv.value)
        ev = fv.evidence
        confidence = sheet.cell(round(fv.confidence, 2), number_format="0.00")[0]
        if fv.is_low_confidence:
            confidence.fill = _LOW_FILL
        sheet.append(
            [
                sheet.cell(result.file)[0],
                sheet.cell(spec.label)[0],
                sheet.cell(shown)[0],
                confidence,
                sheet.cell(ev.page if ev else None)[0],
                sheet.cell(ev.snippet if ev else "")[0],
                sheet.cell(" / ".join(p for p in (result.provider, result.model) if p))[0],
            ]
        )


def _write_summary(
    wb: Workbook, stats: WorkbookStats, title: str, done: Sequence[DocumentResult] = ()
) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40
    bold = WriteOnlyCell(ws, value=title)
    bold.font = Font(bold=True, size=13)
    ws.append([bold])
    for label, value in (
        ("Documents", stats.documents),
        ("Succeeded", stats.ok),
        ("Failed", stats.failed),
        ("Pages", stats.pages),
        ("Line item rows", stats.item_rows),
        ("Values to check (low confidence)", stats.low_confidence),
    ):
        ws.append([label, value])
    from zapdoc.llm.usage import by_provider, describe

    for provider, entry in sorted(by_provider(done).items()):
        ws.append([f"Extracted by {provider}", describe(entry)])
    ws.append([])
    ws.append(["Low-confidence values are shaded orange in Results; hover them for the evidence."])
    ws.append(["The Evidence sheet lists every value with its page and source snippet."])
