"""Field specs: what the user wants extracted, with a type that decides normalisation and the cell format.

A spec string is a comma-separated list of ``name[:type][ (description)]`` items, e.g.
``"invoice_number, total_amount:amount, issue_date:date (date printed on the invoice), email:email"``.
A table field lists its columns in brackets:
``line_items:table[description, quantity:number, amount:amount]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from zapdoc.domain.errors import UsageError

MAX_FIELDS = 60
MAX_COLUMNS = 20
MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 300


class FieldType(StrEnum):
    """The value types a field can have; each has its own normaliser and Excel format."""

    TEXT = "text"
    NUMBER = "number"
    AMOUNT = "amount"
    CURRENCY = "currency"
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"
    LIST = "list"
    TABLE = "table"

    @property
    def is_scalar(self) -> bool:
        return self not in (FieldType.LIST, FieldType.TABLE)


_TYPE_ALIASES: dict[str, FieldType] = {
    "str": FieldType.TEXT,
    "string": FieldType.TEXT,
    "int": FieldType.NUMBER,
    "integer": FieldType.NUMBER,
    "float": FieldType.NUMBER,
    "decimal": FieldType.NUMBER,
    "money": FieldType.AMOUNT,
    "price": FieldType.AMOUNT,
    "tel": FieldType.PHONE,
    "telephone": FieldType.PHONE,
    "mail": FieldType.EMAIL,
    "list_of_text": FieldType.LIST,
    "items": FieldType.TABLE,
}

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# Words shown in capitals in headers (``iban`` -> ``IBAN``); a field named in capitals keeps them anyway.
ACRONYMS = {
    w.lower(): w
    for w in (
        "IBAN", "BIC", "SWIFT", "VAT", "ID", "PO", "SKU", "URL", "ISO", "RFP", "CV", "GST", "HST", "ABN",
        "EIN", "SIREN", "SIRET", "UID", "TVA", "NIF", "CIF", "KVK", "UPC", "EAN", "QR", "HR",
        "CEO", "CFO", "CTO", "KPI", "SLA", "NDA", "USD", "EUR", "GBP",
    )
}  # fmt: skip


@dataclass(frozen=True)
class FieldSpec:
    """One field to extract. ``columns`` is set only for table fields (line items)."""

    name: str
    type: FieldType = FieldType.TEXT
    description: str = ""
    columns: tuple[FieldSpec, ...] = field(default=())

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name) or len(self.name) > MAX_NAME_LENGTH:
            raise UsageError(
                f"field name {self.name!r} is not valid: use letters, digits and underscores, "
                f"starting with a letter, at most {MAX_NAME_LENGTH} characters"
            )
        if len(self.description) > MAX_DESCRIPTION_LENGTH:
            raise UsageError(
                f"description of {self.name!r} is longer than {MAX_DESCRIPTION_LENGTH} characters"
            )
        if self.type is FieldType.TABLE:
            if not self.columns:
                example = f"{self.name}:table[description, amount:amount]"
                raise UsageError(f"table field {self.name!r} needs columns, e.g. {example}")
            if len(self.columns) > MAX_COLUMNS:
                raise UsageError(f"table field {self.name!r} has more than {MAX_COLUMNS} columns")
            for col in self.columns:
                if not col.type.is_scalar:
                    raise UsageError(
                        f"column {col.name!r} of {self.name!r} must be a scalar type, not {col.type}"
                    )
            _check_unique(c.name for c in self.columns)
        elif self.columns:
            raise UsageError(f"only table fields have columns ({self.name!r} is {self.type})")

    @property
    def label(self) -> str:
        """Human header for the workbook: ``total_amount`` -> ``Total amount``, ``vendor_vat_id`` ->
        ``Vendor VAT ID`` (known acronyms in capitals)."""
        words = [ACRONYMS.get(w.lower(), w) for w in self.name.replace("_", " ").split()]
        text = " ".join(words)
        return text[:1].upper() + text[1:]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type.value}
        if self.description:
            out["description"] = self.description
        if self.columns:
            out["columns"] = [c.to_dict() for c in self.columns]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldSpec:
        if not isinstance(data, Mapping) or "name" not in data:
            raise UsageError('each field must be an object with at least a "name"')
        name = normalise_name(str(data["name"]))
        columns = data.get("columns") or ()
        if not isinstance(columns, list | tuple):
            raise UsageError(f'"columns" of {name!r} must be a list')
        return cls(
            name=name,
            type=parse_type(str(data.get("type") or "text"), name),
            description=str(data.get("description") or "").strip(),
            columns=tuple(cls.from_dict(c) for c in columns),
        )


def normalise_name(raw: str) -> str:
    """``"Invoice No."`` -> ``"invoice_no"``: users may type headers, we keep identifiers."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", raw.strip()).strip("_").lower()
    if not name:
        raise UsageError(f"empty field name in {raw!r}")
    if name[0].isdigit():  # an identifier starts with a letter; the prefix keeps it within the limit
        name = ("f_" + name)[:MAX_NAME_LENGTH].rstrip("_")
    return name


