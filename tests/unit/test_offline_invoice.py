"""The offline extractor on invoices in English, French and German, read from real PDFs.

Values are random per run (invoice numbers, amounts, IBANs with valid checksums) so the rules are
tested, not one document.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from decimal import Decimal

import pytest

from tests.pdfs import make_pdf
from zapdoc.domain.documents import DocumentText, Extraction, Source
from zapdoc.domain.fields import FieldSpec, FieldType, parse_fields
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.extraction.patterns import iban_checksum_ok
from zapdoc.inputs.pdf import inspect_pdf

INVOICE = template_fields("invoice")
rng = random.Random()


def extract(pages: list[str], fields: tuple[FieldSpec, ...] = INVOICE) -> Extraction:
    """Render ``pages`` into a real PDF, read it back and run the offline extractor."""
    doc = inspect_pdf(Source(f"{rng.getrandbits(32):08x}.pdf", make_pdf(pages)))
    return OfflineExtractor().extract(doc, fields)


def values(extraction: Extraction) -> dict[str, object]:
    return {name: fv.value for name, fv in extraction.values.items()}


def make_iban(country: str, length: int) -> str:
    """A random IBAN with a correct mod-97 checksum."""
    bban = "".join(rng.choice(string.digits) for _ in range(length - 4))
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def money(value: float, style: str) -> str:
    """``value`` printed the English (1,234.50), German (1.234,50) or French (1 234,50) way."""
    english = f"{value:,.2f}"
    if style == "en":
        return english
    thousands = " " if style == "fr" else "."
    return english.replace(",", "_").replace(".", ",").replace("_", thousands)


def test_money_helper_prints_each_convention() -> None:
    assert money(1234.5, "en") == "1,234.50"
    assert money(1234.5, "de") == "1.234,50"
    assert money(1234.5, "fr") == "1 234,50"


def test_english_invoice_gives_typed_values_with_evidence() -> None:
    # GIVEN an English invoice with a random number, amounts and IBAN
    number = f"INV-{rng.randint(1000, 99999)}"
    net = round(rng.uniform(100, 9000), 2)
    tax = round(net * 0.2, 2)
    iban = make_iban("GB", 22)
    text = f"""ACME Widgets Ltd
12 High Street, London EC1A 1BB
VAT Reg No: GB 123 4567 89
Phone: +44 20 7946 0958
Email: Billing@Acme-Widgets.co.uk
INVOICE
Invoice No: {number}
Invoice Date: 14/03/2024
Due Date: 13/04/2024
PO Number: PO-7781
Bill To:
Globex Corporation
1 Main Road, Springfield
Description Qty Unit Price Amount
Blue widget 10 2.50 25.00
Red widget (large) 3 12.00 36.00
Subtotal {money(net, "en")}
VAT 20% {money(tax, "en")}
Total due GBP {money(net + tax, "en")}
IBAN: {grouped(iban)}"""
    # WHEN extracted with the invoice template
    result = extract([text])
    got = values(result)
    # THEN every printed field is found and typed
    assert got["invoice_number"] == number
    assert got["issue_date"] == dt.date(2024, 3, 14)
    assert got["due_date"] == dt.date(2024, 4, 13)
    assert got["vendor_name"] == "ACME Widgets Ltd"
    assert got["vendor_vat_id"] == "GB123456789"
    assert got["vendor_email"] == "billing@acme-widgets.co.uk"
    assert got["vendor_phone"] == "+442079460958"
    assert got["buyer_name"] == "Globex Corporation"
    assert got["order_number"] == "PO-7781"
    assert got["iban"] == iban
    assert got["currency"] == "GBP"
    assert got["net_amount"] == Decimal(repr(net))
    assert got["tax_amount"] == Decimal(repr(tax))
    assert got["total_amount"] == Decimal(repr(net)) + Decimal(repr(tax))
    assert got["line_items"] == [
        {"description": "Blue widget", "quantity": 10, "unit_price": 2.5, "amount": 25.0},
        {"description": "Red widget (large)", "quantity": 3, "unit_price": 12.0, "amount": 36.0},
    ]
    # AND labelled values are confident and cite the line they came from
    number_value = result.values["invoice_number"]
    assert number_value.confidence >= 0.9
    assert number_value.evidence is not None
    assert number_value.evidence.page == 1
    assert number in number_value.evidence.snippet
    assert all(0.0 <= fv.confidence <= 1.0 for fv in result.values.values())


def test_french_invoice() -> None:
    # GIVEN a French invoice (Facture n°, Total TTC, TVA intracommunautaire, amounts "1 234,56 €")
    number = f"F-2024-{rng.randint(100, 999)}"
    net = round(rng.uniform(1000, 90000), 2)
    tax = round(net * 0.055, 2)
    iban = make_iban("FR", 27)
    text = f"""Boulangerie Dupont SARL - 3 rue des Lilas - 75011 Paris
