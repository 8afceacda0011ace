# ruff: noqa: E501  (the HTML templates are long f-string lines: broken up they no longer read as HTML)
"""A seeded generator of English-language invoices as web invoicing services print them (HTML + CSS, printed
by Chromium through tests/htmlpdf.py), with the truth of every field they print.

US, UK, Canadian, Australian and Irish businesses; companies with and without legal forms, sole traders
under their own or a trade name. Seven designs that differ in structure, not only in words: a brand
letterhead with the meta top right, a SaaS receipt with two party columns, bordered table cells, a
mirrored layout (customer left, company right), a freelancer's invoice with bank details, a coloured
header band, and a two-page invoice whose totals land on page 2. Fonts, sizes, currencies, tax labels,
date and number formats vary with the seed. Nothing is copied from a real document.
"""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.invoicegen import vat_id

DESIGNS = ("letterhead", "receipt", "cells", "mirror", "freelancer", "band", "two_pages")
FIELDS = ("invoice_number", "issue_date", "due_date", "vendor_name", "buyer_name", "total_amount",
          "tax_amount", "net_amount", "currency", "vendor_email", "vendor_phone", "order_number",
          "vendor_vat_id")  # fmt: skip

# Countries: currency code, symbols printed, phone shapes, address shapes, legal forms, tax labels.
COUNTRIES: dict[str, dict[str, Any]] = {
    "US": {
        "currency": "USD",
        "symbols": ("$", "US$", "USD "),
        "forms": ("Inc.", "LLC", "Corp.", "Co.", "Inc"),
        "phones": ("+1 (415) 555-{a:04d}", "(212) 555-{a:04d}", "415-555-{a:04d}", "+1 646 555 {a:04d}"),
        "cities": (
            "San Francisco, CA 94107",
            "Austin, TX 78701",
            "Brooklyn, NY 11201",
            "Denver, CO 80202",
            "Portland, OR 97205",
            "Chicago, IL 60607",
        ),
        "taxes": ("Sales tax", "Tax ({rate}%)", "Sales Tax {rate}%", "Tax"),
        "rates": ("8.25", "7", "6.5"),
    },
    "UK": {
        "currency": "GBP",
        "symbols": ("£",),
        "forms": ("Ltd", "Limited", "LLP", "PLC", "Ltd."),
        "phones": ("020 7946 {a:04d}", "+44 20 7946 {a:04d}", "0161 496 {a:04d}", "+44 (0)113 496 {a:04d}"),
        "cities": ("London EC1V 9HX", "Manchester M1 4BT", "Leeds LS1 5DL", "Bristol BS1 6QH"),
        "taxes": ("VAT {rate}%", "VAT", "VAT ({rate}%)"),
        "rates": ("20",),
    },
    "CA": {
        "currency": "CAD",
        "symbols": ("CA$", "$", "C$"),
        "forms": ("Inc.", "Ltd.", "Corp."),
        "phones": ("+1 (604) 555-{a:04d}", "(416) 555-{a:04d}"),
        "cities": ("Vancouver, BC V6B 1A1", "Toronto, ON M5V 2T6", "Calgary, AB T2P 1J9"),
        "taxes": ("GST {rate}%", "GST", "HST ({rate}%)"),
        "rates": ("5", "13"),
    },
    "AU": {
        "currency": "AUD",
        "symbols": ("A$", "$", "AU$"),
        "forms": ("Pty Ltd", "Pty. Ltd."),
        "phones": ("+61 2 9876 {a:04d}", "(03) 9123 {a:04d}"),
        "cities": ("Sydney NSW 2000", "Melbourne VIC 3000", "Brisbane QLD 4000"),
        "taxes": ("GST", "GST 10%", "GST ({rate}%)"),
        "rates": ("10",),
    },
    "IE": {
        "currency": "EUR",
        "symbols": ("€", "EUR "),
        "forms": ("Ltd", "Limited", "DAC"),
        "phones": ("+353 1 555 {a:04d}", "01 555 {a:04d}"),
        "cities": ("Dublin 2, D02 X285", "Cork T12 X70A", "Galway H91 E2K3"),
        "taxes": ("VAT {rate}%", "VAT"),
        "rates": ("23",),
    },
}
STREETS = ("Market Street", "Harbour Road", "Oak Avenue", "King Street", "Mission St", "Elm Grove",
           "Queen's Parade", "Baker Lane", "Wellington Rd", "Cedar Court", "Riverside Drive", "High Street")  # fmt: skip
