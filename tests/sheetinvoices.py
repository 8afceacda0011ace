"""A seeded generator of spreadsheet invoices: a workbook laid out as small businesses lay out an invoice
template in a spreadsheet (merged title cells, label and value cells, a filled table header, totals in
the right-hand columns), written with openpyxl and printed to PDF by LibreOffice Calc, with the ground
truth of every field it prints.

The text layer of such a PDF is one run per cell, on a grid: labels and values in neighbouring cells,
columns of unequal width, a title in big type merged over several cells. Nothing is copied from a
corpus document or a published template; designs, words and names are made up here.

Identifiers are valid: VAT ids and IBANs pass their check digits (tests/invoicegen.py draws them).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from tests.invoicegen import MONTHS, grouped, iban, money, vat_id

Lang = Literal["en", "us", "fr", "de", "nl"]
LANGS: tuple[Lang, ...] = ("en", "us", "fr", "de", "nl")
DESIGNS = ("classic", "letter", "band", "columns")

W: dict[str, dict[str, str]] = {
    "en": {
        "title": "INVOICE",
        "number": "Invoice No.",
        "date": "Date",
        "due": "Due date",
        "bill_to": "BILL TO",
        "from": "FROM",
        "desc": "DESCRIPTION",
        "qty": "QTY",
        "price": "UNIT PRICE",
        "amount": "AMOUNT",
        "net": "Subtotal",
        "tax": "VAT",
        "total": "TOTAL",
        "customer": "Customer ID",
        "phone": "Phone",
        "email": "Email",
        "vat_no": "VAT Reg No.",
        "payable": "Make all cheques payable to {}",
        "thanks": "Thank you for your business!",
        "bank": "Bank details",
        "order": "PO number",
        "invoice_to": "Invoice to",
    },
    "us": {
        "title": "INVOICE",
        "number": "INVOICE #",
        "date": "DATE",
        "due": "DUE DATE",
        "bill_to": "BILL TO",
        "from": "FROM",
        "desc": "DESCRIPTION",
        "qty": "QTY",
        "price": "UNIT PRICE",
        "amount": "AMOUNT",
        "net": "SUBTOTAL",
        "tax": "SALES TAX",
        "total": "TOTAL",
        "customer": "CUSTOMER ID",
        "phone": "Phone",
        "email": "Email",
        "vat_no": "EIN",
        "payable": "Make all checks payable to {}",
        "thanks": "THANK YOU FOR YOUR BUSINESS!",
        "bank": "Payment",
        "order": "P.O. #",
        "invoice_to": "Invoice to",
    },
    "de": {
        "title": "RECHNUNG",
        "number": "Rechnungs-Nr.",
        "date": "Datum",
        "due": "Zahlbar bis",
        "bill_to": "Rechnungsempfänger",
        "from": "Rechnungssteller",
        "desc": "Bezeichnung",
        "qty": "Menge",
        "price": "Einzelpreis",
        "amount": "Gesamt",
        "net": "Nettobetrag",
        "tax": "USt. 19 %",
        "total": "Rechnungsbetrag",
        "customer": "Kunden-Nr.",
        "phone": "Tel.",
        "email": "E-Mail",
        "vat_no": "USt-IdNr.",
        "payable": "Bitte überweisen Sie den Betrag an {}",
        "thanks": "Vielen Dank für Ihren Auftrag!",
        "bank": "Bankverbindung",
        "order": "Bestell-Nr.",
        "invoice_to": "Rechnung an",
    },
    "fr": {
        "title": "FACTURE",
        "number": "Facture N°",
        "date": "Date",
        "due": "Échéance",
        "bill_to": "CLIENT",
        "from": "ÉMETTEUR",
        "desc": "Désignation",
        "qty": "Qté",
        "price": "P.U. HT",
        "amount": "Montant HT",
        "net": "Total HT",
        "tax": "TVA 20 %",
        "total": "Total TTC",
        "customer": "Réf. client",
        "phone": "Tél.",
        "email": "E-mail",
        "vat_no": "N° TVA intracom.",
        "payable": "Règlement par virement à l'ordre de {}",
        "thanks": "Merci de votre confiance.",
        "bank": "Coordonnées bancaires",
        "order": "Bon de commande",
        "invoice_to": "Facturé à",
    },
    "nl": {
        "title": "FACTUUR",
        "number": "Factuurnummer",
        "date": "Factuurdatum",
        "due": "Vervaldatum",
        "bill_to": "Factuur aan",
        "from": "Van",
        "desc": "Omschrijving",
        "qty": "Aantal",
        "price": "Prijs",
        "amount": "Bedrag",
        "net": "Subtotaal",
        "tax": "BTW 21%",
        "total": "Totaal",
        "customer": "Klantnummer",
        "phone": "Tel.",
        "email": "E-mail",
        "vat_no": "BTW-nr.",
        "payable": "Graag overmaken naar {}",
        "thanks": "Bedankt voor uw opdracht!",
        "bank": "Bankgegevens",
        "order": "Ordernummer",
        "invoice_to": "Factuur aan",
    },
}
TAX_RATE = {
    "en": Decimal("0.20"),
    "us": Decimal("0.0825"),
    "de": Decimal("0.19"),
    "fr": Decimal("0.20"),
    "nl": Decimal("0.21"),
}
CURRENCY = {"en": "GBP", "us": "USD", "de": "EUR", "fr": "EUR", "nl": "EUR"}
COUNTRY = {"en": "GB", "us": "US", "de": "DE", "fr": "FR", "nl": "NL"}
FORMS = {
    "en": ("Ltd", "Limited", "LLP", ""),
    "us": ("Inc.", "LLC", "Corp.", "Co.", ""),
    "de": ("GmbH", "GmbH & Co. KG", "AG", "e.K.", "UG (haftungsbeschränkt)", ""),
    "fr": ("SARL", "SAS", "EURL", "SA", ""),
    "nl": ("B.V.", "V.O.F.", "N.V.", ""),
}
FIRST = (
    "Alder",
    "Bluebell",
    "Copperfield",
    "Dunmore",
    "Elmstead",
    "Foxglove",
    "Granite",
    "Hollis",
    "Ironbridge",
    "Juniper",
    "Kingfisher",
    "Larkspur",
    "Moorland",
    "Northgate",
    "Oakhurst",
    "Pinecrest",
    "Redwater",
    "Silverton",
    "Thornbury",
    "Upland",
    "Westbrook",
    "Yarrow",
    "Brücken",
    "Sonnenhof",
    "Les Tilleuls",
    "Beaulieu",
    "De Linde",
    "Zeeland",
    "Horizon",
    "Summit",
)
TRADE = {
    "en": (
        "Plumbing",
        "Print & Design",
        "Joinery",
        "IT Services",
        "Landscaping",
        "Catering",
        "Electrical",
        "Cleaning Services",
        "Engineering",
    ),
    "us": (
        "Plumbing",
        "Print & Design",
        "Roofing",
        "IT Services",
        "Landscaping",
        "Catering",
        "Electric",
        "Auto Repair",
        "Consulting Group",
    ),
    "de": (
        "Haustechnik",
        "Druck & Design",
        "Tischlerei",
        "IT-Service",
        "Gartenbau",
        "Elektrotechnik",
        "Gebäudereinigung",
        "Ingenieurbüro",
    ),
    "fr": (
        "Plomberie",
        "Imprimerie",
        "Menuiserie",
        "Informatique",
        "Paysage",
        "Traiteur",
        "Électricité",
        "Nettoyage",
    ),
    "nl": (
        "Installatietechniek",
        "Drukwerk",
        "Timmerwerken",
        "ICT Diensten",
        "Hoveniers",
        "Catering",
        "Elektrotechniek",
        "Schoonmaak",
    ),
}
PEOPLE = (
    "Sarah Whitfield",
    "Tom Okafor",
    "Lena Hoffmann",
    "Pierre Garnier",
    "Maaike Visser",
    "Rosa Delgado",
    "Ahmed Karimi",
    "Greta Lindqvist",
    "Jonas Weber",
    "Claire Morel",
)
BUYER_FIRST = (
    "Marlow",
    "Brampton",
    "Castlegate",
    "Denholm",
    "Everly",
    "Fairview",
    "Glenwood",
    "Harwick",
    "Kronberg",
    "Rosental",
    "Montclair",
    "Vauban",
    "Oosterhout",
    "Waalkade",
)
BUYER_TRADE = {
    "en": ("Properties", "Hotels", "Dental Practice", "Retail", "Academy"),
    "us": ("Realty", "Hospitality", "Dental Group", "Outfitters", "Charter School"),
    "de": ("Immobilien", "Hotelbetriebe", "Zahnarztpraxis", "Handel", "Akademie"),
    "fr": ("Immobilier", "Hôtellerie", "Cabinet dentaire", "Distribution", "Formation"),
    "nl": ("Vastgoed", "Hotels", "Tandartspraktijk", "Retail", "Academie"),
}
STREETS = {
    "en": ("Castle Street", "Bridge Road", "Queens Avenue"),
    "us": ("Main Street", "Oak Avenue", "Elm Drive"),
    "de": ("Gartenstraße", "Schillerweg", "Marktplatz"),
    "fr": ("rue Pasteur", "avenue Jean Jaurès", "place du Marché"),
    "nl": ("Herenstraat", "Laan van Meerdervoort", "Markt"),
}
PLACES = {
    "en": ("Norwich NR2 4PD", "Bath BA1 1LT", "Exeter EX4 3SR"),
    "us": ("Austin, TX 78701", "Denver, CO 80202", "Madison, WI 53703"),
    "de": ("80331 München", "01067 Dresden", "28195 Bremen"),
    "fr": ("31000 Toulouse", "67000 Strasbourg", "33000 Bordeaux"),
    "nl": ("2511 AB Den Haag", "9711 LM Groningen", "6811 AA Arnhem"),
}
PHONES = {
    "en": "01603 {a:03d} {b:03d}",
    "us": "({a:03d}) 555-{b:04d}",
    "de": "089 {a:03d} {b:04d}",
    "fr": "05 61 {a:02d} {b:02d} 14",
    "nl": "070 {a:03d} {b:04d}",
}
ITEMS = (
    "Service call",
    "Materials",
    "Labour (hours)",
    "Design work",
    "Annual maintenance",
    "Delivery",
    "Installation",
    "Consultation",
)


@dataclass
class SheetInvoice:
    """One generated invoice: its workbook's design and language, the truth, and the PDF once printed."""

    seed: int
    design: str
    lang: Lang
    truth: dict[str, Any]
    workbook: Workbook
    pdf: bytes = b""
    lines: list[str] = field(default_factory=list)


