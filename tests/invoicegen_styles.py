"""A seeded generator of invoice STYLES that tests/invoicegen.py does not draw, with their ground truth.

tests/invoicegen.py draws one European family (letterhead, window, info block, items, totals,
registration footer). Third-party invoices also come as:

- ``us``: a US small-business invoice (QuickBooks-like): "INVOICE #", "DATE", "DUE DATE", "TERMS",
  "P.O. #" in a box top right (labels in one column and values in the next, or a label row over a
  value row), BILL TO and SHIP TO side by side, "$1,234.56", month-first dates, "BALANCE DUE", an EIN
  or Tax ID and neither VAT id nor IBAN;
- ``saas``: a SaaS receipt or invoice (Stripe-like): "Invoice number ABCD1234-0001", "Date of issue",
  "Date due", a summary line "$12.00 USD due March 4, 2024" or "€49.00 paid on 4 March 2024", the
  totals table bottom right, the seller's VAT id as "EU OSS VAT EU372000041" or "VAT ID: IE...";
- ``uk``: "Invoice No:", "Tax point", "VAT Reg No: GB 123 4567 89", "Sort code 12-34-56 Account no
  12345678" beside an IBAN, "Total due £";
- ``totals``: the European family with other totals blocks: right-aligned labels and values far right,
  "Grand Total", "Total (incl. VAT)", "Total TTC", "Gesamtbetrag brutto", the total repeated in words,
  two pages ("Page 1 of 2") whose first ends on a "Carried forward" / "Übertrag" subtotal.

Each style also varies how its info block pairs labels and values: side by side, the value under its
label (same x), dot leaders, or a colon far from the label. Nothing is copied from a corpus document.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import string
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen import canvas
from stdnum.ie import vat as ie_vat

from tests.invoicegen import (
    CITIES,
    ITEMS,
    LANGS,
    MONTHS,
    NAME_PARTS,
    PEOPLE,
    STREETS,
    TRADES,
    WORDS,
    Lang,
    grouped,
    iban,
    money,
    vat_id,
)
from tests.invoicegen import Options as BaseOptions
from tests.invoicegen import date_text as base_date_text

Style = Literal["us", "saas", "uk", "totals"]
STYLES: tuple[Style, ...] = ("us", "saas", "uk", "totals")
# how an info block pairs labels and values: side by side (value right-aligned), the value under its
# label, dot leaders, a colon far from the label, or labels and values drawn as two columns one after
# the other (the content stream holds every label before any value; values left-aligned)
Pairing = Literal["beside", "stacked", "leaders", "far_colon", "columns_apart"]
PAIRINGS: tuple[Pairing, ...] = ("beside", "stacked", "leaders", "far_colon", "columns_apart")


@dataclass(frozen=True)
class StyleOptions:
    """The structures one generated invoice of a style has."""

    style: Style = "us"
    lang: Lang = "en"  # the ``totals`` style only; the others are English
    pairing: Pairing = "beside"
    header_row: bool = False  # us: the box as a label row over a value row
    month_names: bool = False  # "Mar 4, 2024" / "4th March 2024" instead of digits
    paid: bool = False  # saas: a receipt ("Amount paid", "Paid on", "... paid on <date>")
    partial_payment: bool = False  # us: "PAYMENTS" before "BALANCE DUE": the balance is not the total
    oss_vat: bool = False  # saas: "EU OSS VAT EU..." instead of "VAT ID: IE..."
    currency: str = "USD"
    buyer_vat: bool = False  # saas/uk: the buyer's VAT id in its block
    bank_transfer: bool = False  # saas: an IBAN to pay to; us: ACH routing/account numbers
    tax_point: bool = False  # uk: a tax point date before the invoice date
    grand_total: str = ""  # totals: which total label (drawn per language when empty)
    net_label: str = ""  # totals: which net-total label (drawn per language when empty)
    in_words: bool = False  # totals: the total repeated in words
    two_pages: bool = False  # totals: items run over to page 2; page 1 ends on a carried-forward subtotal
    balance_only: bool = False  # us: no TOTAL line, only "BALANCE DUE" (no payment made)
    amount_due_box: bool = False  # us: "AMOUNT DUE" and an empty "ENCLOSED" under the box on top
    paid_invoice: bool = False  # saas: an invoice already paid: "Amount paid" and "Amount due $0.00"
    period_items: bool = False  # saas: each line names its service period, which starts before the issue
    code_header: bool = False  # totals: amounts without a symbol, the currency only in "Amount (EUR)"
    totals_leaders: bool = False  # totals: "Grand Total .......... 1.234,56 €" as one line
    vat_summary: bool = False  # uk: a VAT analysis table ("Rate | Net | VAT") under the totals
    shipping: bool = False  # us: a "SHIP DATE" in the box and a "SHIPPING" line between subtotal and tax
    deposit: bool = False  # totals: an advance paid ("Deposit paid") subtracted, a balance left to pay
    two_rates: bool = False  # totals: two VAT rates, each on its own line
    number_prefix: str = ""  # saas: the invoice number's first eight characters (drawn when empty)
    issue_day: dt.date | None = None  # the issue date (drawn when None)
    due_days: int = 0  # days from issue to due date (drawn when 0)
    sort_code: str = ""  # uk: the six digits of the sort code (those of the IBAN when empty)


@dataclass
class Generated:
    """A generated invoice: the PDF bytes, what it says (ground truth) and how it was built."""

    pdf: bytes
    truth: dict[str, Any]
    options: StyleOptions
    lines: list[str] = field(default_factory=list)  # every text line drawn, for debugging a failure


def random_style_options(rng: random.Random, style: Style, **overrides: Any) -> StyleOptions:
    """Options of ``style`` drawn from ``rng``; ``overrides`` fix some."""
    lang: Lang = rng.choice(LANGS) if style == "totals" else "en"
    currency = {
        "us": "USD",
        "saas": rng.choice(("USD", "EUR", "GBP")),
        "uk": "GBP",
        "totals": "GBP" if lang == "en" and rng.random() < 0.3 else "EUR",
    }[style]
    drawn = StyleOptions(
        style=style,
        lang=lang,
        pairing=rng.choice(PAIRINGS),
        header_row=style == "us" and rng.random() < 0.4,
        month_names=rng.random() < 0.4,
        paid=style == "saas" and rng.random() < 0.4,
        partial_payment=style == "us" and rng.random() < 0.3,
        oss_vat=style == "saas" and rng.random() < 0.5,
        currency=currency,
        buyer_vat=style in ("saas", "uk") and rng.random() < 0.4,
        bank_transfer=rng.random() < 0.4,
        tax_point=style == "uk" and rng.random() < 0.5,
        in_words=style == "totals" and rng.random() < 0.4,
        two_pages=style == "totals" and rng.random() < 0.35,
        balance_only=style == "us" and rng.random() < 0.3,
        amount_due_box=style == "us" and rng.random() < 0.3,
        paid_invoice=style == "saas" and rng.random() < 0.3,
        period_items=style == "saas" and rng.random() < 0.5,
        code_header=style == "totals" and rng.random() < 0.3,
        totals_leaders=style == "totals" and rng.random() < 0.3,
        vat_summary=style == "uk" and rng.random() < 0.4,
        shipping=style == "us" and rng.random() < 0.4,
        deposit=style == "totals" and rng.random() < 0.25,
        two_rates=style == "totals" and rng.random() < 0.3,
    )
    return replace(drawn, **overrides)


# ------------------------------------------------------------------------------------ identifiers

US_STREETS = ("Market Street", "Elm Avenue", "Oak Boulevard", "Main Street", "Cedar Lane")
US_CITIES = ("Austin, TX 78701", "Portland, OR 97204", "Columbus, OH 43215", "Denver, CO 80202")
US_FORMS = ("LLC", "Inc.", "Co.")
TERMS = ("Net 30", "Net 15", "Due on receipt", "Net 45")
SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£"}
ORDINAL = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}

# totals labels per language: the plain total, and the other ways invoices word it
TOTAL_LABELS: dict[Lang, tuple[str, ...]] = {
    "en": ("Grand Total", "Total (incl. VAT)", "Invoice total", "Total amount"),
    "fr": ("Total TTC", "Net à payer", "Montant TTC"),
    "de": ("Gesamtbetrag brutto", "Rechnungsbetrag", "Endbetrag", "Gesamtsumme"),
    "nl": ("Totaal incl. btw", "Totaalbedrag", "Te betalen"),
}
CARRIED: dict[Lang, tuple[str, str]] = {  # page 1's last line, page 2's first
    "en": ("Carried forward", "Brought forward"),
    "fr": ("À reporter", "Report"),
    "de": ("Übertrag", "Übertrag"),
    "nl": ("Transport", "Transport"),
}
PAGE: dict[Lang, str] = {
    "en": "Page {n} of {m}",
    "fr": "Page {n} sur {m}",
    "de": "Seite {n} von {m}",
    "nl": "Pagina {n} van {m}",
}
DEPOSIT: dict[Lang, str] = {"en": "Deposit paid", "fr": "Acompte versé", "de": "Anzahlung erhalten",
                            "nl": "Aanbetaling"}  # fmt: skip
IN_WORDS: dict[Lang, str] = {
    "en": "Amount in words",
    "fr": "Montant en lettres",
    "de": "In Worten",
    "nl": "Bedrag in woorden",
}
NET_LABELS: dict[Lang, str] = {
    "en": "Total (excl. VAT)",
    "fr": "Total HT",
    "de": "Gesamtbetrag netto",
    "nl": "Totaal excl. btw",
}
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")  # fmt: skip
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def in_words(value: int) -> str:
    """``value`` (below a million) in English words: 'one thousand two hundred thirty-four'."""
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {in_words(rest)}" if rest else "")
    thousands, rest = divmod(value, 1000)
    return f"{in_words(thousands)} thousand" + (f" {in_words(rest)}" if rest else "")


def ie_vat_id(rng: random.Random) -> str:
    """An Irish VAT id ('IE3668997OH' shape: seven digits, a check letter, a second letter)."""
    digits = f"{rng.randrange(10**6, 10**7)}"
    second = rng.choice("ABCDEFGHI")
    return f"IE{digits}{ie_vat.calc_check_digit(digits + second)}{second}"


def oss_vat_id(rng: random.Random) -> str:
    """An EU OSS (non-Union scheme) VAT number: 'EU' and nine digits, starting 372 for Ireland."""
    return f"EU372{rng.randrange(0, 10**6):06d}"


def spaced_gb(vat: str) -> str:
    """'GB123456789' as printed on UK invoices: 'GB 123 4567 89'."""
    return f"{vat[:2]} {vat[2:5]} {vat[5:9]} {vat[9:]}"


# ----------------------------------------------------------------------------------------- format


def us_date(day: dt.date, names: bool, rng_pick: int) -> str:
    if not names:
        return day.strftime("%m/%d/%Y")
    month = MONTHS["en"][day.month - 1]
    return f"{month[:3]} {day.day}, {day.year}" if rng_pick % 2 else f"{month} {day.day}, {day.year}"


def uk_date(day: dt.date, names: bool, rng_pick: int) -> str:
    if not names:
        return day.strftime("%d/%m/%Y")
    month = MONTHS["en"][day.month - 1]
    if rng_pick % 2:
        return f"{day.day}{ORDINAL.get(day.day, 'th')} {month} {day.year}"
    return f"{day.day} {month[:3]} {day.year}"


# --------------------------------------------------------------------------------------- generate


def generate_style(
    seed: int, style: Style, options: StyleOptions | None = None, **overrides: Any
) -> Generated:
    """The invoice of ``seed`` in ``style``: random options unless given, ``overrides`` on top."""
    rng = random.Random(f"{style}:{seed}")
    opts = (
        replace(options, **overrides)
        if options is not None
        else random_style_options(rng, style, **overrides)
    )
    return _Drawer(rng, opts).draw()


class _Drawer:
    def __init__(self, rng: random.Random, opts: StyleOptions) -> None:
        self.rng, self.o = rng, opts
        self.size = LETTER if opts.style == "us" else A4
        self.width, self.height = self.size
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=self.size, invariant=True)
        self.lines: list[str] = []
        self.date_pick = rng.randrange(2)
        self.left, self.right = 50.0, self.width - 50
        self.item_suffix = ""  # printed after each line item's description

    # ---- primitives
    def text(
        self, x: float, y: float, s: str, size: float = 9, right: bool = False, bold: bool = False
    ) -> None:
        self.c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        (self.c.drawRightString if right else self.c.drawString)(x, self.height - y, s)
        self.lines.append(s)

    def date(self, day: dt.date) -> str:
        o = self.o
        if o.style == "us" or (o.style == "saas" and o.currency == "USD"):
            return us_date(day, o.month_names or o.style == "saas", self.date_pick)
        if o.style in ("uk", "saas"):
            return uk_date(day, o.month_names or o.style == "saas", self.date_pick)
        return base_date_text(day, BaseOptions(lang=o.lang, month_names=o.month_names))

    def amt(self, value: Decimal) -> str:
        o = self.o
        sym = SYMBOL[o.currency]
        if o.code_header:
            return money(value, o.lang)
        if o.style == "totals" and o.lang != "en":
            return f"{money(value, o.lang)} {sym}"
        return f"{sym}{money(value, 'en')}"

    def pairs(
        self, x: float, y: float, rows: list[tuple[str, str]], width: float = 210, size: float = 9
    ) -> float:
        """Labels and values as ``self.o.pairing`` sets them, from (x, y); returns the next y."""
        pairing = self.o.pairing
        c = self.c
        if pairing == "columns_apart":
            bold = self.o.style == "us"
            for i, (label, _) in enumerate(rows):
                self.text(x, y + 13 * i, label if bold else f"{label}:", size, bold=bold)
            for i, (_, value) in enumerate(rows):
                self.text(x + width * 0.5, y + 13 * i, value, size)
            return y + 13 * len(rows)
        for label, value in rows:
            if pairing == "stacked":
                self.text(x, y, label, size - 1, bold=True)
                self.text(x, y + 11, value, size)
                y += 26
                continue
            if pairing == "leaders":
                c.setFont("Helvetica", size)
                room = (
                    width
                    - c.stringWidth(label + " ", "Helvetica", size)
                    - c.stringWidth(" " + value, "Helvetica", size)
                )
                dots = "." * max(3, int(room / c.stringWidth(".", "Helvetica", size)))
                self.text(x, y, f"{label} {dots} {value}", size)
            elif pairing == "far_colon":
                self.text(x, y, label, size)
                self.text(x + width * 0.55, y, ":", size)
                self.text(x + width, y, value, size, right=True)
            else:
                self.text(
                    x, y, f"{label}:" if self.o.style != "us" else label, size, bold=self.o.style == "us"
                )
                self.text(x + width, y, value, size, right=True)
            y += 13
        return y

    # ---- the invoice
    def draw(self) -> Generated:
        o, rng = self.o, self.rng
        issue = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
        due = issue + dt.timedelta(days=rng.choice((15, 30, 45)))
        if o.issue_day is not None:
            issue = o.issue_day
        if o.issue_day is not None or o.due_days:
            due = issue + dt.timedelta(days=o.due_days or (due - issue).days)
        items = []
        for _ in range(rng.randrange(2, 5) if not o.two_pages else rng.randrange(7, 10)):
            qty = rng.randrange(1, 9)
            price = Decimal(rng.randrange(1500, 90_000)) / 100
            items.append((rng.choice(ITEMS), qty, price, (qty * price).quantize(Decimal("0.01"))))
        net = sum((i[3] for i in items), Decimal("0"))
        truth: dict[str, Any] = {"issue_date": issue, "currency": o.currency, "net_amount": net}
        draw = {"us": self.us, "saas": self.saas, "uk": self.uk, "totals": self.totals}[o.style]
        draw(issue, due, items, net, truth)
        self.c.showPage()
        self.c.save()
        return Generated(self.buf.getvalue(), truth, o, self.lines)

    def items_table(
        self, y: float, items: list[tuple[str, int, Decimal, Decimal]], heads: tuple[str, ...]
    ) -> float:
        cols = (self.left, 320, 390, self.right)
        for i, head in enumerate(heads):
            self.text(cols[i], y, head, 9, bold=True, right=i == 3)
        for desc, qty, price, line_total in items:
            y += 15
            self.text(cols[0], y, desc + self.item_suffix, 9)
            self.text(cols[1], y, str(qty), 9)
            self.text(
                cols[2], y, self.amt(price) if self.o.style != "totals" else money(price, self.o.lang), 9
            )
            self.text(cols[3], y, self.amt(line_total), 9, right=True)
        return y + 26

    def totals_block(
        self, y: float, rows: list[tuple[str, str]], label_x: float = 380, bold: str = ""
    ) -> float:
        for label, value in rows:
            self.text(label_x, y, label, 10, bold=label == bold)
            self.text(self.right, y, value, 10, bold=label == bold, right=True)
            y += 15
        return y

    # ---- US small business
    def us(self, issue: dt.date, due: dt.date, items: list[Any], net: Decimal, truth: dict[str, Any]) -> None:
        o, rng = self.o, self.rng
        name = f"{rng.choice(NAME_PARTS)} {rng.choice(TRADES)} {rng.choice(US_FORMS)}"
        number = rng.choice(("", "", "INV-", "")) + str(rng.randrange(1001, 9999))
        po = str(rng.randrange(100, 9999))
        self.text(self.left, 50, name, 15, bold=True)
        street = f"{rng.randrange(100, 9999)} {rng.choice(US_STREETS)}"
        for i, line in enumerate(
            (
                street,
                rng.choice(US_CITIES),
                f"({rng.randrange(200, 999)}) 555-0{rng.randrange(100, 199)}",
                f"billing@{name.split(maxsplit=1)[0].lower()}.com",
            )
        ):
            self.text(self.left, 66 + 12 * i, line, 9)
        self.text(self.right, 52, "INVOICE", 22, right=True, bold=True)
        box = [
            ("INVOICE #", number),
            ("DATE", self.date(issue)),
            ("DUE DATE", self.date(due)),
            ("TERMS", rng.choice(TERMS)),
            *(
                [("SHIP DATE", self.date(issue - dt.timedelta(days=rng.randrange(1, 6))))]
                if o.shipping
                else []
            ),
            ("P.O. #", po),
        ]
        if o.header_row:
            # "DATE  INVOICE #" over their values, right-aligned box
            cells = box[:2] if rng.random() < 0.5 else [box[1], box[0], box[2]]
            xs = [self.right - 90 * (len(cells) - 1 - i) for i in range(len(cells))]
            for x, (label, value) in zip(xs, cells, strict=True):
                self.text(x, 80, label, 8, bold=True, right=True)
                self.text(x, 93, value, 9, right=True)
            rest = [p for p in box if p not in cells]
            ry = 110
            for label, value in rest:
                self.text(self.right - 110, ry, label, 8, bold=True, right=True)
                self.text(self.right, ry, value, 9, right=True)
                ry += 12
        else:
            self.pairs(self.right - 200, 80, box, width=200)
        buyer = (
            rng.choice(PEOPLE)
            if rng.random() < 0.3
            else f"{rng.choice(NAME_PARTS)} Retail {rng.choice(US_FORMS)}"
        )
        while buyer.split()[0] == name.split(maxsplit=1)[0]:
            buyer = f"{rng.choice(NAME_PARTS)} Foods {rng.choice(US_FORMS)}"
        y: float = 180
        b_street = f"{rng.randrange(10, 999)} {rng.choice(US_STREETS)}"
        self.text(self.left, y, "BILL TO", 9, bold=True)
        self.text(300, y, "SHIP TO", 9, bold=True)
        for i, line in enumerate((buyer, b_street, rng.choice(US_CITIES))):
            self.text(self.left, y + 13 + 12 * i, line, 9)
        for i, line in enumerate(
            (rng.choice(PEOPLE), f"{rng.randrange(10, 999)} {rng.choice(US_STREETS)}", rng.choice(US_CITIES))
        ):
            self.text(300, y + 13 + 12 * i, line, 9)
        y = self.items_table(y + 70, items, ("DESCRIPTION", "QTY", "RATE", "AMOUNT"))
        rate = Decimal(rng.choice(("6.25", "7", "8.25", "0")))
        tax = (net * rate / 100).quantize(Decimal("0.01"))
        freight = Decimal(rng.randrange(500, 5000)) / 100 if o.shipping else Decimal("0")
        total = net + freight + tax
        rows = [("SUBTOTAL", self.amt(net)), (f"TAX ({rate}%)", self.amt(tax)), ("TOTAL", self.amt(total))]
        if o.shipping:
            rows.insert(1, ("SHIPPING", self.amt(freight)))
        balance = total
        if o.balance_only and not o.partial_payment:
            rows.pop()
        if o.partial_payment:
            paid = (total / 2).quantize(Decimal("0.01"))
            balance = total - paid
            rows.append(("PAYMENT", f"-{self.amt(paid)}"))
        rows.append(("BALANCE DUE", self.amt(balance)))
        y = self.totals_block(y, rows, bold="BALANCE DUE")
        if o.amount_due_box:
            self.text(self.right - 200, 150, "AMOUNT DUE", 8, bold=True)
            self.text(self.right - 90, 150, "ENCLOSED", 8, bold=True)
            self.text(self.right - 200, 162, self.amt(balance), 10)
        y += 20
        ein = f"{rng.randrange(10, 99)}-{rng.randrange(10**6, 10**7)}"
        self.text(self.left, y, f"{rng.choice(('Tax ID', 'EIN', 'Federal Tax ID'))}: {ein}", 8)
        if o.bank_transfer:
            self.text(
                self.left,
                y + 12,
                f"ACH: Routing number {rng.randrange(10**8, 10**9)} "
                f"Account number {rng.randrange(10**9, 10**10)}",
                8,
            )
        self.text(self.left, y + 30, "Thank you for your business!", 9)
        truth.update(
            invoice_number=number,
            due_date=due,
            total_amount=total,
            tax_amount=tax,
            iban=None,
            vendor_vat_id=None,
            amount_due=balance,
            vendor_name=name,
            buyer_name=buyer,
        )

    # ---- SaaS
    def saas(
        self, issue: dt.date, due: dt.date, items: list[Any], net: Decimal, truth: dict[str, Any]
    ) -> None:
        o, rng = self.o, self.rng
        kind, form = rng.choice(("Cloud", "Labs", "Software")), rng.choice(("Ltd", "Inc.", "Limited"))
        name = f"{rng.choice(NAME_PARTS)} {kind} {form}"
        prefix = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        number = f"{o.number_prefix or prefix}-{rng.randrange(1, 30):04d}"
        receipt = f"{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"
        due = issue if o.paid else issue + dt.timedelta(days=rng.choice((0, 7, 14, 30)))
        self.text(self.left, 50, "Receipt" if o.paid else "Invoice", 18, bold=True)
        self.text(self.right, 50, name.split(maxsplit=1)[0].upper(), 14, bold=True, right=True)
        info = [("Invoice number", number)]
        if o.paid:
            info += [("Receipt number", receipt), ("Date paid", self.date(issue))]
        else:
            info += [("Date of issue", self.date(issue)), ("Date due", self.date(due))]
        self.pairs(self.left, 80, info, width=230)
        y: float = 170
        seller_vat = oss_vat_id(rng) if o.oss_vat else ie_vat_id(rng)
        seller = [
            name,
            f"{rng.randrange(1, 99)} {rng.choice(('Harcourt Street', 'Grand Canal Dock', 'Baggot Street'))}",
            "Dublin 2",
            "Ireland",
            f"support@{name.split(maxsplit=1)[0].lower()}.com",
            f"EU OSS VAT {seller_vat}" if o.oss_vat else f"VAT ID: {seller_vat}",
        ]
        kind, form = rng.choice(("Media", "Retail", "Foods")), rng.choice(("GmbH", "B.V.", "SARL", "Ltd"))
        buyer = f"{rng.choice(NAME_PARTS)} {kind} {form}"
        while buyer.split(maxsplit=1)[0] == name.split(maxsplit=1)[0]:
            buyer = f"{rng.choice(NAME_PARTS)} Holding GmbH"
        buyer_lang = rng.choice(LANGS)
        b_city, b_post = rng.choice(CITIES[buyer_lang])
        bill = [
            buyer,
            f"{rng.choice(STREETS[buyer_lang])} {rng.randrange(1, 99)}",
            f"{b_post} {b_city}",
            f"accounts@{buyer.split()[0].lower()}.example",
        ]
        if o.buyer_vat:
            b_country = {"en": "GB"}.get(buyer_lang, buyer_lang.upper())
            bill.append(f"{b_country} VAT {vat_id(rng, b_country)}")
        for i, line in enumerate(seller):
            self.text(self.left, y + 12 * i, line, 9, bold=i == 0)
        self.text(300, y, "Bill to", 9, bold=True)
        for i, line in enumerate(bill):
            self.text(300, y + 12 + 12 * i, line, 9)
        y += 100
        rate = Decimal(rng.choice(("23", "19", "21", "20")))
        tax = (net * rate / 100).quantize(Decimal("0.01"))
        total = net + tax
        code = o.currency
        summary = (
            f"{self.amt(total)} paid on {self.date(issue)}"
            if o.paid or o.paid_invoice
            else f"{self.amt(total)} {code} due {self.date(due)}"
        )
        self.text(self.left, y, summary, 13, bold=True)
        if o.period_items:
            start = issue - dt.timedelta(days=rng.choice((0, 3, 10)))
            end = start + dt.timedelta(days=30)
            self.item_suffix = f" ({us_date(start, True, 1).split(',')[0]} – {us_date(end, True, 1)})"
        y = self.items_table(y + 30, items, ("Description", "Qty", "Unit price", "Amount"))
        rows = [
            ("Subtotal", self.amt(net)),
            ("Total excluding tax", self.amt(net)),
            (f"VAT ({rate}% on {self.amt(net)})", self.amt(tax)),
            ("Total", self.amt(total)),
        ]
        if o.paid_invoice and not o.paid:
            rows += [("Amount paid", self.amt(total)), ("Amount due", f"{self.amt(Decimal('0.00'))} {code}")]
        else:
            rows.append(
                ("Amount paid", self.amt(total)) if o.paid else ("Amount due", f"{self.amt(total)} {code}")
            )
        y = self.totals_block(y, rows, label_x=300)
        if o.paid:
            self.text(self.left, y + 10, "Payment history", 10, bold=True)
            self.text(
                self.left,
                y + 24,
                f"Visa - 4242   {self.date(issue)}   {self.amt(total)}   Receipt #{receipt}",
                8,
            )
        iban_value = None
        if o.bank_transfer and not o.paid:
            iban_value = iban(rng, rng.choice(("DE", "NL", "FR")))
            self.text(self.left, y + 10, "Pay by bank transfer", 10, bold=True)
            self.text(
                self.left, y + 24, f"IBAN {grouped(iban_value)}   BIC {rng.choice(('ABCD', 'WXYZ'))}IE2D", 8
            )
        self.text(
            self.left,
            self.height - 40,
            f"{number} · {self.amt(total)} {'paid' if o.paid else 'due'} · Page 1 of 1",
            7,
        )
        truth.update(
            invoice_number=number,
            due_date=None if o.paid else due,
            total_amount=total,
            tax_amount=tax,
            iban=iban_value,
            vendor_vat_id=seller_vat,
            amount_due=None if o.paid else Decimal("0.00") if o.paid_invoice else total,
            vendor_name=name,
            buyer_name=buyer,
        )

    # ---- UK
    def uk(self, issue: dt.date, due: dt.date, items: list[Any], net: Decimal, truth: dict[str, Any]) -> None:
        o, rng = self.o, self.rng
        name = f"{rng.choice(NAME_PARTS)} {rng.choice(TRADES)} {rng.choice(('Ltd', 'Limited', 'LLP'))}"
        city, post = rng.choice(CITIES["en"])
        self.text(self.right, 50, name, 15, bold=True, right=True)
        for i, line in enumerate(
            (
                f"{rng.randrange(1, 99)} {rng.choice(STREETS['en'])}",
                f"{city} {post}",
                f"Tel: 0113 496 0{rng.randrange(100, 999)}",
            )
        ):
            self.text(self.right, 66 + 12 * i, line, 9, right=True)
        vat = vat_id(rng, "GB")
        self.text(self.right, 102, f"VAT Reg No: {spaced_gb(vat)}", 9, right=True)
        buyer = f"{rng.choice(NAME_PARTS)} {rng.choice(('Holding', 'Retail', 'Foods'))} Ltd"
        while buyer.split(maxsplit=1)[0] == name.split(maxsplit=1)[0]:
            buyer = f"{rng.choice(NAME_PARTS)} Media Ltd"
        b_city, b_post = rng.choice(CITIES["en"])
        block = [buyer, f"{rng.randrange(1, 99)} {rng.choice(STREETS['en'])}", b_city, b_post]
        if o.buyer_vat:
            block.append(f"VAT No: {spaced_gb(vat_id(rng, 'GB'))}")
        self.text(self.left, 140, "Invoice to:", 9, bold=True)
        for i, line in enumerate(block):
            self.text(self.left, 153 + 12 * i, line, 10)
        number = rng.choice(("INV", "SI-", "")) + f"{rng.randrange(100, 99999):05d}"
        info = [("Invoice No", number), ("Invoice Date", self.date(issue))]
        if o.tax_point:
            info.append(("Tax point", self.date(issue - dt.timedelta(days=rng.randrange(1, 10)))))
        info += [
            ("Account No", f"{name[:3].upper()}{rng.randrange(100, 999)}"),
            ("Payment due", self.date(due)),
        ]
        rng.shuffle(info)
        y = self.pairs(320, 140, info, width=225)
        self.text(self.left, max(y, 230) + 10, "SALES INVOICE", 15, bold=True)
        y = self.items_table(max(y, 230) + 38, items, ("Description", "Qty", "Unit price", "Net"))
        tax = (net * Decimal("0.20")).quantize(Decimal("0.01"))
        total = net + tax
        y = self.totals_block(y, [("Total net", self.amt(net)), ("VAT @ 20%", self.amt(tax))], label_x=360)
        if rng.random() < 0.5:
            self.text(360, y, "Total due £", 10, bold=True)
            self.text(self.right, y, money(total, "en"), 10, bold=True, right=True)
        else:
            self.text(360, y, "Total due:", 10, bold=True)
            self.text(self.right, y, self.amt(total), 10, bold=True, right=True)
        if o.vat_summary:
            y += 14
            self.text(self.left, y, "VAT analysis", 9, bold=True)
            for x, head in ((self.left, "Rate"), (150, "Net"), (250, "VAT")):
                self.text(x, y + 13, head, 8, bold=True)
            for x, cell in ((self.left, "20%"), (150, money(net, "en")), (250, money(tax, "en"))):
                self.text(x, y + 25, cell, 8)
            y += 25
        y += 40
        acct = iban(rng, "GB")
        sort = o.sort_code or acct[8:14]
        self.text(self.left, y, "Please pay by BACS to:", 9, bold=True)
        bank = [
            f"Sort code {sort[:2]}-{sort[2:4]}-{sort[4:]}",
            f"Account no {acct[14:]}",
            f"IBAN {grouped(acct)}",
        ]
        x = self.left
        for part in bank:
            self.text(x, y + 13, part, 9)
            x += self.c.stringWidth(part, "Helvetica", 9) + 24
        self.text(
            self.left,
            self.height - 50,
            f"{name} · Registered in England and Wales No. {rng.randrange(10**7, 10**8)}",
            7,
        )
        truth.update(
            invoice_number=number,
            due_date=due,
            total_amount=total,
            tax_amount=tax,
            iban=acct,
            vendor_vat_id=vat,
            amount_due=total,
            vendor_name=name,
            buyer_name=buyer,
        )

    # ---- the European family, other totals blocks
    def totals(
        self, issue: dt.date, due: dt.date, items: list[Any], net: Decimal, truth: dict[str, Any]
    ) -> None:
        o, rng = self.o, self.rng
        lang = o.lang
        w = WORDS[lang]
        form = {"en": "Ltd", "fr": "SARL", "de": "GmbH", "nl": "B.V."}[lang]
        name = f"{rng.choice(NAME_PARTS)} {rng.choice(TRADES)} {form}"
        country = {"en": "GB", "fr": "FR", "de": "DE", "nl": "NL"}[lang]
        city, post = rng.choice(CITIES[lang])
        self.text(self.left, 50, name, 16, bold=True)
        self.text(self.left, 66, f"{rng.choice(STREETS[lang])} {rng.randrange(1, 99)} · {post} {city}", 8)
        buyer = f"{rng.choice(NAME_PARTS)} {rng.choice(('Holding', 'Retail', 'Foods'))} {form}"
        while buyer.split(maxsplit=1)[0] == name.split(maxsplit=1)[0]:
            buyer = f"{rng.choice(NAME_PARTS)} Media {form}"
        b_city, b_post = rng.choice(CITIES[lang])
        for i, line in enumerate(
            (buyer, f"{rng.choice(STREETS[lang])} {rng.randrange(1, 99)}", f"{b_post} {b_city}")
        ):
            self.text(self.left, 140 + 12 * i, line, 10)
        number = rng.choice(("", "RE-", "F", "2024-")) + str(rng.randrange(1000, 99999))
        info = [
            (w["number"], number),
            (w["date"], self.date(issue)),
            (w["due"], self.date(due)),
            (w["customer"], f"K{rng.randrange(10000, 99999)}"),
        ]
        self.pairs(330, 140, info, width=215)
        self.text(self.left, 250, w["title"], 16, bold=True)
        rate = Decimal(rng.choice(("19", "20", "21")))
        tax = (net * rate / 100).quantize(Decimal("0.01"))
        total = net + tax
        heads = (w["desc"], w["qty"], w["price"], w["amount"] + (f" ({o.currency})" if o.code_header else ""))
        vendor_vat, vendor_iban = vat_id(rng, country), iban(rng, country)
        if o.two_pages:
            first, second = items[:5], items[5:]
            y = self.items_table(280, first, heads)
            carried = sum((i[3] for i in first), Decimal("0"))
            self.text(360, y, CARRIED[lang][0], 10, bold=True)
            self.text(self.right, y, self.amt(carried), 10, bold=True, right=True)
            self.footer(name, vendor_vat, vendor_iban, 1)
            self.c.showPage()
            self.text(self.left, 50, name, 10, bold=True)
            self.text(self.right, 50, f"{w['number']}: {number}", 9, right=True)
            self.text(360, 90, CARRIED[lang][1], 10)
            self.text(self.right, 90, self.amt(carried), 10, right=True)
            y = self.items_table(115, second, heads)
        else:
            y = self.items_table(280, items, heads)
        label = o.grand_total or rng.choice(TOTAL_LABELS[lang])
        net_label = NET_LABELS[lang] if rng.random() < 0.5 else w["net"]
        rows = [(o.net_label or net_label, self.amt(net)), (f"{w['tax']} {rate}%", self.amt(tax))]
        if o.two_rates:
            # the first line item at a reduced rate, the rest at the standard rate
            low = Decimal(rng.choice(("5.5", "7", "9")))
            low_base, high_base = items[0][3], net - items[0][3]
            low_tax = (low_base * low / 100).quantize(Decimal("0.01"))
            high_tax = (high_base * rate / 100).quantize(Decimal("0.01"))
            tax, total = low_tax + high_tax, net + low_tax + high_tax
            shown = str(low).replace(".", "," if lang != "en" else ".")
            rows[1:] = [
                (f"{w['tax']} {shown}%", self.amt(low_tax)),
                (f"{w['tax']} {rate}%", self.amt(high_tax)),
            ]
        rows.append((label, self.amt(total)))
        balance = total
        if o.deposit:
            advance = (total * Decimal("0.3")).quantize(Decimal("0.01"))
            balance = total - advance
            rows += [(DEPOSIT[lang], f"-{self.amt(advance)}"), (WORDS[lang]["due_amount"], self.amt(balance))]
        for lab, value in rows:
            if o.totals_leaders:
                # "Grand Total ............ 1.234,56 €": one line from the label to the value
                room = self.right - 300 - self.c.stringWidth(f"{lab}  {value}", "Helvetica", 10)
                dots = "." * max(3, int(room / self.c.stringWidth(".", "Helvetica", 10)))
                self.text(300, y, f"{lab} {dots} {value}", 10)
            else:
                # right-aligned labels in a column left of the values far right
                self.text(self.right - 110, y, lab, 10, right=True, bold=lab == label)
                self.text(self.right, y, value, 10, right=True, bold=lab == label)
            y += 15
        if o.in_words:
            whole = int(total)
            cents = int((total - whole) * 100)
            unit = {"EUR": "euros", "GBP": "pounds"}[o.currency]
            self.text(self.left, y + 12, f"{IN_WORDS[lang]}: {in_words(whole)} {unit} and {cents:02d}/100", 9)
        self.text(self.left, y + 34, w["pay_by"].format(date=self.date(due)), 9)
        self.footer(name, vendor_vat, vendor_iban, 2 if o.two_pages else 0)
        truth.update(
            invoice_number=number,
            due_date=due,
            total_amount=total,
            tax_amount=tax,
            iban=vendor_iban,
            vendor_vat_id=vendor_vat,
            amount_due=balance if o.deposit else total if label in ("Net à payer", "Te betalen") else None,
            vendor_name=name,
            buyer_name=buyer,
        )

    def footer(self, name: str, vat: str, account: str, page: int) -> None:
        w = WORDS[self.o.lang]
        fy = self.height - 60
        self.text(self.left, fy, name, 7)
        self.text(self.left + 170, fy, f"{w['vat_no']}: {vat}", 7)
        self.text(self.left + 340, fy, f"IBAN: {grouped(account)}", 7)
        if page:
            self.text(self.right, self.height - 30, PAGE[self.o.lang].format(n=page, m=2), 7, right=True)
