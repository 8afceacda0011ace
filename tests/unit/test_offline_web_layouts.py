"""Party blocks as web invoicing pages lay them out (printed by a browser; here drawn with reportlab at the
positions Chromium prints them, so no browser is needed): tests/htmlinvoices_en.py draws the same
structures as HTML, tests/integration/test_html_invoices_en.py prints and checks them.

- the "Bill To" heading a line's height under the sender's e-mail, in the sender's column: the heading
  opens the buyer's block instead of ending the sender's (the sender's block used to swallow the buyer,
  and the vendor came out as the buyer's name);
- "FROM | TO" header cells centred over the two address cells under them: each lone heading names the
  block in the column under it.
"""

from __future__ import annotations

import io
import random

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.htmlinvoices_en import _address, _company
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

Text = tuple[float, float, float, str, str]  # x, top (from the page's top), size, font, text
_, HEIGHT = A4


def placed_pdf(texts: list[Text]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    for x, top, size, font, text in texts:
        c.setFont(font, size)
        if x < 0:  # right-aligned at -x
            c.drawRightString(-x, HEIGHT - top, text)
        else:
            c.drawString(x, HEIGHT - top, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def parties(pdf: bytes) -> tuple[object, object]:
    doc = inspect_pdf(Source("web.pdf", pdf))
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    return values["vendor_name"].value, values["buyer_name"].value


def _table(top: float) -> list[Text]:
    return [
        (40, top, 10, "Helvetica-Bold", "Description"),
        (300, top, 10, "Helvetica-Bold", "Qty"),
        (-555, top, 10, "Helvetica-Bold", "Amount"),
        (40, top + 16, 10, "Helvetica", "Consulting hours"),
        (300, top + 16, 10, "Helvetica", "3"),
        (-555, top + 16, 10, "Helvetica", "$360.00"),
        (-480, top + 40, 10, "Helvetica-Bold", "Total"),
        (-555, top + 40, 10, "Helvetica-Bold", "$360.00"),
    ]


@pytest.mark.parametrize("seed", range(8))
def test_a_bill_to_heading_right_under_the_senders_lines_opens_the_buyers_block(seed: int) -> None:
    # GIVEN a letterhead (big name, address, phone, e-mail) and, a line's height under it in the same
    # column, the "Bill To" heading in print a little larger than the lines, then the buyer
    rng = random.Random(seed)
    vendor, buyer = _company(rng, "US", form=True), _company(rng, "US", form=True)
    texts: list[Text] = [(40, 40, 24, "Helvetica-Bold", vendor)]
    top = 62.0
    street, city = _address(rng, "US")[0], rng.choice(("Austin, TX 78701", "Denver, CO 80202"))
    for line in [street, city, "(415) 555-0199", "billing@example.com"]:
        texts.append((40, top, 10.5, "Helvetica", line))
        top += 12.5
    top += rng.choice((6.0, 8.0, 10.0))
    texts.append((40, top, 12, "Helvetica-Bold", rng.choice(("Bill To", "Billed To", "Invoice To"))))
    for line in [buyer, f"{rng.randrange(2, 990)} Oak Avenue", "Brooklyn, NY 11201"]:
        top += 14
        texts.append((40, top, 10.5, "Helvetica", line))
    texts += [(-555, 40, 18, "Helvetica", "INVOICE"), (-555, 64, 10.5, "Helvetica", "Invoice #: INV-0042"),
              (-555, 77, 10.5, "Helvetica", "Date: March 21, 2025")]  # fmt: skip
    # WHEN it is read THEN the vendor is the letterhead's name and the buyer the one under "Bill To"
    assert parties(placed_pdf(texts + _table(top + 40))) == (vendor, buyer)


@pytest.mark.parametrize("seed", range(8))
def test_lone_header_cells_over_two_address_cells_name_the_block_under_each(seed: int) -> None:
    # GIVEN "FROM" and "TO" header cells centred over two half-page cells, each holding a party's address
    rng = random.Random(100 + seed)
    vendor, buyer = _company(rng, "UK", form=True), _company(rng, "UK", form=rng.random() < 0.5)
    heads = rng.choice((("FROM", "TO"), ("From", "Bill to"), ("FROM", "BILLED TO")))
    texts: list[Text] = [(260, 40, 18, "Helvetica-Bold", "INVOICE"),
                         (160 - 3 * len(heads[0]), 90, 10, "Helvetica-Bold", heads[0]),
                         (420 - 3 * len(heads[1]), 90, 10, "Helvetica-Bold", heads[1])]  # fmt: skip
    for x, lines in (
        (45, [vendor, *_address(rng, "UK"), "VAT No.: GB980780684"]),
        (305, [buyer, *_address(rng, "UK")]),
    ):
        for i, line in enumerate(lines):
            texts.append((x, 112 + 12.5 * i, 10, "Helvetica", line))
    # WHEN it is read THEN each party is the block under its heading
    assert parties(placed_pdf(texts + _table(200))) == (vendor, buyer)


@pytest.mark.parametrize(
    ("country", "city"),
    [("CA", "Toronto, ON M5V 2T6"), ("CA", "Vancouver, BC V6B 1A1"), ("AU", "Sydney NSW 2000"),
     ("AU", "Melbourne VIC 3000"), ("IE", "Dublin 2, D02 X285"), ("IE", "Cork T12 X70A")],
)  # fmt: skip
def test_a_letterhead_over_a_canadian_australian_or_irish_address_is_the_sender(
    country: str, city: str
) -> None:
    # GIVEN a brand without a legal form in big print over its street and a Canadian, Australian or Irish
    # postcode line, its contact in another column, and the buyer under "Invoice To"
    rng = random.Random(city)
    vendor, buyer = _company(rng, country, form=False), _company(rng, country, form=True)
    texts: list[Text] = [(40, 40, 20, "Helvetica-Bold", vendor), (40, 62, 10, "Helvetica", "12 King Street"),
                         (40, 74, 10, "Helvetica", city), (-555, 45, 10, "Helvetica", "+1 (604) 555-0684"),
                         (-555, 57, 10, "Helvetica", "hello@example.com"),
                         (40, 110, 10, "Helvetica", "Invoice To"), (40, 123, 10, "Helvetica", buyer),
                         (40, 136, 10, "Helvetica", "815 Oak Avenue"), (40, 149, 10, "Helvetica", city),
                         (-555, 110, 10, "Helvetica-Bold", "INVOICE"),
                         (-555, 123, 10, "Helvetica", "Invoice # INV-2041")]  # fmt: skip
    # WHEN it is read THEN the vendor is the brand over the address (the postcode line says it is one)
    assert parties(placed_pdf(texts + _table(190))) == (vendor, buyer)
