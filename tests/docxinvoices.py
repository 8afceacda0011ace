"""A seeded generator of Word invoices: .docx files laid out as small businesses and freelancers lay out
an invoice template in a word processor, written with python-docx and printed to PDF by LibreOffice
Writer (tests/docxpdf.py), with the ground truth of every field printed.

What Word templates do and the other generators do not: the letterhead in the page header and the
sender's registration and bank details in the page footer (printed on every page), address blocks in a
borderless two-column layout table or in text frames placed on the page, "Invoice no.:<TAB>2025-104"
lines aligned by tab stops, a bordered items table, totals right-aligned by tab stops, Title and Heading
styles, a small return-address line above the window address (DIN 5008), a business letter with a
subject line, salutation and a payment sentence naming the amount and due date, a second page now and then.

Words, names and designs are made up here (vocabulary and name pools shared with tests/sheetinvoices.py);
VAT ids and IBANs pass their check digits (tests/invoicegen.py draws them).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from tests.invoicegen import grouped, iban, vat_id
from tests.sheetinvoices import (
    BUYER_FIRST,
    BUYER_TRADE,
    COUNTRY,
    CURRENCY,
    FORMS,
    ITEMS,
    LANGS,
    PEOPLE,
    PHONES,
    PLACES,
    TAX_RATE,
    Lang,
    W,
    _company,
    _date,
    _money,
    _street,
)

DESIGNS = ("letterhead", "twocol", "frames", "headings", "memo", "subject")
FONTS = ("Liberation Sans", "Liberation Serif", "DejaVu Sans", "DejaVu Serif", "Carlito")

# Words the sheet vocabulary lacks: a note on an unpaid or paid invoice, the no-VAT notes, the footer.
EXTRA: dict[str, dict[str, str]] = {
    "en": {
        "paid": "PAID - thank you, no payment due.",
        "no_tax": "Not registered for VAT.",
        "due_note": "Payment within {days} days of the invoice date.",
        "register": "Registered in England and Wales No. {reg}",
        "director": "Director: {person}",
        "page": "Page",
        "to": "To",
        "regards": "Kind regards",
        "account": "Account name",
    },
    "us": {
        "paid": "PAID IN FULL - thank you!",
        "no_tax": "",
        "due_note": "Payment due within {days} days.",
        "register": "EIN {reg}",
        "director": "Owner: {person}",
        "page": "Page",
        "to": "To",
        "regards": "Sincerely",
        "account": "Account name",
    },
    "de": {
        "paid": "Betrag dankend erhalten.",
        "no_tax": "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
        "due_note": "Zahlbar innerhalb von {days} Tagen ohne Abzug.",
        "register": "Amtsgericht München HRB {reg}",
        "director": "Geschäftsführer: {person}",
        "page": "Seite",
        "to": "An",
        "regards": "Mit freundlichen Grüßen",
        "account": "Kontoinhaber",
    },
    "fr": {
        "paid": "Facture acquittée.",
        "no_tax": "TVA non applicable, art. 293 B du CGI.",
        "due_note": "Paiement à {days} jours date de facture.",
        "register": "RCS Toulouse {reg}",
        "director": "Gérant : {person}",
        "page": "Page",
        "to": "À",
        "regards": "Cordialement",
        "account": "Titulaire",
    },
    "nl": {
        "paid": "Betaald, hartelijk dank.",
        "no_tax": "Vrijgesteld van btw (KOR).",
        "due_note": "Betaling binnen {days} dagen na factuurdatum.",
        "register": "KvK {reg}",
        "director": "Directeur: {person}",
        "page": "Pagina",
        "to": "Aan",
        "regards": "Met vriendelijke groet",
        "account": "Ten name van",
    },
}
# A business letter's words (DIN 5008 style): subject, salutation, opening sentence, payment sentence.
LETTER: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Invoice No. {number}",
        "dear": "Dear Sir or Madam,",
        "intro": "Thank you for your order. We invoice you for the following work:",
        "pay": "Please transfer the amount of {total} by {due} to the account below.",
        "date": "{place}, {date}",
    },
    "us": {
        "subject": "Invoice #{number}",
        "dear": "Dear Customer,",
        "intro": "Thank you for your business. Please find our charges below:",
        "pay": "Please remit {total} by {due}.",
        "date": "{date}",
    },
    "de": {
        "subject": "Rechnung Nr. {number}",
        "dear": "Sehr geehrte Damen und Herren,",
        "intro": "für unsere Leistungen erlauben wir uns, wie folgt zu berechnen:",
        "pay": "Bitte überweisen Sie den Rechnungsbetrag von {total} bis zum {due} auf unser Konto.",
        "date": "{place}, {date}",
    },
    "fr": {
        "subject": "Facture n° {number}",
        "dear": "Madame, Monsieur,",
        "intro": "Veuillez trouver ci-dessous le détail de nos prestations :",
        "pay": "Merci de régler la somme de {total} avant le {due} par virement.",
        "date": "{place}, le {date}",
    },
    "nl": {
        "subject": "Factuur {number}",
        "dear": "Geachte heer, mevrouw,",
        "intro": "Hierbij brengen wij u de volgende werkzaamheden in rekening:",
        "pay": "Wij verzoeken u het bedrag van {total} vóór {due} over te maken.",
        "date": "{place}, {date}",
    },
}
TOTAL_NO_TAX = {"en": "Total", "us": "TOTAL", "de": "Gesamtbetrag", "fr": "Total", "nl": "Totaal"}
MORE_ITEMS = (
    "Site visit",
    "Copywriting",
    "Photography (half day)",
    "Website hosting (12 months)",
    "Travel costs",
    "Spare parts",
    "Project management",
    "Training session",
    "Translation",
    "Licence fee",
)


@dataclass
class DocxInvoice:
    """One generated Word invoice: its design and language, the truth, the document, the PDF once printed."""

    seed: int
    design: str
    lang: Lang
    truth: dict[str, Any]
    document: Document
    pdf: bytes = b""
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Draw:
    rng: random.Random
    lang: Lang
    w: dict[str, str]
    x: dict[str, str]
    vendor: str
    street: str
    place: str
    phone: str
    email: str
    person: str
    buyer: str
    contact: str | None
    buyer_street: str
    buyer_place: str
    meta: list[tuple[str, str]]
    items: list[tuple[str, int, Decimal, Decimal]]
    net: Decimal
    tax: Decimal | None
    total: Decimal
    currency: str
    vat: str | None
    account: str | None
    bic: str
    bank: str
    reg: str
    paid: bool
    due_days: int
    font: str
    accent: RGBColor
    number: str = ""
    issued: str = ""
    due: str | None = None

    def m(self, value: Decimal, symbol: bool = False) -> str:
        return _money(value, self.lang, self.currency, symbol=symbol)


def generate(seed: int, design: str | None = None, language: Lang | None = None) -> DocxInvoice:
    """The Word invoice of ``seed`` (design and language drawn unless given)."""
    rng = random.Random(seed * 7919 + 17)
    lang: Lang = language if language is not None else rng.choice(LANGS)
    design = design or DESIGNS[seed % len(DESIGNS)]
    w, x = W[lang], EXTRA[lang]
    currency = CURRENCY[lang]
    vendor, sole = _company(rng, lang)
    buyer_form = rng.choice([f for f in FORMS[lang] if f])
    buyer = f"{rng.choice(BUYER_FIRST)} {rng.choice(BUYER_TRADE[lang])} {buyer_form}"
    person = rng.choice([p for p in PEOPLE if p not in vendor])
    contact = (
        rng.choice([p for p in PEOPLE if p not in vendor and p != person]) if rng.random() < 0.5 else None
    )
    number = rng.choice(
        (
            f"{rng.randrange(2024, 2026)}-{rng.randrange(1, 999):03d}",
            f"INV-{rng.randrange(100, 9999):04d}",
            f"RE{rng.randrange(2024, 2026)}{rng.randrange(1, 999):04d}",
            f"{rng.randrange(1000, 99999)}",
            f"F-{rng.randrange(2024, 2026)}/{rng.randrange(1, 300):03d}",
        )
    )
    issued = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))
    issued = issued.replace(day=max(issued.day, 13))  # day and month cannot be swapped
    paid = rng.random() < 0.2
    due_days = rng.choice((14, 30, 10))
    due = None if paid else issued + dt.timedelta(days=due_days)
    written = rng.random() < 0.3
    many = rng.random() < 0.15
    pool = ITEMS + MORE_ITEMS
    items = []
    for _ in range(rng.randrange(26, 38) if many else rng.randrange(1, 7)):
        qty = rng.choice((1, 1, 2, 3, 4, 8, 10))
        price = Decimal(rng.randrange(1500, 120000)) / 100
        items.append((rng.choice(pool), qty, price, qty * price))
    net = sum((i[3] for i in items), Decimal(0))
    taxed = rng.random() < 0.8
    tax = (net * TAX_RATE[lang]).quantize(Decimal("0.01")) if taxed else None
    total = net + (tax or Decimal(0))
    email_host = "".join(ch for ch in vendor.split()[0].lower() if ch.isalnum()) or "mail"
    tld = {"en": "co.uk", "us": "com", "de": "de", "fr": "fr", "nl": "nl"}[lang]
    email = f"{rng.choice(('accounts', 'info', 'billing', 'office', 'hello'))}@{email_host}.{tld}"
    a, b = rng.randrange(100, 999), rng.randrange(1000, 9999)
    phone = PHONES[lang].format(
        a=a if lang != "fr" else a % 100, b=b if lang not in ("fr", "en") else b % 1000
    )
    vat = vat_id(rng, COUNTRY[lang]) if lang != "us" and taxed else None
    account = (
        iban(rng, COUNTRY[lang])
        if lang in ("de", "fr", "nl") or (lang == "en" and rng.random() < 0.6)
        else None
    )
    order = (
        rng.choice((f"4500{rng.randrange(100000, 999999)}", f"PO-{rng.randrange(1000, 99999)}"))
        if rng.random() < 0.35
        else None
    )
    meta = [(w["number"], number), (w["date"], _date(issued, lang, written))]
    if due is not None:
        meta.append((w["due"], _date(due, lang, written)))
    if rng.random() < 0.4:
        meta.insert(2, (w["customer"], f"K{rng.randrange(1000, 9999)}"))
    if order:
        meta.append((w["order"], order))
    d = _Draw(
        rng=rng,
        lang=lang,
        w=w,
        x=x,
        vendor=vendor,
        street=_street(rng, lang),
        place=rng.choice(PLACES[lang]),
        phone=phone,
        email=email,
        person=person,
        buyer=buyer,
        contact=contact,
        buyer_street=_street(rng, lang),
        buyer_place=rng.choice(PLACES[lang]),
        meta=meta,
        items=items,
        net=net,
        tax=tax,
        total=total,
        currency=currency,
        vat=vat,
        account=account,
        bic=rng.choice(("COBADEFFXXX", "BNPAFRPPXXX", "INGBNL2A", "NWBKGB2L", "DEUTDEMM")),
        bank=rng.choice(
            ("Sparkasse", "Commerzbank", "Crédit Agricole", "ING Bank", "Barclays", "Triodos Bank")
        ),
        reg=f"{rng.randrange(10000, 99999999)}",
        paid=paid,
        due_days=due_days,
        font=rng.choice(FONTS),
        accent=RGBColor(
            *rng.choice(((0x1F, 0x4E, 0x79), (0x2E, 0x7D, 0x32), (0x6A, 0x1B, 0x9A), (0x37, 0x47, 0x4F)))
        ),
    )
    d.number, d.issued = number, _date(issued, lang, written)
    d.due = _date(due, lang, written) if due is not None else None
    doc = _document(d)
    designs = {"letterhead": _letterhead, "twocol": _twocol, "frames": _frames, "headings": _headings}
    {**designs, "memo": _memo, "subject": _subject}[design](doc, d)
    truth: dict[str, Any] = {
        "invoice_number": number,
        "issue_date": issued.isoformat(),
        "due_date": due.isoformat() if due else None,
        "vendor_name": vendor,
        "buyer_name": buyer,
        "total_amount": total,
        "tax_amount": tax,
        "net_amount": net if taxed else None,
        "currency": currency,
        "vendor_email": email,
        "vendor_vat_id": vat,
        "iban": None if paid else account,  # printed with the payment details only
        "order_number": order,
    }
    return DocxInvoice(seed, design, lang, truth, doc, notes={"sole": sole, "many": many, "font": d.font})


# ------------------------------------------------------------------------------------------ helpers


def _document(d: _Draw) -> Document:
    doc = new_document()
    normal = doc.styles["Normal"]
    normal.font.name = d.font
    normal.font.size = Pt(d.rng.choice((9.5, 10, 10.5, 11)))
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for attr in ("w:eastAsia", "w:cs"):
            fonts.set(qn(attr), d.font)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.name = d.font
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    if d.lang == "us":
        section.page_width, section.page_height = Cm(21.59), Cm(27.94)
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(d.rng.choice((2.0, 2.2, 2.5)))
    section.top_margin = Cm(2.5)
    section.bottom_margin = Cm(2.5)
    return doc


def _width(doc: Document) -> float:
    s = doc.sections[0]
    assert s.page_width is not None and s.left_margin is not None and s.right_margin is not None
    return (s.page_width - s.left_margin - s.right_margin) / 360000  # EMU per cm


def _para(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    style: str | None = None,
    after: float = 0,
    color: RGBColor | None = None,
) -> Paragraph:
    p: Paragraph = container.add_paragraph(style=style) if style else container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    return p


def _tabbed(
    container: Any, parts: list[str], stops: list[tuple[float, WD_TAB_ALIGNMENT]], **kw: Any
) -> Paragraph:
    """One paragraph whose parts are separated by tabs, aligned by the given tab stops (cm)."""
    p = _para(container, "\t".join(parts), **kw)
    for pos, align in stops:
        p.paragraph_format.tab_stops.add_tab_stop(Cm(pos), align)
    return p


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell(
    table: Table, row: int, col: int, lines: list[str], *, bold_first: bool = False, right: bool = False
) -> None:
    cell = table.cell(row, col)
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        run = p.add_run(line)
        run.bold = (bold_first and i == 0) or None
        p.paragraph_format.space_after = Pt(0)
        if right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _frame(p: Paragraph, x_cm: float, y_cm: float, w_cm: float) -> None:
    """Make ``p`` a text frame placed on the page (w:framePr; Writer imports it as a frame)."""
    ppr = p._p.get_or_add_pPr()
    fr = OxmlElement("w:framePr")
    fr.set(qn("w:w"), str(int(w_cm * 567)))
    fr.set(qn("w:hSpace"), "142")
    fr.set(qn("w:wrap"), "around")
    fr.set(qn("w:vAnchor"), "page")
    fr.set(qn("w:hAnchor"), "page")
    fr.set(qn("w:x"), str(int(x_cm * 567)))
    fr.set(qn("w:y"), str(int(y_cm * 567)))
    ppr.insert(0, fr)


def _page_field(p: Paragraph, word: str) -> None:
    p.add_run(f"{word} ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    p._p.append(fld)


def _vendor_lines(d: _Draw) -> list[str]:
    return [d.vendor, d.street, d.place, f"{d.w['phone']} {d.phone}", d.email]


def _buyer_lines(d: _Draw) -> list[str]:
    lines = [d.buyer]
    if d.contact:
        lines.append(
            {"de": "z. Hd. ", "fr": "À l'attention de ", "nl": "t.a.v. "}.get(d.lang, "Attn: ") + d.contact
        )
    return [*lines, d.buyer_street, d.buyer_place]


def _meta_tabs(container: Any, d: _Draw, at: float, *, indent: float = 0, colon: bool = True) -> None:
    for label, value in d.meta:
        p = _tabbed(container, [f"{label}{':' if colon else ''}", value], [(at, WD_TAB_ALIGNMENT.LEFT)])
        p.paragraph_format.left_indent = Cm(indent) if indent else None


def _items(doc: Document, d: _Draw, style: str) -> None:
    w = d.w
    table = doc.add_table(rows=1, cols=4, style=style)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, head in enumerate((w["desc"], w["qty"], w["price"], w["amount"])):
        _cell(table, 0, i, [head], bold_first=True, right=i > 0)
    for desc, qty, price, amount in d.items:
        row = table.add_row()
        for i, text in enumerate((desc, str(qty), d.m(price), d.m(amount))):
            row.cells[i].paragraphs[0].add_run(text)
            if i:
                row.cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    widths = (0.5, 0.12, 0.19, 0.19)
    full = _width(doc)
    for row in table.rows:
        for cell, share in zip(row.cells, widths, strict=True):
            cell.width = Cm(full * share)
    _para(doc, after=4)


def _totals_tabs(doc: Document, d: _Draw) -> None:
    """Totals right-aligned by two right tab stops: label ending at one, amount at the right margin."""
    full = _width(doc)
    stops = [(full - 4.2, WD_TAB_ALIGNMENT.RIGHT), (full, WD_TAB_ALIGNMENT.RIGHT)]
    for label, value, strong in _total_rows(d):
        _tabbed(doc, ["", label, value], stops, bold=strong)


def _totals_table(doc: Document, d: _Draw) -> None:
    rows = _total_rows(d)
    table = doc.add_table(rows=len(rows), cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    for i, (label, value, strong) in enumerate(rows):
        _cell(table, i, 0, [label], bold_first=strong, right=True)
        _cell(table, i, 1, [value], bold_first=strong, right=True)
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(4.5), Cm(3.5)


def _total_rows(d: _Draw) -> list[tuple[str, str, bool]]:
    if d.tax is None:
        return [(TOTAL_NO_TAX[d.lang], d.m(d.total, symbol=True), True)]
    return [
        (d.w["net"], d.m(d.net), False),
        (d.w["tax"], d.m(d.tax), False),
        (d.w["total"], d.m(d.total, symbol=True), True),
    ]


def _closing(doc: Document, d: _Draw, *, bank_in_body: bool) -> None:
    _para(doc, after=2)
    if d.tax is None and d.x["no_tax"]:
        _para(doc, d.x["no_tax"], size=9)
    if d.paid:
        _para(doc, d.x["paid"], bold=True)
    else:
        _para(doc, d.x["due_note"].format(days=d.due_days))
        if bank_in_body and d.account:
            iban_text = grouped(d.account) if d.rng.random() < 0.6 else d.account
            _para(doc, f"{d.w['bank']}: {d.bank}, IBAN {iban_text}, BIC {d.bic}")
    _para(doc, d.w["thanks"], after=6)


def _footer(doc: Document, d: _Draw, *, table: bool, page: bool) -> None:
    """The sender's company details in the page footer: as three columns (a borderless table) or lines."""
    footer = doc.sections[0].footer
    left = [d.vendor, d.street, d.place]
    middle = [f"{d.w['phone']} {d.phone}", d.email]
    if d.lang == "de" and not _sole(d):
        middle.append(d.x["director"].format(person=d.person))
    right: list[str] = []
    if d.account and not d.paid:
        right += [d.bank, f"IBAN {grouped(d.account)}", f"BIC {d.bic}"]
    if d.vat:
        right.append(f"{d.w['vat_no']} {d.vat}")
    if d.lang in ("en", "de", "fr", "nl") and not _sole(d):
        right.append(d.x["register"].format(reg=d.reg))
    first = footer.paragraphs[0]
    if table:
        full = _width(doc)
        t = footer.add_table(rows=1, cols=3, width=Cm(full))
        _no_borders(t)
        for i, (lines, share) in enumerate(((left, 0.3), (middle, 0.3), (right, 0.4))):
            _cell(t, 0, i, lines)
            t.cell(0, i).width = t.columns[i].width = Cm(full * share)  # the cell and the table grid
            for p in t.cell(0, i).paragraphs:
                for run in p.runs:
                    run.font.size = Pt(7.5)
    else:
        first.add_run(" · ".join(left + middle)).font.size = Pt(7.5)
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if right:
            p = footer.add_paragraph()
            p.add_run(" · ".join(right)).font.size = Pt(7.5)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if page:
        p = footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _page_field(p, d.x["page"])


