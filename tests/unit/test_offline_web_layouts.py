"""Party blocks as web invoicing pages lay them out (printed by a browser; here drawn with reportlab at the
positions Chromium prints them, so no browser is needed): tests/htmlinvoices_en.py draws the same
structures as HTML, tests/integration/test_html_invoices_en.py prints and checks them.

- the "Bill To" heading a line's height under the sender's e-mail, in the sender's column: the heading
  opens the buyer's block instead of ending the sender's (the sender's block used to swallow the buyer,
  and the vendor came out as the buyer's name);
- "FROM | TO" header cells centred over the two address cells under them: each lone heading names the
  block in the column under it;
- Canadian, Australian and Irish postcode lines mark a sender's address under its brand;
- "INVOICE NO. | DATE OF ISSUE" header cells (no "Invoice No. 4711 of ..." date label: no number in it),
  "#2789" under its header, Canada's HST, "+44 (0)113 ..." phones;
- a letter-spaced title ("INVO ICE") is no letterhead.
"""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.htmlinvoices_en import _address, _company
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.extraction.patterns import find_phones
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


def values(pdf: bytes) -> dict[str, object]:
    doc = inspect_pdf(Source("web.pdf", pdf))
    return {
        k: fv.value for k, fv in OfflineExtractor().extract(doc, template_fields("invoice")).values.items()
    }


@pytest.mark.parametrize(
    ("number_head", "number", "expected"),
    [("INVOICE NO.", "INV-0438", "INV-0438"), ("INVOICE NUMBER", "4917", "4917"),
     ("INVOICE NO.", "#2789", "2789"), ("INVOICE NUMBER", "#1320", "1320")],
)  # fmt: skip
def test_the_number_under_its_header_cell_beside_a_date_of_issue_cell(
    number_head: str, number: str, expected: str
) -> None:
    # GIVEN a row of header cells "INVOICE NO. | DATE OF ISSUE | DUE DATE" centred over a row of values
    # (the header row reads "INVOICE NO. DATE OF ...", which is no "Invoice No. 4711 of ..." date label:
    # no number in it), the number printed with or without its "#"
    texts: list[Text] = [(260, 40, 18, "Helvetica-Bold", "INVOICE")]
    cells = (
        (110, number_head, number),
        (280, "DATE OF ISSUE", "26 Sep 2026"),
        (440, "DUE DATE", "10 Nov 2026"),
    )
    texts += [(x, 80, 10, "Helvetica-Bold", head) for x, head, _ in cells]  # a row is drawn left to right
    texts += [(x + 8, 96, 10, "Helvetica", value) for x, _, value in cells]
    texts += [(45, 130, 10, "Helvetica", "Kestrel Design Ltd"), (45, 143, 10, "Helvetica", "12 King Street"),
              (45, 156, 10, "Helvetica", "Leeds LS1 5DL")]  # fmt: skip
    # WHEN it is read THEN the invoice number is the value under its cell
    got = values(placed_pdf(texts + _table(200)))
    assert (got["invoice_number"], str(got["issue_date"])) == (expected, "2026-09-26")


def test_canadian_hst_is_the_tax() -> None:
    # GIVEN totals with the Harmonized Sales Tax ("HST (13%)") WHEN read THEN it is the tax amount
    texts: list[Text] = [(40, 40, 18, "Helvetica-Bold", "Juniper Labs Inc."),
                         (40, 60, 10, "Helvetica", "Invoice # 1042"),
                         (-555, 100, 10, "Helvetica", "Subtotal CA$1,000.00"),
                         (-555, 114, 10, "Helvetica", "HST (13%) CA$130.00"),
                         (-555, 128, 10, "Helvetica-Bold", "Total CA$1,130.00")]  # fmt: skip
    got = values(placed_pdf(texts))
    assert (got["tax_amount"], got["net_amount"], got["total_amount"]) == (
        Decimal("130.00"), Decimal("1000.00"), Decimal("1130.00"))  # fmt: skip


