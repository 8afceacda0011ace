"""Scans read offline: an invoice rendered to an image-only PDF is OCR'd with Tesseract and extracted."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.scans import image_only_pdf
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction import ocr
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

ROOT = Path(__file__).resolve().parents[2]
INVOICE = template_fields("invoice")
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed (scripts/install-tesseract.sh)"
)


def _examples() -> ModuleType:
    """examples/make_examples.py as a module: the reportlab invoice layout the examples use."""
    name = "zapdoc_make_examples"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / "make_examples.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _scanned_invoice(seed: int) -> tuple[bytes, str, dt.date, float]:
    """An English invoice with seeded values, drawn like the examples, then 'scanned' at 200 dpi."""
    rng = random.Random(seed)
    number = f"INV-{rng.randint(2020, 2029)}-{rng.randint(1000, 9999)}"
    issued = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
    hours, rate = rng.randint(3, 40), rng.choice((85, 95, 120, 140))
    net = hours * rate + 250.0
    tax = round(net * 0.2, 2)
    total = net + tax
    ex = _examples()
    inv = ex.Invoice(
        filename="scan.pdf",
        title="INVOICE",
        vendor=[
            "Kestrel Survey Ltd",
            "9 Mill Lane",
            "Leeds LS1 5AB, United Kingdom",
            "VAT No: GB 987 6543 21",
        ],
        buyer_label="Bill to",
        buyer=["Harbour Foods BV", "Kade 12", "1011 AB Amsterdam"],
        meta=[
            ("Invoice No:", number),
            ("Invoice date:", f"{issued.day} {issued:%B %Y}"),
            ("Currency:", "GBP"),
        ],
        headers=["Description", "Qty", "Unit price", "Amount"],
        items=[
            ("Site survey (hours)", str(hours), f"{rate:,.2f}", f"{hours * rate:,.2f}"),
            ("Report", "1", "250.00", "250.00"),
        ],
        totals=[("Subtotal", f"£{net:,.2f}"), ("VAT 20%", f"£{tax:,.2f}"), ("Total due", f"£{total:,.2f}")],
        footer=["Payment within 30 days by bank transfer."],
    )
    return image_only_pdf(ex.draw_invoice(inv), dpi=200), number, issued, round(total, 2)


@needs_tesseract
def test_a_scanned_invoice_is_read_offline_with_ocr_confidence_folded_in() -> None:
    # GIVEN an invoice rendered to an image-only PDF (no text layer at all)
    data, number, issued, total = _scanned_invoice(seed=11)
    doc = inspect_pdf(Source("scan.pdf", data))
    assert not doc.has_text_layer
    # WHEN the offline extractor reads it
    extractor = OfflineExtractor(ocr=True)
    result = extractor.extract(doc, INVOICE)
    # THEN invoice number, date and total are right
    values = result.values
    assert values["invoice_number"].value == number
    assert values["issue_date"].value == issued
    assert values["total_amount"].value == total
    # AND each value says it was read by OCR, with a confidence below 1 scaled by the OCR's
    for name in ("invoice_number", "issue_date", "total_amount"):
        assert "read by OCR" in values[name].note
        assert 0 < values[name].confidence < 1
    assert any(n.startswith("no text layer: read by OCR (Tesseract, eng") for n in result.notes)
    # AND the document is classified from its OCR text
    assert extractor.classify(doc).doc_type == "invoice"


@needs_tesseract
def test_ocr_lines_carry_boxes_and_confidences_in_page_points() -> None:
    # GIVEN a scanned invoice
    data, number, _, _ = _scanned_invoice(seed=5)
    # WHEN its page is OCR'd
    read = ocr.ocr_pdf(data, 1, budget_s=120)
    # THEN the invoice number's line lies on the page (A4 points, top-left origin) with a confidence
    [line] = [ln for ln in read.lines if number in ln.text]
    assert 0 <= line.x0 < line.x1 <= line.page_width
    assert 0 <= line.top < line.page_height / 2
    assert 0.5 < line.confidence <= 1
    assert number in read.pages[0]


def test_without_tesseract_the_row_says_how_to_enable_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a scan and a machine without Tesseract
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    data = image_only_pdf(_examples().draw_invoice(_examples().INVOICES[0]), dpi=50)
    doc = inspect_pdf(Source("scan.pdf", data))
    # WHEN it is extracted offline
    result = OfflineExtractor(ocr=True).extract(doc, INVOICE)
    # THEN no value is invented, and the note says how to enable OCR
    assert all(v.value is None for v in result.values.values())
    assert any("apt-get install tesseract-ocr" in n for n in result.notes)


def test_ocr_time_budget_stops_early_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a budget too small for any page
    monkeypatch.setattr(ocr, "tesseract_path", lambda: "/bin/true")
    monkeypatch.setattr(ocr, "installed_languages", lambda exe: ("eng",))
    data = image_only_pdf(_examples().draw_invoice(_examples().INVOICES[0]), dpi=50)
    # WHEN OCR runs with it
    read = ocr.ocr_pdf(data, 1, budget_s=0.5)
    # THEN nothing is read and a note says why
    assert read.pages == [""]
    assert read.notes == ["OCR stopped after 0 of 1 pages: time limit (0.5 s)"]


def _tsv_row(line: int, word: int, left: int, top: int, text: str) -> str:
    # level, page, block, par, line, word, left, top, width, height, conf, text (Tesseract's TSV columns)
    return "\t".join(map(str, (5, 1, 1, 1, line, word, left, top, 120, 30, 95, text)))


def test_a_skewed_page_has_its_rows_levelled_before_values_join_their_labels() -> None:
    # GIVEN Tesseract's words of a page turned by about 2 degrees: each row drifts 0.035 px per px to
    # the right, so a value far right stands more than a line lower than its label on the left
    slope = 0.035
    rows = ["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"]
    prose = ["Thank", "you", "for", "your", "order", "and", "payment"]
    for n, y in enumerate((300, 400, 500), start=1):
        rows += [
            _tsv_row(n, i, 100 + 150 * i, round(y + slope * (160 + 150 * i)), w) for i, w in enumerate(prose)
        ]
    rows.append(_tsv_row(4, 0, 100, round(600 + slope * 160), "Invoice"))
    rows.append(_tsv_row(4, 1, 250, round(600 + slope * 310), "number:"))
    rows.append(_tsv_row(5, 0, 2000, round(600 + slope * 2060), "80417"))
    rows.append(_tsv_row(6, 0, 100, round(640 + slope * 160), "Customer"))
    rows.append(_tsv_row(6, 1, 250, round(640 + slope * 310), "no.:"))
    tsv = "\n".join(rows)
    # WHEN the words are grouped into lines
    lines = [ln.text for ln in ocr._lines(tsv, 1, 1.0, 2500.0, 3500.0)]
    # THEN the value joins its own label's row, not the row below
    assert "Invoice number: 80417" in lines
    assert "Customer no.:" in lines


@needs_tesseract
def test_a_scan_fed_askew_is_read_with_its_number_date_and_total() -> None:
    # GIVEN a generated invoice scanned at 150 dpi with the sheet turned by 1.5 degrees
    from tests.invoicegen import generate

    made = generate(5003)
    doc = inspect_pdf(Source("askew.pdf", image_only_pdf(made.pdf, dpi=150, skew=1.5)))
    # WHEN the offline extractor reads it by OCR
    values = OfflineExtractor(ocr=True).extract(doc, INVOICE).values
    # THEN invoice number, issue date and total are the invoice's
    assert values["invoice_number"].value == made.truth["invoice_number"]
    assert values["issue_date"].value == made.truth["issue_date"]
    assert values["total_amount"].value == made.truth["total_amount"]


def test_a_page_read_on_its_side_is_suspected_and_an_upright_one_is_not() -> None:
    # GIVEN Tesseract's words of an upright page (wide, confident) and of a page on its side (tall)
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    upright = [header] + [
        "\t".join(map(str, (5, 1, 1, 1, 1, i, 100 * i, 50, 90, 20, 93, "Invoice"))) for i in range(8)
    ]
    sideways = [header] + [
        "\t".join(map(str, (5, 1, 1, 1, 1, i, 50, 100 * i, 20, 90, 93, "Invoice"))) for i in range(8)
    ]
    # WHEN each is checked THEN only the one on its side is suspected of being turned
    assert not ocr._looks_turned("\n".join(upright))
    assert ocr._looks_turned("\n".join(sideways))


@needs_tesseract
@pytest.mark.parametrize("turn", [180, 270])
def test_a_page_scanned_upside_down_or_on_its_side_is_turned_upright_and_read(turn: int) -> None:
    # GIVEN a generated invoice put in the scanner upside down or on its side
    from tests.invoicegen import generate

    made = generate(5004)
    doc = inspect_pdf(Source("turned.pdf", image_only_pdf(made.pdf, dpi=200, turn=turn)))
    # WHEN the offline extractor reads it by OCR
    result = OfflineExtractor(ocr=True).extract(doc, INVOICE)
    # THEN the page was turned upright (Tesseract's orientation check) and its key fields are right
    assert any("scanned turned" in note for note in result.notes)
    for name in ("invoice_number", "issue_date", "total_amount"):
        assert result.values[name].value == made.truth[name]


def test_a_line_with_descenders_has_the_same_print_size_as_its_neighbours() -> None:
    # GIVEN two address lines in one print, the second with descenders ("Kingdom": its box is taller)
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        header,
        "\t".join(map(str, (5, 1, 1, 1, 1, 1, 100, 500, 120, 30, 95, "Leeds"))),
        "\t".join(map(str, (5, 1, 1, 1, 1, 2, 240, 500, 120, 30, 95, "LS1"))),
        "\t".join(map(str, (5, 1, 1, 1, 2, 1, 100, 550, 140, 30, 95, "United"))),
        "\t".join(map(str, (5, 1, 1, 1, 2, 2, 260, 550, 200, 39, 95, "Kingdom"))),
    ]
    # WHEN the words are grouped into lines
    first, second = ocr._lines("\n".join(rows), 1, 1.0, 2500.0, 3500.0)
    # THEN both lines have the size of their letters at cap height, so the layout keeps them in one block
    assert first.size == second.size == 30


def _tsv_page(rows: list[str]) -> str:
    """Tesseract TSV of one page whose lines are ``rows`` (one line each, words 100 px apart)."""
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    out = [header]
    for n, row in enumerate(rows, start=1):
        for i, word in enumerate(row.split(), start=1):
            out.append(
                "\t".join(map(str, (5, 1, n, 1, 1, i, 200 + 160 * i, 300 + 60 * n, 140, 30, 94, word)))
            )
    return "\n".join(out)


def _stand_in_tesseract(monkeypatch: pytest.MonkeyPatch, first: str, second: str) -> list[tuple[str, float]]:
    """Tesseract replaced by a stand-in answering ``first`` to the first reading's page segmentation and
    ``second`` to any other; returns the (segmentation, timeout) of each call as they happen."""
    calls: list[tuple[str, float]] = []

    def tesseract(exe: str, image: bytes, lang: str, *, timeout: float, segmentation: str = "3") -> str:
        calls.append((segmentation, timeout))
        return first if segmentation == ocr.PAGE_SEGMENTATION else second

    monkeypatch.setattr(ocr, "_tesseract", tesseract)
    monkeypatch.setattr(ocr, "tesseract_path", lambda: "/usr/bin/tesseract")
    monkeypatch.setattr(ocr, "installed_languages", lambda exe: ("eng",))
    return calls


def test_a_key_field_the_first_reading_lost_is_taken_from_a_second_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a scan whose automatic page segmentation drops the total's label, and another that keeps it
    top = ["Kestrel Survey Ltd", "INVOICE", "Invoice No: INV-2025-4411", "Invoice date: 14 March 2025"]
    first = _tsv_page([*top, "Subtotal £1,000.00", "VAT 20% £200.00", "£1,200.00"])
    second = _tsv_page([*top, "Subtotal £1,000.00", "VAT 20% £200.00", "Total due £1,200.00"])
    calls = _stand_in_tesseract(monkeypatch, first, second)
    pdf, _, _, _ = _scanned_invoice(1)
    # WHEN the offline extractor reads it
    result = OfflineExtractor(ocr=True).extract(inspect_pdf(Source("scan.pdf", pdf)), INVOICE)
    # THEN the total comes from the second reading, with a note; what the first read stays its own
    assert [segmentation for segmentation, _ in calls] == [ocr.PAGE_SEGMENTATION, ocr.SECOND_SEGMENTATION]
    assert float(result.values["total_amount"].value) == 1200.0  # type: ignore[arg-type]
    assert result.values["invoice_number"].value == "INV-2025-4411"
    assert any("total_amount: read in a second OCR pass" in note for note in result.notes)


def test_a_first_reading_that_answers_the_key_fields_is_not_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a scan whose first reading has the number, the date and the total
    page = _tsv_page(
        ["INVOICE", "Invoice No: INV-2025-4411", "Invoice date: 14 March 2025", "Total £1,200.00"]
    )
    calls = _stand_in_tesseract(monkeypatch, page, page)
    pdf, _, _, _ = _scanned_invoice(2)
    # WHEN it is extracted THEN Tesseract ran once: a second reading costs a full page's OCR
    result = OfflineExtractor(ocr=True).extract(inspect_pdf(Source("scan.pdf", pdf)), INVOICE)
    assert [segmentation for segmentation, _ in calls] == [ocr.PAGE_SEGMENTATION]
    assert result.values["total_amount"].value is not None


def test_the_second_reading_keeps_within_a_smaller_ocr_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an OCR budget of 5 s (ZAPDOC_OCR_BUDGET_S) and a first reading that loses the total
    monkeypatch.setenv("ZAPDOC_OCR_BUDGET_S", "5")
    top = ["INVOICE", "Invoice No: INV-2025-4411", "Invoice date: 14 March 2025"]
    calls = _stand_in_tesseract(
        monkeypatch, _tsv_page([*top, "£1,200.00"]), _tsv_page([*top, "Total due £1,200.00"])
    )
    pdf, _, _, _ = _scanned_invoice(3)
    result = OfflineExtractor(ocr=True).extract(inspect_pdf(Source("scan.pdf", pdf)), INVOICE)
    # THEN both readings ran within the 5 s, and the second still found the total
    assert len(calls) == 2 and all(timeout <= 5.0 for _, timeout in calls)
    assert result.values["total_amount"].value is not None