def parse_type(raw: str, name: str = "") -> FieldType:
    key = raw.strip().lower().replace(" ", "_").replace("-", "_")
    if key in _TYPE_ALIASES:
        return _TYPE_ALIASES[key]
    try:
        return FieldType(key)
    except ValueError:
        known = ", ".join(t.value for t in FieldType)
        where = f" for field {name!r}" if name else ""
        raise UsageError(f"unknown type {raw!r}{where}; use one of: {known}") from None


def _check_unique(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise UsageError(f"field {n!r} is listed twice")
        seen.add(n)


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside brackets or parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                raise UsageError(f"unbalanced {ch!r} in field spec {text!r}")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth != 0:
        raise UsageError(f"unclosed bracket or parenthesis in field spec {text!r}")
    parts.append("".join(current))
    return parts


_ITEM_RE = re.compile(
    r"""^\s*
    (?P<name>[^:\[\](),]+?)\s*
    (?::\s*(?P<type>[A-Za-z_ -]+?)\s*)?
    (?:\[(?P<columns>.*)\]\s*)?
    (?:\((?P<description>[^()]*)\)\s*)?
    $""",
    re.VERBOSE | re.DOTALL,
)


def _parse_item(item: str) -> FieldSpec:
    m = _ITEM_RE.match(item)
    if not m:
        raise UsageError(
            f"cannot read field {item.strip()!r}: write name[:type] [(description)], "
            'e.g. "total_amount:amount (grand total incl. VAT)"'
        )
    name = normalise_name(m["name"])
    columns: tuple[FieldSpec, ...] = ()
    if m["columns"] is not None:
        columns = tuple(_parse_item(c) for c in _split_top_level(m["columns"]) if c.strip())
        ftype = parse_type(m["type"], name) if m["type"] else FieldType.TABLE
    else:
        ftype = parse_type(m["type"], name) if m["type"] else FieldType.TEXT
    return FieldSpec(name=name, type=ftype, description=(m["description"] or "").strip(), columns=columns)


def parse_fields(spec: str) -> tuple[FieldSpec, ...]:
    """Parse a ``--fields`` string (or a JSON list of field objects) into validated specs."""
    text = spec.strip()
    if not text:
        raise UsageError('no fields given: pass --fields "name, total:amount, date:date" or --template NAME')
    if text.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"fields JSON is not valid: {exc}") from None
        return fields_from_list(data)
    specs = tuple(_parse_item(item) for item in _split_top_level(text) if item.strip())
    return validate_fields(specs)


def fields_from_list(data: Any) -> tuple[FieldSpec, ...]:
    if not isinstance(data, list):
        raise UsageError("fields must be a list")
    return validate_fields(tuple(FieldSpec.from_dict(d) for d in data))


def validate_fields(specs: Sequence[FieldSpec]) -> tuple[FieldSpec, ...]:
    if not specs:
        raise UsageError("no fields given")
    if len(specs) > MAX_FIELDS:
        raise UsageError(f"too many fields ({len(specs)}); the limit is {MAX_FIELDS}")
    _check_unique(s.name for s in specs)
    return tuple(specs)


def fields_to_list(specs: Sequence[FieldSpec]) -> list[dict[str, Any]]:
    return [s.to_dict() for s in specs]
