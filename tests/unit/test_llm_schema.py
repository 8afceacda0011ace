"""The response schema generated from field specs, and its inverse used by the stand-ins."""

from __future__ import annotations

from zapdoc.adapters.openai_compat import strict_schema
from zapdoc.domain.documents import DOC_TYPES
from zapdoc.domain.fields import FieldType, parse_fields
from zapdoc.domain.templates import template_fields
from zapdoc.llm.schema import classification_schema, fields_from_schema, response_schema

FIELDS = parse_fields(
    "invoice_number (invoice reference), total:amount (grand total), qty:number, issue_date:date,"
    " currency:currency, email:email, phone:phone, skills:list,"
    " line_items:table[description, quantity:number, amount:amount]"
)


def test_scalars_are_plain_types_with_one_word_hints() -> None:
    schema = response_schema(FIELDS)
    assert schema["required"] == ["doc_type", "values"]
    assert schema["properties"]["doc_type"]["enum"] == list(DOC_TYPES)
    props = schema["properties"]["values"]["properties"]
    assert props["invoice_number"] == {"type": "string", "description": "invoice reference"}
    assert props["total"] == {"type": "number", "description": "amount; grand total"}
    assert props["qty"] == {"type": "number"}
    assert props["issue_date"] == {"type": "string", "format": "date"}
    assert props["phone"] == {"type": "string", "description": "phone"}
    assert props["skills"] == {"type": "array", "items": {"type": "string"}}


def test_tables_are_arrays_of_row_objects() -> None:
    items = response_schema(FIELDS)["properties"]["values"]["properties"]["line_items"]
    assert items["type"] == "array"
    row = items["items"]
    assert row["type"] == "object"
    assert list(row["properties"]) == ["description", "quantity", "amount"]


def test_strict_variant_requires_everything_and_makes_scalars_nullable() -> None:
    # GIVEN the compact schema WHEN made strict (OpenAI structured outputs)
    strict = strict_schema(response_schema(FIELDS))
    # THEN every object lists all its properties as required, forbids others, and scalars accept null
    values = strict["properties"]["values"]
    assert values["required"] == [f.name for f in FIELDS]
    assert values["additionalProperties"] is False
    assert values["properties"]["total"]["type"] == ["number", "null"]
    assert "format" not in values["properties"]["issue_date"]
    row = values["properties"]["line_items"]["items"]
    assert row["required"] == ["description", "quantity", "amount"]
    assert row["properties"]["amount"]["type"] == ["number", "null"]
    assert strict["properties"]["doc_type"] == {"type": "string", "enum": list(DOC_TYPES)}
    item = strict["properties"]["evidence"]["items"]
    assert item["required"] == ["field", "page", "quote"]
    # AND the compact schema itself is left untouched
    assert "required" not in response_schema(FIELDS)["properties"]["values"]


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
