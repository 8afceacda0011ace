"""What a narrow table cell wraps onto two lines is read as one line (extraction/context.py ``_unwrap``;
extraction/patterns.py ``iban_shaped`` with ``iban_continued``).

Invoices whose header is a row of narrow cells wrap a long date ("18 novembre" / "2025") and a two-word
label ("Date" / "d'échéance :") in their text layer; a bank box wraps the IBAN after its first groups
("IBAN : FR76 3000" / "6000 0112 ..."). Each document is generated as a text layer (seeded), in English,
French and Dutch, with the wrapped pieces on their own lines.
"""

from __future__ import annotations

import datetime as dt
import random

from babel.dates import format_date
from stdnum import iban as std_iban

from zapdoc.domain.documents import DocumentText
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor

# (issue label head, its tail, due label head, its tail, total label, seller's locale)
LABELS = {
    "en": ("Date", "of issue:", "Due", "date:", "Total due", "en_GB"),
    "fr": ("Date", "d'émission :", "Date", "d'échéance :", "Total TTC", "fr_FR"),
    "nl": ("Factuur", "datum:", "Uiterste", "betaaldatum:", "Totaal te betalen", "nl_NL"),
}
SELLERS = ("Atelier Brume", "Kestrel Works", "Maison Ferrand", "Van Dijk Techniek", "Northgate Studio")
BUYERS = ("Lumen Retail", "Orchard Foods", "Studio Ravel", "Bakkerij de Molen", "Harbour Clinic")


def _wrapped_date(day: dt.date, locale: str) -> tuple[str, str]:
    """("18 November", "2025"): the date's day and month on one line, its year on the next."""
    words = format_date(day, "d MMMM y", locale=locale).rsplit(" ", 1)
    return words[0], words[1]


def _invoice_with_wrapped_dates(seed: int, lang: str) -> tuple[DocumentText, dt.date, dt.date]:
    rng = random.Random(seed)
    issue_head, issue_tail, due_head, due_tail, total_label, locale = LABELS[lang]
    issued = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(360))
    due = issued + dt.timedelta(days=rng.choice((10, 14, 30)))
    number = f"F{rng.randrange(2025, 2027)}-{rng.randrange(100, 9999):04d}"
    issue_day, issue_year = _wrapped_date(issued, locale)
    due_day, due_year = _wrapped_date(due, locale)
    seller, buyer = rng.choice(SELLERS), rng.choice(BUYERS)
    lines = [
        seller,
        f"{rng.randrange(1, 99)} Rue du Port",
        {"en": "Invoice", "fr": "Facture", "nl": "Factuur"}[lang],
        f"{'Invoice number' if lang == 'en' else 'Numéro' if lang == 'fr' else 'Factuurnummer'}: {number}",
        issue_head,
        issue_tail,
        issue_day,
        issue_year,
        due_head,
        due_tail,
        due_day,
        due_year,
        buyer,
        f"{total_label} 1 234,50 €" if lang != "en" else f"{total_label} €1,234.50",
    ]
    return DocumentText("wrapped.pdf", ("\n".join(lines),), 1), issued, due


def test_a_date_and_a_label_wrapped_in_narrow_cells_are_read_whole() -> None:
    # GIVEN invoices whose issue and due dates wrap before the year, and whose labels wrap after a word
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(12):
        lang = ("en", "fr", "nl")[seed % 3]
        doc, issued, due = _invoice_with_wrapped_dates(seed, lang)
        # WHEN each is extracted
        got = {k: v.value for k, v in extractor.extract(doc, template_fields("invoice")).values.items()}
        # THEN both dates are the whole printed dates
        if (got["issue_date"], got["due_date"]) != (issued, due):
            wrong.append((seed, lang, got["issue_date"], got["due_date"], issued, due))
    assert not wrong, wrong


def _iban(rng: random.Random, country: str) -> str:
    """A valid IBAN of ``country`` (check digits computed with python-stdnum)."""
    bban = {
        "FR": lambda: f"{rng.randrange(10**22, 10**23)}",
        "DE": lambda: f"{rng.randrange(10**17, 10**18)}",
        "NL": lambda: "ABNA" + f"{rng.randrange(10**9, 10**10)}",
        "GB": lambda: "NWBK" + f"{rng.randrange(10**13, 10**14)}",
    }[country]()
    for check in range(2, 99):
        candidate = f"{country}{check:02d}{bban}"
        if std_iban.is_valid(candidate):
            return candidate
    raise AssertionError(country)


