"""The Excel workbook a user receives: one row per document, typed cells, line items, evidence.

Sheets: "Results" (File, Pages, [Type], one column per field, Status, Notes), "Line items" (rows of
table and list fields, File on every row), "Evidence" (every value, typed, with its confidence, page,
snippet and the provider that read it) and "Summary" (job, date, fields, provider and model, counts and a
legend of the styles). Rows are streamed (write-only mode), so memory stays flat on large jobs.

One rule marks low confidence everywhere (``FieldValue.is_low_confidence``): the cell in Results, every
line-item row of a low-confidence table, the value in Evidence, and the Summary count. Error rows have
their own style, explained in the Summary. Styles are named (they show in the spreadsheet's style list)
and cached: a styled cell copies a prepared style array, and a cell that needs no style is a plain value.
Column widths come from the header and the first rows' content, bounded. Every data sheet prints
landscape, fitted to the page width, with its header row repeated on each page.

Safety: every string from a document is written as a text cell (never a formula, quote-prefixed when it
starts like one), control characters are stripped and text longer than Excel allows is cut with a note.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TIME_FORMATS, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, NamedStyle, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties

from zapdoc.domain.documents import LOW_CONFIDENCE, DocumentResult, FieldValue
from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.llm.usage import by_provider, describe

MAX_CELL_CHARS = 32_000  # Excel's hard limit is 32,767; keep room for the cut marker
CUT_MARKER = " […]"
# Characters Excel refuses in XML (openpyxl raises IllegalCharacterError on them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\ufe62", "\ufe63", "\uff0b", "\uff0d")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
AMOUNT_FORMAT = "#,##0.00"
NUMBER_FORMAT = "General"
CONFIDENCE_FORMAT = "0.00"

FONT_NAME = "Calibri"  # the workbook's body font; headers name it too, so no app substitutes another
MAX_COMMENTS = 500
"""Hover comments are held in memory until save (~5 KB each): only the first ones get one; the Evidence
sheet has the page and snippet of every value."""
MAX_SHARED_CELLS = 1_000
"""Bound on the styled cells kept for reuse (confidence values)."""
SAMPLE_ROWS = 100
"""Rows buffered per sheet to size its columns from content before the sheet starts streaming."""
MIN_WIDTH, MAX_WIDTH, MAX_TEXT_WIDTH = 6.0, 60.0, 80.0
_PLAIN_DATES = TIME_FORMATS.get(dt.date) == DATE_FORMAT
"""openpyxl formats a plain date value as DATE_FORMAT by itself: such a date needs no styled cell."""

RESULTS_SHEET = "Results"
ITEMS_SHEET = "Line items"
EVIDENCE_SHEET = "Evidence"
SUMMARY_SHEET = "Summary"

CHECK_COLOR, CHECK_TEXT = "FFEB9C", "7F4F00"  # yellow: a value to check
ERROR_COLOR, ERROR_TEXT = "FFC7CE", "9C0006"  # red: a document that could not be processed
HEADER_COLOR = "305496"

STYLE_HEADER = "ZapDoc header"
STYLE_CHECK = "ZapDoc check"
STYLE_ERROR = "ZapDoc error"
STYLE_TITLE = "ZapDoc title"
STYLE_PLAIN = "Normal"


def _named_styles() -> dict[str, NamedStyle]:
    return {
        STYLE_HEADER: NamedStyle(
            STYLE_HEADER,
            font=Font(name=FONT_NAME, size=11, bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=HEADER_COLOR),
        ),
        STYLE_CHECK: NamedStyle(
            STYLE_CHECK,
            font=Font(name=FONT_NAME, size=11, color=CHECK_TEXT),
            fill=PatternFill("solid", fgColor=CHECK_COLOR),
        ),
        STYLE_ERROR: NamedStyle(
            STYLE_ERROR,
            font=Font(name=FONT_NAME, size=11, color=ERROR_TEXT),
            fill=PatternFill("solid", fgColor=ERROR_COLOR),
        ),
        STYLE_TITLE: NamedStyle(STYLE_TITLE, font=Font(name=FONT_NAME, size=14, bold=True)),
    }


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
    comments: int = 0


@dataclass(frozen=True)
class WorkbookInfo:
    """What the Summary sheet says about the run besides its counts."""

    job_id: str = ""
    created: dt.datetime | None = None
    template: str | None = None
    provider: str = ""
    """Used for documents whose result does not name the provider that read it."""
    title: str = "ZapDoc extraction"


def excel_safe_text(text: str) -> tuple[str, bool]:
    """Strip characters Excel cannot store and cut over-long text; returns (text, was_cut)."""
    if not text.isprintable():  # fast path: printable text has no control characters
        text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        return text[: MAX_CELL_CHARS - len(CUT_MARKER)] + CUT_MARKER, True
    return text, False


def provenance(result: DocumentResult, default: str = "") -> str:
    """``provider`` or ``provider (model)`` of a result, from what it records (CONVENTIONS.md)."""
    provider = str(getattr(result, "provider", "") or "") or default
    model = str(getattr(result, "model", "") or "") or (result.usage.model if result.usage else "")
    if provider == "offline" or not model or model == provider:
        return provider or model
    return f"{provider} ({model})" if provider else model


def _format_for(ftype: FieldType) -> str | None:
    if ftype is FieldType.AMOUNT:
        return AMOUNT_FORMAT
    if ftype is FieldType.NUMBER:
        return NUMBER_FORMAT
    if ftype is FieldType.DATE:
        return DATE_FORMAT
    return None


def _shown_chars(value: Any, number_format: str | None) -> int:
    """Characters a value takes on screen, for column widths."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(line) for line in value.split("\n")), default=0)
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Decimal | float) and number_format == AMOUNT_FORMAT:
        return len(f"{value:,.2f}")
    if isinstance(value, Decimal | float):
        return len(f"{value:.6g}")
    return len(str(value))


