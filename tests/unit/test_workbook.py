"""The workbook a user receives: typed cells, safe text, line items, evidence — opened with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from zapdoc.domain.documents import DocumentResult, Evidence, FieldValue, Scalar
from zapdoc.domain.fields import parse_fields
from zapdoc.domain.templates import template_fields
from zapdoc.workbook import MAX_CELL_CHARS, write_workbook

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
        total_amount=FieldValue(1234.56, 0.9),
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
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:J2"
    assert ws.column_dimensions["A"].width >= 30
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
        {"description": "Widget", "quantity": 2, "amount": 20.0},
        {"description": "=evil()", "quantity": 1, "amount": 5.5},
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
        {"description": "Audit", "quantity": 1, "unit_price": 10.0, "amount": 10.0}
    ]
    write_workbook(out, fields, [_ok("a.pdf", line_items=FieldValue(items, 0.9))])
    ws = load_workbook(out)["Line items"]
    assert [c.value for c in ws[1]] == ["File", "#", "Description", "Quantity", "Unit price", "Amount"]
    assert [c.value for c in ws[2]] == ["a.pdf", 1, "Audit", 1, 10, 10]


def test_low_confidence_values_are_marked_with_their_evidence(tmp_path: Path) -> None:
    result = _ok(
        "a.pdf",
        invoice_number=FieldValue("INV-9", 0.35, Evidence(2, "ref INV-9 maybe")),
        total_amount=FieldValue(10.0, 0.99, Evidence(1, "Total 10.00")),
    )
    wb = load_workbook(_write(tmp_path, [result]))
    ws = wb["Results"]
    low, sure = ws["C2"], ws["E2"]
    assert low.fill.fgColor.rgb.endswith("FCE4D6")
    assert low.comment is not None and "page 2" in low.comment.text and "ref INV-9 maybe" in low.comment.text
    assert sure.comment is None
    ev = [[c.value for c in r][:6] for r in wb["Evidence"].iter_rows(min_row=2)]
    assert ["a.pdf", "Invoice number", "INV-9", 0.35, 2, "ref INV-9 maybe"] in ev
    assert ["a.pdf", "Total amount", "10", 0.99, 1, "Total 10.00"] in ev


def test_error_rows_carry_status_and_reason_and_type_column(tmp_path: Path) -> None:
    bad = DocumentResult.error("broken.pdf", "the PDF is truncated")
    wb = load_workbook(_write(tmp_path, [bad], doc_type_column=True))
    ws = wb["Results"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["File", "Pages", "Type"]
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert row["Status"] == "error"
    assert row["Notes"] == "the PDF is truncated"
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2, max_row=7)}
    assert summary["Documents"] == 1 and summary["Failed"] == 1


def test_result_json_round_trip_keeps_types() -> None:
    row_list: list[dict[str, Scalar | None]] = [
        {"description": "x", "amount": 1.5, "when": dt.date(2024, 1, 3)}
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
    assert ev == {"d0.pdf": "openai / gpt-4o-mini", "d1.pdf": "openai / gpt-4o-mini",
                  "d2.pdf": "gemini / gemini-3.1-flash-lite"}  # fmt: skip
