"""The response schema sent to the model, generated from the user's field specs.

One JSON Schema serves both providers (Gemini ``response_json_schema``, OpenAI ``json_schema`` strict):
``{"values": {field: value|null ...}, "evidence": [{"field", "page", "quote"} ...]}``. Per-field evidence is
one shared array rather than a wrapper per field, which keeps the fixed prompt overhead small. Type hints
lead the descriptions so the model (and the local stand-ins) can tell an amount from a plain number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zapdoc.domain.documents import DOC_TYPES
from zapdoc.domain.fields import FieldSpec, FieldType

JsonSchema = dict[str, Any]

_STRING_HINTS: dict[FieldType, str] = {
    FieldType.DATE: "date YYYY-MM-DD",
    FieldType.CURRENCY: "ISO 4217 currency code",
    FieldType.EMAIL: "email address",
    FieldType.PHONE: "phone number",
}
_AMOUNT_HINT = "amount"


def _describe(hint: str, description: str) -> str:
    return f"{hint}; {description}" if hint and description else hint or description


def _scalar_schema(spec: FieldSpec, *, nullable: bool = True) -> JsonSchema:
    if spec.type in (FieldType.NUMBER, FieldType.AMOUNT):
        base = "number"
        hint = _AMOUNT_HINT if spec.type is FieldType.AMOUNT else ""
    else:
        base = "string"
        hint = _STRING_HINTS.get(spec.type, "")
    out: JsonSchema = {"type": [base, "null"] if nullable else base}
    if spec.type is FieldType.DATE:
        out["format"] = "date"
    desc = _describe(hint, spec.description)
    if desc:
        out["description"] = desc
    return out


def field_schema(spec: FieldSpec) -> JsonSchema:
    """Schema of one field's value: a nullable scalar, a list of strings, or an array of row objects."""
    if spec.type is FieldType.LIST:
        out: JsonSchema = {"type": "array", "items": {"type": "string"}}
    elif spec.type is FieldType.TABLE:
        out = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {c.name: _scalar_schema(c) for c in spec.columns},
                "required": [c.name for c in spec.columns],
                "additionalProperties": False,
            },
        }
    else:
        return _scalar_schema(spec)
    if spec.description:
        out["description"] = spec.description
    return out


def response_schema(fields: Sequence[FieldSpec]) -> JsonSchema:
    """The extraction schema: every field (null when absent) plus evidence items naming the field."""
    names = [f.name for f in fields]
    return {
        "type": "object",
        "properties": {
            "values": {
                "type": "object",
                "properties": {f.name: field_schema(f) for f in fields},
                "required": names,
                "additionalProperties": False,
            },
            "evidence": {
                "type": "array",
                "description": "for each value found: its page number and a short exact quote",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": names},
                        "page": {"type": "integer"},
                        "quote": {"type": "string"},
                    },
                    "required": ["field", "page", "quote"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["values", "evidence"],
        "additionalProperties": False,
    }


def classification_schema() -> JsonSchema:
    """An enum of document types (Gemini answers the bare label with ``text/x.enum``)."""
    return {"type": "string", "enum": list(DOC_TYPES)}


def classification_object_schema() -> JsonSchema:
    """The same enum wrapped in an object, for providers whose JSON mode needs an object."""
    return {
        "type": "object",
        "properties": {"doc_type": classification_schema()},
        "required": ["doc_type"],
        "additionalProperties": False,
    }


def _scalar_type(prop: Mapping[str, Any]) -> FieldType:
    types = prop.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    desc = str(prop.get("description") or "")
    if "number" in kinds or "integer" in kinds:
        return FieldType.AMOUNT if desc.split(";", maxsplit=1)[0] == _AMOUNT_HINT else FieldType.NUMBER
    if prop.get("format") == "date":
        return FieldType.DATE
    head = desc.split(";", maxsplit=1)[0]
    for ftype, hint in _STRING_HINTS.items():
        if head == hint:
            return ftype
    return FieldType.TEXT


def _strip_hint(prop: Mapping[str, Any], ftype: FieldType) -> str:
    desc = str(prop.get("description") or "")
    hint = _AMOUNT_HINT if ftype is FieldType.AMOUNT else _STRING_HINTS.get(ftype, "")
    if hint and desc.startswith(hint):
        desc = desc[len(hint) :].lstrip("; ")
    return desc


def fields_from_schema(schema: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    """Inverse of :func:`response_schema`: the stand-ins use it to know which fields were asked for."""
    props = schema.get("properties", {}).get("values", {}).get("properties", {})
    out: list[FieldSpec] = []
    for name, prop in props.items():
        types = prop.get("type")
        if types == "array" and prop.get("items", {}).get("type") == "object":
            cols = tuple(
                FieldSpec(name=c, type=(t := _scalar_type(p)), description=_strip_hint(p, t))
                for c, p in prop["items"].get("properties", {}).items()
            )
            out.append(
                FieldSpec(
                    name=name, type=FieldType.TABLE, description=prop.get("description", ""), columns=cols
                )
            )
        elif types == "array":
            out.append(FieldSpec(name=name, type=FieldType.LIST, description=prop.get("description", "")))
        else:
            ftype = _scalar_type(prop)
            out.append(FieldSpec(name=name, type=ftype, description=_strip_hint(prop, ftype)))
    return tuple(out)
