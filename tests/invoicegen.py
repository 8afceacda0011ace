"""A seeded generator of varied invoice PDFs with their ground truth, for tests of the offline extractor.

Nothing here is copied from a corpus document: each invoice is laid out from parts that vary with the
seed (letterhead left or right, envelope window with a return address or a "Bill to" heading, an info
block of labels, line items, totals, payment terms, a registration footer) in English, French, German
or Dutch. Options switch on the structures that trip extractors up: a delivery-note number beside the
invoice number, a billing period, the buyer's own VAT id in its address, a letter addressed to a
company, a paid invoice whose amount due is 0.00, a total converted to a second currency, an
early-payment discount date before the due date, compact ``yyyymmdd`` dates, a weakly labelled
invoice number and credit notes.

Identifiers are valid: VAT ids and IBANs pass their check digits (python-stdnum checks them here).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import string
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from stdnum import iban as std_iban
from stdnum.util import get_cc_module

Lang = Literal["en", "fr", "de", "nl"]
LANGS: tuple[Lang, ...] = ("en", "fr", "de", "nl")

# Words per language, written for this generator (ordinary invoice vocabulary).
WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "INVOICE", "credit": "CREDIT NOTE", "number": "Invoice number", "weak_number": "No.",
        "date": "Invoice date", "weak_date": "Date", "due": "Due date", "delivery": "Delivery note no.",
        "order": "Your order", "customer": "Customer no.", "period": "Billing period",
        "buyer_vat": "VAT ID", "bill_to": "Bill to", "desc": "Description", "qty": "Qty",
        "price": "Unit price", "amount": "Amount", "net": "Subtotal", "tax": "VAT", "total": "Total",
        "paid": "Paid on", "due_amount": "Amount due", "discount": "{pct}% discount if paid by {date}",
        "pay_by": "Please pay by {date}", "vat_no": "VAT No.", "company_no": "Company No.",
        "converted": "Total in {cur} at {rate}", "to": "to", "phone": "Tel.", "email": "Email",
    },
    "fr": {
        "title": "FACTURE", "credit": "AVOIR", "number": "Facture n°", "weak_number": "N°",
        "date": "Date de facture", "weak_date": "Date", "due": "Date d'échéance",
        "delivery": "Bon de livraison n°", "order": "Votre commande", "customer": "N° client",
        "period": "Période de facturation", "buyer_vat": "N° TVA", "bill_to": "Facturé à",
        "desc": "Désignation", "qty": "Qté", "price": "Prix unitaire", "amount": "Montant",
        "net": "Total HT", "tax": "TVA", "total": "Total TTC", "paid": "Payé le",
        "due_amount": "Reste à payer", "discount": "Escompte de {pct} % pour paiement avant le {date}",
        "pay_by": "À régler avant le {date}", "vat_no": "TVA intracommunautaire", "company_no": "SIRET",
        "converted": "Total en {cur} au taux de {rate}", "to": "au", "phone": "Tél.", "email": "E-mail",
    },
    "de": {
        "title": "RECHNUNG", "credit": "GUTSCHRIFT", "number": "Rechnungsnummer", "weak_number": "Nr.",
        "date": "Rechnungsdatum", "weak_date": "Datum", "due": "Fällig am", "delivery": "Lieferschein-Nr.",
        "order": "Ihre Bestellung", "customer": "Kundennummer", "period": "Leistungszeitraum",
        "buyer_vat": "USt-IdNr.", "bill_to": "Rechnungsempfänger", "desc": "Bezeichnung", "qty": "Menge",
        "price": "Einzelpreis", "amount": "Betrag", "net": "Nettobetrag", "tax": "MwSt.",
        "total": "Gesamtbetrag", "paid": "Bezahlt am", "due_amount": "Offener Betrag",
        "discount": "{pct} % Skonto bei Zahlung bis {date}", "pay_by": "Zahlbar bis {date} ohne Abzug",
        "vat_no": "USt-IdNr.", "company_no": "HRB", "converted": "Gesamtbetrag in {cur} zum Kurs {rate}",
        "to": "bis", "phone": "Tel.", "email": "E-Mail",
    },
    "nl": {
        "title": "FACTUUR", "credit": "CREDITNOTA", "number": "Factuurnummer", "weak_number": "Nr.",
        "date": "Factuurdatum", "weak_date": "Datum", "due": "Vervaldatum", "delivery": "Pakbon nr.",
        "order": "Uw bestelling", "customer": "Klantnummer", "period": "Factuurperiode",
        "buyer_vat": "Btw-nummer", "bill_to": "Factuur aan", "desc": "Omschrijving", "qty": "Aantal",
        "price": "Prijs", "amount": "Bedrag", "net": "Subtotaal", "tax": "Btw", "total": "Totaal",
        "paid": "Betaald op", "due_amount": "Te betalen",
        "discount": "{pct}% korting bij betaling voor {date}",
        "pay_by": "Gelieve te betalen voor {date}", "vat_no": "Btw-nummer", "company_no": "KvK",
        "converted": "Totaal in {cur} tegen koers {rate}", "to": "t/m", "phone": "Tel.", "email": "E-mail",
    },
}  # fmt: skip

MONTHS: dict[Lang, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
}  # fmt: skip

WEEKDAYS: dict[Lang, tuple[str, ...]] = {  # Monday first, as ``date.weekday()`` counts
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}  # fmt: skip

COUNTRY: dict[Lang, tuple[str, str, str]] = {  # ISO code, VAT prefix, country name as printed
    "en": ("GB", "GB", "United Kingdom"),
    "fr": ("FR", "FR", "France"),
    "de": ("DE", "DE", "Deutschland"),
    "nl": ("NL", "NL", "Nederland"),
}
LEGAL = {"en": "Ltd", "fr": "SARL", "de": "GmbH", "nl": "B.V."}
STREETS = {
    "en": ("High Street", "Station Road", "Mill Lane", "Church Road"),
    "fr": ("rue des Lilas", "avenue Victor Hugo", "rue du Port", "boulevard Voltaire"),
    "de": ("Hauptstraße", "Bahnhofstraße", "Lindenweg", "Am Markt"),
    "nl": ("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsplein"),
}
CITIES = {
    "en": (("Leeds", "LS1 4AP"), ("Bristol", "BS1 5TR"), ("York", "YO1 7HH")),
    "fr": (("Lyon", "69002"), ("Nantes", "44000"), ("Lille", "59800")),
    "de": (("Köln", "50667"), ("Leipzig", "04109"), ("Kassel", "34117")),
    "nl": (("Utrecht", "3511 AB"), ("Leiden", "2311 EZ"), ("Delft", "2611 GS")),
}
NAME_PARTS = ("Nordlicht", "Brightwave", "Kestrel", "Vallée", "Orion", "Tulpen", "Harbour", "Cobalt",
              "Linden", "Sable", "Meridian", "Atelier Rivage", "Fjord", "Quartz", "Willow")  # fmt: skip
TRADES = ("Consulting", "Software", "Logistics", "Design", "Systems", "Supplies", "Analytics")
PEOPLE = ("Anna Berger", "Louis Martin", "Sophie de Vries", "James Carter", "Julia Keller", "Emma Janssen")
ITEMS = ("Consulting hours", "Licence renewal", "Support plan", "Hosting", "Installation", "Training day",
         "Spare parts", "Maintenance")  # fmt: skip
FROM = {"en": "From", "fr": "Émetteur", "de": "Rechnungssteller", "nl": "Leverancier"}
SHIP_TO = {"en": "Ship to", "fr": "Adresse de livraison", "de": "Lieferanschrift", "nl": "Afleveradres"}
SHIP_TO_BLOCK = {"en": "Delivery address", "fr": "Adresse de livraison", "de": "Lieferanschrift",
                 "nl": "Afleveradres"}  # fmt: skip
DEPARTMENT = {"en": "Customer Service", "fr": "Service Clients", "de": "Kundenservice",
              "nl": "Klantenservice"}  # fmt: skip
# Party layouts (``sender`` "pay_to" / "title_left" / "party_columns" and the party flags below).
PARTY_COLUMNS = {"en": (("Seller", "Buyer"), ("Supplier", "Customer")),
                 "de": (("Verkäufer", "Käufer"), ("Lieferant", "Kunde")),
                 "fr": (("Vendeur", "Acheteur"), ("Fournisseur", "Client")),
                 "nl": (("Verkoper", "Koper"), ("Leverancier", "Klant"))}  # fmt: skip
# where the name of whom to pay stands when nothing else names the vendor ("{}" is the name)
PAY_TO = {"en": ("Pay to: {}", "Remit to: {}", "Please make cheques payable to {}", "Beneficiary: {}",
                 "Account name: {}"),
          "de": ("Kontoinhaber: {}", "Zahlungsempfänger: {}", "Begünstigter: {}"),
          "fr": ("Titulaire du compte : {}", "Bénéficiaire : {}", "Chèque à l'ordre de {}"),
          "nl": ("Rekeninghouder: {}", "Begunstigde: {}", "Ten name van {}")}  # fmt: skip
TAGLINES = {"en": ("Quality {t} since {y}", "Your partner for {t}", "Reliable {t}, every day"),
            "de": ("Qualität seit {y}", "Ihr Partner für {t}", "Seit {y} für Sie da"),
            "fr": ("Votre partenaire depuis {y}", "La qualité au service de vos projets", "Depuis {y}"),
            "nl": ("Uw partner sinds {y}", "Kwaliteit sinds {y}", "Vakmanschap sinds {y}")}  # fmt: skip
ATTENTION = {"en": "Attn:", "de": "z. Hd.", "fr": "À l'attention de", "nl": "t.a.v."}
CUSTOMER = {"en": "Customer", "de": "Kunde", "fr": "Client", "nl": "Klant"}
TRADING_AS = {"en": ("trading as", "t/a"), "de": ("handelnd unter",), "fr": ("exerçant sous le nom",),
              "nl": ("h.o.d.n.", "handelend onder de naam")}  # fmt: skip
SPACED_FORMS = {"en": ("Ltd.", "LTD", "Limited"), "de": ("G.m.b.H.", "G m b H"),
                "fr": ("S.A.R.L.", "S. A. R. L.", "S.à r.l."), "nl": ("B. V.", "b.v.", "BV")}  # fmt: skip
# the sender's own VAT id and the customer's, both labelled in the info block
# how a letter closes, over the signer and the company ("Kind regards," / Anna Berger / Kestrel Design Ltd)
CLOSINGS = {"en": ("Kind regards,", "Yours sincerely,", "Best regards,"), "de": ("Mit freundlichen Grüßen",
            "Freundliche Grüße"), "fr": ("Cordialement,", "Bien cordialement,"),
            "nl": ("Met vriendelijke groet,", "Hoogachtend,")}  # fmt: skip
# a marketplace's seller, named under the platform's brand ("{}" is the seller's name)
SOLD_BY = {"en": ("Sold by: {}", "Sold by", "Seller: {}"), "de": ("Verkauft von: {}", "Verkauft von"),
           "fr": ("Vendu par : {}", "Vendu par"), "nl": ("Verkocht door: {}", "Verkocht door")}  # fmt: skip
PLATFORMS = ("Markethub", "Shopora", "Bazaarly")
OPERATOR = {"en": "Marketplace operated by {}", "de": "Marktplatz betrieben von {}",
            "fr": "Place de marché exploitée par {}", "nl": "Marktplaats beheerd door {}"}  # fmt: skip
OUR_VAT = {"en": "Our VAT no.", "de": "Unsere USt-IdNr.", "fr": "Notre n° TVA", "nl": "Ons btw-nummer"}
YOUR_VAT = {"en": "Your VAT no.", "de": "Ihre USt-IdNr.", "fr": "Votre n° TVA", "nl": "Uw btw-nummer"}
IDN_HOSTS = ("vallée.fr", "bücher.de", "müller-bau.de", "ijsselmeer-café.nl")
TLD = {"en": "co.uk", "fr": "fr", "de": "de", "nl": "nl"}


@dataclass(frozen=True)
class Options:
    """The structures one generated invoice has."""

    lang: Lang = "en"
    letterhead: Literal["left", "right"] = "left"
    addressing: Literal["window", "bill_to"] = "window"
    credit_note: bool = False
    paid: bool = False
    second_currency: str | None = None
    billing_period: bool = False
    discount: bool = False
    delivery_note: bool = False
    buyer_vat: bool = False
    buyer_company: bool = True  # the addressee is a company with a legal form (SaaS style)
    compact_dates: bool = False
    weak_number_label: bool = False
    weak_date_label: bool = False
    month_names: bool = False
    stacked_footer: bool = False  # footer labels in small print over their values, columns side by side
    currency: str = "EUR"
    idn_email: bool = False
    # where the sender stands: a letterhead on top; its address block beside the envelope window (no
    # letterhead, no return line, the address broken by a blank line before the postcode); or a
    # letterhead naming a department ("... Customer Service") with the registered name in the footer
    # ... or centred on top with its address on one line; or a "From" block beside the "Bill to" block
    # (no letterhead); or only in the footer
    # ... or, SaaS style, a plain block (no heading) left of the "Bill to" block
    # ... or, from a logo image, no name on top (the address and contact only), the name printed only in
    # the payment details ("Pay to:", "Please make cheques payable to ...", "Kontoinhaber: ...")
    # ... or its block right, name first, with the title "INVOICE" left at the same height
    # ... or "Seller" / "Buyer" ("Lieferant" / "Kunde" ...) as two headed columns side by side
    # ... or a tall column left of the body with the name, address, contact, tax and bank data (no footer)
    # ... or, from a logo image, no name on top, the name only in small print under the closing words
    # ("Kind regards," / a person / the company), the footer without it
    # ... or a marketplace: the platform's brand on top and its registration in the footer, the vendor
    # under "Sold by" ("Verkauft von", "Vendu par")
    # (the last six are never drawn by random_options: see party_options)
    sender: Literal[
        "letterhead",
        "beside_window",
        "department",
        "centered",
        "from_heading",
        "footer_only",
        "plain_block",
        "pay_to",
        "title_left",
        "party_columns",
        "sidebar",
        "closing",
        "marketplace",
    ] = "letterhead"
    brand_logo: bool = False  # the letterhead's big line is the first word of the name only ("KESTREL")
    ship_to: bool = False  # a "Ship to" block with another person under the "Bill to" block
    # German/French letter date "Köln, den 03.04.2024" / "Lyon, le 03/04/2024" instead of a date label,
    # the date far right on the label's row, and a print timestamp "Datum: ... Zeit: ..." in small print
    letter_date: bool = False
    capital_mention: bool = False  # French "<name> SAS au capital de ..." footer (the name is then ``core``)
    buyer_email: bool = False  # the buyer's e-mail address in its address block
    sole_trader: bool = False  # the vendor's name has no legal form ("Harbour Design")
    weekday: bool = False  # dates written out with their weekday ("Monday, 3 March 2025")
    header_row: bool = False  # the info block as a row of column headers with the values on the row below
    # a headed delivery address ("Delivery address:" / person / street / place) top left, over the window
    # (the letterhead then stands right)
    delivery_block: bool = False
    # Party layouts, never drawn by random_options (existing seeds stay as they were): see party_options.
    logo_case: bool = False  # the big line in another case or abbreviated ("kestrel design", "KD")
    tagline: bool = False  # a slogan under the vendor's name in its letterhead ("Quality design since 1982")
    buyer_on_label: bool = False  # "Bill to: Orion Retail Ltd" on the heading's row, or "Customer: ..." info
    attention: bool = False  # "Attn:"/"z. Hd."/"t.a.v." a person, the company on its own line; or "c/o"
    trading_as: bool = False  # "Kestrel Group Ltd t/a Kestrel Design": the vendor is the registered name
    spaced_form: bool = False  # the vendor's legal form with dots or spaces ("B. V.", "S.A.R.L.", "G m b H")
    vat_our_your: bool = False  # "Our VAT no." / "Your VAT no." ("Ihre USt-IdNr.") in the info block
    letter_spaced: bool = False  # the letterhead's big line tracked out: "K E S T R E L   D E S I G N"
    name_two_lines: bool = False  # the name in big type over two lines ("Kestrel" / "Design Ltd")


@dataclass
class Generated:
    """A generated invoice: the PDF bytes, what it says (ground truth) and how it was built."""

    pdf: bytes
    truth: dict[str, Any]
    options: Options
    lines: list[str] = field(default_factory=list)  # every text line drawn, for debugging a failure


def random_options(rng: random.Random, **overrides: Any) -> Options:
    """Options drawn from ``rng``; ``overrides`` fix some."""
    lang: Lang = rng.choice(LANGS)
    drawn = Options(
        lang=lang,
        letterhead=rng.choice(("left", "right")),
        addressing=rng.choice(("window", "bill_to")),
        credit_note=rng.random() < 0.1,
        paid=rng.random() < 0.2,
        second_currency=rng.choice((None, None, None, "USD" if lang != "en" else "EUR")),
        billing_period=rng.random() < 0.3,
        discount=rng.random() < 0.3,
        delivery_note=rng.random() < 0.4,
        buyer_vat=rng.random() < 0.4,
        buyer_company=rng.random() < 0.7,
        compact_dates=rng.random() < 0.1,
        weak_number_label=rng.random() < 0.2,
        weak_date_label=rng.random() < 0.2,
        month_names=rng.random() < 0.3,
        stacked_footer=rng.random() < 0.3,
        currency="GBP" if lang == "en" and rng.random() < 0.5 else "EUR",
        idn_email=rng.random() < 0.2,
        sender=rng.choice(
            (
                "letterhead",
                "letterhead",
                "beside_window",
                "department",
                "centered",
                "from_heading",
                "footer_only",
                "plain_block",
            )
        ),
        brand_logo=rng.random() < 0.2,
        ship_to=rng.random() < 0.25,
        letter_date=lang in ("de", "fr") and rng.random() < 0.3,
        capital_mention=lang == "fr" and rng.random() < 0.5,
        buyer_email=rng.random() < 0.3,
        sole_trader=rng.random() < 0.15,
        weekday=rng.random() < 0.15,
        header_row=rng.random() < 0.2,
    )
    return replace(drawn, **overrides)


PARTY_LAYOUTS = ("pay_to", "title_left", "party_columns", "logo_case", "tagline", "buyer_on_label",
                 "attention", "trading_as", "spaced_form", "vat_our_your", "marketplace",
                 "closing", "sidebar", "letter_spaced", "name_two_lines")  # fmt: skip
_SENDER_LAYOUTS = ("pay_to", "title_left", "party_columns", "sidebar", "closing", "marketplace")


def party_options(rng: random.Random, layout: str, **overrides: Any) -> Options:
    """Options drawn from ``rng`` as random_options does, with one party layout of PARTY_LAYOUTS on."""
    base = random_options(rng)
    if layout in _SENDER_LAYOUTS:
        return replace(base, sender=layout, **overrides)  # type: ignore[arg-type]
    if layout in ("letter_spaced", "name_two_lines") and base.sender not in ("letterhead", "centered"):
        base = replace(base, sender="letterhead")  # both change the letterhead's big line
    return replace(base, **{layout: True, **overrides})


# ------------------------------------------------------------------------------------ identifiers


def vat_id(rng: random.Random, prefix: str) -> str:
    """A VAT id of ``prefix``'s country that passes its check digits."""
    for _ in range(10_000):
        if prefix == "NL":
            candidate = f"NL{rng.randrange(10**8, 10**9)}B{rng.randrange(1, 99):02d}"
        elif prefix == "FR":
            siren = f"{rng.randrange(10**8, 10**9)}"
            candidate = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
        else:
            candidate = f"{prefix}{rng.randrange(10**8, 10**9)}"
        module = get_cc_module(prefix.lower(), "vat")
        assert module is not None
        if module.is_valid(candidate):
            return candidate
    raise AssertionError(f"no valid {prefix} VAT id drawn")


