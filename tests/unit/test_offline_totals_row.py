"""The invoice's sums printed as a row: their labels side by side ("Subtotal | Tax 10% | Balance Due"),
each amount under its label ("USD 5,981.29 | USD 598.13 | USD 6,579.42"). The text layer reads each label
and then its amount on the next line; a tax rate or a currency printed with the label ("Tax 10%", "VAT @
5%", "Total (USD)") and a currency code before the amount ("USD 598.13") must not stop that read
(extraction/search.py ``_below``).

Each invoice is drawn with reportlab: a letterhead, the number and date, "Bill To", the line items and the
row of sums, with seeded labels, rates, currencies and amounts.
"""

from __future__ import annotations

import io
import random
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.printedinvoices import is_right
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

NET = ("Subtotal", "Sub-total", "Net amount", "Total excl. VAT", "Amount before tax", "Net Total")
TAX = ("Sales Tax ({r}%)", "Tax {r}%", "GST ({r}%)", "VAT @ {r}%", "HST {r}%", "VAT ({r}%)", "Total tax")
TOTAL = ("Balance Due", "Grand Total", "Total (USD)", "Invoice Total", "Amount Due", "Total incl. VAT")


def _invoice(seed: int) -> tuple[bytes, dict[str, str]]:
    rng = random.Random(seed)
    sign = rng.choice(("$", "£", "€", "USD ", ""))
    rate = rng.choice((Decimal("8.25"), Decimal("10"), Decimal("20"), Decimal("13"), Decimal("5")))
    items = [
        (
            rng.choice(("Consulting", "Hosting", "Support")),
            rng.randrange(1, 9),
            Decimal(rng.randrange(1000, 90000)) / 100,
        )
        for _ in range(rng.randrange(1, 4))
    ]
    net = sum((q * p for _, q, p in items), Decimal(0))
    tax = (net * rate / 100).quantize(Decimal("0.01"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    width, height = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawString(50, height - 60, "Harbour Analytics Ltd")
    c.setFont("Helvetica", 9)
    c.drawString(50, height - 74, "12 Market Street, Leeds LS1 4AP · billing@harbour.io")
    c.setFont("Helvetica-Bold", 18)
    c.drawString(50, height - 110, "INVOICE")
    c.setFont("Helvetica", 9)
    for i, (label, value) in enumerate((("Invoice No.", f"INV-{seed:05d}"), ("Date", "14 March 2025"))):
        c.drawString(400, height - 110 - 12 * i, label)
        c.drawRightString(width - 50, height - 110 - 12 * i, value)
    for i, line in enumerate(("Bill To", "Orion Retail Ltd", "4 Mill Lane", "Manchester M1 2AB")):
        c.drawString(50, height - 150 - 12 * i, line)
    y = height - 230
    for item, qty, price in items:
        c.drawString(50, y, item)
        c.drawRightString(330, y, str(qty))
        c.drawRightString(width - 50, y, f"{sign}{qty * price:,.2f}")
        y -= 14
    y -= 20
    labels = (rng.choice(NET), rng.choice(TAX).format(r=f"{rate:g}"), rng.choice(TOTAL))
    for x, label, amount in zip((330, 460, width - 50), labels, (net, tax, net + tax), strict=True):
        c.setFont("Helvetica-Bold", 8)
        c.drawRightString(x, y, label)
        c.setFont("Helvetica", 9)
        c.drawRightString(x, y - 12, f"{sign}{amount:,.2f}")
    c.showPage()
    c.save()
    truth = {"net_amount": f"{net:.2f}", "tax_amount": f"{tax:.2f}", "total_amount": f"{net + tax:.2f}"}
    return buf.getvalue(), truth


def test_the_sums_printed_as_a_row_of_labels_over_their_amounts() -> None:
    # GIVEN invoices whose sums stand in a row, each amount under its label
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(36):
        pdf, truth = _invoice(seed)
        # WHEN each is extracted
        got = extractor.extract(inspect_pdf(Source("row.pdf", pdf)), template_fields("invoice")).values
        # THEN the net, the tax and the total are the amounts under their labels
        for field, expected in truth.items():
            if not is_right(field, expected, got[field].value):
                wrong.append(f"seed {seed} {field}: {expected} -> {got[field].value!r}")
    assert not wrong, "\n".join(wrong)