WORDS = ("Acme", "Bluebird", "Northwind", "Copperleaf", "Summit", "Pinecrest", "Lighthouse", "Redwood",
         "Harbor", "Silverline", "Foxglove", "Granite", "Meridian", "Juniper", "Kestrel", "Oakridge", "Bramble",
         "Tidewater", "Quartz", "Willow", "Falcon", "Ironbark", "Beacon", "Marlow", "Saffron", "Hollis")  # fmt: skip
TRADES = ("Widgets", "Software", "Studio", "Analytics", "Logistics", "Design", "Labs", "Supply", "Media",
          "Consulting", "Cloud", "Print", "Engineering", "Coffee Roasters", "Digital", "Partners")  # fmt: skip
FIRST = ("Emily", "James", "Priya", "Liam", "Olivia", "Noah", "Chloe", "Mateo", "Aisha", "Oliver", "Grace",
         "Ethan", "Zoe", "Declan", "Hannah", "Marcus")  # fmt: skip
LAST = ("Carter", "Nguyen", "O'Brien", "Patel", "Walsh", "Thompson", "Fitzgerald", "Kowalski", "Reyes",
        "MacLeod", "Bennett", "Hughes", "Sullivan", "Okafor", "Lindqvist", "Hayes")  # fmt: skip
ITEMS = ("Website redesign", "Monthly retainer", "Pro plan (annual)", "API usage overage", "Onboarding session",
         "Logo design", "Consulting hours", "Custom integration", "Seat licences", "Support add-on",
         "Photography (half day)", "Copywriting", "Server maintenance", "Data migration")  # fmt: skip
FONTS = ("Helvetica, Arial, sans-serif", "Georgia, 'Times New Roman', serif", "'DejaVu Sans Mono', monospace",
         "'Liberation Sans', sans-serif", "'DejaVu Serif', serif", "Verdana, sans-serif")  # fmt: skip
NOTES = (
    "Thank you for your business!",
    "Payment is due within 30 days.",
    "Please include the invoice number with your payment.",
    "Questions? Reply to this email.",
    "Late payments may incur a 1.5% monthly fee.",
)


@dataclass
class Party:
    name: str
    lines: list[str]
    email: str | None = None
    phone: str | None = None
    tax_label: str | None = None
    tax_id: str | None = None
    person: str | None = None


@dataclass
class HtmlInvoice:
    seed: int
    design: str
    html: str
    truth: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)


def _company(rng: random.Random, country: str, *, form: bool) -> str:
    shape = rng.random()
    if shape < 0.35:
        base = f"{rng.choice(WORDS)} {rng.choice(TRADES)}"
    elif shape < 0.5:
        base = f"{rng.choice(WORDS)} & {rng.choice(WORDS)}"
    elif shape < 0.62:
        base = f"{rng.choice(LAST)} & Sons"
    elif shape < 0.72:
        base = (
            f"{rng.choice('ABCDEJKMRT')}.{rng.choice('ABCDEJKMRT')}. {rng.choice(LAST)} {rng.choice(TRADES)}"
        )
    elif shape < 0.82:
        base = f"{rng.choice(WORDS)}-{rng.choice(WORDS)} {rng.choice(TRADES)}"
    else:
        base = f"{rng.choice(WORDS)}{rng.choice(('ly', 'io', 'hub', 'stack', 'works'))}"
    if form:
        return f"{base} {rng.choice(COUNTRIES[country]['forms'])}"
    return base


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _domain(name: str) -> str:
    word = "".join(ch for ch in name.split(maxsplit=1)[0].lower() if ch.isalpha()) or "mail"
    return f"{word}{len(name) % 7}.com"


def _address(rng: random.Random, country: str) -> list[str]:
    street = f"{rng.randrange(2, 990)} {rng.choice(STREETS)}"
    lines = [street]
    if rng.random() < 0.3:
        lines.append(rng.choice(("Suite 200", "Floor 3", "Unit 7", "Apt 4B")))
    lines.append(rng.choice(COUNTRIES[country]["cities"]))
    if rng.random() < 0.4:
        lines.append({"US": "United States", "UK": "United Kingdom", "CA": "Canada", "AU": "Australia",
                      "IE": "Ireland"}[country])  # fmt: skip
    return lines