def test_an_iban_cut_at_a_lines_end_is_completed_by_the_next_line() -> None:
    # GIVEN invoices whose bank box wraps the IBAN after its first one or two groups of four
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(12):
        rng = random.Random(seed)
        country = ("FR", "DE", "NL", "GB")[seed % 4]
        iban = _iban(rng, country)
        groups = [iban[i : i + 4] for i in range(0, len(iban), 4)]
        cut = rng.choice((2, 3))
        lines = [
            rng.choice(SELLERS),
            "Invoice",
            f"Invoice number: INV-{rng.randrange(1000, 9999)}",
            "Date: 03/04/2025",
            "Total due: EUR 812.40",
            "Bank details",
            f"IBAN: {' '.join(groups[:cut])}",
            " ".join(groups[cut:]),
            f"BIC: {rng.choice(('BNPAFRPP', 'COBADEFF', 'ABNANL2A', 'NWBKGB2L'))}",
        ]
        doc = DocumentText("bank.pdf", ("\n".join(lines),), 1)
        # WHEN each is extracted
        got = {k: v.value for k, v in extractor.extract(doc, template_fields("invoice")).values.items()}
        # THEN the IBAN is the whole valid number, not its head nor nothing
        if got["iban"] != iban:
            wrong.append((seed, got["iban"], iban))
    assert not wrong, wrong


def test_a_colon_and_a_numbers_tail_wrapped_onto_their_own_lines_are_read_whole() -> None:
    # GIVEN invoices whose date labels' colons stand alone on the next line ("Date d'échéance" / ":" /
    # "28 novembre 2025") and whose title's number is cut after a hyphen ("FACTURE N° RE-2025-" / "76748")
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(12):
        rng = random.Random(seed)
        issued = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(330))
        due = issued + dt.timedelta(days=rng.choice((10, 20, 30)))
        number = f"RE-{issued.year}-{rng.randrange(10000, 99999)}"
        head, tail = number.rsplit("-", 1)
        lines = [
            rng.choice(SELLERS) + " SAS",
            f"FACTURE N° {head}-",
            tail,
            "Date d'émission",
            ":",
            format_date(issued, "d MMMM y", locale="fr_FR"),
            "Date d'échéance",
            ":",
            format_date(due, "d MMMM y", locale="fr_FR"),
            "Client",
            rng.choice(BUYERS),
            "Total TTC 1 234,50 €",
        ]
        got = {
            k: v.value
            for k, v in extractor.extract(
                DocumentText("facture.pdf", ("\n".join(lines),), 1), template_fields("invoice")
            ).values.items()
        }
        # WHEN extracted, THEN the number and both dates are whole
        if (got["invoice_number"], got["issue_date"], got["due_date"]) != (number, issued, due):
            wrong.append((seed, got["invoice_number"], got["issue_date"], got["due_date"]))
    assert not wrong, wrong


def test_an_amount_after_the_word_for_vat_is_no_vat_id() -> None:
    # GIVEN Dutch invoices whose totals read "Totaal excl. btw 139.291,67 EUR" and whose issuer's VAT id is
    # printed in the footer only
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in range(12):
        rng = random.Random(seed)
        net = rng.randrange(100_000, 999_999)
        vat_id = rng.choice(("NL214554586B21", "NL693229585B81", "NL816128932B76"))
        lines = [
            rng.choice(SELLERS) + " B.V.",
            "Factuur",
            f"Factuurnummer F2025-{rng.randrange(1000, 9999)}",
            "Factuurdatum 16-01-2025",
            f"Totaal excl. btw {net // 1000}.{net % 1000:03d},{rng.randrange(10, 99)} EUR",
            "Btw 21% 29.251,25 EUR",
            "Totaal incl. btw 168.542,92 EUR",
            f"KvK 66717246 · BTW-nummer: {vat_id}",
        ]
        values = extractor.extract(
            DocumentText("factuur.pdf", ("\n".join(lines),), 1), template_fields("invoice")
        )
        # WHEN extracted, THEN the vendor's VAT id is the footer's, not digits of the net amount
        if values.values["vendor_vat_id"].value != vat_id:
            wrong.append((seed, values.values["vendor_vat_id"].value))
    assert not wrong, wrong
