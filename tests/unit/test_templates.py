"""Built-in templates exist, are typed, and the CLI listing shows them."""

from __future__ import annotations

import pytest

from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import FieldType
from zapdoc.domain.templates import TEMPLATES, describe_templates, template_fields


def test_the_five_templates_exist_with_typed_fields() -> None:
    assert set(TEMPLATES) == {"invoice", "receipt", "resume", "contract", "rfp"}
    invoice = {f.name: f for f in template_fields("invoice")}
    assert invoice["total_amount"].type is FieldType.AMOUNT
    assert invoice["issue_date"].type is FieldType.DATE
    assert invoice["line_items"].type is FieldType.TABLE
    assert [c.name for c in invoice["line_items"].columns] == [
        "description",
        "quantity",
        "unit_price",
        "amount",
    ]
    assert {f.name: f.type for f in template_fields("resume")}["skills"] is FieldType.LIST


def test_template_names_are_case_insensitive_and_unknown_ones_list_choices() -> None:
    assert template_fields(" Invoice ") == template_fields("invoice")
    with pytest.raises(UsageError, match="invoice, receipt, resume, contract, rfp"):
        template_fields("purchase-order")


def test_listing_names_every_field() -> None:
    text = describe_templates()
    for name, (_, fields) in TEMPLATES.items():
        assert text.count(f"{name} — ") == 1
        for f in fields:
            assert f"    {f.name}:{f.type}" in text