def _vat(rng: random.Random, country: str) -> str:
    if country == "UK":
        return vat_id(rng, "GB")
    from stdnum.ie import vat

    digits = f"{rng.randrange(10**6, 10**7)}"
    return f"IE{digits}{vat.calc_check_digit(digits)}"


def _abn(rng: random.Random) -> str:
    from stdnum.au import abn

    while True:
        digits = f"{rng.randrange(10, 99)}{rng.randrange(10**8, 10**9)}"
        if abn.is_valid(digits):
            return f"{digits[:2]} {digits[2:5]} {digits[5:8]} {digits[8:]}"


def _date(rng: random.Random, day: dt.date, country: str) -> str:
    us = ("{m} {d}, {y}", "{b} {d}, {y}", "{mm}/{dd}/{y}")
    uk = ("{dd}/{mm}/{y}", "{d} {m} {y}", "{d} {b} {y}", "{y}-{mm}-{dd}")
    shape = rng.choice(us if country in ("US", "CA") else uk)
    # unambiguous dates, except on some US documents: "03/05/2025" is March 5 there (the locale rule)
    deliberate = country == "US" and rng.random() < 0.4
    if "{mm}" in shape and day.day <= 12 and shape != "{y}-{mm}-{dd}" and not deliberate:
        shape = "{b} {d}, {y}" if country in ("US", "CA") else "{d} {b} {y}"
    return shape.format(m=day.strftime("%B"), b=day.strftime("%b"), d=day.day, dd=f"{day.day:02d}",
                        mm=f"{day.month:02d}", y=day.year)  # fmt: skip


def _money(value: Decimal, symbol: str, code_after: bool, code: str) -> str:
    text = f"{symbol}{value:,.2f}"
    return f"{text} {code}" if code_after else text