def _money(value: Decimal, lang: Lang, currency: str, *, symbol: bool = False) -> str:
    text = money(value, "en" if lang == "us" else lang)
    if not symbol:
        return text
    sign = {"GBP": "£", "USD": "$", "EUR": "€"}[currency]
    return f"{sign}{text}" if lang in ("en", "us") else (f"€ {text}" if lang == "nl" else f"{text} €")


def _date(day: dt.date, lang: Lang, written: bool) -> str:
    if written:
        month = MONTHS["en" if lang == "us" else lang][day.month - 1]
        if lang == "us":
            return f"{month} {day.day}, {day.year}"
        return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"
    return day.strftime(
        {"us": "%m/%d/%Y", "en": "%d/%m/%Y", "de": "%d.%m.%Y", "fr": "%d/%m/%Y", "nl": "%d-%m-%Y"}[lang]
    )


def _company(rng: random.Random, lang: Lang) -> tuple[str, bool]:
    """A vendor's name and whether it is a sole trader's (a person's name with a trade)."""
    if rng.random() < 0.2:
        person = rng.choice(PEOPLE)
        return f"{person} {rng.choice(TRADE[lang])}", True
    form = rng.choice(FORMS[lang])
    core = f"{rng.choice(FIRST)} {rng.choice(TRADE[lang])}"
    if rng.random() < 0.15:
        core = f"{rng.choice(FIRST)} & {rng.choice(FIRST)}"
    return (f"{core} {form}" if form else core), not form