def _sole(d: _Draw) -> bool:
    return not any(d.vendor.endswith(f" {form}") for form in FORMS[d.lang] if form)


# ------------------------------------------------------------------------------------------ designs


def _letterhead(doc: Document, d: _Draw) -> None:
    """Letterhead in the page header (name big, address right), window address with a return line, meta by
    tab stops on the right half, bordered items, tab-aligned totals, company details in a footer table."""
    header = doc.sections[0].header
    hp = header.paragraphs[0]
    hp.add_run(d.vendor).bold = True
    hp.runs[0].font.size = Pt(d.rng.choice((16, 18, 20)))
    hp.runs[0].font.color.rgb = d.accent
    if d.rng.random() < 0.5:
        hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sub = header.add_paragraph()
    sub.add_run(f"{d.street} · {d.place} · {d.phone}").font.size = Pt(8.5)
    sub.alignment = hp.alignment
    # the return line above the window address, small and underlined (DIN 5008)
    ret = _para(doc, f"{d.vendor} · {d.street} · {d.place}", size=7)
    ret.runs[0].underline = True
    for line in _buyer_lines(d):
        _para(doc, line)
    _para(doc, after=6)
    full = _width(doc)
    for label, value in d.meta:
        p = _tabbed(doc, [f"{label}:", value], [(full - 0.01, WD_TAB_ALIGNMENT.RIGHT)])
        p.paragraph_format.left_indent = Cm(full * 0.55)
    _para(doc, after=6)
    _para(doc, f"{d.w['title'].title()} {d.meta[0][1]}", bold=True, size=14, after=6)
    _items(doc, d, "Table Grid")
    _totals_tabs(doc, d)
    _closing(doc, d, bank_in_body=False)
    _para(doc, d.x["regards"])
    _para(doc, d.person)
    _footer(doc, d, table=True, page=d.rng.random() < 0.5)