def generate(seed: int, design: str | None = None) -> HtmlInvoice:
    rng = random.Random(f"htmlen-{seed}")
    design = design or DESIGNS[seed % len(DESIGNS)]
    country = rng.choice(("US", "US", "UK", "UK", "CA", "AU", "IE"))
    c = COUNTRIES[country]
    sole = design == "freelancer" or rng.random() < 0.12
    # vendor
    if sole and design == "freelancer":
        vname = _person(rng)
    elif sole:
        vname = _company(rng, country, form=False)
    else:
        vname = _company(rng, country, form=rng.random() < 0.8)
    bname = _company(
        rng, country if rng.random() < 0.8 else rng.choice(tuple(COUNTRIES)), form=rng.random() < 0.7
    )
    while bname.split()[0] == vname.split()[0]:
        bname = _company(rng, country, form=True)
    vendor = Party(vname, _address(rng, country))
    vendor.email = rng.choice(("billing", "hello", "accounts", "invoices", "contact")) + "@" + _domain(vname)
    if design == "freelancer":
        vendor.email = vname.split()[0].lower() + "@" + _domain(vname.split()[-1])
    vendor.phone = rng.choice(c["phones"]).format(a=rng.randrange(100, 9999))
    if rng.random() < 0.15:
        vendor.phone = None
    if rng.random() < 0.15 and design != "freelancer":
        vendor.email = None
    tax_rate = Decimal(rng.choice(c["rates"])) if rng.random() < 0.8 else Decimal(0)
    if country in ("UK", "IE") and tax_rate and rng.random() < 0.85:
        vendor.tax_label, vendor.tax_id = (
            rng.choice(("VAT No.", "VAT Reg. No.", "VAT number", "VAT ID")),
            _vat(rng, country),
        )
    elif country == "AU" and rng.random() < 0.7:
        vendor.tax_label, vendor.tax_id = "ABN", _abn(rng)
    buyer = Party(bname, _address(rng, country))
    if rng.random() < 0.45:
        buyer.person = _person(rng)
    if rng.random() < 0.35:
        buyer.email = rng.choice(("ap", "finance", "payables")) + "@" + _domain(bname)
    # meta
    number = rng.choice(
        ("INV-{n:04d}", "#{n}", "{y}-{n:04d}", "{hex}-{n:04d}", "INV{y}{n:03d}", "{n}")
    ).format(
        n=rng.randrange(1, 5000),
        y=rng.randrange(2023, 2027),
        hex="".join(rng.choice("0123456789ABCDEF") for _ in range(8)),
    )
    issue = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    due = issue + dt.timedelta(days=rng.choice((0, 7, 14, 15, 30, 45, 60))) if rng.random() < 0.85 else None
    if due == issue:
        due = None
    po = f"{rng.choice(('PO-', 'PO', 'P', ''))}{rng.randrange(1000, 99999)}" if rng.random() < 0.35 else None
    # items and totals
    items = []
    for _ in range(
        rng.randrange(1, 6 if design != "two_pages" else 4)
        if design != "two_pages"
        else rng.randrange(28, 36)
    ):
        qty = rng.choice((1, 1, 1, 2, 3, 5, 10, 12, 40))
        price = Decimal(rng.randrange(500, 250000)) / 100
        items.append((rng.choice(ITEMS), qty, price, price * qty))
    net = sum((a for *_, a in items), Decimal(0))
    tax = (net * tax_rate / 100).quantize(Decimal("0.01"))
    total = net + tax
    paid = rng.random() < 0.12
    symbol = rng.choice(c["symbols"])
    code_after = rng.random() < 0.25 and not symbol.strip().isalpha()
    code = c["currency"]
    taxes = [t for t in c["taxes"] if country != "CA" or (t.startswith("HST") == (tax_rate == 13))]
    tax_name = rng.choice(taxes).format(rate=f"{tax_rate.normalize():f}")
    subtotal = bool(tax_rate) or rng.random() < 0.5

    def m(v: Decimal) -> str:
        return _money(v, symbol, code_after, code)

    truth: dict[str, Any] = {
        "invoice_number": number.lstrip("#"),
        "issue_date": issue.isoformat(),
        "due_date": due.isoformat() if due else None,
        "vendor_name": vname,
        "buyer_name": bname,
        "total_amount": float(total),
        "tax_amount": float(tax) if tax_rate else None,
        "net_amount": float(net) if subtotal else None,
        "currency": code,
        "vendor_email": vendor.email,
        "vendor_phone": vendor.phone,
        "order_number": po,
        "vendor_vat_id": vendor.tax_id.replace(" ", "")
        if vendor.tax_id and vendor.tax_label != "ABN"
        else None,
    }
    if vendor.tax_label == "ABN":
        truth.pop("vendor_vat_id")  # no field for an Australian Business Number: not asserted
    ctx = _Ctx(rng, design, vendor, buyer, number, _date(rng, issue, country),
               _date(rng, due, country) if due else None, po, items, m, tax_name if tax_rate else None, net,
               tax, total, paid, rng.choice(FONTS), country, subtotal)  # fmt: skip
    body = _DESIGNS[design](ctx)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {rng.choice(("A4", "Letter")) if country in ("US", "CA") else "A4"}; margin: {rng.choice((12, 15, 18, 20))}mm; }}