N° TVA intracommunautaire : FR 40 303 265 045
Tél : 01 23 45 67 89
FACTURE
Facture n° {number}
Date de facture : 5 mars 2024
Échéance : 04/04/2024
Client : Café de la Gare
Désignation Qté Prix unitaire Montant HT
Croissants 120 0,90 108,00
Total HT {money(net, "fr")} €
TVA 5,5 % {money(tax, "fr")} €
Total TTC {money(net + tax, "fr")} €
IBAN : {grouped(iban)}"""
    # WHEN extracted
    got = values(extract([text]))
    # THEN French labels and number formats are understood
    assert got["invoice_number"] == number
    assert got["issue_date"] == dt.date(2024, 3, 5)
    assert got["due_date"] == dt.date(2024, 4, 4)
    assert got["vendor_name"] == "Boulangerie Dupont SARL"
    assert got["vendor_vat_id"] == "FR40303265045"
    assert got["buyer_name"] == "Café de la Gare"
    assert got["currency"] == "EUR"
    assert got["net_amount"] == Decimal(repr(net))
    assert got["tax_amount"] == Decimal(repr(tax))
    assert got["total_amount"] == Decimal(repr(net)) + Decimal(repr(tax))
    assert got["iban"] == iban


def test_german_invoice() -> None:
    # GIVEN a German invoice with a sender line above the window address
    number = f"2024-{rng.randint(1000, 9999)}"
    net = round(rng.uniform(1000, 90000), 2)
    tax = round(net * 0.19, 2)
    iban = make_iban("DE", 22)
    text = f"""Müller Technik GmbH · Hauptstraße 5 · 80331 München
Kunde AG
Bahnhofstr. 1
10115 Berlin
Rechnung
Rechnungsnummer: {number}
Rechnungsdatum: 03.04.2024
Fälligkeitsdatum: 03.05.2024
Ihre Bestellnummer: B-5521
Pos. Bezeichnung Menge Einzelpreis Betrag
1 Wartung Heizungsanlage 2 150,00 300,00
Nettobetrag {money(net, "de")} EUR
zzgl. 19% MwSt. {money(tax, "de")} EUR
Gesamtbetrag {money(net + tax, "de")} EUR
Bankverbindung: Stadtsparkasse München IBAN {grouped(iban)} BIC COBADEFFXXX
USt-IdNr.: DE 123 456 789"""
    # WHEN extracted
    got = values(extract([text]))
    # THEN German labels, dates and "1.234,56" amounts are understood
    assert got["invoice_number"] == number
    assert got["issue_date"] == dt.date(2024, 4, 3)
    assert got["due_date"] == dt.date(2024, 5, 3)
    assert got["vendor_name"] == "Müller Technik GmbH"
    assert got["buyer_name"] == "Kunde AG"
    assert got["order_number"] == "B-5521"
    assert got["vendor_vat_id"] == "DE123456789"
    assert got["iban"] == iban
    assert got["currency"] == "EUR"
    assert got["net_amount"] == Decimal(repr(net))
    assert got["tax_amount"] == Decimal(repr(tax))
    assert got["total_amount"] == Decimal(repr(net)) + Decimal(repr(tax))
    assert got["line_items"] == [
        {"description": "Wartung Heizungsanlage", "quantity": 2, "unit_price": 150.0, "amount": 300.0}
    ]


def test_inline_number_and_date_as_e_invoices_print_them() -> None:
    # GIVEN "Handelsrechnung (380) Nr. X vom DATE" and a remark about an order "vom" another date
    number = f"R{rng.randint(10**6, 10**7)}"
    text = f"""Handelsrechnung (380) Nr. {number} vom 05.06.2018
