"""`zapdoc extract` end to end, in-process: real PDFs and zips in, a real workbook out."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.offline_env import offline_provider_env  # noqa: F401  (autouse fixture)
from tests.pdfs import make_pdf
from zapdoc.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def _rows(path: Path, sheet: str = "Results") -> list[dict[str, object]]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_examples_become_typed_rows_with_line_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the bundled invoices and receipts
    out = tmp_path / "demo.xlsx"
    # WHEN they are extracted with the invoice template
    code = main(
        [
            "extract",
            str(EXAMPLES / "invoices"),
            str(EXAMPLES / "receipts"),
            "--template",
            "invoice",
            "-o",
            str(out),
            "--jobs",
            "2",
        ]
    )
    # THEN every document is a row with typed values, and the summary is printed
    assert code == 0
    rows = {Path(str(r["File"])).name: r for r in _rows(out)}
    assert set(rows) == {
        "invoice-en.pdf",
        "facture-fr.pdf",
        "rechnung-de.pdf",
        "receipt-en.pdf",
        "ticket-fr.pdf",
    }
    assert all(r["Status"] == "ok" for r in rows.values())
    en, fr, de = rows["invoice-en.pdf"], rows["facture-fr.pdf"], rows["rechnung-de.pdf"]
    assert en["Invoice number"] == "NWA-2024-0412"
    assert en["Issue date"] == dt.datetime(2024, 4, 3)
    assert en["Total amount"] == pytest.approx(4620.60)
    assert en["Currency"] == "GBP"
    assert fr["Invoice number"] == "F-2024-0187"
    assert fr["Issue date"] == dt.datetime(2024, 3, 15)
    assert fr["Total amount"] == pytest.approx(1315.20)
    assert fr["IBAN"] == "FR7630006000011234567890189"
    assert de["Total amount"] == pytest.approx(1057.37)
    assert de["Vendor VAT ID"] == "DE136695976"
    items = [r for r in _rows(out, "Line items") if str(r["File"]).endswith("rechnung-de.pdf")]
    assert [r["Description"] for r in items] == [
        "Akku-Bohrschrauber 18V",
        "Bitsatz 32-teilig",
        "Werkbank Buche 150 cm",
    ]
    assert [r["Amount"] for r in items] == [
        pytest.approx(299.80),
        pytest.approx(99.75),
        pytest.approx(489.00),
    ]
    french = [r for r in _rows(out, "Line items") if str(r["File"]).endswith("facture-fr.pdf")]
    # "4 189,00 756,00": quantity 4 at 189,00, not 4 189,00 (space-grouped thousands)
    assert [(r["Quantity"], r["Unit price"], r["Amount"]) for r in french] == [
        (4, 189, 756),
        (1, 240, 240),
        (8, 12.5, 100),
    ]
    err = capsys.readouterr().err
    assert "provider: offline" in err
    assert "5 documents, 5 pages, 5 ok, 0 failed" in err


def test_zip_entries_are_named_inside_their_archive(tmp_path: Path) -> None:
    out = tmp_path / "z.xlsx"
    assert (
        main(["extract", str(EXAMPLES / "examples.zip"), "--template", "resume", "-o", str(out), "-q"]) == 0
    )
    rows = {str(r["File"]): r for r in _rows(out)}
    zip_name = str(EXAMPLES / "examples.zip")
    assert f"{zip_name}/batch/resume-en.pdf" in rows
    assert len(rows) == 7
    resume = rows[f"{zip_name}/batch/resume-en.pdf"]
    assert resume["Email"] == "priya.raman@example.com"
    assert resume["Phone"] == "+14165550199"


def test_formula_text_in_a_pdf_never_becomes_a_formula(tmp_path: Path) -> None:
    # GIVEN a PDF whose labelled values look like spreadsheet formulas
    hostile = ['=HYPERLINK("http://x","y")', "+SUM(A1)", "@cmd", "-1+2"]
    text = "\n".join(f"Field {i}: {h}" for i, h in enumerate(hostile, start=1))
    (tmp_path / "evil.pdf").write_bytes(make_pdf([text]))
    out = tmp_path / "evil.xlsx"
    # WHEN its fields are extracted
    code = main(
        [
            "extract",
            str(tmp_path / "evil.pdf"),
            "--fields",
            "field_1, field_2, field_3, field_4",
            "-o",
            str(out),
            "-q",
        ]
    )
    # THEN no cell anywhere is a formula and the text is preserved
    assert code == 0
    wb = load_workbook(out)
    formulas = [
        c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    row = _rows(out)[0]
    assert [row[f"Field {i}"] for i in range(1, 5)] == hostile


def test_json_output_lists_every_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.xlsx"
    code = main(
        ["extract", str(EXAMPLES / "resumes"), "--template", "resume", "-o", str(out), "--json", "-q"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 2 and data["ok"] == 2 and data["output"] == str(out)
    emails = {Path(r["file"]).name: r["values"]["email"]["value"] for r in data["results"]}
    assert emails == {"resume-en.pdf": "priya.raman@example.com", "cv-fr.pdf": "julien.morel@example.fr"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "{ex}"], "say what to extract"),
        (["extract", "{ex}", "--template", "invoice", "--fields", "a"], "either --fields or --template"),
        (["extract", "{ex}", "--template", "po"], "unknown template 'po'"),
        (["extract", "{ex}", "--fields", "total:banana"], "unknown type 'banana'"),
        (["extract", "{ex}", "--template", "invoice", "-o", "out.csv"], "must be an .xlsx file"),
        (["extract", "{ex}", "--template", "invoice", "-o", "/nonexistent/dir/o.xlsx"], "does not exist"),
        (["extract", "/no/such.pdf", "--template", "invoice"], "no such file or folder: /no/such.pdf"),
        (["extract", "{empty}", "--template", "invoice"], "no files found"),
        (["extract", "{ex}", "--template", "invoice", "--jobs", "0"], "--jobs must be at least 1"),
        (["extract", "{ex}", "--template", "invoice", "--provider", "banana"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_and_say_what_to_fix(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    argv = [a.format(ex=EXAMPLES / "invoices", empty=tmp_path / "empty") for a in args]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.xlsx"))


def test_templates_command_lists_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates"]) == 0
    text = capsys.readouterr().out
    assert "invoice — " in text and "line_items:table[description:text" in text
    assert main(["templates", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"invoice", "receipt", "resume", "contract", "rfp"}


def test_existing_output_is_replaced_atomically(tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"old")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLES / "receipts" / "receipt-en.pdf", src)
    assert main(["extract", str(src), "--template", "receipt", "-o", str(out), "-q"]) == 0
    assert zipfile.is_zipfile(out)
    assert not list(tmp_path.glob(".zapdoc-*"))


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_the_workbook_gets_the_permissions_the_umask_gives(tmp_path: Path, umask: int, mode: int) -> None:
    # GIVEN a umask, as a shell would have it
    out = tmp_path / "out.xlsx"
    old = os.umask(umask)
    try:
        # WHEN `zapdoc extract` writes the workbook
        code = main(["extract", str(EXAMPLES / "receipts"), "--template", "receipt", "-o", str(out), "-q"])
    finally:
        os.umask(old)
    # THEN its mode is what any new file gets under that umask (not mkstemp's 0600)
    assert code == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_amounts_stay_exact_decimals_from_the_pdf_to_json_and_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN generated invoices (seeded) in English, German and French printing conventions
    from decimal import Decimal

    from tests.invoicegen import generate

    truth = {}
    for seed, lang in ((4101, "en"), (4102, "de"), (4103, "fr")):
        g = generate(seed, lang=lang)
        (tmp_path / f"inv-{lang}.pdf").write_bytes(g.pdf)
        truth[f"inv-{lang}.pdf"] = g.truth
    out = tmp_path / "r.xlsx"
    # WHEN `zapdoc extract` runs with --json
    code = main(["extract", str(tmp_path), "--template", "invoice", "-o", str(out), "--json", "-q"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    # THEN every amount in the JSON is the exact printed decimal (a string, never a float) ...
    for r in data["results"]:
        for name in ("net_amount", "tax_amount", "total_amount"):
            value = r["values"][name]["value"]
            assert value == {"decimal": f"{truth[Path(r['file']).name][name]:.2f}"}, (r["file"], name)
    # ... and the workbook holds them as numbers with the amount format, equal to the printed cents
    sheet = load_workbook(out)["Results"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        expected = truth[Path(str(cells["File"].value)).name]
        cell = cells["Total amount"]
        assert cell.data_type == "n" and cell.number_format == "#,##0.00"
        assert Decimal(repr(cell.value)) == expected["total_amount"]
