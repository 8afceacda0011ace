"""The workbook as a person sees it: opened by LibreOffice Calc (headless) and printed to PDF.

Calc cuts text that does not fit its column when the next cell is filled, and prints ``###`` for a
number that does not fit, so the printed text tells whether every value shows whole. One soffice call
converts both workbooks (its start-up dominates the time).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook

from tests.offline_env import offline_provider_env  # noqa: F401  (autouse fixture)
from zapdoc.cli import main
from zapdoc.domain.documents import DocumentResult, Evidence, FieldValue
from zapdoc.domain.templates import template_fields
from zapdoc.workbook import WorkbookInfo, write_workbook

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
RESULTS_HEADER = "Line items (rows)"  # a header only the Results sheet has
ITEMS_HEADER = "Unit price"  # a header of the Line items sheet, which prints after Results


def _pdf_pages(pdf: Path) -> list[str]:
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def _results_pages(pages: list[str]) -> list[str]:
    """The printed pages of the first sheet (Results): every page before the Line items sheet's first."""
    end = next(i for i, text in enumerate(pages) if ITEMS_HEADER in text)
    return pages[:end]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("needs LibreOffice Calc (scripts/install-desktop-tools.sh, run by `make test`)")
    tmp = tmp_path_factory.mktemp("calc")
    # GIVEN the 5-document demo workbook, written by `zapdoc extract` as `make demo` does
    demo = tmp / "demo.xlsx"
    code = main(
        ["extract", str(EXAMPLES / "invoices"), str(EXAMPLES / "receipts"), "--template", "invoice",
         "-o", str(demo), "-q"]
    )  # fmt: skip
    assert code == 0
    # AND a 150-document workbook with an error row, long enough to print on several pages
    long = tmp / "long.xlsx"
    write_workbook(long, template_fields("invoice"), _many(150), info=WorkbookInfo(job_id="j-long"))
    # WHEN LibreOffice Calc opens them headless and prints them to PDF
    profile = tmp / "profile"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp), str(demo), str(long)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return {"demo": demo, "demo.pdf": tmp / "demo.pdf", "long": long, "long.pdf": tmp / "long.pdf"}


def _many(n: int) -> list[DocumentResult]:
    fields = {
        "invoice_number": "INV-2024-{i:05d}",
        "vendor_name": "Northwind Analytics and Consulting Ltd",
        "vendor_email": "accounts.receivable-{i}@northwind-analytics.example",
        "iban": "DE89370400440532013{i:03d}",
    }
    out = []
    for i in range(n):
        if i == 7:
            out.append(DocumentResult.error(f"batch/broken-{i}.pdf", "the PDF is password-protected"))
            continue
        values = {k: FieldValue(v.format(i=i), 0.9, Evidence(1, v.format(i=i))) for k, v in fields.items()}
        values["total_amount"] = FieldValue(D("1234567.89") + i, 0.4 if i % 3 == 0 else 0.9)
        values["issue_date"] = FieldValue(dt.date(2024, 1, 1) + dt.timedelta(days=i), 0.95)
        out.append(DocumentResult(f"batch/invoice-{i:03d}.pdf", "ok", pages=1, values=values))
    return out


def test_demo_results_print_on_at_most_two_pages_with_every_value_whole(printed: dict[str, Path]) -> None:
    pages = _pdf_pages(printed["demo.pdf"])
    results = _results_pages(pages)
    # THEN the Results sheet prints on at most 2 pages, each with the header row
    assert 1 <= len(results) <= 2, f"Results printed on {len(results)} pages"
    assert all(RESULTS_HEADER in page and "Invoice number" in page for page in results)
    printed_text = " ".join(results)
    # AND no IBAN, email or amount is cut (Calc cuts overflowing text and prints ### for numbers)
    ws = load_workbook(printed["demo"])["Results"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    ibans = [str(r["IBAN"]) for r in rows if r["IBAN"]]
    emails = [str(r["Vendor email"]) for r in rows if r["Vendor email"]]
    amounts = [
        f"{r[c]:,.2f}" for r in rows for c in ("Net amount", "Tax amount", "Total amount") if r[c] is not None
    ]
    assert len(ibans) == 3 and len(emails) == 3 and len(amounts) >= 10
    for value in ibans + emails + amounts:
        assert value in printed_text, f"{value!r} is cut or missing on the printed Results"
    assert "###" not in printed_text
    # AND headers are acronym-aware and drawn in the workbook's named font
    assert "Vendor VAT ID" in printed_text and "IBAN" in header
    assert {c.font.name for c in ws[1]} == {"Calibri"}


def test_a_long_results_sheet_repeats_its_header_on_every_printed_page(printed: dict[str, Path]) -> None:
    pages = _results_pages(_pdf_pages(printed["long.pdf"]))
    # THEN 150 rows take several pages, every one starting with the header row
    assert len(pages) >= 2
    assert all(page.lstrip().startswith("File Pages") and RESULTS_HEADER in page for page in pages)
    text = " ".join(pages)
    # AND the longest email, IBAN and amount of the run print whole, and so does the error's reason
    for value in (
        "accounts.receivable-149@northwind-analytics.example",
        "DE89370400440532013149",
        "1,234,716.89",
        "the PDF is password-protected",
    ):
        assert value in text, f"{value!r} is cut or missing"
    assert "###" not in text