class _Styles:
    """Named styles registered once per workbook; cells copy a cached style array (issue 15)."""

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        self._named = _named_styles()
        self._cache: dict[tuple[str, str | None, bool], StyleArray] = {}
        self._probe: WriteOnlyCell | None = None

    def array(self, name: str, number_format: str | None = None, quote: bool = False) -> StyleArray:
        key = (name, number_format, quote)
        found = self._cache.get(key)
        if found is None:
            if self._probe is None:
                self._probe = WriteOnlyCell(self._wb.worksheets[0])
            probe = self._probe
            probe._style = StyleArray()
            if name != STYLE_PLAIN:
                named = self._named[name]
                if named.name not in self._wb.named_styles:
                    self._wb.add_named_style(named)
                probe.style = named.name
            if number_format:
                probe.number_format = number_format
            if quote:
                probe.quotePrefix = True
            found = self._cache[key] = copy(probe._style)
        return found


class _Sheet:
    """A write-only sheet: named-style header, sized columns, frozen panes, filter and print setup.

    Cells are plain values unless they need a style. The first ``SAMPLE_ROWS`` rows are buffered so the
    columns can be sized from what they hold before the sheet starts streaming.
    """

    def __init__(
        self,
        wb: Workbook,
        styles: _Styles,
        title: str,
        headers: Sequence[str],
        *,
        wide: Sequence[int] = (),
        freeze: str = "B2",
    ) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self.styles = styles
        self.headers = list(headers)
        self.width = len(headers)
        self.rows = 1
        self._wide = set(wide)
        # header: bold text plus the filter button (about 3 characters wide)
        self._chars = [len(h) * 1.15 + 4.0 for h in headers]
        self._buffer: list[list[Any]] | None = []
        ws = self.ws
        ws.freeze_panes = freeze
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_title_rows = "1:1"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5

    def value(self, value: Any, number_format: str | None = None, style: str = STYLE_PLAIN) -> Any:
        """What to append for ``value``: the value itself when it needs no style, else a styled cell."""
        return self.cell(value, number_format, style)[0]

    def cell(
        self, value: Any, number_format: str | None = None, style: str = STYLE_PLAIN
    ) -> tuple[Any, bool]:
        """Like :meth:`value`, also saying whether text was cut. Strings are cleaned, never formulas.

        An empty string is no cell at all (an empty styled cell when it has a style).
        """
        cut = quote = False
        kind = type(value)
        if kind is str:
            if not value:
                value = None
            elif value.isprintable() and len(value) <= MAX_CELL_CHARS:
                quote = value.startswith(_FORMULA_START)  # fast path: nothing to clean
            else:
                value, cut = excel_safe_text(value)
                quote = value.startswith(_FORMULA_START)
            number_format = None
        elif kind is dt.date:
            if style == STYLE_PLAIN and _PLAIN_DATES:
                return value, False  # openpyxl gives a date the DATE_FORMAT itself
            number_format = DATE_FORMAT
        elif isinstance(value, str):
            value, cut = excel_safe_text(str(value))
            quote = value.startswith(_FORMULA_START)
            number_format = None
        elif isinstance(value, dt.datetime):
            number_format = DATETIME_FORMAT
        elif isinstance(value, dt.date):
            number_format = DATE_FORMAT
        elif value is None or number_format == NUMBER_FORMAT:
            number_format = None
        if not quote and number_format is None and style == STYLE_PLAIN:
            return value, cut  # a plain value: openpyxl reuses one cell object for it
        cell = self.styled(value, self.styles.array(style, number_format, quote))
        if quote:
            cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell, cut

    def styled(self, value: Any, style: StyleArray) -> Cell:
        """A cell holding ``value`` (already safe to write) with a cached style array."""
        return Cell(self.ws, row=1, column=1, value=value, style_array=style)

    def append(self, row: list[Any]) -> None:
        self.rows += 1
        if self._buffer is None:
            self.ws.append(row)
            return
        chars = self._chars
        for i, item in enumerate(row[: self.width]):
            if isinstance(item, Cell):
                shown = _shown_chars(item.value, item.number_format)
            else:
                shown = _shown_chars(item, None)
            chars[i] = max(chars[i], shown * 1.1 + 2.0)
        self._buffer.append(row)
        if len(self._buffer) >= SAMPLE_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._buffer is None:
            return
        buffered, self._buffer = self._buffer, None
        for i, chars in enumerate(self._chars):
            top = MAX_TEXT_WIDTH if i in self._wide else MAX_WIDTH
            width = round(min(top, max(MIN_WIDTH, chars)), 1)
            self.ws.column_dimensions[get_column_letter(i + 1)].width = width
        self.ws.append([self.value(h, style=STYLE_HEADER) for h in self.headers])
        for row in buffered:
            self.ws.append(row)

    def finish(self) -> None:
        self._flush()
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.width)}{max(self.rows, 1)}"