@pytest.mark.parametrize(
    ("printed", "number"),
    [("+44 (0)113 496 9148", "+441134969148"), ("Phone: +44 (0)20 7946 0958", "+442079460958"),
     ("Tel. +49 (0)30 1234567", "+49301234567"), ("+44 (0) 161 496 0000", "+441614960000")],
)  # fmt: skip
def test_a_trunk_zero_in_brackets_stays_inside_the_number(printed: str, number: str) -> None:
    # GIVEN an international number with the national trunk "(0)" glued to the area code WHEN read THEN
    # it is one number with its country code (it used to be cut at "(0", then read without "+44")
    assert [f.value for f in find_phones(printed)] == [number]


@pytest.mark.parametrize("title", ["INVO ICE", "I N V O I C E", "TAX INVO ICE"])
def test_a_letter_spaced_title_is_no_letterhead(title: str) -> None:
    # GIVEN a centred title letter-spaced by CSS (the text layer reads stray spaces in it), "BILLED TO"
    # top left and the company's block right-aligned in larger print beside it
    rng = random.Random(title)
    vendor, buyer = _company(rng, "AU", form=True), _company(rng, "AU", form=True)
    texts: list[Text] = [(250, 40, 16, "Helvetica", title), (40, 80, 10, "Helvetica-Bold", "BILLED TO"),
                         (40, 93, 10, "Helvetica", buyer), (40, 106, 10, "Helvetica", "202 Elm Grove"),
                         (40, 119, 10, "Helvetica", "Melbourne VIC 3000"),
                         (40, 140, 10, "Helvetica", "Invoice No. 38DCCE36-1516"),
                         (-555, 82, 15, "Helvetica-Bold", vendor),
                         (-555, 98, 10, "Helvetica", "195 Elm Grove"),
                         (-555, 111, 10, "Helvetica", "Brisbane QLD 4000"),
                         (-555, 124, 10, "Helvetica", "(03) 9123 7682")]  # fmt: skip
    # WHEN it is read THEN the vendor is the company's block, not the title
    assert parties(placed_pdf(texts + _table(200))) == (vendor, buyer)


@pytest.mark.parametrize("po", ["PO-34537", "PO40086", "PO-2025-0317"])
def test_an_order_number_under_its_header_cell_keeps_its_po_prefix(po: str) -> None:
    # GIVEN header cells "INVOICE NO. | DATE | P.O. NUMBER" over a row of values whose order number starts
    # with "PO" (itself an order-number label)
    cells = ((110, "INVOICE NO.", "INV-0042"), (280, "DATE", "5 Apr 2026"), (440, "P.O. NUMBER", po))
    texts: list[Text] = [(260, 40, 18, "Helvetica-Bold", "INVOICE")]
    texts += [(x, 80, 10, "Helvetica-Bold", head) for x, head, _ in cells]
    texts += [(x + 8, 96, 10, "Helvetica", value) for x, _, value in cells]
    # WHEN it is read THEN the order number is the whole cell: the "PO" in it is no label of its own
    assert values(placed_pdf(texts + _table(200)))["order_number"] == po


@pytest.mark.parametrize("phone", ["(212) 555-2675", "+1 (415) 555-0199", "020 7946 0123"])
def test_an_unheaded_sender_column_with_a_bare_phone_line_is_the_sender(phone: str) -> None:
    # GIVEN a SaaS receipt: meta rows on top, then two columns, the sender's name, address and phone
    # number without label or e-mail (and no legal form) beside the buyer under "Bill to"
    rng = random.Random(phone)
    vendor, buyer = _company(rng, "US", form=False), _company(rng, "US", form=True)
    texts: list[Text] = [(40, 40, 15, "Helvetica-Bold", "Invoice"), (40, 62, 9, "Helvetica", "Invoice No."),
                         (40, 73, 9, "Helvetica", "Date of issue"), (130, 62, 9, "Helvetica", "INV-1958"),
                         (130, 73, 9, "Helvetica", "July 16, 2025")]  # fmt: skip
    for x, lines in ((40, [vendor, "858 High Street", "Austin, TX 78701", phone]),
                     (300, ["Bill to", buyer, "280 Elm Grove", "Denver, CO 80202"])):  # fmt: skip
        texts += [(x, 100 + 12 * i, 10, "Helvetica", line) for i, line in enumerate(lines)]
    # WHEN it is read THEN the vendor is the name heading the sender's column
    assert parties(placed_pdf(texts + _table(190))) == (vendor, buyer)
