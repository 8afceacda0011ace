"""Labels of European shop and ERP invoices (tests/htmlinvoices_eu.py), on reportlab documents of the same
structure: order references ("Bestellreferenz", Dutch "Bestelnummer", "Uw referentie", an id that starts
with "PO"), and a label and its value in two table cells set a pixel or two apart, which pdfium's text
joins into one word ("Rechnungsdatum20.07.2025") unless the reader parts them (inputs/layout.cell_gaps).
"""

from __future__ import annotations

import pytest

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
