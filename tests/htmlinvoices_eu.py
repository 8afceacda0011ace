# ruff: noqa: E501  (HTML and CSS markup lines read best unbroken)
"""Seeded European business invoices as HTML, the way ERP, shop and accounting software print them.

Six designs (``DESIGNS``): a DIN 5008 business letter, a labelled-sections rendering as e-invoice viewers
print one, a French invoice with its mentions légales, a Dutch factuur, trade-specific party roles
(landlord/tenant, insurer/policyholder, contractor/client, practice/patient, ...) in four languages, and an
online shop's invoice. Everything else is drawn per seed: fonts, sizes, language, legal forms, names,
addresses, number and date formats, tax, paid or not, a second page. ``truth`` follows the bench's
conventions: the vendor is the seller's name as printed with its form (without it where a French capital
mention states the form apart), the buyer the buyer's (never the payee or a delivery party), amounts as
Decimal, dates ISO ``date``, ids compact.
"""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.invoicegen import iban, vat_id

DESIGNS = ("din5008", "sections", "facture", "factuur", "roles", "shop")

FONTS = (
    "sans-serif",
    "serif",
    "monospace",
    "Arial, Helvetica, sans-serif",
    "Georgia, 'Times New Roman', serif",
    "'DejaVu Sans', Verdana, sans-serif",
    "'Liberation Serif', serif",
)