_IBAN_SHAPES = {"GB": "AAAA" + "9" * 14, "DE": "9" * 18, "NL": "AAAA" + "9" * 10, "FR": "9" * 23}


def iban(rng: random.Random, country: str) -> str:
    """An IBAN of ``country`` that passes mod-97 (and the national check where stdnum knows one)."""
    for _ in range(10_000):
        bban = "".join(
            rng.choice(string.ascii_uppercase) if ch == "A" else rng.choice(string.digits)
            for ch in _IBAN_SHAPES[country]
        )
        digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
        candidate = f"{country}{98 - int(digits) % 97:02d}{bban}"
        if std_iban.is_valid(candidate):
            return candidate
    raise AssertionError(f"no valid {country} IBAN drawn")


def grouped(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


# ----------------------------------------------------------------------------------------- format


def money(value: Decimal, lang: Lang) -> str:
    english = f"{value:,.2f}"
    if lang == "en":
        return english
    thousands = " " if lang == "fr" else "."
    return english.replace(",", "_").replace(".", ",").replace("_", thousands)


def date_text(day: dt.date, options: Options) -> str:
    if options.compact_dates:
        return day.strftime("%Y%m%d")
    lang = options.lang
    if options.month_names or options.weekday:
        month = MONTHS[lang][day.month - 1]
        written = f"{day.day} {month} {day.year}" if lang != "de" else f"{day.day}. {month} {day.year}"
        if not options.weekday:
            return written
        weekday = WEEKDAYS[lang][day.weekday()]
        # "Monday, 3 March 2025", "Mardi 4 mars 2025", "Dienstag, 4. März 2025", "dinsdag 4 maart 2025"
        return f"{weekday}, {written}" if lang in ("en", "de") else f"{weekday.capitalize()} {written}"
    if lang == "en":
        return day.strftime("%d/%m/%Y")
    if lang == "de":
        return day.strftime("%d.%m.%Y")
    if lang == "nl":
        return day.strftime("%d-%m-%Y")
    return day.strftime("%d/%m/%Y")


def _symbol(currency: str) -> str:
    return {"EUR": "€", "GBP": "£", "USD": "$"}.get(currency, currency)


# --------------------------------------------------------------------------------------- generate


def generate(seed: int, options: Options | None = None, **overrides: Any) -> Generated:
    """The invoice of ``seed``: random options unless given, ``overrides`` on top."""
    rng = random.Random(seed)
    opts = replace(options, **overrides) if options is not None else random_options(rng, **overrides)
    lang = opts.lang
    w = WORDS[lang]
    country, prefix, country_name = COUNTRY[lang]
    core = f"{rng.choice(NAME_PARTS)} {rng.choice(TRADES)}"
    new_sender = opts.sender in ("sidebar", "closing", "marketplace")
    capital = opts.capital_mention and lang == "fr" and not (new_sender or opts.name_two_lines)
    form = rng.choice(("SAS", "SARL")) if capital else LEGAL[lang]
    sole = opts.sole_trader and not capital and opts.sender != "department"  # departments: companies
    # the party layouts draw from their own generator, so that the draws above and below stay as they were
    xr = random.Random(f"parties-{seed}")
    if opts.spaced_form and not capital:
        form = xr.choice(SPACED_FORMS[lang])
    vendor = core if sole else f"{core} {form}"
    legal = vendor  # the registered name
    if opts.trading_as and not capital and opts.sender != "department":
        owner = xr.choice(PEOPLE) if sole else f"{core.split(maxsplit=1)[0]} Group {form}"
        legal, vendor = owner, f"{owner} {xr.choice(TRADING_AS[lang])} {core}"
    buyer_lang: Lang = rng.choice(LANGS)
    _, buyer_prefix, buyer_country_name = COUNTRY[buyer_lang]
    if opts.buyer_company:
        kind = rng.choice(("Holding", "Retail", "Foods", "Media"))
        buyer = f"{rng.choice(NAME_PARTS)} {kind} {LEGAL[buyer_lang]}"
        while buyer.split(maxsplit=1)[0] == vendor.split(maxsplit=1)[0]:
            buyer = f"{rng.choice(NAME_PARTS)} Retail {LEGAL[buyer_lang]}"
    else:
        buyer = rng.choice(PEOPLE)
    v_city, v_post = rng.choice(CITIES[lang])
    b_city, b_post = rng.choice(CITIES[buyer_lang])
    v_street = f"{rng.choice(STREETS[lang])} {rng.randrange(1, 120)}"
    b_street = f"{rng.choice(STREETS[buyer_lang])} {rng.randrange(1, 120)}"
    if lang == "en":
        v_street = f"{rng.randrange(1, 120)} {rng.choice(STREETS[lang])}"
    v_place = f"{v_city} {v_post}" if lang == "en" else f"{v_post} {v_city}"
    b_place = f"{b_city} {b_post}" if buyer_lang == "en" else f"{b_post} {b_city}"
    v_vat, b_vat = vat_id(rng, prefix), vat_id(rng, buyer_prefix)
    v_iban = iban(rng, country)
    host = rng.choice(IDN_HOSTS) if opts.idn_email else f"{vendor.split(maxsplit=1)[0].lower()}.{TLD[lang]}"
    v_email = f"billing@{host}"
    v_phone = {"en": "+44 113 496 0{:03d}", "fr": "+33 4 72 00 {:02d} 1{}", "de": "+49 221 9988 {:03d}",
               "nl": "+31 30 123 {:04d}"}[lang]  # fmt: skip
    v_phone = (
        v_phone.format(rng.randrange(100), rng.randrange(10))
        if lang == "fr"
        else v_phone.format(rng.randrange(1000))
    )
    issue = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
    due = issue + dt.timedelta(days=rng.choice((14, 30, 45)))
    discount_day = issue + dt.timedelta(days=rng.choice((7, 10)))
    period_start = (issue.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    period_end = issue.replace(day=1) - dt.timedelta(days=1)
    number = (
        f"{rng.randrange(10_000, 99_999)}"
        if opts.weak_number_label
        else rng.choice(("INV-", "RE-", "F", "2024-", "")) + f"{rng.randrange(1000, 99999)}"
    )
    delivery_no = f"{rng.choice(('LS', 'DN', 'BL', 'PB'))}-{rng.randrange(10_000, 99_999)}"
    order_no = f"PO{rng.randrange(1000, 9999)}"
    rate = Decimal(rng.choice(("19", "20", "21"))) if lang != "en" else Decimal("20")
    items = []
    for _ in range(rng.randrange(1, 4)):
        qty = rng.randrange(1, 9)
        price = Decimal(rng.randrange(1500, 90_000)) / 100
        items.append((rng.choice(ITEMS), qty, price, (qty * price).quantize(Decimal("0.01"))))
    net = sum((i[3] for i in items), Decimal("0"))
    tax = (net * rate / 100).quantize(Decimal("0.01"))
    total = net + tax
    currency = opts.currency
    second = opts.second_currency if opts.second_currency != currency else None
    fx = Decimal(rng.choice(("1.0843", "1.1721", "0.8532", "1.2675")))
    sym = _symbol(currency)

    def amt(value: Decimal) -> str:
        text = money(-value if opts.credit_note else value, lang)
        return f"{text} {sym}" if lang != "en" else f"{sym}{text}"

    # ---- draw
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    width, height = A4
    drawn: list[str] = []

    def text(
        x: float,
        y: float,
        s: str,
        size: float = 9,
        right: bool = False,
        bold: bool = False,
        centre: bool = False,
        tracking: float = 0.0,
    ) -> None:
        font = "Helvetica-Bold" if bold else "Helvetica"
        c.setFont(font, size)
        if tracking:
            # letters set apart by character spacing (PDF ``Tc``): no space characters in the text
            span = c.stringWidth(s, font, size) + tracking * len(s)
            t = c.beginText(x - span if right else x - span / 2 if centre else x, height - y)
            t.setFont(font, size)
            t.setCharSpace(tracking)
            t.textOut(s)
            t.setCharSpace(0)  # the spacing is text state: it would carry over to the text drawn after
            c.drawText(t)
        else:
            draw = c.drawCentredString if centre else c.drawRightString if right else c.drawString
            draw(x, height - y, s)
        drawn.append(s)

    left_x, right_x = (210 if opts.sender == "sidebar" else 57), width - 57
    # letterhead: the vendor's name large, then its address and contact
    head = [v_street, v_place, country_name, f"{w['phone']} {v_phone}", f"{w['email']}: {v_email}"]
    # a logo-like trade name, or the department the letter comes from
    logo = f"{core} {DEPARTMENT[lang]}" if opts.sender == "department" else core.upper()
    if opts.brand_logo and opts.sender != "department":
        logo = core.split(maxsplit=1)[0].upper()
    if opts.logo_case and opts.sender != "department":
        initials = "".join(p[0] for p in core.split()).upper()
        logo = xr.choice((core.lower(), initials, core.split(maxsplit=1)[0].lower()))
    if opts.tagline:
        year = str(xr.randrange(1950, 2015))
        head.insert(0, xr.choice(TAGLINES[lang]).format(t=core.rsplit(maxsplit=1)[-1].lower(), y=year))
    tracking = 0.0
    # the letterhead's big line (tracked out, or over two lines) is the only place the name is printed
    spaced_only = only_on_top = False
    if opts.letter_spaced and opts.sender in ("letterhead", "centered"):
        # a designed letterhead's name tracked out: typed with spaces, or set apart by character spacing
        spaced_only = not capital and xr.random() < 0.5
        if spaced_only:
            logo = vendor.upper()
        if xr.random() < 0.5:
            logo = "   ".join(" ".join(word) for word in logo.split())
        else:
            tracking = 0.45 * 18
    two_lines = opts.name_two_lines and opts.sender in ("letterhead", "centered")
    big_lines = [logo]
    if two_lines:
        only_on_top = not capital and xr.random() < 0.5
        words = vendor.split()
        cut = 1 if len(words) <= 3 else 2
        big_lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        if xr.random() < 0.3:
            big_lines = [line.upper() for line in big_lines]
    head_y, head_step = (86, 10) if two_lines else (66, 11)
    platform = xr.choice(PLATFORMS) if opts.sender == "marketplace" else ""
    platform_legal = f"{platform} Europe S.à r.l."
    info_x = 340
    addressing = "bill_to" if opts.sender in ("from_heading", "plain_block") else opts.addressing
    if opts.sender in ("footer_only", "from_heading", "plain_block", "party_columns"):
        pass  # no letterhead
    elif opts.sender == "sidebar":
        # a tall column left of the body: name, address, contact, tax and bank data, in small print
        sy = 60.0
        text(24, sy, vendor, 9.5, bold=True)
        sy += 22
        company_line = f"{w['company_no']} {xr.randrange(10**6, 10**7)}"
        groups = (
            [v_street, v_place, country_name],
            [f"{w['phone']} {v_phone}", f"{w['email']}: {v_email}"],
            [f"{w['vat_no']}: {v_vat}", company_line],
            [f"IBAN: {grouped(v_iban)}", f"BIC: {xr.choice(('ABCD', 'WXYZ'))}{country}2X"],
        )
        for lines_ in groups:
            for line in lines_:
                text(24, sy, line, 7)
                sy += 10
            sy += 12
    elif opts.sender == "marketplace":
        # the platform's brand on top; the seller's block under it, headed "Sold by" (or on its row)
        hx = left_x if opts.letterhead == "left" else right_x
        text(hx, 46, platform, 20, bold=True, right=opts.letterhead == "right")
        text(hx, 58, f"www.{platform.lower()}.example", 8, right=opts.letterhead == "right")
        sold = xr.choice(SOLD_BY[lang])
        seller = [sold.format(vendor)] if "{}" in sold else [f"{sold}:", vendor]
        sy = 78 if opts.letterhead == "left" else 46
        for i, line in enumerate([*seller, v_street, v_place, f"{w['vat_no']}: {v_vat}"]):
            text(left_x, sy + 11 * i, line, 8, bold=i == 0 and "{}" not in sold)
    elif opts.sender in ("pay_to", "closing"):
        # a logo image prints no text: the letterhead shows the address and contact only
        hx = left_x if opts.letterhead == "left" else right_x
        for i, line in enumerate(head[1:] if opts.tagline else head):
            text(hx, 60 + 11 * i, line, 8, right=opts.letterhead == "right")
    elif opts.sender == "title_left":
        # the title left, the sender's name and address right at the same height
        title_top = (w["credit"] if opts.credit_note else w["title"]) + (
            f" {w['weak_number']} {number}" if opts.weak_number_label else ""
        )
        text(left_x, 56, title_top, 20, bold=True)
        text(right_x, 50, vendor if not opts.logo_case else logo, 13, right=True, bold=True)
        for i, line in enumerate(head):
            text(right_x, 64 + 11 * i, line, 8, right=True)
    elif opts.sender == "centered":
        for k, big in enumerate(big_lines):
            text(width / 2, 50 + 20 * k, big, 18, bold=True, centre=True, tracking=tracking)
        if opts.tagline:
            text(width / 2, head_y - 4, head[0], 8, centre=True)
        cy = head_y + 8 if opts.tagline else head_y
        text(width / 2, cy, f"{v_street} · {v_place} · {w['phone']} {v_phone} · {v_email}", 8, centre=True)
    elif opts.sender == "beside_window":
        # the sender's address right-aligned beside the window, a blank line before the postcode
        for dy, line in ((0, vendor), (12, v_street), (36, v_place), (48, country_name)):
            text(right_x, 150 + dy, line, 10, right=True)
    elif opts.letterhead == "left" and not opts.delivery_block:
        for k, big in enumerate(big_lines):
            text(left_x, 50 + 20 * k, big, 18, bold=True, tracking=tracking)
        for i, line in enumerate(head):
            text(left_x, head_y + head_step * i, line, 8)
    else:
        for k, big in enumerate(big_lines):
            text(right_x, 50 + 20 * k, big, 18, right=True, bold=True, tracking=tracking)
        for i, line in enumerate(head):
            text(right_x, head_y + head_step * i, line, 8, right=True)
    receiver = rng.choice([p for p in PEOPLE if p != buyer])
    if opts.delivery_block:
        d_street = f"{rng.choice(STREETS[buyer_lang])} {rng.randrange(1, 120)}"
        for i, line in enumerate((f"{SHIP_TO_BLOCK[lang]}:", receiver, d_street, b_place)):
            text(left_x, 62 + 11 * i, line, 9, bold=i == 0)
    # addressee: an envelope window under a one-line return address, or a "Bill to" block
    y = 150
    # in a block beside the buyer's, "... trading as <trade name>" goes on a line of its own
    vendor_lines = [legal, vendor[len(legal) :].strip()] if opts.trading_as else [vendor]
    v_mail = v_email
    if opts.sender == "party_columns":
        seller_word, buyer_word = xr.choice(PARTY_COLUMNS[lang])
        text(left_x, y, f"{seller_word}:", 9, bold=True)
        for i, line in enumerate([*vendor_lines, v_street, v_place, country_name, f"{w['email']}: {v_mail}"]):
            text(left_x, y + 12 + 12 * i, line, 10)
        left_x_buyer = 300
    elif opts.sender in ("from_heading", "plain_block"):
        # the sender's block (under its heading, or plain), left; the buyer's beside it
        if opts.sender == "from_heading":
            text(left_x, y, f"{FROM[lang]}:", 9, bold=True)
        for i, line in enumerate([*vendor_lines, v_street, v_place, country_name, f"{w['email']}: {v_mail}"]):
            text(left_x, y + 12 + 12 * i, line, 10)
        left_x_buyer = 215
    else:
        left_x_buyer = left_x
    person = ""
    if opts.attention:
        person = xr.choice([p for p in PEOPLE if p != buyer])
    on_label = opts.buyer_on_label and (addressing != "window" or opts.sender == "party_columns")
    customer_info = opts.buyer_on_label and not on_label  # "Customer: <buyer>" in the info block, no window
    if opts.sender == "party_columns":
        text(left_x_buyer, y, f"{buyer_word}:" + (f" {buyer}" if on_label else ""), 9, bold=True)
        y += 12
    elif customer_info:
        y += 14
    elif addressing == "window":
        if opts.sender not in (
            "beside_window",
            "footer_only",
            "pay_to",
            "sidebar",
            "closing",
            "marketplace",
        ) and not (spaced_only or only_on_top):
            sender_line = f"{core} {DEPARTMENT[lang]}" if opts.sender == "department" else vendor
            text(left_x, y, f"{sender_line} · {v_street} · {v_place}", 6.5)
        y += 14
    else:
        text(left_x_buyer, y, f"{w['bill_to']}:" + (f" {buyer}" if on_label else ""), 9, bold=True)
        y += 12
    block = [buyer, b_street, b_place, buyer_country_name]
    if opts.attention and opts.buyer_company:
        # the company and a person to its attention, either order
        block[1:1] = [f"{ATTENTION[lang]} {person}"]
        if xr.random() < 0.5:
            block[0], block[1] = block[1], block[0]
    elif opts.attention:
        block[1:1] = [f"c/o {xr.choice(NAME_PARTS)} {xr.choice(TRADES)} {LEGAL[buyer_lang]}"]
    if on_label:
        block = [line for line in block if line != buyer]
    if opts.buyer_vat:
        block.append(f"{w['buyer_vat']}: {b_vat}")
    b_host = f"{buyer.split(maxsplit=1)[0].lower().replace('é', 'e')}-{buyer_lang}.example"
    if opts.buyer_email:
        block.append(f"{w['email']}: accounts@{b_host}")
    for line in block if not customer_info else []:
        text(left_x_buyer, y, line, 10)
        y += 12
    if opts.ship_to and addressing == "bill_to":
        y += 10
        text(left_x_buyer, y, f"{SHIP_TO[lang]}:", 9, bold=True)
        for line in (receiver, f"{rng.choice(STREETS[buyer_lang])} {rng.randrange(1, 120)}", b_place):
            y += 12
            text(left_x_buyer, y, line, 10)
        y += 12
    if opts.sender in ("from_heading", "plain_block", "party_columns"):
        y = max(y, 150 + 12 * 6)
    # info block: labels left, values right
    info: list[tuple[str, str]] = []
    if not opts.weak_number_label:
        info.append((w["number"], number))
    if opts.delivery_note:
        info.insert(rng.randrange(len(info) + 1), (w["delivery"], delivery_no))
    info.append((w["customer"], f"K{rng.randrange(10000, 99999)}"))
    if opts.billing_period:
        period = f"{date_text(period_start, opts)} {w['to']} {date_text(period_end, opts)}"
        info.insert(0, (w["period"], period))
    letter_date = opts.letter_date and lang in ("de", "fr")
    if not letter_date:
        info.append((w["weak_date"] if opts.weak_date_label else w["date"], date_text(issue, opts)))
    if not opts.paid:
        info.append((w["due"], date_text(due, opts)))
    info.append((w["order"], order_no))
    if customer_info:
        info.insert(0, (CUSTOMER[lang], buyer))
    our_vat = opts.vat_our_your and xr.random() < 0.6
    if opts.vat_our_your:
        if our_vat:
            info.append((OUR_VAT[lang], v_vat))
        info.append((YOUR_VAT[lang], b_vat))
    iy = 250 if opts.sender in ("beside_window", "from_heading", "plain_block", "party_columns") else 150
    if opts.sender == "sidebar":
        info_x, iy = left_x, max(y, 150 + 12 * 5) + 14  # the body is narrow: the info block under the buyer
    # "Invoice number | Invoice date | Due date": a row of column headers, each value under its header
    row = [(label, value) for label, value in info if label != w["period"]][:4] if opts.header_row else []
    for label, value in info:
        if (label, value) in row:
            continue
        text(info_x, iy, f"{label}:", 9)
        text(right_x, iy, value, 9, right=True)
        iy += 12
    if row:
        # columns set close (three font sizes apart), so the text layer reads each row as one line
        hy, x, xs = max(y, iy) + 14, float(left_x), []
        for label, value in row:
            xs.append(x)
            x += max(c.stringWidth(label, "Helvetica-Bold", 8), c.stringWidth(value, "Helvetica", 9)) + 24
        for x, (label, _) in zip(xs, row, strict=True):
            text(x, hy, label, 8, bold=True)
        for x, (_, value) in zip(xs, row, strict=True):
            text(x, hy + 12, value, 9)
        y = hy + 12
    if letter_date:
        iy += 6
        text(info_x, iy, f"{v_city}, {'den' if lang == 'de' else 'le'}", 9)
        text(right_x, iy, date_text(issue, opts), 9, right=True)
        iy += 12
    # title
    ty = max(y, iy) + 24
    title = w["credit"] if opts.credit_note else w["title"]
    if opts.sender != "title_left":  # (drawn on top)
        weak = f" {w['weak_number']} {number}" if opts.weak_number_label else ""
        text(left_x, ty, title + weak, 16, bold=True)
    # items
    ty += 28
    cols = (left_x, 330, 400, right_x)
    text(cols[0], ty, w["desc"], 9, bold=True)
    text(cols[1], ty, w["qty"], 9, bold=True)
    text(cols[2], ty, w["price"], 9, bold=True)
    text(cols[3], ty, w["amount"], 9, right=True, bold=True)
    for desc, qty, price, line_total in items:
        ty += 14
        text(cols[0], ty, desc, 9)
        text(cols[1], ty, str(qty), 9)
        text(cols[2], ty, money(price, lang), 9)
        text(cols[3], ty, amt(line_total), 9, right=True)
    # totals
    ty += 26
    totals = [(w["net"], amt(net)), (f"{w['tax']} {rate}%", amt(tax)), (w["total"], amt(total))]
    if opts.paid:
        totals.append((f"{w['paid']} {date_text(issue, opts)}", amt(total)))
        totals.append((w["due_amount"], amt(Decimal("0.00"))))
    for label, value in totals:
        text(360, ty, label, 10, bold=label == w["total"])
        text(right_x, ty, value, 10, right=True, bold=label == w["total"])
        ty += 14
    if second:
        converted = (total * fx).quantize(Decimal("0.01"))
        ssym = _symbol(second)
        shown = money(-converted if opts.credit_note else converted, lang)
        text(
            300,
            ty,
            w["converted"].format(cur=second, rate=str(fx).replace(".", "," if lang != "en" else ".")),
            8,
        )
        text(right_x, ty, f"{shown} {ssym}" if lang != "en" else f"{ssym}{shown}", 8, right=True)
        ty += 14
    # payment terms
    ty += 16
    if opts.discount and not opts.paid:
        text(left_x, ty, w["discount"].format(pct=rng.choice((2, 3)), date=date_text(discount_day, opts)), 9)
        ty += 12
    if not opts.paid:
        text(left_x, ty, w["pay_by"].format(date=date_text(due, opts)), 9)
        ty += 12
    if opts.sender == "closing":
        # the closing words, the signer and, in small print, the company: the only place of its name
        ty += 14
        text(left_x, ty, xr.choice(CLOSINGS[lang]), 9)
        text(left_x, ty + 26, xr.choice(PEOPLE), 9)
        text(left_x, ty + 37, vendor, 8)
        ty += 50
    if opts.sender == "pay_to":
        # whom to pay: the only place the vendor's name is printed
        pay = xr.choice(PAY_TO[lang])
        if pay.startswith("Remit to") and xr.random() < 0.5:
            ty += 6  # a "Remit to:" block: heading, name, address
            for i, line in enumerate(("Remit to:", vendor, v_street, v_place)):
                text(left_x, ty, line, 9, bold=i == 0)
                ty += 11
        elif xr.random() < 0.5:
            text(left_x, ty, f"{pay.format(vendor)} · IBAN {grouped(v_iban)}", 9)
        else:
            text(left_x, ty, pay.format(vendor), 9)
        ty += 12
    # footer: registration, tax and bank data of the vendor
    fy = height - 70
    company_no = f"{w['company_no']} {rng.randrange(10**6, 10**7)}"
    first_col = [v_street, v_place] if spaced_only or only_on_top else [vendor, v_street, v_place]
    if opts.sender == "department":
        first_col = [f"{vendor} · {company_no}", v_street, v_place]  # the registered name
    elif opts.sender == "beside_window":
        first_col = [f"{w['email']}: {v_email}", f"{w['phone']} {v_phone}"]  # no name in the footer
    elif opts.sender == "footer_only":
        first_col = [vendor, v_street, v_place, f"{w['email']}: {v_email}"]  # the only place of the sender
    elif opts.sender in ("pay_to", "closing"):
        first_col = [f"{w['email']}: {v_email}", f"{w['phone']} {v_phone}"]  # no name in the footer
    if capital:
        siren = v_vat[4:]
        first_col = [f"{vendor} au capital de {rng.choice(('10 000', '7 500', '50 000'))} € – RCS {v_city} "
                     f"{siren[:3]} {siren[3:6]} {siren[6:]}", v_street, v_place]  # fmt: skip
        if opts.sender == "beside_window":
            first_col[1:] = [f"{w['email']}: {v_email}"]
        elif opts.sender == "footer_only":
            first_col.append(f"{w['email']}: {v_email}")
    vat_col = [f"{w['vat_no']}: {v_vat}", company_no]
    if our_vat and xr.random() < 0.5:
        vat_col = [company_no]  # the sender's VAT id only in the info block
    footer_cols = (
        first_col,
        vat_col,
        [f"IBAN: {grouped(v_iban)}", f"BIC: {rng.choice(('ABCD', 'WXYZ'))}{country}2X"],
    )
    if opts.sender == "marketplace":
        # the platform's own registration: the operator of the marketplace, not the seller
        rcs = f"RCS Luxembourg B {xr.randrange(10**5, 10**6)}"
        operator_cols = (
            [platform_legal, "5 rue Plaetis", "L-2338 Luxembourg"],
            [rcs, OPERATOR[lang].format(platform_legal)],
        )
        for i, col in enumerate(operator_cols):
            for j, line in enumerate(col):
                text(left_x + 170 * i, fy + 9 * j, line, 7)
    elif opts.sender == "sidebar":
        pass  # everything of the sender's is in the sidebar
    elif opts.stacked_footer:
        # "IBAN" over "DE12 3456 ..." in each column: read across, the labels and values interleave
        pairs = [("IBAN", grouped(v_iban)), (w["vat_no"], v_vat), (w["company_no"].split()[0], company_no)]
        if len(vat_col) == 1:
            del pairs[1]
        if opts.sender == "footer_only":
            for k, line in enumerate(first_col):  # the sender's whole address over the stacked pairs
                text(left_x, fy - 12 - 9 * (len(first_col) - 1 - k), line, 7)
        else:
            text(left_x, fy - 12, first_col[0], 7)
        if opts.sender == "beside_window" and capital:
            text(left_x, fy - 21, f"{w['email']}: {v_email}", 7)  # the only place the e-mail is printed
        for i, (label, value) in enumerate(pairs):
            text(left_x + 170 * i, fy, label, 6)
            text(left_x + 170 * i, fy + 9, value, 8)
    else:
        for i, col in enumerate(footer_cols):
            for j, line in enumerate(col):
                text(left_x + 170 * i, fy + 9 * j, line, 7)
    if letter_date:
        printed = date_text(issue - dt.timedelta(days=2), opts)
        stamp = (
            f"Datum: {printed} Zeit: 04:59:13 Seite: 1"
            if lang == "de"
            else f"Date : {printed} Heure : 04:59:13"
        )
        text(right_x, height - 20, stamp, 4, right=True)
    c.showPage()
    c.save()
    # A French capital mention ("<name> SAS au capital de ...") states the form apart from the name: the
    # name (the dénomination) is without it, wherever else it is printed with its form.
    truth: dict[str, Any] = {
        "invoice_number": number,
        "issue_date": issue,
        "due_date": None if opts.paid else due,
        "vendor_name": (
            vendor.upper()
            if spaced_only
            else " ".join(big_lines)  # as printed
            if only_on_top
            else core
            if capital
            else legal
        ),
        "vendor_vat_id": v_vat,
        "vendor_email": v_email,
        "buyer_name": buyer,
        "buyer_vat_id": b_vat if (opts.buyer_vat and not customer_info) or opts.vat_our_your else None,
        "buyer_email": f"accounts@{b_host}" if opts.buyer_email else None,
        "iban": None if opts.sender == "marketplace" else v_iban,
        "currency": currency,
        "net_amount": net,
        "tax_amount": tax,
        "total_amount": total,
        "amount_due": Decimal("0.00") if opts.paid else total,
        "delivery_note": delivery_no if opts.delivery_note else None,
        "discount_date": discount_day if opts.discount and not opts.paid else None,
        "billing_period_start": period_start if opts.billing_period else None,
    }
    return Generated(buf.getvalue(), truth, opts, drawn)