def generate(seed: int, design: str | None = None, language: Lang | None = None) -> SheetInvoice:
    """The spreadsheet invoice of ``seed`` (its design and language drawn unless given)."""
    rng = random.Random(seed)
    lang: Lang = language if language is not None else rng.choice(LANGS)
    design = design or rng.choice(DESIGNS)
    w = W[lang]
    currency = CURRENCY[lang]
    vendor, _sole = _company(rng, lang)
    buyer_form = rng.choice([f for f in FORMS[lang] if f])
    buyer = f"{rng.choice(BUYER_FIRST)} {rng.choice(BUYER_TRADE[lang])} {buyer_form}"
    contact = rng.choice([p for p in PEOPLE if p not in vendor])
    number = rng.choice(
        (
            f"INV-{rng.randrange(100, 9999):04d}",
            f"{rng.randrange(2023, 2026)}-{rng.randrange(1, 999):03d}",
            f"{rng.randrange(10000, 99999)}",
            f"R{rng.randrange(100000, 999999)}",
        )
    )
    issued = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))
    issued = issued.replace(day=max(issued.day, 13))  # day and month cannot be swapped
    due = issued + dt.timedelta(days=rng.choice((14, 30)))
    written = rng.random() < 0.3
    items = []
    for _ in range(rng.randrange(1, 6)):
        qty = rng.randrange(1, 12)
        price = Decimal(rng.randrange(1500, 90000)) / 100
        items.append((rng.choice(ITEMS), qty, price, qty * price))
    net = sum((i[3] for i in items), Decimal(0))
    tax = (net * TAX_RATE[lang]).quantize(Decimal("0.01"))
    total = net + tax
    street, place = _street(rng, lang), rng.choice(PLACES[lang])
    email_host = "".join(ch for ch in vendor.split()[0].lower() if ch.isalnum()) or "mail"
    tld = {"en": "co.uk", "us": "com", "de": "de", "fr": "fr", "nl": "nl"}[lang]
    email = f"{rng.choice(('accounts', 'info', 'billing', 'office'))}@{email_host}.{tld}"
    a, b = rng.randrange(100, 999), rng.randrange(1000, 9999)
    phone = PHONES[lang].format(
        a=a if lang != "fr" else a % 100, b=b if lang not in ("fr", "en") else b % 1000
    )
    vendor_vat = vat_id(rng, COUNTRY[lang]) if lang != "us" else None
    account = (
        iban(rng, COUNTRY[lang])
        if lang in ("de", "fr", "nl") or (lang == "en" and rng.random() < 0.5)
        else None
    )
    order = (
        rng.choice((f"4500{rng.randrange(100000, 999999)}", f"ORD-{rng.randrange(1000, 99999)}"))
        if rng.random() < 0.4
        else None
    )
    truth: dict[str, Any] = {
        "invoice_number": number,
        "issue_date": issued,
        "due_date": due,
        "vendor_name": vendor,
        "buyer_name": buyer,
        "total_amount": total,
        "tax_amount": tax,
        "net_amount": net,
        "currency": currency,
        "vendor_email": email,
        "vendor_vat_id": vendor_vat,
        "iban": account,
        "order_number": order,
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Invoice"
    font = rng.choice(("Liberation Sans", "Liberation Serif", "DejaVu Sans", "Carlito"))
    ctx = _Sheet(ws, font, rng)
    for col, width in zip("ABCDEF", (34, 10, 14, 16, 20, 23), strict=True):
        ws.column_dimensions[col].width = width
    parties = {
        "vendor": vendor,
        "street": street,
        "place": place,
        "phone": phone,
        "email": email,
        "buyer": buyer,
        "contact": contact,
        "buyer_street": _street(rng, lang),
        "buyer_place": rng.choice(PLACES[lang]),
        "vat": vendor_vat,
    }
    meta = [
        (w["number"], number),
        (w["date"], _date(issued, lang, written)),
        (w["due"], _date(due, lang, written)),
    ]
    if order:
        meta.append((w["order"], order))
    if rng.random() < 0.5:
        meta.insert(2, (w["customer"], f"C{rng.randrange(1000, 9999)}"))
    row = {"classic": _classic, "letter": _letter, "band": _band, "columns": _columns}[design](
        ctx, w, parties, meta
    )
    row = _items(ctx, w, row + 1, items, lang, currency)
    row = _totals(ctx, w, row + 1, net, tax, total, lang, currency)
    ctx.put(row + 1, "A", w["payable"].format(vendor), size=9)
    row += 2
    if account:
        ctx.put(row, "A", f"{w['bank']}: IBAN {grouped(account) if rng.random() < 0.6 else account}", size=9)
        row += 1
    if vendor_vat and design in ("classic", "band"):
        ctx.put(row, "A", f"{w['vat_no']} {vendor_vat}", size=9)
        row += 1
    ctx.put(row + 1, "A", w["thanks"], size=10, bold=True)
    ws.print_area = f"A1:F{row + 2}"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    return SheetInvoice(seed, design, lang, truth, wb)


def _street(rng: random.Random, lang: Lang) -> str:
    """A street with its house number where the country writes it (after the name; before it in English and
    French), now and then without one ("Marktplatz", "Laan van Meerdervoort")."""
    name = rng.choice(STREETS[lang])
    if rng.random() < 0.2:
        return name
    number = rng.randrange(1, 180)
    return f"{number} {name}" if lang in ("en", "us", "fr") else f"{name} {number}"


class _Sheet:
    def __init__(self, ws: Worksheet, font: str, rng: random.Random) -> None:
        self.ws, self.font, self.rng = ws, font, rng
        self.accent = rng.choice(("1F4E79", "2E7D32", "6A1B9A", "37474F", "B71C1C"))

    def put(
        self,
        row: int,
        col: str,
        value: object,
        *,
        size: float = 10,
        bold: bool = False,
        right: bool = False,
        color: str | None = None,
        fill: str | None = None,
        merge_to: str | None = None,
        number_format: str | None = None,
    ) -> None:
        cell = self.ws[f"{col}{row}"]
        cell.value = value
        cell.font = Font(name=self.font, size=size, bold=bold, color=color)
        cell.alignment = Alignment(horizontal="right" if right else "left", vertical="center")
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
        if number_format:
            cell.number_format = number_format
        if merge_to:
            self.ws.merge_cells(f"{col}{row}:{merge_to}{row}")


def _classic(s: _Sheet, w: dict[str, str], p: dict[str, Any], meta: list[tuple[str, str]]) -> int:
    """Company name big top left over its address and contact; the title big top right; the meta as label and
    value cells under the title; the "BILL TO" heading filled, the buyer under it."""
    s.put(1, "A", p["vendor"], size=18 if len(p["vendor"]) <= 26 else 13, bold=True, merge_to="D")
    s.put(1, "E", w["title"], size=24, bold=True, right=True, color=s.accent, merge_to="F")
    for i, text in enumerate(
        (p["street"], p["place"], f"{w['phone']} {p['phone']}", f"{w['email']}: {p['email']}")
    ):
        s.put(3 + i, "A", text, size=10)
    for i, (label, value) in enumerate(meta):
        s.put(3 + i, "E", label, size=10, bold=True)  # left: a right-aligned label may touch its value
        s.put(3 + i, "F", value, size=10, right=True)
    row = max(8, 3 + len(meta)) + 1
    s.put(row, "A", w["bill_to"], size=10, bold=True, color="FFFFFF", fill=s.accent)
    for i, text in enumerate((p["buyer"], p["contact"], p["buyer_street"], p["buyer_place"])):
        s.put(row + 1 + i, "A", text, size=10)
    return row + 6


def _letter(s: _Sheet, w: dict[str, str], p: dict[str, Any], meta: list[tuple[str, str]]) -> int:
    """A business letter: the sender's name and address right on top; a small return line over the
    addressee left; the meta right beside it; the title under both."""
    for i, text in enumerate((p["vendor"], p["street"], p["place"], p["phone"], p["email"])):
        s.put(1 + i, "E", text, size=14 if i == 0 else 9, bold=i == 0, right=True, merge_to="F")
    s.put(7, "A", f"{p['vendor']} · {p['street']} · {p['place']}", size=7)
    for i, text in enumerate((p["buyer"], f"{p['contact']}", p["buyer_street"], p["buyer_place"])):
        s.put(8 + i, "A", text, size=10)
    for i, (label, value) in enumerate(meta):
        s.put(8 + i, "D", label, size=9)
        s.put(8 + i, "F", value, size=9, right=True)
    s.put(14, "A", f"{w['title']} {meta[0][1]}", size=16, bold=True)
    row = 15
    if p["vat"]:
        s.put(row, "A", f"{w['vat_no']} {p['vat']}", size=8)
    return row + 1


def _band(s: _Sheet, w: dict[str, str], p: dict[str, Any], meta: list[tuple[str, str]]) -> int:
    """A filled band over the top with the company's name and contact in white; the meta as a row of column
    headers over their values; "Invoice to" under it."""
    for r in (1, 2, 3):
        for col in "ABCDEF":
            s.ws[f"{col}{r}"].fill = PatternFill("solid", fgColor=s.accent)
    s.put(
        1,
        "A",
        p["vendor"],
        size=16 if len(p["vendor"]) <= 30 else 12,
        bold=True,
        color="FFFFFF",
        fill=s.accent,
        merge_to="E",
    )
    s.put(2, "A", f"{p['street']}, {p['place']}", size=9, color="FFFFFF", fill=s.accent, merge_to="C")
    s.put(3, "A", f"{p['phone']} | {p['email']}", size=9, color="FFFFFF", fill=s.accent, merge_to="C")
    s.put(1, "F", w["title"], size=18, bold=True, right=True, color="FFFFFF", fill=s.accent)
    for i, (label, value) in enumerate(meta):
        row, col = 5 + 2 * (i // 3), "ACE"[i % 3]
        s.put(row, col, label, size=8, bold=True, color="666666")
        s.put(row + 1, col, value, size=10)
    top = 8 + 2 * ((len(meta) - 1) // 3)
    s.put(top, "A", f"{w['invoice_to']}:", size=9, bold=True)
    for i, text in enumerate((p["buyer"], p["buyer_street"], p["buyer_place"])):
        s.put(top + 1 + i, "A", text, size=10)
    return top + 4


def _columns(s: _Sheet, w: dict[str, str], p: dict[str, Any], meta: list[tuple[str, str]]) -> int:
    """The title on top; the meta under it; "FROM" and "BILL TO" as two headed columns side by side."""
    s.put(1, "A", w["title"], size=22, bold=True, color=s.accent)
    for i, (label, value) in enumerate(meta):
        s.put(3 + i, "A", label, size=9, bold=True)
        s.put(3 + i, "B", value, size=9, merge_to="C")
    row = 4 + len(meta)
    s.put(row, "A", w["from"], size=9, bold=True, color=s.accent)
    s.put(row, "D", w["bill_to"], size=9, bold=True, color=s.accent)
    left = [p["vendor"], p["street"], p["place"], p["email"]] + (
        [f"{w['vat_no']} {p['vat']}"] if p["vat"] else []
    )
    right = [p["buyer"], p["contact"], p["buyer_street"], p["buyer_place"]]
    for i in range(max(len(left), len(right))):
        if i < len(left):
            s.put(row + 1 + i, "A", left[i], size=10, bold=i == 0)
        if i < len(right):
            s.put(row + 1 + i, "D", right[i], size=10, bold=i == 0, merge_to="F")
    return row + 2 + max(len(left), len(right))


def _cell_money(
    s: _Sheet,
    row: int,
    col: str,
    value: Decimal,
    lang: Lang,
    currency: str,
    *,
    bold: bool = False,
    symbol: bool = False,
) -> None:
    if lang in ("en", "us"):
        sign = {"GBP": "£", "USD": "$"}[currency]
        fmt = f'"{sign}"#,##0.00' if symbol else "#,##0.00"
        s.put(row, col, float(value), size=10, bold=bold, right=True, number_format=fmt)
    else:
        s.put(row, col, _money(value, lang, currency, symbol=symbol), size=10, bold=bold, right=True)


def _items(
    s: _Sheet,
    w: dict[str, str],
    row: int,
    items: list[tuple[str, int, Decimal, Decimal]],
    lang: Lang,
    currency: str,
) -> int:
    for col, key in zip("ADEF", ("desc", "qty", "price", "amount"), strict=True):
        s.put(row, col, w[key], size=9, bold=True, color="FFFFFF", fill=s.accent, right=col != "A")
    for i, (desc, qty, price, amount) in enumerate(items):
        r = row + 1 + i
        s.put(r, "A", desc, size=10)
        s.put(r, "D", qty, size=10, right=True)
        _cell_money(s, r, "E", price, lang, currency)
        _cell_money(s, r, "F", amount, lang, currency)
    return row + len(items) + 1


def _totals(
    s: _Sheet,
    w: dict[str, str],
    row: int,
    net: Decimal,
    tax: Decimal,
    total: Decimal,
    lang: Lang,
    currency: str,
) -> int:
    for i, (key, value) in enumerate((("net", net), ("tax", tax), ("total", total))):
        s.put(row + i, "E", w[key], size=10, bold=key == "total", right=True)
        _cell_money(s, row + i, "F", value, lang, currency, bold=key == "total", symbol=key == "total")
    return row + 3


def soffice_to_pdf(paths: Sequence[Path], outdir: Path, timeout: float = 240) -> None:
    """Convert every document in ``paths`` to ``outdir/<stem>.pdf`` with ONE headless LibreOffice run, in
    a profile of its own under ``outdir`` (runs in parallel do not share one)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileNotFoundError("soffice")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{outdir / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    missing = [path.name for path in paths if not (outdir / f"{path.stem}.pdf").exists()]
    if missing:
        raise RuntimeError(f"LibreOffice printed no PDF for {missing[:10]} ({len(missing)} in all)")


def print_pdfs(invoices: list[SheetInvoice], timeout: float = 240) -> None:
    """Print every invoice's workbook to PDF with one LibreOffice Calc run (sets ``pdf``)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        paths = []
        for inv in invoices:
            path = base / f"sheet-{inv.seed}.xlsx"
            inv.workbook.save(path)
            paths.append(path)
        soffice_to_pdf(paths, base, timeout)
        for inv in invoices:
            inv.pdf = (base / f"sheet-{inv.seed}.pdf").read_bytes()