body {{ font-family: {ctx.font}; font-size: {rng.choice((10, 11, 12, 13))}px; color: #222; margin: 0; }}
table.items {{ width: 100%; border-collapse: collapse; margin-top: 18px; }}
table.items th {{ text-align: left; border-bottom: 1px solid #999; padding: 6px 4px; font-size: 0.9em; }}
table.items td {{ padding: 5px 4px; border-bottom: 1px solid #eee; }}
table.items td.n, table.items th.n {{ text-align: right; }}
table.totals {{ margin-left: auto; margin-top: 12px; border-collapse: collapse; }}
table.totals td {{ padding: 3px 8px; }} table.totals td.n {{ text-align: right; }}
.muted {{ color: #666; }} .small {{ font-size: 0.85em; }}
</style></head><body>{body}</body></html>"""
    return HtmlInvoice(seed, design, page, truth, {"country": country, "paid": paid})


@dataclass
class _Ctx:
    rng: random.Random
    design: str
    vendor: Party
    buyer: Party
    number: str
    issue: str
    due: str | None
    po: str | None
    items: list[tuple[str, int, Decimal, Decimal]]
    m: Any
    tax_name: str | None
    net: Decimal
    tax: Decimal
    total: Decimal
    paid: bool
    font: str
    country: str
    subtotal: bool


def e(text: str) -> str:
    return html.escape(text)


def _br(lines: list[str]) -> str:
    return "<br>".join(e(x) for x in lines)


def _contact(p: Party, *, labels: bool) -> list[str]:
    out = []
    if p.phone:
        out.append(f"Phone: {p.phone}" if labels else p.phone)
    if p.email:
        out.append(f"Email: {p.email}" if labels else p.email)
    if p.tax_id:
        out.append(
            f"{p.tax_label}: {p.tax_id}" if labels or p.tax_label == "ABN" else f"{p.tax_label} {p.tax_id}"
        )
    return out


def _buyer_lines(b: Party) -> list[str]:
    return [b.name, *([f"Attn: {b.person}"] if b.person and b.name.endswith(("Inc.", "LLC")) else [b.person] if b.person else []),
            *b.lines, *([b.email] if b.email else [])]  # fmt: skip


def _meta(x: _Ctx) -> list[tuple[str, str]]:
    r = x.rng
    rows = [(r.choice(("Invoice #", "Invoice No.", "Invoice number", "Invoice Number")), x.number),
            (r.choice(("Date", "Invoice date", "Date of issue", "Issue date")), x.issue)]  # fmt: skip
    if x.due:
        rows.append((r.choice(("Due date", "Due", "Payment due", "Date due")), x.due))
    if x.po:
        rows.append((r.choice(("PO #", "P.O. Number", "PO number", "Purchase order")), x.po))
    return rows


def _items_table(x: _Ctx) -> str:
    r = x.rng
    head = r.choice((("Description", "Qty", "Unit price", "Amount"), ("Item", "Quantity", "Rate", "Total"),
                     ("Service", "Hours", "Rate", "Line total")))  # fmt: skip
    rows = "".join(
        f"<tr><td>{e(d)}</td><td class=n>{q}</td><td class=n>{e(x.m(p))}</td><td class=n>{e(x.m(a))}</td></tr>"
        for d, q, p, a in x.items
    )
    return (f"<table class=items><thead><tr><th>{head[0]}</th><th class=n>{head[1]}</th><th class=n>{head[2]}</th>"
            f"<th class=n>{head[3]}</th></tr></thead><tbody>{rows}</tbody></table>")  # fmt: skip


def _totals(x: _Ctx) -> str:
    r = x.rng
    rows = []
    if x.tax_name:
        rows.append((r.choice(("Subtotal", "Sub-total", "Net total")), x.m(x.net)))
        rows.append((x.tax_name, x.m(x.tax)))
    elif x.subtotal:
        rows.append(("Subtotal", x.m(x.net)))
    rows.append((r.choice(("Total", "Total due", "Invoice total", "TOTAL")), x.m(x.total)))
    if x.paid:
        rows.append(("Amount paid", x.m(x.total)))
        rows.append(("Amount due", x.m(Decimal(0))))
    elif r.random() < 0.4:
        rows.append(("Amount due", x.m(x.total)))
    body = "".join(f"<tr><td>{e(k)}</td><td class=n>{e(v)}</td></tr>" for k, v in rows[:-1])
    k, v = rows[-1]
    body += f"<tr><td><b>{e(k)}</b></td><td class=n><b>{e(v)}</b></td></tr>"
    return f"<table class=totals>{body}</table>"


def _notes(x: _Ctx) -> str:
    if x.rng.random() < 0.6:
        return f"<p class='small muted' style='margin-top:24px'>{e(x.rng.choice(NOTES))}</p>"
    return ""


def _stamp(x: _Ctx) -> str:
    if not x.paid:
        return ""
    return ("<div style='position:absolute; top:220px; right:80px; border:3px solid #2a7; color:#2a7; padding:4px 14px;"
            " font-size:28px; font-weight:bold; transform:rotate(-12deg)'>PAID</div>")  # fmt: skip


def _meta_table(x: _Ctx, align: str = "right") -> str:
    rows = "".join(
        f"<tr><td class=muted>{e(k)}</td><td style='text-align:{align}'>{e(v)}</td></tr>" for k, v in _meta(x)
    )
    return f"<table style='border-collapse:collapse; white-space:nowrap'>{rows}</table>"


def _letterhead(x: _Ctx) -> str:
    v, b, r = x.vendor, x.buyer, x.rng
    ship = ""
    if r.random() < 0.35:
        ship = f"<td style='vertical-align:top; padding-left:40px'><div class=muted>Ship To</div>{_br([b.name, *_address(r, x.country)])}</td>"
    if r.random() < 0.5:
        # headings as a plain page prints them: h1 brand, the "Bill To" h3 a line's height under the contact
        return f"""{_stamp(x)}<div style='display:flex; justify-content:space-between'>
<div><h1 style='margin:0 0 8px 0'>{e(v.name)}</h1><div>{_br(v.lines + _contact(v, labels=r.random() < 0.5))}</div>
<h3 style='margin:{r.choice((4, 8, 12, 16))}px 0 4px 0'>{r.choice(("Bill To", "Billed To", "Invoice To"))}</h3><div>{_br(_buyer_lines(b))}</div></div>
<div style='text-align:right'><h2 style='margin:0'>INVOICE</h2><div style='display:inline-block'>{_meta_table(x)}</div></div></div>
{_items_table(x)}{_totals(x)}{_notes(x)}"""
    return f"""{_stamp(x)}<table style='width:100%'><tr>
<td style='vertical-align:top'><div style='font-size:{r.choice((24, 28, 32))}px; font-weight:bold'>{e(v.name)}</div>
<div class=muted>{_br(v.lines + _contact(v, labels=r.random() < 0.5))}</div></td>
<td style='vertical-align:top; text-align:right'><div style='font-size:26px; letter-spacing:2px; color:#446'>INVOICE</div>
<div style='display:inline-block'>{_meta_table(x)}</div></td></tr></table>
<table style='margin-top:30px'><tr><td style='vertical-align:top'><div class=muted><b>{r.choice(("Bill To", "BILL TO", "Billed to", "Invoice to"))}</b></div>
{_br(_buyer_lines(b))}</td>{ship}</tr></table>
{_items_table(x)}{_totals(x)}{_notes(x)}
<div class='small muted' style='margin-top:40px; text-align:center'>{e(v.name)} · {e(", ".join(v.lines))}</div>"""


def _receipt(x: _Ctx) -> str:
    v, b, r = x.vendor, x.buyer, x.rng
    due_line = ""
    if x.due and not x.paid:
        due_line = f"<div style='font-size:20px; font-weight:bold; margin:20px 0'>{e(x.m(x.total))} due {e(x.due)}</div>"
    elif x.paid:
        due_line = f"<div style='font-size:20px; font-weight:bold; margin:20px 0'>{e(x.m(x.total))} paid on {e(x.issue)}</div>"
    meta = "".join(
        f"<tr><td style='padding-right:24px'>{e(k)}</td><td>{e(val)}</td></tr>" for k, val in _meta(x)
    )
    return f"""<div style='font-size:20px; font-weight:600; margin-bottom:12px'>{r.choice(("Invoice", "Receipt"))}</div>
<table class=small>{meta}</table>
<table style='width:100%; margin-top:22px'><tr>
<td style='vertical-align:top; width:50%'><b>{e(v.name)}</b><br>{_br(v.lines + _contact(v, labels=False))}</td>
<td style='vertical-align:top'><b>Bill to</b><br>{_br(_buyer_lines(b))}</td></tr></table>
{due_line}{_items_table(x)}{_totals(x)}{_notes(x)}
<div class='small muted' style='margin-top:30px'>{e(x.number)} · {e(x.m(x.total))} {"paid" if x.paid else "due"} · Page 1 of 1</div>"""


def _cells(x: _Ctx) -> str:
    v, b = x.vendor, x.buyer
    style = "border:1px solid #555; padding:6px; vertical-align:top"
    heads = [k.upper() for k, _ in _meta(x)]
    vals = [val for _, val in _meta(x)]
    return f"""<div style='text-align:center; font-size:24px; font-weight:bold; margin-bottom:10px'>INVOICE</div>
<table style='width:100%; border-collapse:collapse'><tr>{"".join(f"<th style='{style}; background:#eee'>{e(h)}</th>" for h in heads)}</tr>
<tr>{"".join(f"<td style='{style}; text-align:center'>{e(val)}</td>" for val in vals)}</tr></table>
<table style='width:100%; border-collapse:collapse; margin-top:10px'><tr><th style='{style}; background:#eee; width:50%'>FROM</th>
<th style='{style}; background:#eee'>TO</th></tr><tr><td style='{style}'>{_br([v.name, *v.lines, *_contact(v, labels=True)])}</td>
<td style='{style}'>{_br(_buyer_lines(b))}</td></tr></table>{_items_table(x)}{_totals(x)}{_notes(x)}"""


def _mirror(x: _Ctx) -> str:
    v, b, r = x.vendor, x.buyer, x.rng
    return f"""{_stamp(x)}<div style='text-align:center; font-size:22px; letter-spacing:3px; margin-bottom:18px'>{r.choice(("INVOICE", "TAX INVOICE" if x.country in ("AU", "UK") else "INVOICE", "Invoice"))}</div>
<table style='width:100%'><tr><td style='vertical-align:top'><div class=muted><b>BILLED TO</b></div>{_br(_buyer_lines(b))}
<div style='margin-top:14px'>{_meta_table(x, "left")}</div></td>
<td style='vertical-align:top; text-align:right'><div style='font-size:20px; font-weight:bold'>{e(v.name)}</div>{_br(v.lines + _contact(v, labels=False))}</td></tr></table>
{_items_table(x)}{_totals(x)}{_notes(x)}"""


def _freelancer(x: _Ctx) -> str:
    v, b, r = x.vendor, x.buyer, x.rng
    heading = r.choice(("Invoice for", "Client", "Prepared for", "Bill to"))
    if x.country in ("UK", "IE"):
        bank = f"Sort code: {r.randrange(10, 99)}-{r.randrange(10, 99)}-{r.randrange(10, 99)}<br>Account no.: {r.randrange(10**7, 10**8)}"
    elif x.country == "AU":
        bank = f"BSB: {r.randrange(100, 999)}-{r.randrange(100, 999)}<br>Account: {r.randrange(10**7, 10**9)}"
    else:
        bank = f"Routing no.: {r.randrange(10**8, 10**9)}<br>Account no.: {r.randrange(10**9, 10**10)}"
    return f"""<div style='font-size:30px; font-weight:300'>{e(v.name)}</div>
<div class=muted>{_br(v.lines + _contact(v, labels=False))}</div>
<div style='margin-top:28px; font-size:18px'>Invoice {e(x.number)}</div>{_meta_table(x, "left")}
<div style='margin-top:18px'><div class=muted>{e(heading)}</div>{_br(_buyer_lines(b))}</div>
{_items_table(x)}{_totals(x)}
<div style='margin-top:26px'><b>Payment details</b><br>Payable to {e(v.name)}<br>{bank}</div>{_notes(x)}"""


def _band(x: _Ctx) -> str:
    v, b, r = x.vendor, x.buyer, x.rng
    colour = r.choice(("#1f2d3d", "#2b4c7e", "#333", "#0b5345", "#5b2c6f"))
    return f"""<div style='background:{colour}; color:#fff; padding:18px 22px; display:flex; justify-content:space-between'>
<div><div style='font-size:24px; font-weight:bold'>{e(v.name)}</div><div style='font-size:0.9em'>{_br(v.lines)}</div></div>
<div style='text-align:right; font-size:0.9em'>{_br(_contact(v, labels=False))}</div></div>
<div style='display:flex; justify-content:space-between; margin-top:22px'>
<div><div class=muted>{r.choice(("Bill To", "Customer", "Invoice To"))}</div>{_br(_buyer_lines(b))}</div>
<div style='background:#f0f0f0; padding:10px 14px'><div style='font-weight:bold; margin-bottom:4px'>INVOICE</div>{_meta_table(x)}</div></div>
{_items_table(x)}{_totals(x)}{_notes(x)}"""


def _two_pages(x: _Ctx) -> str:
    return _letterhead(x)


_DESIGNS = {"letterhead": _letterhead, "receipt": _receipt, "cells": _cells, "mirror": _mirror,
            "freelancer": _freelancer, "band": _band, "two_pages": _two_pages}  # fmt: skip


def generate_all(seeds: range) -> list[HtmlInvoice]:
    return [generate(seed) for seed in seeds]
