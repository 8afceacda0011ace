"""Field spec parsing: the --fields mini-language and the JSON form."""

from __future__ import annotations

import pytest

from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import FieldSpec, FieldType, fields_from_list, fields_to_list, parse_fields


def test_issue_example_parses_into_typed_specs() -> None:
    specs = parse_fields("invoice_number, total_amount:amount, issue_date:date, email:email")
    assert [(s.name, s.type) for s in specs] == [
        ("invoice_number", FieldType.TEXT),
        ("total_amount", FieldType.AMOUNT),
        ("issue_date", FieldType.DATE),
        ("email", FieldType.EMAIL),
    ]


def test_descriptions_tables_and_aliases() -> None:
    specs = parse_fields(
        "po_number (purchase order reference), total:money, "
        "line_items:table[description, quantity:int, amount:amount (line total)], skills:list"
    )
    po, total, items, skills = specs
    assert po.description == "purchase order reference"
    assert total.type is FieldType.AMOUNT
    assert items.type is FieldType.TABLE
    assert [(c.name, c.type) for c in items.columns] == [
        ("description", FieldType.TEXT),
        ("quantity", FieldType.NUMBER),
        ("amount", FieldType.AMOUNT),
    ]
    assert items.columns[2].description == "line total"
    assert skills.type is FieldType.LIST


def test_bracket_implies_table_and_headers_become_identifiers() -> None:
    (items, name) = parse_fields("Items[desc, price:amount], Invoice No.")
    assert items.type is FieldType.TABLE
    assert name.name == "invoice_no"
    assert name.label == "Invoice no"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no fields given"),
        ("total:banana", "unknown type 'banana'"),
        ("a, a:number", "listed twice"),
        ("items:table", "needs columns"),
        ("items[a, b:table[c]]", "must be a scalar type"),
        ("items[a, b", "unclosed bracket"),
        ("x:text]", "unbalanced"),
    ],
)
def test_bad_specs_say_what_to_fix(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_fields(spec)


def test_json_form_round_trips() -> None:
    specs = parse_fields("a:date (when), t[x, y:amount]")
    again = fields_from_list(fields_to_list(specs))
    assert again == specs
    assert parse_fields('[{"name": "Total", "type": "amount"}]') == (FieldSpec("total", FieldType.AMOUNT),)


def test_too_many_fields_is_refused() -> None:
    with pytest.raises(UsageError, match="too many fields"):
        parse_fields(", ".join(f"f{i}" for i in range(61)))