def _twocol(doc: Document, d: _Draw) -> None:
    """Title "INVOICE" at the top, then a borderless two-column table: the sender left ("From"), the buyer
    right ("Bill to"); meta in a borderless two-column table; grid items; totals in a small right table."""
    _para(doc, d.w["title"], style="Title", after=6)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    headed = d.rng.random() < 0.6
    _cell(t, 0, 0, ([d.w["from"]] if headed else []) + _vendor_lines(d), bold_first=headed)
    _cell(t, 0, 1, [d.w["bill_to"], *_buyer_lines(d)], bold_first=True)
    _para(doc, after=6)
    mt = doc.add_table(rows=len(d.meta), cols=2)
    _no_borders(mt)
    for i, (label, value) in enumerate(d.meta):
        _cell(mt, i, 0, [label], bold_first=True)
        _cell(mt, i, 1, [value])
    for row in mt.rows:
        row.cells[0].width, row.cells[1].width = Cm(4.5), Cm(5)
    _para(doc, after=6)
    _items(doc, d, d.rng.choice(("Table Grid", "Light Grid Accent 1", "Light List Accent 1")))
    _totals_table(doc, d)
    _closing(doc, d, bank_in_body=True)
    if d.vat:
        _para(doc, f"{d.w['vat_no']}: {d.vat}", size=8.5)


