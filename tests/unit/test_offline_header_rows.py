"""A row of column headers ("Customer no. | Invoice date | Due date | Your order") whose text comes apart
from its print: the text gives the row as two lines (a producer that draws the last column in a second
pass, OCR that reads the last header as a block of its own), or OCR's word box of one header stands
taller (a rule under the header row) so that the gaps between the cells looked like word spaces. Each
value is still read from under its own header, by position."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction import ocr
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

HEADERS = {
    "en": ("Customer no.", "Invoice date", "Due date", "Your order", "INVOICE", "Total"),
    "de": ("Kundennr.", "Rechnungsdatum", "Fällig am", "Ihre Bestellung", "RECHNUNG", "Gesamtbetrag"),
    "fr": ("N° client", "Date de facture", "Échéance", "Votre commande", "FACTURE", "Total TTC"),
    "nl": ("Klantnummer", "Factuurdatum", "Vervaldatum", "Uw bestelling", "FACTUUR", "Totaal"),
}


def _date(day: dt.date, lang: str, rng: random.Random) -> str:
    formats = ("%d/%m/%Y", "%Y-%m-%d") if lang == "en" else ("%d.%m.%Y", "%Y-%m-%d")
    return day.strftime(rng.choice(formats))


def _lang(seed: int) -> str:
    return sorted(HEADERS)[seed % len(HEADERS)]


def _two_pass_invoice(seed: int) -> tuple[bytes, dt.date, dt.date]:
    """An invoice whose header row's last column (header and value) is drawn after everything else."""
    rng = random.Random(seed)
    lang = _lang(seed)
    customer, issue_label, due_label, order_label, title, total_label = HEADERS[lang]
    issue = dt.date(2025, rng.randint(1, 12), rng.randint(13, 28))
    due = issue + dt.timedelta(days=rng.choice((14, 30)))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4

    def text(x: float, y: float, s: str, size: float = 9, bold: bool = False) -> None:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        c.drawString(x, height - y, s)

    text(57, 60, "Harbour Supplies Ltd", 14, bold=True)
    text(57, 76, "25 High Street, Bristol BS1 5TR")
    text(57, 160, "Meridian Foods plc")
    text(57, 172, "4 Dock Road, Hull HU1 2AB")
    cells = [(customer, f"K{rng.randint(10000, 99999)}"), (issue_label, _date(issue, lang, rng)),
             (due_label, _date(due, lang, rng))]  # fmt: skip
    x, xs = 57.0, []
    for label, value in cells:
        xs.append(x)
        x += max(c.stringWidth(label, "Helvetica-Bold", 8), c.stringWidth(value, "Helvetica", 9)) + 24
    for at, (label, _) in zip(xs, cells, strict=True):
        text(at, 240, label, 8, bold=True)
    for at, (_, value) in zip(xs, cells, strict=True):
        text(at, 252, value)
    text(57, 290, f"{title} {rng.randint(1000, 9999)}", 16, bold=True)
    text(57, 320, "Consulting, 3 days")
    text(470, 320, "1,800.00")
    text(57, 350, total_label, bold=True)
    text(470, 350, "2,160.00", bold=True)
    text(x, 240, order_label, 8, bold=True)  # the last column, drawn in a second pass
    text(x, 252, f"PO{rng.randint(1000, 9999)}")
    c.showPage()
    c.save()
    return buf.getvalue(), issue, due


@pytest.mark.parametrize("seed", range(12))
def test_dates_under_a_header_row_drawn_in_two_passes_are_read_from_their_cells(seed: int) -> None:
    pdf, issue, due = _two_pass_invoice(seed)
    doc = inspect_pdf(Source(f"two-pass-{seed}.pdf", pdf))
    lines = doc.pages[0].splitlines()
    issue_label, order_label = HEADERS[_lang(seed)][1], HEADERS[_lang(seed)][3]
    header = next(line for line in lines if issue_label in line)
    assert order_label not in header  # the text gives the row as two lines
    values = OfflineExtractor(ocr=False).extract(doc, template_fields("invoice")).values
    assert values["issue_date"].value == issue
    assert values["due_date"].value == due


TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def test_a_header_row_whose_word_box_stands_taller_is_still_cut_into_its_cells() -> None:
    # GIVEN Tesseract's words of a header row, two of whose boxes run down over a rule under the row
    words = [
        ("Order", 239, 909, 100, 24),
        ("no.", 352, 915, 50, 18),
        ("Invoice", 506, 905, 130, 38),
        ("number", 648, 909, 120, 24),
        ("Customer", 872, 905, 160, 38),
        ("Invoice", 1136, 909, 130, 24),
        ("date", 1278, 909, 70, 24),
    ]
    rows = [TSV_HEADER] + [
        "\t".join(map(str, (5, 1, 4, 1, 1, i, left, top, width, h, 93, word)))
        for i, (word, left, top, width, h) in enumerate(words, start=1)
    ]
    # WHEN the words are grouped into lines
    (line,) = ocr._lines("\n".join(rows), 1, 1.0, 2500.0, 3500.0)
    # THEN the row is one line of four cells, cut at the wide gaps, not at the word spaces
    assert line.text == "Order no. Invoice number Customer Invoice date"
    assert [text for text, _, _ in line.columns] == [
        "Order no.",
        "Invoice number",
        "Customer",
        "Invoice date",
    ]
