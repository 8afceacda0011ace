"""The response schema generated from field specs, and its inverse used by the stand-ins."""

from __future__ import annotations

from zapdoc.domain.documents import DOC_TYPES
from zapdoc.domain.fields import FieldType, parse_fields
from zapdoc.domain.templates import template_fields
from zapdoc.llm.schema import classification_schema, fields_from_schema, response_schema

FIELDS = parse_fields(
    "invoice_number (invoice reference), total:amount (grand total), qty:number, issue_date:date,"
    " currency:currency, email:email, phone:phone, skills:list,"
    " line_items:table[description, quantity:number, amount:amount]"
)


def test_every_field_is_required_and_scalars_are_nullable() -> None:
    schema = response_schema(FIELDS)
    values = schema["properties"]["values"]
    assert values["required"] == [f.name for f in FIELDS]
    assert values["additionalProperties"] is False
    props = values["properties"]
    assert props["invoice_number"] == {"type": ["string", "null"], "description": "invoice reference"}
    assert props["total"]["type"] == ["number", "null"]
    assert props["total"]["description"] == "amount; grand total"
    assert props["issue_date"]["format"] == "date"
    assert props["skills"] == {"type": "array", "items": {"type": "string"}}


def test_tables_are_arrays_of_row_objects() -> None:
    items = response_schema(FIELDS)["properties"]["values"]["properties"]["line_items"]
    assert items["type"] == "array"
    row = items["items"]
    assert row["type"] == "object"
    assert list(row["properties"]) == ["description", "quantity", "amount"]
    assert row["required"] == ["description", "quantity", "amount"]
    assert row["properties"]["amount"]["type"] == ["number", "null"]


def test_evidence_names_only_requested_fields() -> None:
    evidence = response_schema(FIELDS)["properties"]["evidence"]
    item = evidence["items"]
    assert item["properties"]["field"]["enum"] == [f.name for f in FIELDS]
    assert item["required"] == ["field", "page", "quote"]


def test_inverse_recovers_names_types_and_descriptions() -> None:
    back = fields_from_schema(response_schema(FIELDS))
    assert [(f.name, f.type) for f in back] == [(f.name, f.type) for f in FIELDS]
    assert back[0].description == "invoice reference"
    assert back[1].description == "grand total"
    table = back[-1]
    assert [(c.name, c.type) for c in table.columns] == [
        ("description", FieldType.TEXT),
        ("quantity", FieldType.NUMBER),
        ("amount", FieldType.AMOUNT),
    ]


def test_inverse_of_every_template() -> None:
    for name in ("invoice", "receipt", "resume", "contract", "rfp"):
        fields = template_fields(name)
        back = fields_from_schema(response_schema(fields))
        assert [(f.name, f.type) for f in back] == [(f.name, f.type) for f in fields], name


def test_classification_is_an_enum_of_document_types() -> None:
    assert classification_schema() == {"type": "string", "enum": list(DOC_TYPES)}
