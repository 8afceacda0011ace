"""The sender's address printed unheaded beside the headed addressee ("Acme Logistics / 1 Main St / ..." |
"Bill to / ..."), as SaaS and receipt designs print it, is the vendor's even without any contact or
registration data (extraction/layout.py ``assign_roles``, ``_beside``).

Each invoice is drawn with reportlab: a title, the invoice data as a column of labels and one of values,
then the two address blocks side by side on one band (the sender's left or right), the items' totals and
a footer line with the number and the amount due; no e-mail, phone, VAT id or IBAN anywhere.
"""

from __future__ import annotations

import io
import random

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.htmlinvoices_en import STREETS, TRADES, WORDS
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

PLACES = ("Austin, TX 78701", "Brooklyn, NY 11201", "Leeds LS1 4AP", "Toronto, ON M5V 2T6", "Sydney NSW 2000")
HEADINGS = ("Bill to", "Billed to", "Invoice to", "Customer")


def _invoice(seed: int, *, sender_left: bool) -> tuple[bytes, str, str]:
    rng = random.Random(seed)
    buyer = f"{rng.choice(WORDS)} & {rng.choice(WORDS)} {rng.choice(('LLC', 'Inc.', 'Ltd', 'Co.'))}"
    vendor = f"{rng.choice([w for w in WORDS if w not in buyer])} {rng.choice(TRADES)}"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    c.setFont("Helvetica-Bold", 18)
    c.drawString(50, height - 60, rng.choice(("Invoice", "Receipt")))
    c.setFont("Helvetica", 8)
    number = f"{rng.randrange(10**7, 10**8):X}-{rng.randrange(1000, 9999)}"
    for i, (label, value) in enumerate((("Invoice number", number), ("Date of issue", "11/09/2026"))):
        c.drawString(50, height - 90 - 11 * i, label)
        c.drawString(140, height - 90 - 11 * i, value)
    sender = [vendor, f"{rng.randrange(2, 990)} {rng.choice(STREETS)}", rng.choice(PLACES)]
    if rng.random() < 0.5:
        sender.append(rng.choice(("United States", "United Kingdom", "Canada", "Australia")))
    addressee = [
        rng.choice(HEADINGS),
        buyer,
        f"{rng.randrange(2, 990)} {rng.choice(STREETS)}",
        rng.choice(PLACES),
    ]
    for k, lines in enumerate((sender, addressee) if sender_left else (addressee, sender)):
        x = 50 + 250 * k
        for i, line in enumerate(lines):
            c.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 10)
            c.drawString(x, height - 140 - 12 * i, line)
    y = height - 260
    for label, value in (
        ("Subtotal", "USD 1,000.00"),
        ("Sales tax 6.5%", "USD 65.00"),
        ("Amount due", "USD 1,065.00"),
    ):
        c.drawString(350, y, label)
        c.drawRightString(545, y, value)
        y -= 13
    c.setFont("Helvetica", 8)
    c.drawString(50, 60, f"{number} · USD 1,065.00 due · Page 1 of 1")
    c.showPage()
    c.save()
    return buf.getvalue(), vendor, buyer


def test_an_unheaded_address_beside_the_headed_addressee_is_the_vendors() -> None:
    # GIVEN invoices whose sender's address stands unheaded beside the "Bill to" block, without contact data
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(12):
        pdf, vendor, buyer = _invoice(seed, sender_left=seed % 3 != 0)
        # WHEN each is extracted
        got = extractor.extract(inspect_pdf(Source("receipt.pdf", pdf)), template_fields("invoice")).values
        # THEN the unheaded block names the vendor and the headed one the buyer
        for field, truth in (("vendor_name", vendor), ("buyer_name", buyer)):
            if got[field].value != truth:
                wrong.append(f"seed {seed} {field}: expected {truth!r} got {got[field].value!r}")
    assert wrong == []


def _mirrored(seed: int) -> tuple[bytes, str, str]:
    """The addressee headed left; the sender's name in large print right, its address and a bare phone line
    set flush right under it, starting a line below the heading."""
    rng = random.Random(seed)
    buyer = f"{rng.choice(WORDS)} {rng.choice(TRADES)} Pty. Ltd."
    vendor = f"{rng.choice([w for w in WORDS if w not in buyer])} & Sons"
    phone = rng.choice(("(03) 9123 6204", "(02) 9876 5432", "+1 (604) 555-3241", "(212) 555-2675"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawCentredString(297, height - 50, "TAX INVOICE")
    c.setFont("Helvetica", 9)
    buyer_lines = ["BILLED TO", buyer, f"{rng.randrange(2, 990)} {rng.choice(STREETS)}", rng.choice(PLACES)]
    for i, line in enumerate([*buyer_lines, f"accounts@{buyer.split(maxsplit=1)[0].lower()}.com"]):
        c.drawString(50, height - 80 - 11 * i, line)
    c.setFont("Helvetica-Bold", 14)
    c.drawRightString(545, height - 82, vendor)
    c.setFont("Helvetica", 9)
    for i, line in enumerate((f"{rng.randrange(2, 990)} {rng.choice(STREETS)}", rng.choice(PLACES), phone)):
        c.drawRightString(545, height - 97 - 11 * i, line)
    for i, (label, value) in enumerate(
        (("Invoice number", f"{rng.randrange(1000, 9999)}"), ("Issue date", "7 September 2026"))
    ):
        c.drawString(50, height - 160 - 11 * i, label)
        c.drawString(140, height - 160 - 11 * i, value)
    c.drawString(350, height - 260, "TOTAL")
    c.drawRightString(545, height - 260, "AU$1,065.00")
    c.showPage()
    c.save()
    return buf.getvalue(), vendor, phone


def test_a_bare_phone_line_under_the_senders_flush_right_address_is_the_vendors_phone() -> None:
    # GIVEN invoices whose sender's address, set flush right under its name, ends in a phone number printed
    # without "Tel.", while the text layer reads it after the headed addressee's lines
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(8):
        pdf, vendor, phone = _mirrored(seed)
        # WHEN each is extracted
        got = extractor.extract(inspect_pdf(Source("mirror.pdf", pdf)), template_fields("invoice")).values
        # THEN the phone is the vendor's, and the name over it too
        digits = "".join(ch for ch in phone if ch.isdigit())
        found = str(got["vendor_phone"].value or "")
        if not (found.endswith(digits[-9:]) and got["vendor_name"].value == vendor):
            wrong.append(f"seed {seed}: {vendor!r} {phone!r} got {got['vendor_name'].value!r} {found!r}")
    assert wrong == []
