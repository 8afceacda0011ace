"""Labels of European shop and ERP invoices (tests/htmlinvoices_eu.py), on reportlab documents of the same
structure: order references ("Bestellreferenz", Dutch "Bestelnummer", "Uw referentie", an id that starts
with "PO"), and a label and its value in two table cells set a pixel or two apart, which pdfium's text
joins into one word ("Rechnungsdatum20.07.2025") unless the reader parts them (inputs/layout.cell_gaps).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from tests.pdfs import make_pdf
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf


def _extract(pdf: bytes) -> dict[str, object]:
    got = OfflineExtractor(ocr=False).extract(inspect_pdf(Source("eu.pdf", pdf)), template_fields("invoice"))
    return {name: fv.value for name, fv in got.values.items()}


@pytest.mark.parametrize(
    ("title", "label", "order"),
    [
        ("Rechnung", "Bestellreferenz", "PO3524"),
        ("Factuur", "Bestelnummer", "BE-48868"),
        ("Factuur", "Uw referentie", "PO9942"),
        ("Invoice", "Purchase order reference", "PO4903"),
    ],
)
def test_an_order_reference_is_read_whole_under_its_label(title: str, label: str, order: str) -> None:
    # GIVEN an invoice whose order reference stands under a shop's or an e-invoice viewer's label
    text = f"Kestrel Handel GmbH\n{title}\n{title} 2025-118\n{label} {order}\nTotal 121,00 EUR"
    # WHEN it is extracted
    got = _extract(make_pdf([text]))
    # THEN the order number is the whole reference, its "PO" included
    assert got["order_number"] == order


def _cells(rows: list[tuple[str, str]], gap: float) -> bytes:
    """Label and value of each row drawn as two runs ``gap`` points apart, as an unpadded table prints."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    c.setFont("Helvetica", 10)
    c.drawString(50, height - 50, "Kestrel Handel GmbH · Am Markt 3 · 20095 Hamburg")
    for i, (label, value) in enumerate(rows):
        y = height - 90 - 14 * i
        c.drawString(50, y, label)
        c.drawString(50 + stringWidth(label, "Helvetica", 10) + gap, y, value)
    c.showPage()
    c.save()
    return buf.getvalue()


ROWS = [
    ("Rechnung", ""),
    ("Rechnungsnummer", "RE-2025-39700"),
    ("Rechnungsdatum", "20.07.2025"),
    ("Fällig am", "30.07.2025"),
    ("Bestellnummer", "BE-57103"),
    ("Rechnungsbetrag", "1.190,00 €"),
]


def test_a_label_and_its_value_in_two_cells_a_pixel_apart_are_two_words() -> None:
    # GIVEN label and value cells 1.5 pt apart (a 1 px padding each side), which pdfium reads as one word
    pdf = _cells(ROWS, 1.5)
    # WHEN it is extracted
    got = _extract(pdf)
    # THEN each label gives its value
    assert got["invoice_number"] == "RE-2025-39700"
    assert got["issue_date"] == dt.date(2025, 7, 20)
    assert got["due_date"] == dt.date(2025, 7, 30)
    assert got["order_number"] == "BE-57103"
    assert "Rechnungsdatum 20.07.2025" in inspect_pdf(Source("eu.pdf", pdf)).pages[0]


def test_letters_of_one_word_are_never_parted() -> None:
    # GIVEN words with capitals and digits inside them, each set as one run
    pdf = make_pdf(["Kestrel GmbH McLaren iPhone 4711Berlin Art.Nr.A12 B2B"])
    # WHEN the text is read, THEN it is as printed
    assert (
        "Kestrel GmbH McLaren iPhone 4711Berlin Art.Nr.A12 B2B" in inspect_pdf(Source("w.pdf", pdf)).pages[0]
    )