def _evidence_comment(fv: FieldValue) -> Comment:
    ev = fv.evidence
    where = f"page {ev.page}" if ev and ev.page else "no page"
    snippet = excel_safe_text(ev.snippet)[0][:300] if ev else "(no evidence)"
    text = f"Low confidence ({fv.confidence:.2f}), check it.\nFound on {where}:\n{snippet}"
    comment = Comment(text, "ZapDoc")
    comment.width, comment.height = 320, 120
    return comment


def _items_value(fv: FieldValue) -> int | None:
    return len(fv.value) if isinstance(fv.value, list) else None


class _Writer:
    """Builds the four sheets of one workbook from a stream of results."""

    def __init__(self, fields: Sequence[FieldSpec], *, doc_type_column: bool, info: WorkbookInfo) -> None:
        self.fields = list(fields)
        self.info = info
        self.scalars = [f for f in fields if f.type is not FieldType.TABLE]
        self.tables = [f for f in fields if f.type is FieldType.TABLE]
        self.lists = [f for f in fields if f.type is FieldType.LIST]
        self.doc_type_column = doc_type_column
        self.stats = WorkbookStats()
        self.providers: Counter[str] = Counter()
        self.done: list[DocumentResult] = []  # provider and usage only (Summary): values are not kept
        self.wb = Workbook(write_only=True)
        self.styles = _Styles(self.wb)
        self.scalar_formats = [_format_for(f.type) for f in self.scalars]

        headers = ["File", "Pages"] + (["Type"] if doc_type_column else [])
        headers += [f.label for f in self.scalars] + [f"{t.label} (rows)" for t in self.tables]
        headers += ["Status", "Notes"]
        self.results = _Sheet(self.wb, self.styles, RESULTS_SHEET, headers, wide=[len(headers) - 1])

        self.items: _Sheet | None = None
        self.item_columns: list[FieldSpec] = []
        self.multi = len(self.tables) + len(self.lists) > 1 or bool(self.lists)
        if self.tables or self.lists:
            for t in self.tables:
                for col in t.columns:
                    if col.name not in {c.name for c in self.item_columns}:
                        self.item_columns.append(col)
            item_headers = ["File"] + (["Field"] if self.multi else []) + ["#"]
            item_headers += [c.label for c in self.item_columns] + (["Value"] if self.lists else [])
            self.items = _Sheet(self.wb, self.styles, ITEMS_SHEET, item_headers)
        self.item_formats = [_format_for(c.type) for c in self.item_columns]

        self.evidence = _Sheet(
            self.wb,
            self.styles,
            EVIDENCE_SHEET,
            ["File", "Field", "Value", "Confidence", "Page", "Snippet", "Provider"],
            wide=[5],
        )
        self.evidence_columns = [
            (f, self.evidence.value(f.label), None if f.type is FieldType.TABLE else _format_for(f.type))
            for f in self.fields
        ]
        self.confidences: dict[tuple[float, bool], Cell] = {}
        """One confidence cell per (value, low): a write-only sheet writes a cell as it is appended, so
        rows can share a cell (it holds no comment); two decimals give at most 101 values a style."""
        self.confidence_styles = (
            self.styles.array(STYLE_PLAIN, CONFIDENCE_FORMAT),
            self.styles.array(STYLE_CHECK, CONFIDENCE_FORMAT),
        )

    def _check(self, fv: FieldValue) -> str:
        if not fv.is_low_confidence:
            return STYLE_PLAIN
        return STYLE_CHECK

    def _comment(self, cell: Any, fv: FieldValue) -> Any:
        """Attach the evidence comment to a low-confidence cell while under the cap."""
        if self.stats.comments >= MAX_COMMENTS:
            return cell
        if not isinstance(cell, Cell):
            raw = cell
            cell = WriteOnlyCell(self.results.ws, value=raw)
        cell.comment = _evidence_comment(fv)
        self.stats.comments += 1
        return cell

    def add(self, result: DocumentResult) -> None:
        stats = self.stats
        stats.documents += 1
        stats.pages += result.pages or 0
        failed = result.status == "error"
        source = "" if failed else provenance(result, self.info.provider)
        notes: list[str] = []
        if failed:
            stats.failed += 1
            if result.reason:
                notes.append(result.reason)
        else:
            stats.ok += 1
            self.providers[source or "not recorded"] += 1
            self.done.append(
                DocumentResult(
                    file="", status="ok", pages=result.pages, usage=result.usage,
                    provider=result.provider, model=result.model,
                )
            )  # fmt: skip
        notes.extend(result.notes)
        row_style = STYLE_ERROR if failed else STYLE_PLAIN
        sheet = self.results
        row: list[Any] = [
            sheet.value(result.file, style=row_style),
            sheet.value(result.pages, style=row_style),
        ]
        if self.doc_type_column:
            row.append(sheet.value(result.doc_type or "", style=row_style))
        values = result.values
        for spec, fmt in zip(self.scalars, self.scalar_formats, strict=True):
            fv = values.get(spec.name)
            if fv is None:
                row.append(sheet.value(None, style=row_style))
                continue
            value: Any = fv.value
            if spec.type is FieldType.LIST and isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            low = fv.is_low_confidence
            cell, cut = sheet.cell(value, fmt, STYLE_CHECK if low else row_style)
            if cut:
                stats.cut_cells += 1
                notes.append(f"{spec.label}: text cut to {MAX_CELL_CHARS:,} characters")
            if low:
                stats.low_confidence += 1
                cell = self._comment(cell, fv)
            if fv.note:
                notes.append(f"{spec.label}: {fv.note}")
            row.append(cell)
        for t in self.tables:
            fv = values.get(t.name) or FieldValue()
            low = fv.is_low_confidence
            cell = sheet.value(_items_value(fv), style=STYLE_CHECK if low else row_style)
            if low:
                stats.low_confidence += 1
                cell = self._comment(cell, fv)
            row.append(cell)
            if fv.note:
                notes.append(f"{t.label}: {fv.note}")
        row.append(sheet.value(result.status, style=row_style))
        row.append(sheet.value("; ".join(n for n in notes if n), style=row_style))
        sheet.append(row)

        if self.items is not None:
            stats.item_rows += self._write_items(result)
        self._write_evidence(result, source if result.status == "ok" else "")

    def _write_items(self, result: DocumentResult) -> int:
        sheet = self.items
        assert sheet is not None
        written = 0
        for t in self.tables:
            fv = result.values.get(t.name) or FieldValue()
            if not isinstance(fv.value, list):
                continue
            style = self._check(fv)
            for i, item in enumerate(fv.value, start=1):
                if not isinstance(item, dict):
                    continue
                cells = [sheet.value(result.file)]
                if self.multi:
                    cells.append(sheet.value(t.label))
                cells.append(sheet.value(i))
                for col, fmt in zip(self.item_columns, self.item_formats, strict=True):
                    cells.append(sheet.value(item.get(col.name), fmt, style))
                if self.lists:
                    cells.append(sheet.value(None))
                sheet.append(cells)
                written += 1
        for lf in self.lists:
            fv = result.values.get(lf.name) or FieldValue()
            if not isinstance(fv.value, list):
                continue
            style = self._check(fv)
            for i, v in enumerate(fv.value, start=1):
                cells = [sheet.value(result.file), sheet.value(lf.label), sheet.value(i)]
                cells += [sheet.value(None) for _ in self.item_columns]
                cells.append(sheet.value(str(v), style=style))
                sheet.append(cells)
                written += 1
        return written

    def _write_evidence(self, result: DocumentResult, provider: str) -> None:
        sheet = self.evidence
        source = sheet.value(provider)
        file = sheet.value(result.file)
        shared = not isinstance(file, Cell)  # a plain value can stand in every row of the document
        confidences = self.confidences
        values = result.values
        for spec, label, fmt in self.evidence_columns:
            fv = values.get(spec.name)
            if fv is None or fv.value is None:
                continue
            shown: Any = fv.value
            if spec.type is FieldType.TABLE:
                shown = f"{len(shown) if isinstance(shown, list) else 0} rows"
            elif isinstance(shown, list):
                shown = "; ".join(str(v) for v in shown)
            low = fv.confidence < LOW_CONFIDENCE  # fv.is_low_confidence: the value is not None
            key = (round(fv.confidence, 2), low)
            confidence = confidences.get(key)
            if confidence is None:
                confidence = sheet.styled(key[0], self.confidence_styles[low])
                if len(confidences) < MAX_SHARED_CELLS:
                    confidences[key] = confidence
            ev = fv.evidence
            sheet.append(
                [
                    file if shared else sheet.value(result.file),
                    label,
                    sheet.cell(shown, fmt, STYLE_CHECK if low else STYLE_PLAIN)[0],
                    confidence,
                    ev.page if ev else None,
                    sheet.value(ev.snippet) if ev else None,
                    source,
                ]
            )

    def save(self, target: str | Path | IO[bytes]) -> WorkbookStats:
        self.results.finish()
        if self.items is not None:
            self.items.finish()
        self.evidence.finish()
        self._write_summary()
        self.wb.save(target)
        return self.stats

    def _write_summary(self) -> None:
        info, stats, styles = self.info, self.stats, self.styles
        ws = self.wb.create_sheet(SUMMARY_SHEET)
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 90
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

        def styled(value: Any, style: str, number_format: str | None = None) -> WriteOnlyCell:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell._style = copy(styles.array(style, number_format))
            return cell

        created = info.created or dt.datetime.now(dt.UTC)
        if created.tzinfo is not None:
            created = created.astimezone(dt.UTC).replace(tzinfo=None)
        field_names = ", ".join(f.name for f in self.fields)
        what = f"template {info.template}: {field_names}" if info.template else field_names
        providers = "; ".join(
            f"{name} ({count} document{'s' if count != 1 else ''})" if len(self.providers) > 1 else name
            for name, count in self.providers.most_common()
        ) or (info.provider or "none (no document was read)")
        ws.append([styled(info.title, STYLE_TITLE)])
        rows: list[tuple[str, Any, str | None]] = [
            ("Job", info.job_id or "local run (zapdoc extract)", None),
            ("Created (UTC)", created, DATETIME_FORMAT),
            ("Fields", what, None),
            ("Provider (model)", providers, None),
            *(
                (f"Extracted by {provider}", describe(entry), None)
                for provider, entry in sorted(by_provider(self.done).items())
            ),
            ("Documents", stats.documents, None),
            ("Succeeded", stats.ok, None),
            ("Failed", stats.failed, None),
            ("Pages", stats.pages, None),
            ("Line item rows", stats.item_rows, None),
            ("Values to check (low confidence)", stats.low_confidence, None),
        ]
        for label, value, fmt in rows:
            ws.append(
                [label, styled(value, STYLE_PLAIN, fmt) if isinstance(value, str | dt.datetime) else value]
            )
        ws.append([])
        check_note = (
            "a value read with low confidence: check it against the document. Hover it for the page and "
            "snippet; the Evidence sheet lists every value with its page, snippet and confidence."
        )
        if stats.low_confidence > stats.comments:
            check_note += (
                f" Only the first {MAX_COMMENTS:,} carry a hover comment; the Evidence sheet has them all."
            )
        ws.append([styled("Shaded yellow", STYLE_CHECK), check_note])
        ws.append(
            [
                styled("Shaded red", STYLE_ERROR),
                "a document that could not be processed; its Notes cell says why.",
            ]
        )


def write_workbook(
    target: str | Path | IO[bytes],
    fields: Sequence[FieldSpec],
    results: Iterable[DocumentResult],
    *,
    doc_type_column: bool = False,
    title: str = "ZapDoc extraction",
    info: WorkbookInfo | None = None,
) -> WorkbookStats:
    """Stream ``results`` into an .xlsx at ``target`` (a path or a binary file object)."""
    if info is None:
        info = WorkbookInfo(title=title)
    writer = _Writer(fields, doc_type_column=doc_type_column, info=info)
    for result in results:
        writer.add(result)
    return writer.save(target)