Währung: EUR
Bemerkung Rechnung gemäß Bestellung Nr. 2018-471331 vom 01.03.2018.
Bruttosumme 197,65"""
    # WHEN extracted / THEN the number and the date are the invoice's, not the order's
    got = values(extract([text]))
    assert got["invoice_number"] == number
    assert got["issue_date"] == dt.date(2018, 6, 5)
    assert got["total_amount"] == Decimal("197.65")
    assert got["currency"] == "EUR"


def test_values_printed_apart_from_their_labels_are_paired() -> None:
    # GIVEN a layout whose values come out of the PDF above a block of labels
    number = f"A-{rng.randint(100, 999)}"
    text = f"""INVOICE
# {number}
Jan 1, 2022
Net 30 days
Jan 31, 2022
$127.50
Date:
Payment Terms:
Due Date:
Balance Due:"""
    # WHEN extracted / THEN each label gets the value in the same position of the value block
    got = values(extract([text]))
    assert got["invoice_number"] == number
    assert got["issue_date"] == dt.date(2022, 1, 1)
    assert got["due_date"] == dt.date(2022, 1, 31)
    assert got["currency"] == "USD"


def test_a_value_in_the_column_under_a_header_line() -> None:
    # GIVEN header lines whose values are on the line below (first and last column)
    text = """VAT Registration No. Home Page Phone No.
DE136695976 www.example.com 0221 99 88 77
Customer Order Invoice
C-77 O-12 VF1005193039"""
    # WHEN extracted / THEN the first and the last column are read
    got = values(extract([text]))
    assert got["vendor_vat_id"] == "DE136695976"
    assert got["invoice_number"] == "VF1005193039"


def test_us_dates_follow_the_document_order() -> None:
    # GIVEN an English invoice whose other date shows month-first order (12/25/2023)
    text = """Invoice Number: 7
Invoice Date: 04/03/2024
Order date: 12/25/2023
Total $ 10.00"""
    # WHEN extracted / THEN the ambiguous 04/03/2024 is April 3rd
    got = values(extract([text]))
    assert got["issue_date"] == dt.date(2024, 4, 3)


@pytest.mark.parametrize(
    ("total", "expected"), [("$ 10.00", dt.date(2024, 4, 3)), ("£ 10.00", dt.date(2024, 3, 4))]
)
def test_english_dates_without_other_evidence_follow_the_currency(total: str, expected: dt.date) -> None:
    # GIVEN only an ambiguous date: a dollar invoice reads month first, a pound invoice day first
    text = f"Invoice Number: 8\nInvoice Date: 04/03/2024\nTotal due {total}\nThank you for your business"
    assert values(extract([text]))["issue_date"] == expected


def test_honest_nothing_is_invented_for_fields_that_are_not_printed() -> None:
    # GIVEN a document without any invoice data
    text = "Meeting notes\nWe discussed the roadmap and agreed to meet again next week.\nThanks, Anna"
    # WHEN extracted with the invoice template and user fields
    fields = INVOICE + parse_fields("po_number (purchase order), delivery_date:date, contact:email")
    result = extract([text], fields)
    # THEN no field has a value, a confidence or evidence
    for name, fv in result.values.items():
        assert fv.value is None, name
        assert fv.confidence == 0.0
        assert fv.evidence is None


def test_honest_an_invoice_without_iban_or_vat_id_has_none() -> None:
    text = "Invoice No: 12\nInvoice Date: 2024-01-05\nTotal: EUR 50.00\nAccount: 12345678"
    got = values(extract([text]))
    assert got["invoice_number"] == "12"
    assert got["iban"] is None
    assert got["vendor_vat_id"] is None
    assert got["buyer_vat_id"] is None
    assert got["due_date"] is None


def test_iban_checksum_decides_between_pattern_and_label() -> None:
    # GIVEN an IBAN-shaped string with a wrong checksum, first unlabelled then labelled
    good = make_iban("DE", 22)
    bad = good[:4] + ("1" if good[4] != "1" else "2") + good[5:]
    assert iban_checksum_ok(good)
    assert not iban_checksum_ok(bad)
    iban = FieldSpec("iban")
    # WHEN the bad one is printed without a label / THEN it is not taken for an IBAN
    assert extract([f"Reference {bad}"], (iban,)).values["iban"].value is None
    # WHEN it is labelled / THEN it is returned as printed, with low confidence and a note
    labelled = extract([f"IBAN: {grouped(bad)}"], (iban,)).values["iban"]
    assert labelled.value == bad
    assert labelled.confidence < 0.6
    assert "checksum" in labelled.note
    # WHEN a valid one is printed without a label / THEN the pattern alone finds it
    found = extract([f"Please pay to {grouped(good)} within 30 days"], (iban,)).values["iban"]
    assert found.value == good
    assert 0.6 <= found.confidence < 0.95


def test_buyer_and_vendor_vat_ids_are_told_apart() -> None:
    # GIVEN the vendor's VAT id in the letterhead and the customer's labelled as such
    text = """Au bon moulin SARL - 1242 chemin de l'olive - 84340 Malaucène
