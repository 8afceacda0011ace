"""Normalisation by field type: dates, amounts, currencies, emails, phones, lists and tables."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.domain.normalize import (
    Normalised,
    normalise,
    normalise_email,
    normalise_phone,
    parse_amount,
    parse_currency,
    parse_date,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-03", D(2024, 4, 3)),
        ("03.04.2024", D(2024, 4, 3)),  # dots: day first everywhere
        ("3.4.24", D(2024, 4, 3)),
        ("13/03/2024", D(2024, 3, 13)),  # first part > 12: day first
        ("03/13/2024", D(2024, 3, 13)),  # second part > 12: month first
        ("04/03/2024", D(2024, 3, 4)),  # ambiguous, no hint: day first
        ("3 April 2024", D(2024, 4, 3)),
        ("April 3, 2024", D(2024, 4, 3)),
        ("3 avril 2024", D(2024, 4, 3)),
        ("1er mars 2024", D(2024, 3, 1)),
        ("3. April 2024", D(2024, 4, 3)),
        ("3. März 2024", D(2024, 3, 3)),
        ("11. Juli 2014", D(2014, 7, 11)),
        ("29 maart 2014", D(2014, 3, 29)),
        ("Jan 3rd 2024", D(2024, 1, 3)),
        ("August 3 , 2014", D(2014, 8, 3)),
        ("6th day of February, 1999", D(1999, 2, 6)),
        ("03-Apr-2024", D(2024, 4, 3)),
        ("20181230", D(2018, 12, 30)),
        ("15.06.99", D(1999, 6, 15)),
    ],
)
def test_parse_date_reads_the_usual_print_forms(text: str, expected: dt.date) -> None:
    # GIVEN a date as documents print it / WHEN parsed / THEN it is the ISO date
    assert parse_date(text) == expected


def test_parse_date_uses_the_locale_hint_only_when_the_order_is_ambiguous() -> None:
    # GIVEN 04/03/2024 (April 3rd or 4 March) and 13/03/2024 (only one reading)
    # WHEN parsed with a month-first hint (an English/US document)
    # THEN the ambiguous one follows the hint, the unambiguous one does not
    assert parse_date("04/03/2024", dayfirst=False) == D(2024, 4, 3)
    assert parse_date("04/03/2024", dayfirst=True) == D(2024, 3, 4)
    assert parse_date("13/03/2024", dayfirst=False) == D(2024, 3, 13)


@pytest.mark.parametrize("text", ["Sept 2023", "no date here", "31/02/2024", "2024-13-01", "12.5%"])
def test_parse_date_refuses_what_is_not_a_full_valid_date(text: str) -> None:
    assert parse_date(text) is None


def test_an_impossible_date_is_refused_with_a_note() -> None:
    # GIVEN a date field and 31 February / WHEN normalised / THEN no value and a note that says why
    result = normalise(FieldSpec("due", FieldType.DATE), "31/02/2024")
    assert result == Normalised(None, "'31/02/2024' is not a valid date")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("1 234,56 €", 1234.56),
        ("1\u202f234,56", 1234.56),
        ("€1,234", 1234.0),
        ("(12.50)", -12.5),
        ("12,-", 12.0),
        ("CHF 1'234.50", 1234.5),
        ("-9,32", -9.32),
        ("1.234.567,89", 1234567.89),
        ("$ 16.94", 16.94),
        ("Rs 1939", 1939.0),
        ("0.025", 0.03),
        ("1.005,555", 1005.56),
        (42, 42.0),
        (3.14159, 3.14),
    ],
)
def test_parse_amount_reads_every_separator_convention(text: str | float, expected: float) -> None:
    got = parse_amount(text)
    # exact cents as a Decimal, never a binary float near them
    assert isinstance(got, Decimal)
    assert got == Decimal(repr(expected)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("text", ["abc", "12.5%", "", "1,2,3,4", "--"])
def test_parse_amount_refuses_non_amounts(text: str) -> None:
    assert parse_amount(text) is None


def test_random_amounts_round_trip_through_german_and_english_printing() -> None:
    # GIVEN random amounts printed the German way and the English way
    rng = random.Random()
    for _ in range(200):
        value = round(rng.uniform(0, 10_000_000), 2)
        english = f"{value:,.2f}"
        german = english.replace(",", "_").replace(".", ",").replace("_", ".")
        # WHEN parsed / THEN both give the number back
        assert parse_amount(english) == Decimal(english.replace(",", ""))
        assert parse_amount(german) == Decimal(english.replace(",", ""))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("$", "USD"),
        ("US$", "USD"),
        ("£", "GBP"),
        ("Euro", "EUR"),
        ("euros", "EUR"),
        ("CHF", "CHF"),
        ("Fr. 12.50", "CHF"),
        ("All charges are in US Dollars", "USD"),
        ("Rs 1939", "INR"),
        ("cad", "CAD"),
    ],
)
def test_parse_currency_gives_iso_codes(text: str, code: str) -> None:
    assert parse_currency(text) == code


def test_parse_currency_refuses_unknown_text() -> None:
    assert parse_currency("banana") is None


def test_emails_are_lower_cased_and_validated() -> None:
    assert normalise_email("Mailto:Azure.Interior24@Example.COM") == "azure.interior24@example.com"
    assert normalise_email("not an email") is None
    assert normalise_email("a..b@example.com") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+49 (0) 6051 916 44 10", "+4960519164410"),  # E.164 drops the trunk "(0)"
        ("(870)-931-0505", "8709310505"),
        ("089/99822-0", "089998220"),
        ("+33 4 50 44 68 99", "+33450446899"),
        ("Tel. 01 71 17 61 67", "0171176167"),
    ],
)
def test_phones_without_a_region_keep_the_printed_digits_or_become_e164(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("089/99822-0", "DE", "+4989998220"),
        ("01 71 17 61 67", "FR", "+33171176167"),
        ("020 7604101", "NL", "+31207604101"),
        ("(870)-931-0505", "US", "+18709310505"),
    ],
)
def test_phones_become_e164_with_the_documents_region(text: str, region: str, expected: str) -> None:
    assert normalise_phone(text, region=region) == expected


def test_currencies_are_iso_4217_codes_in_use_today() -> None:
    from zapdoc.domain.normalize import iso_currencies, parse_currency

    assert {"EUR", "USD", "CHF", "XOF"} <= iso_currencies()
    assert "HRK" not in iso_currencies()  # Croatia has paid in euros since 2023
    assert parse_currency("hrk") is None
    assert parse_currency("chf") == "CHF"


@pytest.mark.parametrize("text", ["12345", "call me", "+1 555 12ab"])
def test_phones_need_six_to_twenty_digits_and_nothing_else(text: str) -> None:
    assert normalise_phone(text) is None


def test_text_is_cleaned_and_numbers_become_int_or_float() -> None:
    assert normalise(FieldSpec("t"), "  ACME \n Widgets\tLtd ").value == "ACME Widgets Ltd"
    assert normalise(FieldSpec("n", FieldType.NUMBER), "3").value == 3
    assert normalise(FieldSpec("n", FieldType.NUMBER), "2,5").value == 2.5
    assert normalise(FieldSpec("n", FieldType.NUMBER), True) == Normalised(None, "'True' is not a number")


def test_a_value_of_the_wrong_type_is_refused_with_a_note() -> None:
    refused = Normalised(None, "'abc' is not an amount")
    assert normalise(FieldSpec("total", FieldType.AMOUNT), "abc") == refused
    assert normalise(FieldSpec("mail", FieldType.EMAIL), "nobody").note == "'nobody' is not an email address"
    assert normalise(FieldSpec("total", FieldType.AMOUNT), None) == Normalised(None)
    assert normalise(FieldSpec("total", FieldType.AMOUNT), "  ") == Normalised(None)


def test_lists_split_strings_dedupe_and_drop_empties() -> None:
    spec = FieldSpec("skills", FieldType.LIST)
    assert normalise(spec, "Python, Go; SQL\n• Docker, python,  ,").value == ["Python", "Go", "SQL", "Docker"]
    assert normalise(spec, ["A", "", "a", "B"]).value == ["A", "B"]
    assert normalise(spec, []).value is None


def test_tables_normalise_each_column_and_drop_empty_rows() -> None:
    # GIVEN a line-item table as a provider returns it (strings, odd keys, an empty row)
    spec = FieldSpec(
        "line_items",
        FieldType.TABLE,
        columns=(
            FieldSpec("description"),
            FieldSpec("quantity", FieldType.NUMBER),
            FieldSpec("amount", FieldType.AMOUNT),
            FieldSpec("delivered", FieldType.DATE),
        ),
    )
    raw = [
        {"Description": " Widget ", "quantity": "2", "amount": "1.234,50 €", "delivered": "03.04.2024"},
        {"description": "", "quantity": None, "amount": ""},
        ["Bolt", 3, "2.00", None],
    ]
    # WHEN normalised
    result = normalise(spec, raw)
    # THEN every cell has its type and the empty row is gone
    assert result.value == [
        {"description": "Widget", "quantity": 2, "amount": 1234.5, "delivered": D(2024, 4, 3)},
        {"description": "Bolt", "quantity": 3, "amount": 2.0, "delivered": None},
    ]


def test_a_table_field_refuses_a_scalar() -> None:
    spec = FieldSpec("items", FieldType.TABLE, columns=(FieldSpec("description"),))
    result = normalise(spec, "three widgets")
    assert result.value is None
    assert "expected rows" in result.note


@pytest.mark.parametrize(
    ("text", "value"),
    [("₹ 12,34,567.00", "1234567.00"), ("1,00,000", "100000.00"), ("Rs. 1,23,45,678.50", "12345678.50")],
)
def test_indian_lakh_grouping_is_one_amount(text: str, value: str) -> None:
    # GIVEN an amount grouped the Indian way (CLDR en-IN: #,##,##0.00) WHEN parsed THEN it is one number
    assert parse_amount(text) == Decimal(value)


def test_the_lakh_grouping_does_not_change_two_digit_decimals() -> None:
    # GIVEN European decimals and plain thousands WHEN parsed THEN they read as before
    assert parse_amount("12,34") == Decimal("12.34")
    assert parse_amount("1,234") == Decimal("1234.00")