def _frames(doc: Document, d: _Draw) -> None:
    """Address blocks and meta in text frames placed on the page (Word's "text box" of old templates):
    the sender top right, the buyer in the window position, the meta right of it; the body below."""
    top = 1.8
    sender = _para(doc, d.vendor, bold=True, size=13)
    _frame(sender, 12.0, top, 7.0)
    for line in _vendor_lines(d)[1:]:
        _frame(_para(doc, line, size=9), 12.0, top, 7.0)
    for i, line in enumerate(_buyer_lines(d)):
        _frame(_para(doc, line, bold=i == 0), 2.2, 5.0, 9.0)
    for label, value in d.meta:
        p = _tabbed(doc, [f"{label}:", value], [(3.4, WD_TAB_ALIGNMENT.LEFT)], size=9)
        _frame(p, 12.0, 5.0, 7.6)
    spacer = _para(doc)
    spacer.paragraph_format.space_before = Cm(6.5)
    _para(doc, d.w["title"], style="Heading 1", after=6)
    _items(doc, d, "Table Grid")
    _totals_tabs(doc, d)
    _closing(doc, d, bank_in_body=True)
    _footer(doc, d, table=False, page=False)


def _headings(doc: Document, d: _Draw) -> None:
    """The vendor's name as Heading 1 with its address lines, the parties under Heading 2 headings, meta by a
    left tab stop ("Invoice No.:<TAB>2025-104"), shaded items table, totals by tab stops, footer lines."""
    _para(doc, d.vendor, style="Heading 1")
    _para(doc, f"{d.street}, {d.place}")
    _para(doc, f"{d.w['phone']} {d.phone} | {d.email}", after=8)
    _para(doc, d.w["title"].title(), style="Heading 2", after=4)
    _meta_tabs(doc, d, 4.0)
    _para(doc, d.w["invoice_to"], style="Heading 3", after=2)
    for line in _buyer_lines(d):
        _para(doc, line)
    _para(doc, after=6)
    _items(doc, d, d.rng.choice(("Medium Shading 1 Accent 1", "Light Shading Accent 1", "Table Grid")))
    _totals_tabs(doc, d)
    _closing(doc, d, bank_in_body=True)
    _footer(doc, d, table=False, page=True)