TVA : FR11999999998
Facture FA-2017-0010
N° TVA client FR19787878784"""
    got = values(extract([text]))
    assert got["vendor_vat_id"] == "FR11999999998"
    assert got["buyer_vat_id"] == "FR19787878784"


def test_the_buyers_vat_id_is_not_taken_for_the_vendors() -> None:
    text = "Factuur 12\nUw BTW nummer: NL00333599698\nFactuur totaal EUR 49,99"
    got = values(extract([text]))
    assert got["vendor_vat_id"] is None


@pytest.mark.parametrize(
    "line",
    ["PO Number: {n}", "P.O. number {n}", "Po-Nummer: {n}", "Purchase order: {n}", "PO# {n}"],
)
def test_a_user_field_is_found_by_its_own_name_and_description(line: str) -> None:
    # GIVEN a field the extractor has no curated labels for
    number = str(rng.randint(1000, 999999))
    fields = parse_fields("po_number (purchase order)")
    # WHEN the document prints it under one of the usual spellings
    result = extract([f"Delivery note\n{line.format(n=number)}\nThank you"], fields)
    # THEN it is found from the field's name or description
    assert result.values["po_number"].value == number
    assert result.values["po_number"].confidence >= 0.6


def test_user_fields_of_each_type_use_their_type_pattern() -> None:
    fields = parse_fields(
        "delivery_date:date, freight_cost:amount, dispatcher_email:email, hotline:phone, "
        "carrier (shipping company), pallet_count:number"
    )
    text = """Delivery date: 3 May 2024
Freight cost: 1.250,00 EUR
Dispatcher email: Dispatch@Example.com
Hotline: +49 30 1234567
Carrier: Schenker Logistics Date: 2024-05-01
Pallet count: 12"""
    got = values(extract([text], fields))
    assert got == {
        "delivery_date": dt.date(2024, 5, 3),
        "freight_cost": 1250.0,
        "dispatcher_email": "dispatch@example.com",
        "hotline": "+49301234567",
        "carrier": "Schenker Logistics",
        "pallet_count": 12,
    }


def test_evidence_points_at_the_right_page() -> None:
    # GIVEN a two-page invoice with the total on page 2
    result = extract(["Invoice No: 991\nInvoice Date: 2024-02-01", "Notes\nGrand total: EUR 1,000.00"])
    total = result.values["total_amount"]
    # THEN the value is found on page 2 and its snippet is that line
    assert total.value == Decimal("1000.00")
    assert total.evidence is not None
    assert total.evidence.page == 2
    assert total.evidence.snippet == "Grand total: EUR 1,000.00"


def test_evidence_snippets_are_short_even_for_long_lines() -> None:
    filler = "lorem ipsum dolor sit amet " * 40
    doc = DocumentText("long.pdf", (f"{filler} Invoice number: X-42 {filler}",), 1)
    fv = OfflineExtractor().extract(doc, (FieldSpec("invoice_number"),)).values["invoice_number"]
    assert fv.value == "X-42"
    assert fv.evidence is not None
    assert len(fv.evidence.snippet) <= 200
    assert "X-42" in fv.evidence.snippet


def test_a_label_and_a_valid_value_score_higher_than_a_pattern_alone() -> None:
    labelled = extract(["Invoice date: 2024-03-01\nTotal 5.00"]).values["issue_date"]
    unlabelled = extract(["Thank you for your order of 2024-03-01\nTotal 5.00"]).values["issue_date"]
    assert labelled.value == unlabelled.value == dt.date(2024, 3, 1)
    assert labelled.confidence > 0.9
    assert unlabelled.confidence < 0.6
    assert unlabelled.is_low_confidence


def test_hostile_megabyte_of_text_finishes_with_a_sane_result() -> None:
    # GIVEN a megabyte of text built to make regexes backtrack (digit runs, separators, label
    # fragments, half IBANs, half emails) on long lines and one enormous line
    pieces = ["1" * 5000, "1.2,3 " * 300, "DE12 " * 400, "a@" * 800, "Rechnung" * 300, "Total: " * 300]
    pieces += ["€-(" * 500, "Rechnung (380) Nr. " * 60, "31/12/" * 400]
    text = "\n".join(rng.choice(pieces) for _ in range(400))[:900_000] + "9" * 100_000
    doc = DocumentText("hostile.pdf", (text,), 1)
    fields = INVOICE + template_fields("resume") + parse_fields("po_number (purchase order)")
    # WHEN extracted
    result = OfflineExtractor().extract(doc, fields)
    # THEN it returns one well-formed value per field (no guessed IBAN or email out of the noise)
    assert set(result.values) == {f.name for f in fields}
    assert result.values["iban"].value is None
    assert result.values["vendor_email"].value is None
    for fv in result.values.values():
        assert 0.0 <= fv.confidence <= 1.0
        assert fv.evidence is None or len(fv.evidence.snippet) <= 200


def test_table_field_with_a_user_chosen_column() -> None:
    spec = parse_fields("items:table[description, qty:number, price:amount, total:amount, colour]")
    text = """Item Qty Price Total
