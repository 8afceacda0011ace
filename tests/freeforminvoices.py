"""Seeded small-business invoices drawn with reportlab, in the free forms such invoices take: the sender
named in a centred or flush-right letterhead, under a logo word, in a title line, under "From" or "Our
details", only in a one-line imprint at the foot, after "Remit payment to:", under a letter's closing or
in "Please make all checks payable to ..."; the addressee under "Bill To", "Invoice To:", "Customer:",
"To:", "SOLD TO" beside "SHIP TO", "Billed to" over an "Attn:" line, on one line after "Client:", or in an
unheaded window; the invoice number after "Invoice #", "Invoice No.", "Inv #", "Invoice Number:" or a
bare "Number". Names are English words and trades, with or without a legal form; a quarter of the
addressees are people.

``generate(seed)`` walks through every pair of sender and addressee form as the seed grows
(``len(VENDOR_FORMS) * len(BUYER_FORMS)`` seeds cover them all)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen import canvas

from tests.htmlinvoices_en import FIRST, LAST, STREETS, TRADES, WORDS

PLACES = ("Austin, TX 78701", "Brooklyn, NY 11201", "Leeds LS1 4AP", "Toronto, ON M5V 2T6", "Sydney NSW 2000",
          "Portland, OR 97205", "Manchester M1 2AB", "Dublin 2, D02 X285")  # fmt: skip
FORMS = ("Ltd", "LLC", "Inc.", "", "", "Pty Ltd", "Limited", "Co.")
VENDOR_FORMS = ("letterhead_center", "letterhead_right", "footer_only", "from_heading", "top_left",
                "payable_to", "title_line", "logo_word", "remit_to", "signature", "our_details")  # fmt: skip
BUYER_FORMS = ("bill_to", "invoice_to", "customer_colon", "to", "sold_ship", "window", "billed_to_attn",
               "client_inline")  # fmt: skip
HEADINGS = {"bill_to": "Bill To", "invoice_to": "Invoice To:", "customer_colon": "Customer:", "to": "To:",
            "sold_ship": "SOLD TO", "billed_to_attn": "Billed to"}  # fmt: skip
NUMBER_LABELS = ("Invoice #", "Invoice No.", "Invoice Number:", "Inv #", "Number")
DATE_LABELS = ("Date", "Invoice Date:", "Issued", "Date of issue")


@dataclass(frozen=True)
class FreeformInvoice:
    seed: int
    vendor_form: str
    buyer_form: str
    pdf: bytes
    truth: dict[str, str]


def _company(rng: random.Random, avoid: str = "") -> str:
    word = rng.choice([w for w in WORDS if w not in avoid])
    return f"{word} {rng.choice(TRADES)} {rng.choice(FORMS)}".strip()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _address(rng: random.Random) -> list[str]:
    return [f"{rng.randrange(2, 990)} {rng.choice(STREETS)}", rng.choice(PLACES)]


def generate(seed: int) -> FreeformInvoice:
    rng = random.Random(seed)
    vendor_form = VENDOR_FORMS[seed % len(VENDOR_FORMS)]
    buyer_form = BUYER_FORMS[(seed // len(VENDOR_FORMS)) % len(BUYER_FORMS)]
    vendor = _company(rng)
    buyer = _company(rng, vendor) if rng.random() < 0.75 else _person(rng)
    domain = vendor.split(maxsplit=1)[0].lower() + rng.choice((".com", ".co.uk", ".io"))
    vendor_address, buyer_address = _address(rng), _address(rng)
    phone = f"(555) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
    email = f"{rng.choice(('billing', 'accounts', 'hello', 'info'))}@{domain}"
    year = rng.randrange(2020, 2026)
    number = rng.choice(
        (
            f"INV-{rng.randrange(1000, 99999)}",
            f"{rng.randrange(10000, 999999)}",
            f"{year}-{rng.randrange(100, 999)}",
        )
    )
    date = rng.choice(("March 3, 2025", "03/14/2025", "14 March 2025", "2025-03-14"))
    dollars, cents = rng.randrange(100, 9000), rng.randrange(0, 100)
    total = f"{dollars}.{cents:02d}"
    buf = io.BytesIO()
    size = rng.choice((A4, LETTER))
    c = canvas.Canvas(buf, pagesize=size, invariant=True)
    width, height = size
    top = height - 60

    def lines_at(x: float, y: float, lines: list[str], step: float, *, right: bool = False) -> None:
        for i, line in enumerate(lines):
            (c.drawRightString if right else c.drawString)(x, y - step * i, line)

    c.setFont("Helvetica", 9)
    if vendor_form == "letterhead_center":
        c.setFont("Helvetica-Bold", 20)
        c.drawCentredString(width / 2, top, vendor)
        c.setFont("Helvetica", 8)
        c.drawCentredString(
            width / 2, top - 14, f"{vendor_address[0]}, {vendor_address[1]} · {phone} · {email}"
        )
    elif vendor_form == "letterhead_right":
        c.setFont("Helvetica-Bold", 14)
        c.drawRightString(width - 50, top, vendor)
        c.setFont("Helvetica", 9)
        lines_at(width - 50, top - 14, [*vendor_address, phone, email], 11, right=True)
    elif vendor_form == "from_heading":
        c.setFont("Helvetica-Bold", 9)
        c.drawString(330, top - 60, "From")
        c.setFont("Helvetica", 10)
        lines_at(330, top - 73, [vendor, *vendor_address, email], 12)
    elif vendor_form == "top_left":
        c.setFont("Helvetica-Bold", 12)
        c.drawString(50, top, vendor)
        c.setFont("Helvetica", 9)
        lines_at(50, top - 13, [*vendor_address, f"Phone: {phone}"], 11)
    elif vendor_form == "title_line":
        c.setFont("Helvetica-Bold", 16)
        c.drawString(50, top, f"{vendor} — Invoice")
        c.setFont("Helvetica", 9)
        c.drawString(50, top - 14, f"{vendor_address[0]} | {vendor_address[1]} | {email}")
    elif vendor_form == "logo_word":  # the logo's word in big print, the name spelled out under it
        c.setFont("Helvetica-Bold", 22)
        c.drawString(50, top, vendor.split(maxsplit=1)[0].upper())
        c.setFont("Helvetica", 9)
        lines_at(50, top - 14, [vendor, f"www.{domain}"], 11)
    elif vendor_form == "remit_to":
        c.setFont("Helvetica-Bold", 9)
        c.drawString(50, 160, "Remit payment to:")
        c.setFont("Helvetica", 9)
        lines_at(50, 148, [vendor, *vendor_address], 11)
    elif vendor_form == "signature":
        c.setFont("Helvetica", 10)
        c.drawString(50, 170, "Kind regards,")
        lines_at(50, 140, [_person(rng), vendor], 12)
        c.setFont("Helvetica", 8)
        c.drawString(50, 116, email)
    elif vendor_form == "our_details":
        c.setFont("Helvetica-Bold", 9)
        c.drawString(400, top, "Our details")
        c.setFont("Helvetica", 9)
        lines_at(400, top - 12, [vendor, *vendor_address, phone], 11)
    if vendor_form != "title_line":
        c.setFont("Helvetica-Bold", 18)
        c.drawString(50, top - 40, "INVOICE")
    c.setFont("Helvetica", 9)
    meta = [(rng.choice(NUMBER_LABELS), number), (rng.choice(DATE_LABELS), date), ("Terms", "Net 30")]
    rng.shuffle(meta)
    for i, (label, value) in enumerate(meta):
        c.drawString(400, top - 150 - 12 * i, label)
        c.drawRightString(width - 50, top - 150 - 12 * i, value)
    heading = HEADINGS.get(buyer_form)
    party = ([heading] if heading else []) + [buyer] + buyer_address
    if buyer_form == "billed_to_attn":
        party = [heading or "", buyer, f"Attn: {_person(rng)}", *buyer_address]
    elif buyer_form == "client_inline":
        party = [f"Client: {buyer}", *buyer_address]
    c.setFont("Helvetica", 10)
    lines_at(50, top - 150, party, 12)
    if buyer_form == "sold_ship":
        lines_at(220, top - 150, ["SHIP TO", rng.choice(("Warehouse 4", _person(rng))), *_address(rng)], 12)
    y = top - 240
    c.setFont("Helvetica-Bold", 9)
    c.drawString(50, y, "Description")
    c.drawRightString(width - 50, y, "Amount")
    c.setFont("Helvetica", 9)
    shown = f"${dollars:,}.{cents:02d}"
    c.drawString(50, y - 14, rng.choice(("Consulting services", "Design work", "Monthly support")))
    c.drawRightString(width - 50, y - 14, shown)
    for i, label in enumerate(("Total", "Balance Due")):
        c.drawString(380, y - 38 - 12 * i, label)
        c.drawRightString(width - 50, y - 38 - 12 * i, shown)
    c.setFont("Helvetica", 8)
    if vendor_form == "payable_to":
        lines_at(50, 120, [f"Please make all checks payable to {vendor}.", f"Questions? {email}"], 12)
    elif vendor_form == "footer_only":  # the one-line imprint: name · street · place · e-mail
        c.drawCentredString(width / 2, 50, f"{vendor} · {vendor_address[0]} · {vendor_address[1]} · {email}")
    c.drawString(50, 70, "Thank you for your business!")
    c.showPage()
    c.save()
    truth = {"vendor_name": vendor, "buyer_name": buyer, "invoice_number": number, "total_amount": total}
    return FreeformInvoice(seed, vendor_form, buyer_form, buf.getvalue(), truth)