def _memo(doc: Document, d: _Draw) -> None:
    """A letter: the sender centred at the top, a rule, the buyer on the left with the invoice number and date
    on the same lines at a right tab stop, items, tab totals, a signature; details in a footer table."""
    _para(doc, d.vendor.upper() if d.rng.random() < 0.4 else d.vendor, bold=True, size=17,
          align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    _para(doc, f"{d.street} · {d.place}", align=WD_ALIGN_PARAGRAPH.CENTER, size=9)
    _para(doc, f"{d.phone} · {d.email}", align=WD_ALIGN_PARAGRAPH.CENTER, size=9, after=4)
    rule = _para(doc, after=10)
    ppr = rule._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "888888")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)
    full = _width(doc)
    left = [f"{d.x['to']}:", *_buyer_lines(d)]
    right = [f"{label}: {value}" for label, value in d.meta]
    for i in range(max(len(left), len(right))):
        parts = [left[i] if i < len(left) else "", right[i] if i < len(right) else ""]
        _tabbed(doc, parts, [(full, WD_TAB_ALIGNMENT.RIGHT)], bold=i == 1)
    _para(doc, after=8)
    _para(doc, d.w["title"], bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER, after=8)
    _items(doc, d, "Table Grid")
    _totals_tabs(doc, d)
    _closing(doc, d, bank_in_body=False)
    _para(doc, d.x["regards"] + ",")
    _para(doc, d.person)
    _footer(doc, d, table=d.rng.random() < 0.5, page=True)


