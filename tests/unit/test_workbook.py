"""The workbook a user receives: typed cells, safe text, line items, evidence — opened with openpyxl."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from openpyxl import Workbook, load_workbook

from zapdoc.domain.documents import DocumentResult, Evidence, FieldValue, Scalar, Usage
from zapdoc.domain.fields import parse_fields
from zapdoc.domain.templates import template_fields
from zapdoc.workbook import MAX_CELL_CHARS, MAX_COMMENTS, WorkbookInfo, write_workbook

FIELDS = parse_fields(
    "invoice_number, issue_date:date, total_amount:amount, quantity:number, skills:list, "
    "line_items[description, quantity:number, amount:amount]"
)


def _ok(file: str, **values: FieldValue) -> DocumentResult:
    return DocumentResult(file=file, status="ok", pages=2, values=dict(values), doc_type="invoice")


def _write(tmp_path: Path, results: list[DocumentResult], *, doc_type_column: bool = False) -> Path:
    out = tmp_path / "out.xlsx"
    write_workbook(out, FIELDS, iter(results), doc_type_column=doc_type_column)
    return out


def test_typed_cells_header_and_layout(tmp_path: Path) -> None:
    # GIVEN one extracted document
    result = _ok(
        "a.pdf",
        invoice_number=FieldValue("INV-1", 0.95, Evidence(1, "Invoice No: INV-1")),
        issue_date=FieldValue(dt.date(2024, 4, 3), 0.9),
        total_amount=FieldValue(D("1234.56"), 0.9),
        quantity=FieldValue(3, 0.9),
    )
    # WHEN the workbook is written
    wb = load_workbook(_write(tmp_path, [result]))
    ws = wb["Results"]
    # THEN the header is bold, frozen and filtered, and cells carry real types and formats
    header = [c.value for c in ws[1]]
    assert header == [
        "File",
        "Pages",
        "Invoice number",
        "Issue date",
        "Total amount",
        "Quantity",
        "Skills",
        "Line items (rows)",
        "Status",
        "Notes",
    ]
    assert all(c.font.bold and c.font.name == "Calibri" for c in ws[1])
    assert {c.style for c in ws[1]} == {"ZapDoc header"}
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:J2"
    # columns are as wide as their header (plus the filter button), never narrower than a few characters
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJ"}
    assert widths["H"] >= len("Line items (rows)") + 3
    assert all(6 <= w <= 80 for w in widths.values())
    row = dict(zip(header, ws[2], strict=True))
    assert row["Issue date"].is_date and row["Issue date"].value == dt.datetime(2024, 4, 3)
    assert row["Issue date"].number_format == "yyyy-mm-dd"
    assert row["Total amount"].value == 1234.56 and row["Total amount"].data_type == "n"
    assert row["Total amount"].number_format == "#,##0.00"
    assert row["Pages"].value == 2
    assert row["Status"].value == "ok"
    assert wb.sheetnames == ["Results", "Line items", "Evidence", "Summary"]


def test_document_text_never_becomes_a_formula(tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+SUM(A1)", "@cmd", "-1+2", "=1+1"]
    results = [_ok(f"{i}.pdf", invoice_number=FieldValue(text, 0.9)) for i, text in enumerate(hostile)]
    results.append(DocumentResult.error('=cmd|" /C calc"!A0.pdf', "=HYPERLINK(1)"))
    wb = load_workbook(_write(tmp_path, results))
    formulas = [
        c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    ws = wb["Results"]
    assert [ws.cell(row=i + 2, column=3).value for i in range(len(hostile))] == hostile
    assert all(ws.cell(row=i + 2, column=3).quotePrefix for i in range(len(hostile)))
    assert ws.cell(row=len(hostile) + 2, column=1).value == '=cmd|" /C calc"!A0.pdf'


def test_control_characters_stripped_and_long_text_cut_with_a_note(tmp_path: Path) -> None:
    long_text = "x" * 40_000
    result = _ok("a.pdf", invoice_number=FieldValue("A\x00B\x07C\x1b", 0.9), line_items=FieldValue(None))
    result2 = _ok("b.pdf", invoice_number=FieldValue(long_text, 0.9))
    ws = load_workbook(_write(tmp_path, [result, result2]))["Results"]
    assert ws["C2"].value == "ABC"
    assert len(ws["C3"].value) <= MAX_CELL_CHARS
    assert ws["C3"].value.endswith("[…]")
    assert "Invoice number: text cut to 32,000 characters" in ws["J3"].value


def test_line_items_and_lists_have_the_file_on_every_row(tmp_path: Path) -> None:
    items: list[dict[str, Scalar | None]] = [
        {"description": "Widget", "quantity": 2, "amount": D("20.0")},
        {"description": "=evil()", "quantity": 1, "amount": D("5.5")},
    ]
    result = _ok(
        "zip.zip/inv.pdf",
        line_items=FieldValue(items, 0.8),
        skills=FieldValue(["Python", "SQL"], 0.9),
    )
    wb = load_workbook(_write(tmp_path, [result, _ok("other.pdf")]))
    ws = wb["Line items"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["File", "Field", "#", "Description", "Quantity", "Amount", "Value"]
    assert rows[1:] == [
        ["zip.zip/inv.pdf", "Line items", 1, "Widget", 2, 20, None],
        ["zip.zip/inv.pdf", "Line items", 2, "=evil()", 1, 5.5, None],
        ["zip.zip/inv.pdf", "Skills", 1, None, None, None, "Python"],
        ["zip.zip/inv.pdf", "Skills", 2, None, None, None, "SQL"],
    ]
    assert ws["F2"].number_format == "#,##0.00"
    results = wb["Results"]
    assert results["G2"].value == "Python; SQL"
    assert results["H2"].value == 2


def test_single_table_template_has_no_field_column(tmp_path: Path) -> None:
    out = tmp_path / "inv.xlsx"
    fields = template_fields("invoice")
    items: list[dict[str, Scalar | None]] = [
        {"description": "Audit", "quantity": 1, "unit_price": D("10.0"), "amount": D("10.0")}
    ]
    write_workbook(out, fields, [_ok("a.pdf", line_items=FieldValue(items, 0.9))])
    ws = load_workbook(out)["Line items"]
    assert [c.value for c in ws[1]] == ["File", "#", "Description", "Quantity", "Unit price", "Amount"]
    assert [c.value for c in ws[2]] == ["a.pdf", 1, "Audit", 1, 10, 10]


def test_low_confidence_values_are_marked_with_their_evidence(tmp_path: Path) -> None:
    result = _ok(
        "a.pdf",
        invoice_number=FieldValue("INV-9", 0.35, Evidence(2, "ref INV-9 maybe")),
        total_amount=FieldValue(D("10.0"), 0.99, Evidence(1, "Total 10.00")),
    )
    wb = load_workbook(_write(tmp_path, [result]))
    ws = wb["Results"]
    low, sure = ws["C2"], ws["E2"]
    assert low.style == "ZapDoc check" and low.fill.fgColor.rgb.endswith("FFEB9C")
    assert sure.style == "Normal"
    assert low.comment is not None and "page 2" in low.comment.text and "ref INV-9 maybe" in low.comment.text
    assert sure.comment is None
    ev = [[c.value for c in r] for r in wb["Evidence"].iter_rows(min_row=2)]
    assert ["a.pdf", "Invoice number", "INV-9", 0.35, 2, "ref INV-9 maybe", None] in ev
    assert ["a.pdf", "Total amount", 10, 0.99, 1, "Total 10.00", None] in ev


def test_error_rows_carry_status_and_reason_and_type_column(tmp_path: Path) -> None:
    bad = DocumentResult.error("broken.pdf", "the PDF is truncated")
    wb = load_workbook(_write(tmp_path, [bad], doc_type_column=True))
    ws = wb["Results"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["File", "Pages", "Type"]
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert row["Status"] == "error"
    assert row["Notes"] == "the PDF is truncated"
    summary = _summary(wb)
    assert summary["Documents"] == 1 and summary["Failed"] == 1


def test_result_json_round_trip_keeps_types() -> None:
    row_list: list[dict[str, Scalar | None]] = [
        {"description": "x", "amount": D("1.5"), "when": dt.date(2024, 1, 3)}
    ]
    result = _ok(
        "a.pdf",
        issue_date=FieldValue(dt.date(2024, 1, 2), 0.7, Evidence(1, "2.1.2024")),
        line_items=FieldValue(row_list, 0.5),
    )
    again = DocumentResult.from_dict(result.to_dict())
    assert again == result


def test_summary_and_evidence_name_the_provider_and_model(tmp_path: Path) -> None:
    # GIVEN two rows extracted by openai after a fallback and one by gemini
    from zapdoc.domain.documents import Usage

    rows = []
    for i, (provider, model) in enumerate(
        [("openai", "gpt-4o-mini")] * 2 + [("gemini", "gemini-3.1-flash-lite")]
    ):
        r = _ok(f"d{i}.pdf", invoice_number=FieldValue(f"N-{i}", 0.95, Evidence(1, f"N-{i}")))
        r.provider, r.model = provider, model
        r.usage = Usage(provider=provider, model=model, requests=1, prompt_tokens=300, output_tokens=50,
                        cost_usd=0.0001, failed_over=int(provider == "openai"))  # fmt: skip
        rows.append(r)
    wb = load_workbook(_write(tmp_path, rows))
    # THEN the Summary says who extracted how many, with tokens and cost
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2) if r and r[0].value}
    assert summary["Extracted by openai"].startswith("2 documents (gpt-4o-mini); 700 tokens, $0.0002")
    assert "2 after another provider failed" in summary["Extracted by openai"]
    assert summary["Extracted by gemini"].startswith("1 document (gemini-3.1-flash-lite)")
    # AND every Evidence row names its provider and model
    ev = {r[0].value: r[6].value for r in wb["Evidence"].iter_rows(min_row=2)}
    assert ev == {"d0.pdf": "openai (gpt-4o-mini)", "d1.pdf": "openai (gpt-4o-mini)",
                  "d2.pdf": "gemini (gemini-3.1-flash-lite)"}  # fmt: skip


def _summary(wb: Workbook) -> dict[str, object]:
    return {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2) if r[0].value and len(r) > 1}


def test_one_low_confidence_rule_for_cells_line_items_evidence_and_the_summary(tmp_path: Path) -> None:
    # GIVEN line items read at confidence 0.50 and one scalar at 0.40, the rest sure
    items: list[dict[str, Scalar | None]] = [
        {"description": "Widget", "quantity": 2, "amount": D("20.0")},
        {"description": "Bolt", "quantity": 1, "amount": D("5.5")},
    ]
    result = _ok(
        "a.pdf",
        invoice_number=FieldValue("INV-1", 0.4, Evidence(1, "INV-1")),
        total_amount=FieldValue(D("25.5"), 0.95, Evidence(1, "Total 25.50")),
        line_items=FieldValue(items, 0.5, Evidence(1, "Widget 2 20.00")),
    )
    # WHEN the workbook is written
    wb = load_workbook(_write(tmp_path, [result]))
    # THEN the same style marks them in Results, Line items and Evidence, and the Summary counts both
    results = wb["Results"]
    assert results["C2"].style == results["H2"].style == "ZapDoc check"
    assert results["H2"].comment is not None and results["E2"].style == "Normal"
    item_rows = list(wb["Line items"].iter_rows(min_row=2))
    assert len(item_rows) == 2
    assert all(c.style == "ZapDoc check" for row in item_rows for c in row[3:6])
    evidence = {r[1].value: r for r in wb["Evidence"].iter_rows(min_row=2)}
    assert evidence["Line items"][3].style == evidence["Invoice number"][3].style == "ZapDoc check"
    assert evidence["Total amount"][3].style == "Normal"
    assert _summary(wb)["Values to check (low confidence)"] == 2


def test_error_rows_have_their_own_explained_style(tmp_path: Path) -> None:
    # GIVEN a failed document beside a low-confidence value
    bad = DocumentResult.error("broken.pdf", "the PDF is password-protected")
    low = _ok("a.pdf", invoice_number=FieldValue("X", 0.3))
    wb = load_workbook(_write(tmp_path, [low, bad]))
    ws = wb["Results"]
    # THEN the whole error row is red, unlike the yellow of a value to check, and the Summary says so
    assert {c.style for c in ws[3]} == {"ZapDoc error"}
    assert ws["A3"].fill.fgColor.rgb.endswith("FFC7CE") and ws["C2"].fill.fgColor.rgb.endswith("FFEB9C")
    legend = {r[0].value: r[1].value for r in wb["Summary"].iter_rows() if len(r) > 1}
    assert "could not be processed" in str(legend["Shaded red"])
    assert "low confidence" in str(legend["Shaded yellow"])


def test_evidence_values_are_typed_like_results(tmp_path: Path) -> None:
    result = _ok(
        "a.pdf",
        issue_date=FieldValue(dt.date(2024, 4, 3), 0.9, Evidence(1, "3 April 2024")),
        total_amount=FieldValue(D("1234.5"), 0.9, Evidence(1, "1.234,50")),
        quantity=FieldValue(3, 0.9),
        skills=FieldValue(["Python", "SQL"], 0.9),
    )
    ev = {
        r[1].value: r[2] for r in load_workbook(_write(tmp_path, [result]))["Evidence"].iter_rows(min_row=2)
    }
    assert ev["Issue date"].is_date and ev["Issue date"].value == dt.datetime(2024, 4, 3)
    assert ev["Total amount"].value == 1234.5 and ev["Total amount"].number_format == "#,##0.00"
    assert ev["Quantity"].value == 3 and ev["Quantity"].data_type == "n"
    assert ev["Skills"].value == "Python; SQL"


def test_print_setup_and_summary_of_the_job(tmp_path: Path) -> None:
    # GIVEN results read by two providers, one of which records its model
    a = _ok("a.pdf", invoice_number=FieldValue("A", 0.9))
    a.usage = Usage(model="gemini-3.1-flash-lite", requests=1)
    setattr(a, "provider", "gemini")  # noqa: B010  (wt-llm records it; older results do not)
    b = _ok("b.pdf", invoice_number=FieldValue("B", 0.9))
    out = tmp_path / "job.xlsx"
    created = dt.datetime(2026, 5, 4, 10, 30, tzinfo=dt.UTC)
    info = WorkbookInfo(job_id="job-123", created=created, template="invoice", provider="offline")
    write_workbook(out, FIELDS, [a, b], info=info)
    wb = load_workbook(out)
    # THEN every data sheet prints landscape, fitted to the width, with its header row repeated
    for name in ("Results", "Line items", "Evidence"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
    # AND the Summary names the job, its date, its fields and who read the documents
    summary = _summary(wb)
    assert summary["Job"] == "job-123"
    assert summary["Created (UTC)"] == dt.datetime(2026, 5, 4, 10, 30)
    assert str(summary["Fields"]).startswith("template invoice: invoice_number, issue_date")
    assert summary["Provider (model)"] == (
        "gemini (gemini-3.1-flash-lite) (1 document); offline (1 document)"
    )
    evidence = [r[6].value for r in wb["Evidence"].iter_rows(min_row=2)]
    assert evidence == ["gemini (gemini-3.1-flash-lite)", "offline"]


def test_hover_comments_are_capped_and_the_summary_says_evidence_has_the_rest(tmp_path: Path) -> None:
    # GIVEN more low-confidence values than the comment cap
    results = [_ok(f"{i}.pdf", invoice_number=FieldValue(f"N{i}", 0.2)) for i in range(MAX_COMMENTS + 20)]
    wb = load_workbook(_write(tmp_path, results))
    ws = wb["Results"]
    comments = sum(1 for row in ws.iter_rows(min_row=2, max_col=3) if row[2].comment is not None)
    # THEN only the cap carries comments, all are still shaded and counted, and Evidence lists all
    assert comments == MAX_COMMENTS
    assert all(row[2].style == "ZapDoc check" for row in ws.iter_rows(min_row=2, max_col=3))
    assert _summary(wb)["Values to check (low confidence)"] == MAX_COMMENTS + 20
    legend = {r[0].value: r[1].value for r in wb["Summary"].iter_rows() if len(r) > 1}
    assert f"first {MAX_COMMENTS:,}" in str(legend["Shaded yellow"])
    assert wb["Evidence"].max_row == MAX_COMMENTS + 21


def test_headers_spell_acronyms_in_capitals() -> None:
    labels = [f.label for f in parse_fields("vendor_vat_id, iban, po_number, total_amount, identity")]
    assert labels == ["Vendor VAT ID", "IBAN", "PO number", "Total amount", "Identity"]
