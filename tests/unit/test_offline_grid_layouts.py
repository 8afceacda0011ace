"""Rows printed as cells of a grid (spreadsheet and table layouts): two party blocks side by side whose
names the text layer joins into one line, and a vendor's VAT id printed under the items table, a few
lines after the buyer's block. Each document is drawn here with reportlab at the positions such a layout
prints, the same structures as the LibreOffice-printed family of tests/sheetinvoices.py."""

from __future__ import annotations

import io
import random

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.invoicegen import vat_id
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

Cell = tuple[float, float, str]  # x, y from the top, text


def _pdf(cells: list[Cell], size: float = 10) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    c.setFont("Helvetica", size)
    for x, y, text in cells:
        c.drawString(x, height - y, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _extract(pdf: bytes) -> dict[str, object]:
    doc = inspect_pdf(Source("grid.pdf", pdf))
    return {k: v.value for k, v in OfflineExtractor().extract(doc, template_fields("invoice")).values.items()}


SOLE_TRADERS = ("Jonas Weber Ingenieurbüro", "Ahmed Karimi Joinery", "Claire Morel Informatique")
BUYERS = ("Oosterhout Zahnarztpraxis e.K.", "Marlow Hotels LLP", "Kronberg Akademie GmbH")
HEADINGS = (("Rechnungssteller", "Rechnungsempfänger"), ("From", "Bill to"), ("Émetteur", "Facturé à"))


def test_party_columns_side_by_side_keep_each_name_in_its_cell() -> None:
    for k in range(3):
        vendor, buyer = SOLE_TRADERS[k], BUYERS[k]
        left, right = HEADINGS[k]
        # GIVEN "From | Bill to" headed columns: a sole trader (no legal form) left, the buyer right
        cells: list[Cell] = [
            (50, 60, "INVOICE"),
            (50, 90, "Invoice No. 2025-0917"),
            (50, 104, "Date 21/03/2025"),
        ]
        for i, (a, b) in enumerate(
            (
                (left, right),
                (vendor, buyer),
                ("Marktplatz 3", "Greta Lindqvist"),
                ("01067 Dresden", "Herenstraat 12"),
                ("office@example.de", "2511 AB Den Haag"),
            )
        ):
            cells += [(50, 140 + 13 * i, a), (320, 140 + 13 * i, b)]
        cells += [(50, 240, "Description"), (330, 240, "Qty"), (400, 240, "Price"), (480, 240, "Amount"),
                  (50, 253, "Design work"), (330, 253, "2"), (400, 253, "250.00"), (480, 253, "500.00"),
                  (400, 280, "Total"), (480, 280, "500.00")]  # fmt: skip
        got = _extract(_pdf(cells))
        # THEN each name is read from its own cell, not the joined line "vendor buyer"
        assert got["vendor_name"] == vendor, got
        assert got["buyer_name"] == buyer, got


def test_vendor_vat_under_the_items_table_is_not_the_buyers() -> None:
    rng = random.Random(41)
    for _ in range(4):
        vat = vat_id(rng, "GB")
        # GIVEN a short invoice: "Invoice to" and the buyer, the items table, the totals, then the vendor's
        # VAT registration a few lines after the buyer's heading
        groups = (["Oakhurst Catering Limited", "Castle Street, Norwich NR2 4PD"],
                  ["Invoice No. R490463", "Date 21 July 2025"],
                  ["Invoice to:", "Harwick Academy Ltd", "Queens Avenue", "Bath BA1 1LT"],
                  ["DESCRIPTION QTY UNIT PRICE AMOUNT", "Labour (hours) 2 507.64 1,015.28"],
                  ["Subtotal 1,015.28", "VAT 203.06", "TOTAL £1,218.34"], [f"VAT Reg No. {vat}"])  # fmt: skip
        cells: list[Cell] = []
        y = 60.0
        for group in groups:  # blocks apart, as a layout prints them
            for text in group:
                cells.append((50, y, text))
                y += 13
            y += 24
        got = _extract(_pdf(cells))
        # THEN the table of items ended the buyer's section: the VAT id is the vendor's
        assert got["vendor_vat_id"] == vat, got
        assert got["buyer_name"] == "Harwick Academy Ltd", got
