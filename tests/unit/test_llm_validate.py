"""Validation of model answers: JSON repair, normalisation by type, quote checks, extra fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zapdoc.domain.documents import LOW_CONFIDENCE
from zapdoc.domain.errors import PermanentError
from zapdoc.domain.fields import parse_fields
from zapdoc.llm.validate import (
    CONF_NO_EVIDENCE,
    CONF_OTHER_PAGE,
    CONF_QUOTE_NOT_FOUND,
    CONF_UNVERIFIABLE,
    CONF_VERIFIED,
    parse_answer,
    validate_answer,
)

FIELDS = parse_fields(
    "invoice_number, total:amount, issue_date:date, items:table[description, amount:amount]"
)
PAGES = {1: "ACME Ltd\nInvoice No. INV-42\nDate: 03.04.2025", 2: "Total due: 1.234,56 EUR"}


def test_fenced_json_is_unwrapped() -> None:
    assert parse_answer('```json\n{"values": {"total": 5}}\n```') == {"values": {"total": 5}}


def test_truncated_json_is_repaired() -> None:
    data = parse_answer('{"values": {"invoice_number": "INV-42", "total": 12.5, "items": [{"descr')
    assert data["values"]["invoice_number"] == "INV-42"
    assert data["values"]["total"] == 12.5


@pytest.mark.parametrize("text", ["", "   ", "I cannot help with that.", "[1, 2, 3]"])
def test_unusable_answers_are_permanent_errors(text: str) -> None:
    with pytest.raises(PermanentError):
        parse_answer(text)


def test_values_are_normalised_by_type() -> None:
    data = {
        "values": {
            "invoice_number": " INV-42 ",
            "total": "1.234,56",
            "issue_date": "2025-04-03",
            "items": [{"description": "Bolts", "amount": "12,50"}, {"description": None, "amount": None}],
        },
        "evidence": [],
    }
    result = validate_answer(data, FIELDS, PAGES)
    assert result.values["invoice_number"].value == "INV-42"
    assert result.values["total"].value == Decimal("1234.56")
    assert result.values["issue_date"].value == dt.date(2025, 4, 3)
    # the empty row is dropped, the amount in the row is a number
    assert result.values["items"].value == [{"description": "Bolts", "amount": 12.5}]


def test_a_value_that_does_not_fit_its_type_becomes_empty_with_a_note() -> None:
    data = {"values": {"total": "about fifty", "issue_date": "31/02/2024"}}
    result = validate_answer(data, FIELDS, PAGES)
    assert result.values["total"].value is None
    assert "not an amount" in result.values["total"].note
    assert result.values["issue_date"].value is None
    assert result.values["issue_date"].note
    assert any(n.startswith("total:") for n in result.notes)


def test_quotes_are_checked_against_the_page_text() -> None:
    data = {
        "values": {"invoice_number": "INV-42", "total": 1234.56, "issue_date": "2025-04-03"},
        "evidence": [
            {"field": "invoice_number", "page": 1, "quote": "Invoice  no. INV-42"},  # spacing/case differ
            {"field": "total", "page": 1, "quote": "Total due: 1.234,56"},  # really on page 2
            {"field": "issue_date", "page": 1, "quote": "Issued on April 3rd"},  # not in the text
        ],
    }
    result = validate_answer(data, FIELDS, PAGES)
    inv, total, date = (result.values[n] for n in ("invoice_number", "total", "issue_date"))
    assert inv.confidence == CONF_VERIFIED
    assert inv.evidence is not None
    assert inv.evidence.page == 1
    assert total.confidence == CONF_OTHER_PAGE
    assert total.evidence is not None
    assert total.evidence.page == 2  # corrected to where the quote really is
    assert date.confidence == CONF_QUOTE_NOT_FOUND
    assert date.is_low_confidence
    assert CONF_QUOTE_NOT_FOUND < LOW_CONFIDENCE <= CONF_NO_EVIDENCE


def test_without_text_layer_quotes_cannot_be_checked() -> None:
    data = {
        "values": {"invoice_number": "INV-42"},
        "evidence": [{"field": "invoice_number", "page": 1, "quote": "x"}],
    }
    result = validate_answer(data, FIELDS, None)
    assert result.values["invoice_number"].confidence == CONF_UNVERIFIABLE


def test_fields_not_asked_for_are_dropped_with_a_note() -> None:
    data = {"values": {"invoice_number": "INV-42", "password": "hunter2", "admin": True}}
    result = validate_answer(data, FIELDS, PAGES)
    assert set(result.values) == {f.name for f in FIELDS}
    assert any("admin, password" in n for n in result.notes)


def test_flat_and_wrapped_answer_shapes_are_accepted() -> None:
    # local models sometimes ignore the schema: {field: value} or {field: {value, page, quote}}
    flat = validate_answer({"invoice_number": "INV-42", "total": 5}, FIELDS, PAGES)
    assert flat.values["invoice_number"].value == "INV-42"
    assert flat.values["total"].value == Decimal("5.0")
    wrapped = validate_answer(
        {"invoice_number": {"value": "INV-42", "page": 1, "quote": "INV-42"}}, FIELDS, PAGES
    )
    assert wrapped.values["invoice_number"].confidence == CONF_VERIFIED
