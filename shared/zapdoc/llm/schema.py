"""The response schema sent to the model, generated from the user's field specs, kept compact.

``{"doc_type": enum, "values": {field: value ...}, "evidence": [{"field", "page", "quote"} ...]}``.
The fixed part of every prompt is this schema plus the system instruction, so it is written for size:
scalars are plain types (an absent value is simply left out; the OpenAI adapter adds the ``required``
and nullable types its strict mode insists on), evidence is one shared array
asked only for values that are not copied verbatim (a verbatim value is checked against the page text
itself), and type hints are one word. ``doc_type`` lets the extraction answer classify the document, so
no second request is needed. Hints stay machine-readable: :func:`fields_from_schema` inverts the schema
for the local stand-ins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zapdoc.domain.documents import DOC_TYPES
from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.ports.llm import JsonSchema

_HINTS: dict[FieldType, str] = {
    FieldType.CURRENCY: "ISO 4217",
    FieldType.PHONE: "phone",
    FieldType.AMOUNT: "amount",
    FieldType.EMAIL: "email",
}
_FORMATS: dict[FieldType, str] = {FieldType.DATE: "date"}


def _describe(hint: str, description: str) -> str:
    if hint == _HINTS[FieldType.CURRENCY] and description.startswith(hint):
        return description  # "ISO 4217 code" already says it
    return f"{hint}; {description}" if hint and description else hint or description


def _scalar_schema(spec: FieldSpec) -> JsonSchema:
    base = "number" if spec.type in (FieldType.NUMBER, FieldType.AMOUNT) else "string"
    out: JsonSchema = {"type": base}
    if spec.type in _FORMATS:
        out["format"] = _FORMATS[spec.type]
    desc = _describe(_HINTS.get(spec.type, ""), spec.description)
    if desc:
        out["description"] = desc
    return out


def field_schema(spec: FieldSpec) -> JsonSchema:
    """Schema of one field's value: a scalar, a list of strings, or an array of row objects."""
    if spec.type is FieldType.LIST:
        out: JsonSchema = {"type": "array", "items": {"type": "string"}}
    elif spec.type is FieldType.TABLE:
        out = {
            "type": "array",
            "items": {"type": "object", "properties": {c.name: _scalar_schema(c) for c in spec.columns}},
        }
    else:
        return _scalar_schema(spec)
    if spec.description:
        out["description"] = spec.description
    return out


def response_schema(fields: Sequence[FieldSpec]) -> JsonSchema:
    """The extraction schema: the document type, the fields, and evidence items naming a field."""
    return {
        "type": "object",
        "properties": {
            "doc_type": classification_schema(),
            "values": {"type": "object", "properties": {f.name: field_schema(f) for f in fields}},
            "evidence": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        "page": {"type": "integer"},
                        "quote": {"type": "string"},
                    },
                },
            },
        },
        "required": ["doc_type", "values"],
    }


def classification_schema() -> JsonSchema:
    """An enum of document types (Gemini answers the bare label with ``text/x.enum``)."""
    return {"type": "string", "enum": list(DOC_TYPES)}


def _scalar_type(prop: Mapping[str, Any]) -> FieldType:
    types = prop.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    head = str(prop.get("description") or "").split(";", maxsplit=1)[0]
    if "number" in kinds or "integer" in kinds:
        return FieldType.AMOUNT if head == _HINTS[FieldType.AMOUNT] else FieldType.NUMBER
    for ftype, fmt in _FORMATS.items():
        if prop.get("format") == fmt:
            return ftype
    for ftype, hint in _HINTS.items():
        if head == hint or (ftype is FieldType.CURRENCY and head.startswith(hint)):
            return ftype
    return FieldType.TEXT


def _strip_hint(prop: Mapping[str, Any], ftype: FieldType) -> str:
    desc = str(prop.get("description") or "")
    hint = _HINTS.get(ftype, "")
    if hint and desc.startswith(hint + ";"):
        desc = desc[len(hint) :].lstrip("; ")
    elif hint and desc == hint:
        desc = ""
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