Chair 2 40.00 80.00
Desk 1 199.00 199.00
Total 279.00"""
    got = values(extract([text], spec))
    assert got["items"] == [
        {"description": "Chair", "qty": 2, "price": 40.0, "total": 80.0, "colour": None},
        {"description": "Desk", "qty": 1, "price": 199.0, "total": 199.0, "colour": None},
    ]


def test_a_currency_field_reads_symbols_near_the_total() -> None:
    currency = FieldSpec("currency", FieldType.CURRENCY)
    assert values(extract(["Invoice 4\nTotal: £ 12.00"], (currency,))) == {"currency": "GBP"}
    assert values(extract(["Invoice 4\nGesamtbetrag 12,00 €"], (currency,))) == {"currency": "EUR"}
    assert values(extract(["Invoice 4\nCurrency: CHF\nTotal 12.00"], (currency,))) == {"currency": "CHF"}


def _doc(text: str) -> DocumentText:
    return DocumentText(name="t.pdf", pages=(text,), page_count=1)


def test_values_that_start_like_formulas_keep_their_first_character() -> None:
    # GIVEN labelled values beginning with "=", "-" or "+" (a label separator needs a space after it)
    doc = _doc('Field 1: =HYPERLINK("http://x","y")\nField 2: -1+2\nRef = ABC-9\nCode - +SUM(A1)')
    # WHEN they are extracted as text
    values = OfflineExtractor().extract(doc, parse_fields("field_1, field_2, ref, code")).values
    # THEN the values are kept verbatim and the separators are not part of them
    assert values["field_1"].value == '=HYPERLINK("http://x","y")'
    assert values["field_2"].value == "-1+2"
    assert values["ref"].value == "ABC-9"
    assert values["code"].value == "+SUM(A1)"


def test_line_items_use_arithmetic_to_read_space_grouped_numbers() -> None:
    text = (
        "Facture n° : F-1\nDésignation Qté Prix unitaire Montant HT\n"
        "Suspension laiton 4 189,00 756,00\nWerkbank Buche 150 cm 1 489,00 489,00\nTotal HT 1 245,00 €"
    )
    rows = OfflineExtractor().extract(_doc(text), template_fields("invoice")).values["line_items"].value
    assert rows == [
        {"description": "Suspension laiton", "quantity": 4, "unit_price": 189.0, "amount": 756.0},
        {"description": "Werkbank Buche 150 cm", "quantity": 1, "unit_price": 489.0, "amount": 489.0},
    ]


def test_registration_numbers_are_not_phones() -> None:
    doc = _doc("LIBRAIRIE DU PORT\nSIRET 512 345 678 00019\nTVA FR83512345678\nTotal TTC 15,40 EUR")
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    assert values["vendor_phone"].value is None


def test_a_row_of_amounts_is_not_a_phone() -> None:
    # GIVEN a line item whose quantity, price, discount and amount stand side by side, and no phone anywhere
    doc = _doc(
        "Northwind Supplies\n12 Harbour Road, Bristol\nInvoice INV-4411\n"
        "Product Quantity Unit Price Disc. Amount\nOak shelf 1.00 kg 42.00 0.00 42.00\nTotal $ 42.00"
    )
    # WHEN the invoice is extracted
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    # THEN the amounts are not read as a phone number
    assert values["vendor_phone"].value is None


def test_the_net_amount_is_the_total_minus_the_tax_when_no_subtotal_is_printed() -> None:
    # GIVEN an invoice that prints its charges, a tax line and a total, but no "subtotal" or "net" label
    doc = _doc(
        "Cloudline Hosting Inc.\nInvoice Number: 70021\nInvoice Date: March 4, 2024\n"
        "Service charges $18.40\nCredits $0.00\nTax $1.60\nTotal for this invoice $20.00"
    )
    # WHEN the invoice is extracted
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    # THEN the net amount is the total minus the tax, marked for review and saying how it was found
    net = values["net_amount"]
    assert net.value == Decimal("18.40")
    assert net.is_low_confidence
    assert "total 20.00 - tax 1.60" in net.note


def test_an_indian_total_grouped_in_lakhs_is_the_total() -> None:
    # GIVEN a GST invoice whose grand total is grouped in lakhs
    doc = _doc(
        "Sitara Traders Pvt Ltd\nGSTIN: 27AAPFU0939F1ZV\nTax Invoice\nInvoice No: ST/24-25/0192\n"
        "Invoice Date: 04-03-2024\nTaxable value ₹ 10,46,243.22\nIGST 18% ₹ 1,88,323.78\n"
        "Grand Total ₹ 12,34,567.00"
    )
    # WHEN the invoice is extracted
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    # THEN the total is the whole amount, in rupees
    assert values["total_amount"].value == Decimal("1234567.00")
    assert values["currency"].value == "INR"


@pytest.mark.parametrize(
    "printed",
    ["IBAN: DE89 3704 0044\n0532 0130 00 BIC COLSDE33", "IBAN-Nr.: DE89-3704-0044-0532-0130-00"],
    ids=["over-two-lines", "hyphenated"],
)
def test_an_iban_broken_over_two_lines_or_grouped_with_hyphens_is_read_whole(printed: str) -> None:
    # GIVEN an invoice whose IBAN runs onto the next line, or is grouped with hyphens
    doc = _doc(f"Kestrel GmbH\nHauptstraße 5, 50667 Köln\nRechnung Nr. 4471\nGesamtbetrag 120 €\n{printed}")
    # WHEN the invoice is extracted
    iban = OfflineExtractor().extract(doc, template_fields("invoice")).values["iban"]
    # THEN the whole IBAN is read, and it passes its checksum (no truncated 'DE8937040044')
    assert iban.value == "DE89370400440532013000"
    assert iban_checksum_ok(str(iban.value))


@pytest.mark.parametrize(
    ("place", "currency"),
    [
        ("Sydney NSW 2000, Australia", "AUD"),
        ("Toronto, ON M5V 2T6, Canada", "CAD"),
        ("Auckland 1010, New Zealand", "NZD"),
        ("Austin, TX 78701, United States", "USD"),
        ("Leeds LS1 5AB", "USD"),
    ],
)
def test_a_bare_dollar_is_the_dollar_of_the_country_the_invoice_names(place: str, currency: str) -> None:
    # GIVEN an invoice that prints its total with a bare "$" and names where it was issued
    doc = _doc(
        f"Kestrel Pty Ltd\n9 Mill Lane, {place}\nInvoice No: 4471\nDate: 2024-03-04\nTotal (inc tax) $120.00"
    )
    # WHEN the invoice is extracted
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    # THEN the currency is that country's dollar (CLDR), US dollars when no other dollar country is named
    assert values["currency"].value == currency
    assert values["total_amount"].value == Decimal("120.00")


def test_a_dollar_is_not_guessed_from_two_dollar_countries() -> None:
    # GIVEN an invoice from Canada to Australia with a bare "$"
    doc = _doc(
        "Maple Ltd\nToronto, Canada\nBill to: Koala Pty, Sydney, Australia\nInvoice No: 77\nTotal $50.00"
    )
    # WHEN it is extracted THEN the "$" stays US dollars: no guess between two dollars
    assert OfflineExtractor().extract(doc, template_fields("invoice")).values["currency"].value == "USD"


def test_labels_typed_without_accents_or_with_ae_for_umlauts_are_read() -> None:
    # GIVEN invoices whose system prints no accents: "Date d'echeance", "Facture a", "Rechnungsempfaenger"
    french = _doc(
        "Atelier Rivage SARL\n12 rue de la Paix, 75002 Paris\nFacture n° F-2291\n"
        "Date de facture : 15 fevrier 2024\n"
        "Date d'echeance : 15 mars 2024\nTotal TTC 120,00 EUR\nFacture a : Louis Martin"
    )
    german = _doc(
        "Kestrel GmbH\nHauptstrasse 5, 50667 Koeln\nRechnungsnummer 4471\nRechnungsdatum 3. Maerz 2024\n"
        "Faelligkeitsdatum 17. Maerz 2024\nGesamtbetrag 120,00 EUR\nRechnungsempfaenger: Fjord Retail GmbH"
    )
    # WHEN they are extracted
    fr = OfflineExtractor().extract(french, template_fields("invoice")).values
    de = OfflineExtractor().extract(german, template_fields("invoice")).values
    # THEN the labels count as the accented ones, and the month names too
    assert (fr["issue_date"].value, fr["due_date"].value) == (dt.date(2024, 2, 15), dt.date(2024, 3, 15))
    assert fr["buyer_name"].value == "Louis Martin"
    assert (de["issue_date"].value, de["due_date"].value) == (dt.date(2024, 3, 3), dt.date(2024, 3, 17))
    assert de["buyer_name"].value == "Fjord Retail GmbH"


def test_an_iban_misread_by_ocr_is_corrected_only_where_its_checksum_confirms_it() -> None:
    # GIVEN an IBAN whose check digits OCR read as letters ("DESO" for "DE50"), and a real word
    from zapdoc.extraction.patterns import find_ibans

    # WHEN IBANs are looked for THEN the digits the format requires are restored when mod-97 agrees
    assert [f.value for f in find_ibans("IBAN: DESO 2025 4647 1658 2691 75")] == ["DE50202546471658269175"]
    assert [f.value for f in find_ibans("IBAN DE89 37O4 0044 0532 0130 00")] == ["DE89370400440532013000"]
    # AND a letter where a digit would not pass the checksum is not turned into one
    assert find_ibans("IBAN: DESO 2025 4647 1658 2691 76") == []


def test_the_copyright_holder_is_the_vendor_when_nothing_else_names_it() -> None:
    # GIVEN a SaaS invoice whose logo is an image: its name is printed only in the copyright line
    doc = _doc(
        "INVOICE\nInvoice number: 2024-0042\nDate of issue: March 4, 2024\nBill to\nHarbour Foods Ltd\n"
        "12 Quay Street\nBristol BS1 4DJ\nDescription Qty Amount\nPro plan 1 $49.00\nTotal $49.00\n"
        "© 2024 Northwind Software Inc. All rights reserved."
    )
    # WHEN it is extracted
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    # THEN the copyright holder is the vendor, marked for review; the buyer stays the buyer
    assert values["vendor_name"].value == "Northwind Software Inc."
    assert values["vendor_name"].is_low_confidence
    assert values["buyer_name"].value == "Harbour Foods Ltd"


def test_issued_by_and_issued_to_name_the_parties() -> None:
    # GIVEN an invoice that says who issued it and to whom
    doc = _doc(
        "Invoice 88213\nIssued by: Kestrel Survey Ltd, 9 Mill Lane, Leeds LS1 5AB\n"
        "Issued to: Harbour Foods BV\n"
        "Date: 4 March 2024\nTotal due £1,200.00"
    )
    # WHEN it is extracted THEN vendor and buyer are the issuer and the addressee
    values = OfflineExtractor().extract(doc, template_fields("invoice")).values
    assert values["vendor_name"].value == "Kestrel Survey Ltd"
    assert values["buyer_name"].value == "Harbour Foods BV"


@pytest.mark.parametrize(
    ("place", "currency"),
    [("22 Wattle St, Sydney NSW 2000", "AUD"), ("88 King St W, Toronto, ON M5V 2T6", "CAD")],
)
def test_a_bare_dollar_follows_the_address_format_when_no_country_is_named(place: str, currency: str) -> None:
    # GIVEN an invoice whose address says the country only by its state and postcode format
    doc = _doc(f"Bluegum Plumbing Pty Ltd\n{place}\nTax Invoice # 3391\nDate 04/03/2024\nTotal $990.00")
    # WHEN it is extracted THEN the "$" is that country's dollar
    assert OfflineExtractor().extract(doc, template_fields("invoice")).values["currency"].value == currency