def _subject(doc: Document, d: _Draw) -> None:
    """A business letter (DIN 5008 style): the letterhead as a borderless table in the page header (name
    left, address right), the return line and window address left beside the customer's references, place
    and date on their own line on the right, a bold subject line with the invoice number, a salutation and
    an opening sentence, items, totals, a payment sentence naming the amount and the due date, a signature."""
    header = doc.sections[0].header
    full = _width(doc)
    head = header.add_table(rows=1, cols=2, width=Cm(full))
    _no_borders(head)
    name = head.cell(0, 0).paragraphs[0].add_run(d.vendor)
    name.bold, name.font.size, name.font.color.rgb = True, Pt(d.rng.choice((15, 17))), d.accent
    _cell(head, 0, 1, [d.street, d.place, f"{d.w['phone']} {d.phone}", d.email], right=True)
    for i, share in enumerate((0.55, 0.45)):
        head.cell(0, i).width = head.columns[i].width = Cm(full * share)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    ret = t.cell(0, 0).paragraphs[0].add_run(f"{d.vendor} · {d.street} · {d.place}")
    ret.font.size, ret.underline = Pt(7), True
    for line in _buyer_lines(d):
        t.cell(0, 0).add_paragraph(line).paragraph_format.space_after = Pt(0)
    refs = [(label, value) for label, value in d.meta if value not in (d.number, d.issued, d.due)]
    _cell(t, 0, 1, [f"{label}: {value}" for label, value in refs] or [""], right=True)
    for i, share in enumerate((0.6, 0.4)):
        t.cell(0, i).width = t.columns[i].width = Cm(full * share)
    words = LETTER[d.lang]
    _para(doc, words["date"].format(place=d.place.split()[-1].strip(","), date=d.issued),
          align=WD_ALIGN_PARAGRAPH.RIGHT, after=10)  # fmt: skip
    _para(doc, words["subject"].format(number=d.number), bold=True, size=12, after=8)
    _para(doc, words["dear"], after=4)
    _para(doc, words["intro"], after=6)
    _items(doc, d, d.rng.choice(("Table Grid", "Light List Accent 1")))
    _totals_table(doc, d)
    _para(doc, after=4)
    if d.tax is None and d.x["no_tax"]:
        _para(doc, d.x["no_tax"], size=9)
    if d.paid:
        _para(doc, d.x["paid"], bold=True)
    else:
        assert d.due is not None
        _para(doc, words["pay"].format(total=d.m(d.total, symbol=True), due=d.due))
    _para(doc, after=4)
    _para(doc, d.x["regards"] + ("," if d.lang in ("en", "us", "nl") else ""))
    _para(doc, d.person, after=4)
    _footer(doc, d, table=True, page=d.rng.random() < 0.3)