MONTHS = {
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

COUNTRY = {"de": "DE", "fr": "FR", "nl": "NL", "en": "DE"}
FORMS = {
    "DE": ("GmbH", "GmbH & Co. KG", "AG", "e.K.", "UG (haftungsbeschränkt)", "KG", "OHG", "GmbH", "SE"),
    "FR": ("SAS", "SARL", "SA", "EURL", "SASU", "SAS"),
    "NL": ("B.V.", "N.V.", "V.O.F.", "B.V."),
}
# Name stems: plain words, surnames, initials, hyphenated, ampersands, multi-word.
STEMS = {
    "DE": (
        "Nordlicht Medientechnik",
        "Brandt & Söhne",
        "Kessler-Vogt Haustechnik",
        "Alpenblick Reisen",
        "Weber Logistik",
        "HKL Industrieservice",
        "Rheinufer Druck",
        "Sonnenhof Lebensmittel",
        "Baumann Elektro",
        "Falkenried Software",
        "Gebr. Lindner",
        "Zimmermann & Partner Bau",
        "Mainfranken Werkzeuge",
        "Ostwind Energie",
        "Schäfer Metallbau",
        "Ilmtal Papier",
        "K&W Bürotechnik",
        "Hansa Kontor Handel",
        "Feldberg Optik",
        "Grünwerk Gartenbau",
    ),
    "FR": (
        "Atelier Lumière",
        "Boulangerie Martin",
        "Transports Girard & Fils",
        "Loire Numérique",
        "Maison Dubois",
        "Ciel Bleu Conseil",
        "Garnier-Roux Ingénierie",
        "Les Vergers du Sud",
        "Provence Emballages",
        "ABC Maintenance",
        "Éditions du Quai",
        "Chêne & Lin",
    ),
    "NL": (
        "Dijkstra Installatietechniek",
        "De Groene Molen",
        "Van den Berg & Zn.",
        "Hollands Glorie Media",
        "Noordzee Visserij",
        "Bakker-Smit Advies",
        "Polderwind",
        "JVK Bouw",
        "Tulpenhof Kwekerij",
        "De Vries Transport",
        "Amstel Print & Design",
    ),
}
PERSONS = {
    "DE": (
        "Jana Hoffmann",
        "Lukas Meier",
        "Sabine Krüger",
        "Tobias Wagner",
        "Anna-Lena Schulz",
        "Jörg Peters",
    ),
    "FR": ("Camille Lefèvre", "Julien Moreau", "Sophie Lambert", "Nicolas Fournier", "Élodie Petit"),
    "NL": ("Sanne de Jong", "Pieter Visser", "Eva Mulder", "Daan Bos", "Lotte van Dijk"),
}
TRADES = {
    "DE": ("Malerbetrieb", "Fotostudio", "Übersetzungsbüro", "Tischlerei", "Grafikdesign"),
    "FR": ("Plomberie", "Studio photo", "Traductions", "Menuiserie", "Graphisme"),
    "NL": ("Schildersbedrijf", "Fotostudio", "Vertaalbureau", "Timmerwerken", "Ontwerpstudio"),
}
STREETS = {
    "DE": (
        "Hauptstraße",
        "Bahnhofstr.",
        "Industriestraße",
        "Am Markt",
        "Lindenallee",
        "Gartenweg",
        "Mühlenstraße",
    ),
    "FR": (
        "rue de la République",
        "avenue Jean Jaurès",
        "boulevard Victor Hugo",
        "rue des Lilas",
        "place du Marché",
    ),
    "NL": ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Havenkade", "Prinsengracht"),
}
CITIES = {
    "DE": (
        ("10115", "Berlin"),
        ("50667", "Köln"),
        ("80331", "München"),
        ("20095", "Hamburg"),
        ("04109", "Leipzig"),
        ("70173", "Stuttgart"),
        ("99084", "Erfurt"),
    ),
    "FR": (
        ("69002", "Lyon"),
        ("75011", "Paris"),
        ("33000", "Bordeaux"),
        ("44000", "Nantes"),
        ("31000", "Toulouse"),
    ),
    "NL": (
        ("1012 AB", "Amsterdam"),
        ("3011 HE", "Rotterdam"),
        ("3511 LX", "Utrecht"),
        ("9711 LM", "Groningen"),
    ),
}
COUNTRY_NAME = {
    "de": {"DE": "Deutschland", "FR": "Frankreich", "NL": "Niederlande"},
    "fr": {"DE": "Allemagne", "FR": "France", "NL": "Pays-Bas"},
    "nl": {"DE": "Duitsland", "FR": "Frankrijk", "NL": "Nederland"},
    "en": {"DE": "Germany", "FR": "France", "NL": "Netherlands"},
}
ITEMS = {
    "de": (
        "Beratung (Std.)",
        "Wartungspauschale",
        "Montagematerial",
        "Softwarelizenz",
        "Versandkosten",
        "Druck A4 farbig",
        "Reinigung Büroflächen",
        "Schulung vor Ort",
    ),
    "fr": (
        "Prestation de conseil (h)",
        "Forfait maintenance",
        "Fournitures",
        "Licence logicielle",
        "Frais de port",
        "Impression A4 couleur",
        "Formation sur site",
    ),
    "nl": (
        "Advies (uur)",
        "Onderhoudscontract",
        "Materiaal",
        "Softwarelicentie",
        "Verzendkosten",
        "Drukwerk A4 kleur",
        "Schoonmaak kantoor",
    ),
    "en": (
        "Consulting (hours)",
        "Maintenance fee",
        "Materials",
        "Software licence",
        "Shipping",
        "Print A4 colour",
        "On-site training",
    ),
}
RATES = {"DE": (Decimal(19), Decimal(7)), "FR": (Decimal(20), Decimal(10)), "NL": (Decimal(21), Decimal(9))}


@dataclass
class Party:
    name: str  # as printed
    core: str  # without the legal form
    form: str | None
    street: str
    place: str  # "10115 Berlin"
    country: str  # "DE"
    vat: str
    person: str
    phone: str
    email: str
    iban: str
    bic: str
    register: str  # "HRB 12345" / "RCS Lyon 123 456 789" / "KvK 12345678"
    court: str


@dataclass
class GeneratedHtml:
    """One generated HTML invoice: its markup, what it says (truth) and how it was drawn."""

    seed: int
    design: str
    lang: str
    html: str
    truth: dict[str, Any]
    notes: dict[str, Any] = field(default_factory=dict)


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _host(name: str) -> str:
    keep = "".join(ch for ch in name.lower().split(" ")[0] if ch.isalnum() and ch.isascii())
    return keep or "firma"


def party(rng: random.Random, country: str, *, sole: bool = False) -> Party:
    """A company (or a sole trader, no legal form) of ``country`` with its registration and bank data."""
    if sole:
        person = rng.choice(PERSONS[country])
        core = rng.choice((f"{rng.choice(TRADES[country])} {person}", person))
        form, name = None, core
        if country == "DE" and rng.random() < 0.4:
            form, name = "e.K.", f"{core} e.K."
    else:
        core = rng.choice(STEMS[country])
        form = rng.choice(FORMS[country])
        name = f"{core} {form}"
    postcode, city = rng.choice(CITIES[country])
    number = rng.randrange(1, 140)
    street = (
        f"{number}, {rng.choice(STREETS[country])}"
        if country == "FR"
        else f"{rng.choice(STREETS[country])} {number}"
    )
    host = _host(core) + "." + country.lower()
    bank = {
        "DE": ("COBADEFFXXX", "DEUTDEFF", "GENODEF1S01"),
        "FR": ("BNPAFRPPXXX", "CRLYFRPP"),
        "NL": ("INGBNL2A", "RABONL2U", "ABNANL2A"),
    }[country]
    vat = vat_id(rng, country)
    if country == "DE":
        register, court = f"HRB {rng.randrange(1000, 99999)}", f"Amtsgericht {city}"
    elif country == "FR":
        siren = vat[4:]
        register, court = f"RCS {city} {siren[:3]} {siren[3:6]} {siren[6:]}", city
    else:
        register, court = f"{rng.randrange(10**7, 10**8)}", city
    return Party(
        name=name,
        core=core,
        form=form,
        street=street,
        place=f"{postcode} {city}",
        country=country,
        vat=vat,
        person=rng.choice(PERSONS[country]),
        phone={"DE": "+49 30 ", "FR": "+33 4 ", "NL": "+31 20 "}[country]
        + f"{rng.randrange(1000000, 9999999)}",
        email=f"{rng.choice(('info', 'rechnung', 'billing', 'contact', 'buchhaltung', 'factuur'))}@{host}",
        iban=iban(rng, country),
        bic=rng.choice(bank),
        register=register,
        court=court,
    )


def money(value: Decimal, lang: str, style: str) -> str:
    """``style``: 'de' "1.234,56 €", 'fr' "1 234,56 €", 'nl' "€ 1.234,56", 'en' "€1,234.56", 'code' "1.234,56 EUR"."""
    english = f"{value:,.2f}"
    continental = english.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "fr":
        return english.replace(",", "\u202f").replace(".", ",") + "\u00a0€"
    if style == "nl":
        return f"€ {continental}"
    if style == "en":
        return f"€{english}"
    if style == "code":
        return f"{continental} EUR"
    return f"{continental} €"


def date_text(day: dt.date, lang: str, style: str) -> str:
    """``style``: 'numeric' ("03.04.2025", "13/04/2025", "13-04-2025") or 'month' ("3. April 2025")."""
    if style == "month":
        month = MONTHS[lang][day.month - 1]
        return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"
    if lang == "fr":
        return day.strftime("%d/%m/%Y")
    if lang == "nl":
        return day.strftime("%d-%m-%Y")
    return day.strftime("%d.%m.%Y")


def _e(text: str) -> str:
    return html.escape(text, quote=False)


# Labels per language: invoice number, date, due date, order number, customer number, net, tax, total, due.
L: dict[str, dict[str, str]] = {
    "de": {
        "title": "Rechnung",
        "number": "Rechnungsnr.",
        "date": "Rechnungsdatum",
        "due": "Fällig am",
        "order": "Bestellnummer",
        "customer": "Kundennr.",
        "net": "Nettobetrag",
        "tax": "zzgl. {r} % USt.",
        "total": "Rechnungsbetrag",
        "pay": "Zahlbar",
        "pos": "Pos.",
        "desc": "Bezeichnung",
        "qty": "Menge",
        "price": "Einzelpreis",
        "amount": "Gesamt",
        "vat": "USt-IdNr.",
        "your_vat": "Ihre USt-IdNr.",
        "contact": "Ihr Ansprechpartner",
        "phone": "Telefon",
        "email": "E-Mail",
        "page": "Seite",
        "terms": "Bitte überweisen Sie den Betrag bis zum {d} ohne Abzug.",
        "paid": "Betrag dankend erhalten.",
    },
    "en": {
        "title": "Invoice",
        "number": "Invoice no.",
        "date": "Invoice date",
        "due": "Due date",
        "order": "Order no.",
        "customer": "Customer no.",
        "net": "Net amount",
        "tax": "VAT {r} %",
        "total": "Total",
        "pay": "Payable",
        "pos": "No.",
        "desc": "Description",
        "qty": "Qty",
        "price": "Unit price",
        "amount": "Amount",
        "vat": "VAT ID",
        "your_vat": "Your VAT ID",
        "contact": "Your contact",
        "phone": "Phone",
        "email": "Email",
        "page": "Page",
        "terms": "Please pay by {d}.",
        "paid": "Paid with thanks.",
    },
    "fr": {
        "title": "Facture",
        "number": "Facture N°",
        "date": "Date d'émission",
        "due": "Date d'échéance",
        "order": "Bon de commande",
        "customer": "Code client",
        "net": "Total HT",
        "tax": "TVA {r} %",
        "total": "Total TTC",
        "pay": "Net à payer",
        "pos": "N°",
        "desc": "Désignation",
        "qty": "Qté",
        "price": "Prix unitaire HT",
        "amount": "Montant HT",
        "vat": "TVA intracommunautaire",
        "your_vat": "N° TVA client",
        "contact": "Votre contact",
        "phone": "Tél.",
        "email": "E-mail",
        "page": "Page",
        "terms": "Paiement à réception, au plus tard le {d}.",
        "paid": "Facture acquittée.",
    },
    "nl": {
        "title": "Factuur",
        "number": "Factuurnummer",
        "date": "Factuurdatum",
        "due": "Vervaldatum",
        "order": "Ordernummer",
        "customer": "Klantnummer",
        "net": "Totaal excl. btw",
        "tax": "Btw {r}%",
        "total": "Totaal incl. btw",
        "pay": "Te betalen",
        "pos": "Nr.",
        "desc": "Omschrijving",
        "qty": "Aantal",
        "price": "Prijs",
        "amount": "Bedrag",
        "vat": "BTW-nummer",
        "your_vat": "Uw btw-nummer",
        "contact": "Contactpersoon",
        "phone": "Telefoon",
        "email": "E-mail",
        "page": "Pagina",
        "terms": "Gelieve te betalen vóór {d}.",
        "paid": "Betaald, hartelijk dank.",
    },
}


@dataclass
class Draw:
    """Everything one invoice says, before a design lays it out."""

    rng: random.Random
    lang: str
    vendor: Party
    buyer: Party
    buyer_person: bool
    number: str
    issue: dt.date
    due: dt.date | None
    order: str | None
    customer_no: str
    lines: list[tuple[str, Decimal, Decimal, Decimal]]  # description, quantity, unit price, amount
    rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    paid: bool
    money_style: str
    date_style: str
    font: str
    size: int
    show_buyer_vat: bool

    def m(self, value: Decimal) -> str:
        return money(value, self.lang, self.money_style)

    def d(self, day: dt.date) -> str:
        return date_text(day, self.lang, self.date_style)

    def t(self, key: str) -> str:
        return L[self.lang][key]


def _draw(seed: int, design: str) -> Draw:
    rng = random.Random(seed)
    lang = {"facture": "fr", "factuur": "nl"}.get(design) or rng.choice(
        ("de", "de", "de", "en", "fr", "nl")
        if design == "roles"
        else ("de", "de", "en")
        if design == "sections"
        else ("de", "de", "de", "en", "nl")
    )
    home = COUNTRY[lang]
    vendor = party(rng, home, sole=rng.random() < 0.2)
    buyer_country = (
        home if rng.random() < 0.75 else rng.choice(tuple(c for c in ("DE", "FR", "NL") if c != home))
    )
    buyer_person = design == "shop" and rng.random() < 0.6
    buyer = party(rng, buyer_country, sole=buyer_person)
    if buyer_person:
        buyer.name = buyer.core = buyer.person
        buyer.form = None
    while _host(buyer.core) == _host(vendor.core):
        buyer = party(rng, buyer_country)
    issue = dt.date(2025, rng.randrange(1, 13), rng.randrange(13, 29))
    paid = rng.random() < 0.25
    due = None if paid else issue + dt.timedelta(days=rng.choice((14, 30, 10)))
    year = issue.year
    number = rng.choice(
        (
            f"RE-{year}-{rng.randrange(100, 99999):05d}",
            f"{year}{rng.randrange(1000, 9999)}",
            f"F{year}-{rng.randrange(10, 9999):04d}",
            f"{rng.randrange(10000, 999999)}",
            f"INV-{rng.randrange(1000, 99999)}",
            f"{year}/{rng.randrange(100, 9999)}",
        )
    )
    order = (
        rng.choice(
            (
                f"BE-{rng.randrange(10000, 99999)}",
                f"{rng.randrange(100000, 9999999)}",
                f"PO{rng.randrange(1000, 9999)}",
            )
        )
        if design == "shop" or rng.random() < 0.4
        else None
    )
    country_rates = RATES[home]
    rate = rng.choice(country_rates) if rng.random() < 0.9 else Decimal(0)
    many = rng.random() < 0.15
    lines = []
    for _ in range(rng.randrange(24, 34) if many else rng.randrange(1, 6)):
        qty = Decimal(rng.choice((1, 1, 2, 3, 5, 10, 12)))
        price = _q(Decimal(rng.randrange(150, 250000)) / 100)
        lines.append((rng.choice(ITEMS[lang]), qty, price, _q(qty * price)))
    net = sum((amount for *_, amount in lines), Decimal(0))
    tax = _q(net * rate / 100)
    style = {"de": "de", "fr": "fr", "nl": "nl", "en": rng.choice(("en", "de"))}[lang]
    if rng.random() < 0.15:
        style = "code"
    return Draw(
        rng=rng,
        lang=lang,
        vendor=vendor,
        buyer=buyer,
        buyer_person=buyer_person,
        number=number,
        issue=issue,
        due=due,
        order=order,
        customer_no=f"{rng.randrange(10000, 99999)}",
        lines=lines,
        rate=rate,
        net=net,
        tax=tax,
        total=net + tax,
        paid=paid,
        money_style=style,
        date_style=rng.choice(("numeric", "month")),
        font=rng.choice(FONTS),
        size=rng.choice((9, 10, 10, 11, 12)),
        show_buyer_vat=not buyer_person and rng.random() < 0.5,
    )


def _page(d: Draw, body: str, extra_css: str = "") -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: A4; margin: 14mm 16mm 18mm 20mm; }} body {{ font-family: {d.font}; font-size: {d.size}pt;"
        " color: #222; margin: 0; } table { border-collapse: collapse; } .r { text-align: right; }"
        " .items { width: 100%; margin-top: 8mm; } .items th { text-align: left; border-bottom: 1px solid #555;"
        " padding: 2px 4px; } .items td { padding: 2px 4px; border-bottom: 1px solid #ddd; }"
        " .small { font-size: 7pt; color: #555; } .totals td { padding: 1px 6px; }"
        f"{extra_css}</style></head><body>{body}</body></html>"
    )


def _items_table(d: Draw, *, positions: bool = True) -> str:
    head = (f"<th>{d.t('pos')}</th>" if positions else "") + (
        f"<th>{d.t('desc')}</th><th class='r'>{d.t('qty')}</th><th class='r'>{d.t('price')}</th>"
        f"<th class='r'>{d.t('amount')}</th>"
    )
    rows = "".join(
        "<tr>"
        + (f"<td>{i}</td>" if positions else "")
        + f"<td>{_e(desc)}</td><td class='r'>{qty}</td><td class='r'>{d.m(price)}</td><td class='r'>{d.m(amount)}</td></tr>"
        for i, (desc, qty, price, amount) in enumerate(d.lines, 1)
    )
    return f"<table class='items'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _tax_label(d: Draw) -> str:
    return d.t("tax").format(r=f"{d.rate:g}")


def _totals(d: Draw, *, due_line: str | None = None) -> str:
    rows = [(d.t("net"), d.m(d.net)), (_tax_label(d), d.m(d.tax)), (d.t("total"), d.m(d.total))]
    if due_line:
        rows.append((due_line, d.m(Decimal(0) if d.paid else d.total)))
    body = "".join(f"<tr><td>{_e(a)}</td><td class='r'>{b}</td></tr>" for a, b in rows)
    return f"<table class='totals' style='margin-left:auto;margin-top:4mm'>{body}</table>"


def _terms(d: Draw) -> str:
    if d.paid:
        return f"<p>{_e(d.t('paid'))}</p>"
    assert d.due is not None
    return f"<p>{_e(d.t('terms').format(d=d.d(d.due)))}</p>"


def _reverse_charge(d: Draw) -> str:
    if d.rate:
        return ""
    note = {
        "de": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
        "en": "Reverse charge: VAT to be accounted for by the recipient.",
        "fr": "Autoliquidation, article 283-2 du CGI.",
        "nl": "Btw verlegd.",
    }[d.lang]
    return f"<p class='small'>{_e(note)}</p>"


def _address(p: Party, lang: str, *, name: bool = True, country: bool = False) -> list[str]:
    out = [p.name] if name else []
    out += [p.street, p.place]
    if country:
        out.append(COUNTRY_NAME[lang][p.country])
    return out


def _br(lines: list[str]) -> str:
    return "<br>".join(_e(x) for x in lines)


# ---------------------------------------------------------------------------------------------- designs


def _din5008(d: Draw) -> tuple[str, dict[str, Any]]:
    v, b = d.vendor, d.buyer
    rng = d.rng
    brand = rng.choice((v.core.upper(), v.core, v.core.split(" ")[0].upper()))
    info = [(d.t("number"), d.number), (d.t("customer"), d.customer_no), (d.t("date"), d.d(d.issue))]
    if d.order:
        info.append((d.t("order"), d.order))
    if d.show_buyer_vat:
        info.append((d.t("your_vat"), b.vat))
    info += [(d.t("contact"), v.person), (d.t("phone"), v.phone), (d.t("email"), v.email)]
    if d.due and rng.random() < 0.5:
        info.insert(3, (d.t("due"), d.d(d.due)))
        terms = ""
    else:
        terms = _terms(d)
    info_html = "".join(f"<tr><td class='small'>{_e(a)}</td><td>{_e(c)}</td></tr>" for a, c in info)
    window = _address(b, d.lang, country=b.country != v.country)
    if not d.buyer_person and rng.random() < 0.4:
        window.insert(
            1,
            {"de": "z. Hd. ", "en": "Attn. ", "fr": "À l'attention de ", "nl": "t.a.v. "}[d.lang] + b.person,
        )
    ret = " · ".join((v.name, v.street, v.place))
    manager = {"de": "Geschäftsführer", "en": "Managing Director", "fr": "Gérant", "nl": "Directeur"}[d.lang]
    cols = [
        [v.name, v.street, v.place],
        [f"{d.t('phone')}: {v.phone}", f"{d.t('email')}: {v.email}", f"www.{v.email.split('@')[1]}"],
        [
            f"{manager}: {v.person}",
            f"{v.court}, {v.register}" if v.country == "DE" else v.register,
            f"{d.t('vat')}: {v.vat}",
            f"Steuernr.: {rng.randrange(10, 99)}/{rng.randrange(100, 999)}/{rng.randrange(10000, 99999)}",
        ],
        [
            {"de": "Bankverbindung", "en": "Bank", "fr": "Banque", "nl": "Bank"}[d.lang],
            f"IBAN: {_grouped(v.iban)}",
            f"BIC: {v.bic}",
        ],
    ]
    if v.form is None or v.country != "DE":
        cols[2] = [c for c in cols[2] if not c.startswith("Steuernr") or rng.random() < 0.5]
    footer = "".join(f"<td>{_br(c)}</td>" for c in cols)
    body = (
        f"<div style='text-align:right;font-size:20pt;font-weight:bold;letter-spacing:1px'>{_e(brand)}</div>"
        "<div style='display:flex;justify-content:space-between;margin-top:18mm'>"
        f"<div style='width:85mm'><div class='small' style='text-decoration:underline'>{_e(ret)}</div>"
        f"<div style='margin-top:3mm'>{_br(window)}</div></div>"
        f"<table style='width:70mm'>{info_html}</table></div>"
        f"<h2 style='margin-top:14mm'>{_e(d.t('title'))} {_e(d.number)}</h2>"
        f"<p>{_e({'de': 'Sehr geehrte Damen und Herren,', 'en': 'Dear Sir or Madam,', 'fr': 'Madame, Monsieur,', 'nl': 'Geachte heer/mevrouw,'}[d.lang])}</p>"
        f"{_items_table(d)}{_totals(d)}{_reverse_charge(d)}{terms}"
        f"<table class='small' style='width:100%;margin-top:12mm;border-top:1px solid #999'><tr>{footer}</tr></table>"
    )
    return _page(d, body, ".small td { vertical-align: top; padding-right: 4mm; }"), {"brand": brand}


def _grouped(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def _sections(d: Draw) -> tuple[str, dict[str, Any]]:
    v, b, rng = d.vendor, d.buyer, d.rng
    de = d.lang == "de"
    heads = (
        {
            "seller": "Verkäufer",
            "buyer": "Käufer",
            "payee": "Zahlungsempfänger",
            "invoicee": "Rechnungsempfänger",
            "data": "Rechnungsdaten",
            "sums": "Summen",
            "pos": "Positionen",
            "name": "Name",
            "street": "Straße",
            "place": "PLZ/Ort",
            "country": "Land",
            "vat": "USt-IdNr.",
            "contact": "Kontakt",
            "bank": "Zahlungsdaten",
        }
        if de
        else {
            "seller": "Seller",
            "buyer": "Buyer",
            "payee": "Payee",
            "invoicee": "Invoicee",
            "data": "Invoice data",
            "sums": "Totals",
            "pos": "Line items",
            "name": "Name",
            "street": "Street",
            "place": "Post code / City",
            "country": "Country",
            "vat": "VAT identifier",
            "contact": "Contact",
            "bank": "Payment details",
        }
    )
    payee = party(rng, v.country) if rng.random() < 0.4 else None
    invoicee = party(rng, b.country) if rng.random() < 0.3 else None

    def block(title: str, p: Party, *, vat: bool = True, contact: bool = False) -> str:
        rows = [
            (heads["name"], p.name),
            (heads["street"], p.street),
            (heads["place"], p.place),
            (heads["country"], p.country),
        ]
        if vat:
            rows.append((heads["vat"], p.vat))
        if contact:
            rows.append((heads["contact"], f"{p.person}, {p.phone}, {p.email}"))
        cells = "".join(
            f"<tr><td style='width:40mm;color:#666'>{_e(a)}</td><td>{_e(c)}</td></tr>" for a, c in rows
        )
        return f"<h3 style='background:#eee;padding:2px 4px;margin:4mm 0 1mm'>{_e(title)}</h3><table>{cells}</table>"

    blocks = [block(heads["seller"], v, contact=True), block(heads["buyer"], b, vat=d.show_buyer_vat)]
    if payee:
        blocks.append(block(heads["payee"], payee, vat=False))
    if invoicee:
        blocks.append(block(heads["invoicee"], invoicee, vat=False))
    data = [(d.t("number"), d.number), (d.t("date"), d.d(d.issue))]
    if d.due:
        data.append((d.t("due"), d.d(d.due)))
    if d.order:
        data.append(({"de": "Bestellreferenz", "en": "Purchase order reference"}[d.lang], d.order))
    data.append(({"de": "Währung", "en": "Currency"}[d.lang], "EUR"))
    account = payee or v
    bank = [
        ("IBAN", _grouped(account.iban) if rng.random() < 0.5 else account.iban),
        ("BIC", account.bic),
        ({"de": "Kontoinhaber", "en": "Account name"}[d.lang], account.name),
    ]
    sums = [
        (d.t("net"), d.m(d.net)),
        (_tax_label(d), d.m(d.tax)),
        (d.t("total"), d.m(d.total)),
        ({"de": "Fälliger Betrag", "en": "Amount due"}[d.lang], d.m(Decimal(0) if d.paid else d.total)),
    ]

    def rows(title: str, pairs: list[tuple[str, str]]) -> str:
        cells = "".join(
            f"<tr><td style='width:60mm;color:#666'>{_e(a)}</td><td>{_e(c)}</td></tr>" for a, c in pairs
        )
        return f"<h3 style='background:#eee;padding:2px 4px;margin:4mm 0 1mm'>{_e(title)}</h3><table>{cells}</table>"

    order = (
        [rows(heads["data"], data), *blocks] if rng.random() < 0.5 else [*blocks, rows(heads["data"], data)]
    )
    body = (
        f"<h1 style='font-size:16pt'>{_e(d.t('title'))}</h1>{''.join(order)}"
        f"<h3 style='background:#eee;padding:2px 4px;margin:4mm 0 1mm'>{_e(heads['pos'])}</h3>{_items_table(d)}"
        f"{rows(heads['sums'], sums)}{rows(heads['bank'], bank)}{_reverse_charge(d)}"
    )
    notes = {"payee": payee.name if payee else None, "invoicee": invoicee.name if invoicee else None}
    return _page(d, body), {**notes, "account_iban": account.iban}


def _facture(d: Draw) -> tuple[str, dict[str, Any]]:
    v, b, rng = d.vendor, d.buyer, d.rng
    capital = v.form is not None and rng.random() < 0.6
    vendor_lines = [
        v.name,
        v.street,
        v.place,
        f"SIRET : {''.join(v.register.split()[-3:])}{rng.randrange(10000, 99999)}",
        v.register,
        f"{d.t('vat')} : {v.vat}",
        f"{d.t('phone')} {v.phone}",
        v.email,
    ]
    client = _address(b, "fr", country=b.country != "FR")
    if d.show_buyer_vat:
        client.append(f"{d.t('your_vat')} : {b.vat}")
    meta = [(d.t("number").replace("N°", "n°"), d.number), (d.t("date"), d.d(d.issue))]
    if d.due:
        meta.append((d.t("due"), d.d(d.due)))
    if d.order:
        meta.append((d.t("order"), d.order))
    meta.append((d.t("customer"), d.customer_no))
    meta_html = "".join(f"<tr><td>{_e(a)} :</td><td><b>{_e(c)}</b></td></tr>" for a, c in meta)
    mention = (
        f"{v.core} {v.form} au capital de {rng.choice(('1 000', '10 000', '37 000', '150 000'))} € · "
        if capital
        else ""
    )
    footer = (
        f"{mention}{v.register} · TVA {v.vat} · IBAN {_grouped(v.iban)} · BIC {v.bic} · Pénalités de retard : "
        "trois fois le taux d'intérêt légal. Indemnité forfaitaire pour frais de recouvrement : 40 €."
    )
    title_first = rng.random() < 0.5
    title = f"<h1 style='font-size:18pt;margin:0'>FACTURE N° {_e(d.number)}</h1>"
    vendor_html = f"<div><b style='font-size:13pt'>{_e(v.name)}</b><br>{_br(vendor_lines[1:])}</div>"
    top = (
        f"<div style='display:flex;justify-content:space-between'>{vendor_html}<div>{title}<table>{meta_html}</table></div></div>"
        if title_first
        else f"{title}<div style='display:flex;justify-content:space-between;margin-top:6mm'>{vendor_html}<table>{meta_html}</table></div>"
    )
    body = (
        f"{top}<div style='margin:10mm 0 0 95mm;border:1px solid #aaa;padding:3mm'><b>Client</b><br>{_br(client)}</div>"
        f"{_items_table(d, positions=False)}{_totals(d, due_line=d.t('pay'))}{_reverse_charge(d)}{_terms(d)}"
        f"<p class='small' style='margin-top:10mm;border-top:1px solid #999;padding-top:2mm'>{_e(footer)}</p>"
    )
    return _page(d, body), {"capital": capital}


def _factuur(d: Draw) -> tuple[str, dict[str, Any]]:
    v, b, rng = d.vendor, d.buyer, d.rng
    to = _address(b, "nl", country=b.country != "NL")
    if d.show_buyer_vat:
        to.append(f"{d.t('your_vat')}: {b.vat}")
    meta = [(d.t("number"), d.number), (d.t("date"), d.d(d.issue))]
    if d.due:
        meta.append((d.t("due"), d.d(d.due)))
    if d.order:
        meta.append(("Uw referentie", d.order) if rng.random() < 0.3 else (d.t("order"), d.order))
    meta_html = "".join(f"<tr><td>{_e(a)}</td><td>{_e(c)}</td></tr>" for a, c in meta)
    right = [
        v.street,
        v.place,
        v.phone,
        v.email,
        f"KvK-nummer: {v.register}",
        f"BTW-nummer: {v.vat}",
        f"IBAN: {_grouped(v.iban)}",
    ]
    name_html = f"<div style='font-size:17pt;font-weight:bold;color:#2a6'>{_e(v.name)}</div>"
    body = (
        f"<div style='display:flex;justify-content:space-between'><div>{name_html}</div>"
        f"<div class='small' style='text-align:right'>{_br(right)}</div></div>"
        f"<h1 style='font-size:15pt;margin-top:10mm'>{_e(d.t('title')).upper()}</h1>"
        f"<div style='display:flex;justify-content:space-between'><div><b>Aan:</b><br>{_br(to)}</div>"
        f"<table>{meta_html}</table></div>"
        f"{_items_table(d, positions=rng.random() < 0.5)}{_totals(d, due_line=d.t('pay'))}{_reverse_charge(d)}{_terms(d)}"
        f"<p class='small' style='margin-top:8mm'>{_e(v.name)} · KvK {v.register} · BTW {v.vat} · IBAN {_grouped(v.iban)} · BIC {v.bic}</p>"
    )
    return _page(d, body), {}


ROLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # (vendor's heading, buyer's heading, title)
    "de": (
        ("Vermieter", "Mieter", "Mietrechnung"),
        ("Versicherer", "Versicherungsnehmer", "Beitragsrechnung"),
        ("Auftragnehmer", "Auftraggeber", "Rechnung"),
        ("Praxis", "Patient", "Rechnung"),
        ("Leistungserbringer", "Leistungsempfänger", "Rechnung"),
        ("Dienstleister", "Kunde", "Rechnung"),
        ("Beförderer", "Fahrgast", "Fahrkartenrechnung"),
    ),
    "fr": (
        ("Bailleur", "Locataire", "Avis d'échéance"),
        ("Assureur", "Assuré", "Facture"),
        ("Prestataire", "Client", "Facture"),
        ("Transporteur", "Passager", "Facture"),
    ),
    "nl": (
        ("Verhuurder", "Huurder", "Huurfactuur"),
        ("Verzekeraar", "Verzekeringnemer", "Premiefactuur"),
        ("Opdrachtnemer", "Opdrachtgever", "Factuur"),
        ("Dienstverlener", "Klant", "Factuur"),
    ),
    "en": (
        ("Landlord", "Tenant", "Rent invoice"),
        ("Insurer", "Policyholder", "Premium invoice"),
        ("Contractor", "Client", "Invoice"),
        ("Service provider", "Recipient", "Invoice"),
        ("Carrier", "Passenger", "Invoice"),
    ),
}
EXTRA_ADDRESS = {
    "de": ("Lieferanschrift", "Rechnungsanschrift", "Anschrift"),
    "fr": ("Adresse de facturation",),
    "nl": ("Afleveradres",),
    "en": ("Delivery address",),
}


def _roles(d: Draw) -> tuple[str, dict[str, Any]]:
    v, b, rng = d.vendor, d.buyer, d.rng
    seller_head, buyer_head, title = rng.choice(ROLES[d.lang])
    if seller_head in ("Praxis", "Patient") or buyer_head in ("Patient", "Fahrgast", "Passager", "Passenger"):
        b.name = b.core = b.person
        b.form = None
        d.show_buyer_vat = False
    vendor_lines = [*_address(v, d.lang), f"{d.t('vat')}: {v.vat}"]
    buyer_lines = _address(b, d.lang, country=b.country != v.country)
    if d.show_buyer_vat:
        buyer_lines.append(f"{d.t('vat')}: {b.vat}")
    extra = ""
    third: str | None = None
    if rng.random() < 0.35:
        head = rng.choice(EXTRA_ADDRESS[d.lang])
        if head in ("Rechnungsanschrift", "Adresse de facturation", "Anschrift"):
            lines3 = [b.name, b.street, b.place]
        else:
            third = party(rng, b.country).person
            lines3 = [third, party(rng, b.country).street, b.place]
        extra = f"<div style='flex:1'><b>{_e(head)}</b><br>{_br(lines3)}</div>"
    side = rng.random() < 0.6
    blocks = (
        f"<div style='flex:1'><b>{_e(seller_head)}</b><br>{_br(vendor_lines)}</div>"
        f"<div style='flex:1'><b>{_e(buyer_head)}</b><br>{_br(buyer_lines)}</div>{extra}"
    )
    layout = (
        f"<div style='display:flex;gap:8mm;margin-top:6mm'>{blocks}</div>"
        if side
        else f"<div style='margin-top:6mm;display:grid;grid-template-columns:1fr;row-gap:5mm'>{blocks}</div>"
    )
    meta = [(d.t("number"), d.number), (d.t("date"), d.d(d.issue))]
    if d.due:
        meta.append((d.t("due"), d.d(d.due)))
    if d.order:
        meta.append((d.t("order"), d.order))
    meta_html = "".join(f"<tr><td>{_e(a)}:</td><td>{_e(c)}</td></tr>" for a, c in meta)
    bank = f"IBAN {_grouped(v.iban)} · BIC {v.bic}"
    body = (
        f"<div style='display:flex;justify-content:space-between'><h1 style='font-size:17pt;margin:0'>{_e(title)}</h1>"
        f"<table>{meta_html}</table></div>{layout}{_items_table(d)}{_totals(d)}{_reverse_charge(d)}{_terms(d)}"
        f"<p class='small' style='margin-top:10mm'>{_e(v.name)} · {_e(v.street)} · {_e(v.place)} · {bank}</p>"
    )
    return _page(d, body), {"roles": (seller_head, buyer_head), "third": third}


def _shop(d: Draw) -> tuple[str, dict[str, Any]]:
    v, b, rng = d.vendor, d.buyer, d.rng
    shop = rng.choice((v.core, v.core.split(" ")[0] + "-Shop", v.core.lower().replace(" ", "") + ".de"))
    labels = {
        "de": (
            "Rechnungsadresse",
            "Lieferadresse",
            "Bestellnummer",
            "Bestelldatum",
            "Zahlungsart",
            ("PayPal", "Kreditkarte (Visa)", "Vorkasse", "Rechnung", "SEPA-Lastschrift"),
            "Bereits bezahlt",
            "Offener Betrag",
            "Versandart",
            "DHL Paket",
        ),
        "en": (
            "Billing address",
            "Shipping address",
            "Order number",
            "Order date",
            "Payment method",
            ("PayPal", "Credit card (Visa)", "Bank transfer"),
            "Already paid",
            "Amount outstanding",
            "Shipping method",
            "DHL Parcel",
        ),
        "nl": (
            "Factuuradres",
            "Afleveradres",
            "Bestelnummer",
            "Besteldatum",
            "Betaalmethode",
            ("iDEAL", "PayPal", "Overboeking"),
            "Reeds betaald",
            "Openstaand bedrag",
            "Verzendmethode",
            "PostNL",
        ),
        "fr": (
            "Adresse de facturation",
            "Adresse de livraison",
            "N° de commande",
            "Date de commande",
            "Mode de paiement",
            ("Carte bancaire", "PayPal", "Virement"),
            "Déjà payé",
            "Reste à payer",
            "Mode de livraison",
            "Colissimo",
        ),
    }[d.lang]
    bill_h, ship_h, order_h, odate_h, pm_h, methods, paid_h, open_h, sm_h, carrier = labels
    bill = [b.name] + ([] if d.buyer_person else [b.person]) + [b.street, b.place]
    if d.show_buyer_vat:
        bill.append(f"{d.t('vat')}: {b.vat}")
    other = rng.random() < 0.4
    ship_person = party(rng, b.country).person if other else b.name
    ship = [ship_person, party(rng, b.country).street if other else b.street, b.place]
    order_date = d.issue - dt.timedelta(days=rng.randrange(0, 5))
    meta = [
        (d.t("number"), d.number),
        (d.t("date"), d.d(d.issue)),
        (order_h, d.order or ""),
        (odate_h, d.d(order_date)),
        (d.t("customer"), d.customer_no),
    ]
    if d.due and not d.paid:
        meta.append((d.t("due"), d.d(d.due)))
    meta_html = "".join(f"<tr><td>{_e(a)}</td><td class='r'>{_e(c)}</td></tr>" for a, c in meta)
    method = rng.choice(methods)
    paid_amount = d.total if d.paid else Decimal(0)
    sums = [
        (d.t("net"), d.m(d.net)),
        (_tax_label(d), d.m(d.tax)),
        (d.t("total"), d.m(d.total)),
        (paid_h, d.m(paid_amount)),
        (open_h, d.m(d.total - paid_amount)),
    ]
    sums_html = "".join(f"<tr><td>{_e(a)}</td><td class='r'>{c}</td></tr>" for a, c in sums)
    legal = f"{v.name} · {v.street} · {v.place} · {d.t('vat')} {v.vat} · {v.court if v.country == 'DE' else ''} {v.register if v.form else ''}"
    body = (
        f"<div style='display:flex;justify-content:space-between;align-items:center'>"
        f"<div style='font-size:24pt;font-weight:bold;font-style:italic'>{_e(shop)}</div>"
        f"<div class='small r'>{_e(v.email)}<br>{_e(v.phone)}</div></div>"
        f"<h1 style='font-size:14pt;margin-top:8mm'>{_e(d.t('title'))}</h1>"
        "<div style='display:flex;gap:10mm'>"
        f"<div style='flex:1'><b>{_e(bill_h)}</b><br>{_br(bill)}</div>"
        f"<div style='flex:1'><b>{_e(ship_h)}</b><br>{_br(ship)}</div>"
        f"<table style='flex:none;white-space:nowrap'>{meta_html}</table></div>"
        f"{_items_table(d, positions=False)}<table class='totals' style='margin-left:auto'>{sums_html}</table>"
        f"<p>{_e(pm_h)}: {_e(method)}<br>{_e(sm_h)}: {_e(carrier)}</p>{_reverse_charge(d)}"
        + ("" if d.paid else f"<p>IBAN {_grouped(v.iban)} · BIC {v.bic}</p>")
        + f"<p class='small' style='margin-top:8mm;border-top:1px solid #ccc'>{_e(legal)}</p>"
    )
    return _page(d, body), {"shop": shop, "ship_person": ship_person, "iban_printed": not d.paid}


def generate(seed: int, design: str | None = None) -> GeneratedHtml:
    """The invoice of ``seed`` (its design drawn from the seed unless given)."""
    chosen = design or DESIGNS[seed % len(DESIGNS)]
    d = _draw(seed, chosen)
    markup, notes = {
        "din5008": _din5008,
        "sections": _sections,
        "facture": _facture,
        "factuur": _factuur,
        "roles": _roles,
        "shop": _shop,
    }[chosen](d)
    v, b = d.vendor, d.buyer
    vendor_name = v.core if notes.get("capital") else v.name
    truth: dict[str, Any] = {
        "invoice_number": d.number,
        "issue_date": d.issue,
        "due_date": d.due,
        "vendor_name": vendor_name,
        "buyer_name": b.name,
        "vendor_vat_id": v.vat,
        "buyer_vat_id": b.vat if d.show_buyer_vat else None,
        "iban": notes.get("account_iban") or (v.iban if notes.get("iban_printed", True) else None),
        "currency": "EUR",
        "net_amount": d.net,
        "tax_amount": d.tax,
        "total_amount": d.total,
        "order_number": d.order,
    }
    return GeneratedHtml(seed, chosen, d.lang, markup, truth, {**notes, "draw": d})
