"""Concepts the offline extractor knows, with their labels in English, French, German and Dutch.

The labels are data: ``vocabulary/field_labels.json`` holds each concept's label regexes with weight,
language and example sentences (``tests/unit/test_field_labels.py`` matches every one). What stays here
is how a concept behaves: its value kind, party, the words that disqualify a label next to it, aliases.

A *concept* is what a field means (an invoice number, the grand total, the vendor's VAT id ...) and
how its value looks (its *kind*). Known field names map to concepts; any other field gets a concept
built from its own name and description (``po_number`` / "purchase order" -> "PO Number", "P.O. no",
"Purchase order", "Po-Nummer"), so user-chosen fields are looked for too.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.extraction.vocabulary import accent_tolerant, alternation

Kind = Literal[
    "id",
    "date",
    "amount",
    "number",
    "currency",
    "iban",
    "vat",
    "email",
    "phone",
    "text",
    "url",
    "list",
    "name",
]
Party = Literal["vendor", "buyer"]

_LETTER_START = r"(?<![^\W\d_])"
_LETTER_END = r"(?![^\W\d_])"


@dataclass(frozen=True)
class Label:
    """A label regex with a weight in (0, 1]: how surely a value next to it is the concept's value."""

    pattern: re.Pattern[str]
    weight: float
    next_lines: bool = True  # may the value sit on the following line(s)?
    source: str = ""  # the regex without its boundaries, for the concept's combined pattern


@dataclass(frozen=True)
class Concept:
    """What a field means: its labels, the value kind, exclusions and the party it belongs to."""

    key: str
    kind: Kind
    labels: tuple[Label, ...]
    exclude_before: re.Pattern[str] | None = None  # text just before a label that disqualifies it
    exclude_after: re.Pattern[str] | None = None  # text just after a label that disqualifies it
    party: Party | None = None
    prefer: Literal["first", "last", "max"] = "first"
    aliases: tuple[str, ...] = field(default=())
    combined: re.Pattern[str] = field(init=False, repr=False, compare=False)
    # ``combined`` with ^ and $ at line ends: one scan of a document's lines joined by newlines
    combined_lines: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One alternation of all labels, strongest first: one scan per line instead of one per label.
        # The word boundary is checked once, before the alternatives, so most positions fail at once.
        order = sorted(range(len(self.labels)), key=lambda i: -self.labels[i].weight)
        alternatives = "|".join(f"(?P<l{i}>{self.labels[i].source})" for i in order)
        source = (
            f"{_LETTER_START}(?=[^\\W\\d_])(?:{alternatives}){_LETTER_END}" if alternatives else r"(?!x)x"
        )
        object.__setattr__(self, "combined", _rx(source))
        lines = re.compile(self.combined.pattern, self.combined.flags | re.MULTILINE)
        object.__setattr__(self, "combined_lines", lines)

    def label_of(self, m: re.Match[str]) -> Label:
        """The label a match of ``combined`` came from."""
        return self.labels[int((m.lastgroup or "l0")[1:])]


def _rx(source: str) -> re.Pattern[str]:
    return re.compile(accent_tolerant(source), re.IGNORECASE)


def labels(*groups: tuple[float, tuple[str, ...]], next_lines: bool = True) -> tuple[Label, ...]:
    """Compile label groups ``(weight, (regex, ...))`` with letter boundaries on both sides."""
    out: list[Label] = []
    for weight, sources in groups:
        for source in sources:
            pattern = _rx(f"{_LETTER_START}(?:{source}){_LETTER_END}")
            out.append(Label(pattern, weight, next_lines and weight >= 0.8, source))
    return tuple(out)


@functools.cache
def _field_label_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("zapdoc.extraction.vocabulary")
        .joinpath("field_labels.json")
        .read_text(encoding="utf-8")
    )
    return data


@functools.cache
def label_macros() -> dict[str, str]:
    """The ``{NAME}`` parts of label patterns: the file's macros, and ``{WEEKDAY}`` (CLDR weekday names of
    every claimed language, as dates.py reads them)."""
    from zapdoc.extraction.dates import weekday_names

    macros: dict[str, str] = dict(_field_label_data()["macros"])
    macros["WEEKDAY"] = alternation(tuple(weekday_names()))
    return macros


def expand_macros(source: str) -> str:
    """A label pattern with its ``{NAME}`` macros written out."""
    for name, value in label_macros().items():
        source = source.replace("{" + name + "}", value)
    return source


@functools.cache
def data_labels(key: str) -> tuple[Label, ...]:
    """The labels of concept ``key`` (or of the shared set ``@name``) from ``vocabulary/field_labels.json``,
    in file order, weighted; from weight 0.8 the value may stand on the next line."""
    data = _field_label_data()
    found: str | list[dict[str, Any]] = data["concepts"].get(key, key)
    rows: list[dict[str, Any]] = data["sets"][found.removeprefix("@")] if isinstance(found, str) else found
    out: list[Label] = []
    for row in rows:
        source = expand_macros(str(row["pattern"]))
        weight = float(row["weight"])
        out.append(Label(_rx(f"{_LETTER_START}(?:{source}){_LETTER_END}"), weight, weight >= 0.8, source))
    return tuple(out)


def data_exclusion(key: str, side: str) -> re.Pattern[str]:
    """The words just ``before`` or ``after`` a label of ``key`` that disqualify it (field_labels.json)."""
    return _rx(str(_field_label_data()["exclusions"][key][side]["pattern"]))


def party_words(name: str) -> re.Pattern[str]:
    """Words next to a label that make it the buyer's ("Customer VAT id", "N° TVA client")."""
    return _rx(str(_field_label_data()["party_words"][name]["pattern"]))


def field_label_rows() -> list[tuple[str, dict[str, Any]]]:
    """Every (concept or @set, row) of ``field_labels.json``, for the tests of the example sentences."""
    data = _field_label_data()
    rows = [(f"@{name}", row) for name, items in data["sets"].items() for row in items]
    rows += [
        (key, row) for key, items in data["concepts"].items() if isinstance(items, list) for row in items
    ]
    return rows


# ----------------------------------------------------------------------------------------- invoices

INVOICE_NUMBER = Concept(
    "invoice_number",
    "id",
    data_labels("invoice_number"),
    exclude_after=data_exclusion("invoice_number", "after"),
)

RECEIPT_NUMBER = Concept(
    "receipt_number",
    "id",
    data_labels("receipt_number"),
)


ISSUE_DATE = Concept(
    "issue_date",
    "date",
    data_labels("issue_date"),
    exclude_before=data_exclusion("issue_date", "before"),
    exclude_after=data_exclusion("issue_date", "after"),
    aliases=(
        "invoice_date",
        "date",
        "document_date",
        "receipt_date",
        "purchase_date",
        "bill_date",
        "issued_on",
    ),
)

DUE_DATE = Concept(
    "due_date",
    "date",
    data_labels("due_date"),
    aliases=("payment_due_date", "due", "deadline_payment"),
)


TOTAL_AMOUNT = Concept(
    "total_amount",
    "amount",
    data_labels("total_amount"),
    exclude_after=data_exclusion("total_amount", "after"),
    exclude_before=data_exclusion("total_amount", "before"),
    prefer="max",
    aliases=(
        "total",
        "amount_total",
        "grand_total",
        "gross_amount",
        "invoice_total",
        "total_incl_tax",
        "amount",
    ),
)

AMOUNT_DUE = Concept(
    "amount_due",
    "amount",
    data_labels("amount_due"),
    prefer="last",
    aliases=("balance_due", "amount_payable"),
)

NET_AMOUNT = Concept(
    "net_amount",
    "amount",
    data_labels("net_amount"),
    # "Net 30 days" / "Net 30" are payment terms, not the net amount
    exclude_after=data_exclusion("net_amount", "after"),
    prefer="last",
    aliases=("subtotal", "net_total", "amount_excl_tax", "total_excl_tax", "total_net"),
)

TAX_AMOUNT = Concept(
    "tax_amount",
    "amount",
    data_labels("tax_amount"),
    exclude_after=data_exclusion("tax_amount", "after"),
    exclude_before=data_exclusion("tax_amount", "before"),
    prefer="last",
    aliases=("vat_amount", "tax", "vat", "total_tax", "tax_total"),
)

_VAT_LABELS = data_labels("@vat_id")
BUYER_BEFORE = party_words("buyer_before")
BUYER_AFTER = party_words("buyer_after")
VENDOR_BEFORE = party_words("vendor_before")  # "Our VAT no.", "Unsere USt-IdNr.": the issuer's own

VENDOR_VAT_ID = Concept(
    "vendor_vat_id",
    "vat",
    _VAT_LABELS,
    party="vendor",
    aliases=(
        "vat_id",
        "vat_number",
        "tax_id",
        "supplier_vat_id",
        "seller_vat_id",
        "merchant_vat_id",
        "vendor_tax_id",
    ),
)
BUYER_VAT_ID = Concept(
    "buyer_vat_id",
    "vat",
    _VAT_LABELS,
    party="buyer",
    aliases=("customer_vat_id", "client_vat_id", "buyer_tax_id"),
)

IBAN = Concept(
    "iban",
    "iban",
    data_labels("iban"),
    aliases=("bank_account", "iban_number", "account_iban"),
)

CURRENCY = Concept(
    "currency",
    "currency",
    data_labels("currency"),
    aliases=("currency_code",),
)

ORDER_NUMBER = Concept(
    "order_number",
    "id",
    data_labels("order_number"),
    exclude_after=data_exclusion("order_number", "after"),
    aliases=("purchase_order", "order_no", "order_id", "purchase_order_number"),
)

_EMAIL_LABELS = data_labels("@email")
_PHONE_LABELS = data_labels("@phone")
VENDOR_EMAIL = Concept(
    "vendor_email",
    "email",
    _EMAIL_LABELS,
    party="vendor",
    aliases=("supplier_email", "seller_email", "merchant_email"),
)
VENDOR_PHONE = Concept(
    "vendor_phone",
    "phone",
    _PHONE_LABELS,
    party="vendor",
    aliases=("supplier_phone", "seller_phone", "merchant_phone"),
)
BUYER_EMAIL = Concept(
    "buyer_email", "email", _EMAIL_LABELS, party="buyer", aliases=("customer_email", "client_email")
)
BUYER_PHONE = Concept(
    "buyer_phone", "phone", _PHONE_LABELS, party="buyer", aliases=("customer_phone", "client_phone")
)

VENDOR_NAME = Concept(
    "vendor_name",
    "name",
    data_labels("vendor_name"),
    party="vendor",
    aliases=(
        "supplier_name",
        "seller_name",
        "vendor",
        "supplier",
        "seller",
        "company_name",
        "issuer_name",
    ),
)
# A receipt's merchant: like a vendor, and receipts print the shop's name as their first line.
MERCHANT_NAME = Concept(
    "merchant_name",
    "name",
    VENDOR_NAME.labels,
    party="vendor",
    aliases=("merchant", "shop_name", "store_name"),
)
BUYER_NAME = Concept(
    "buyer_name",
    "name",
    data_labels("buyer_name"),
    party="buyer",
    aliases=("customer_name", "client_name", "customer", "buyer", "bill_to"),
)

PAYMENT_METHOD = Concept(
    "payment_method",
    "text",
    data_labels("payment_method"),
    aliases=("payment_type", "paid_by"),
)

# --------------------------------------------------------------------------------------------- rfps

RFP_REFERENCE = Concept(
    "reference_number",
    "id",
    data_labels("reference_number"),
    aliases=("rfp_number", "tender_reference", "reference"),
)
SUBMISSION_DEADLINE = Concept(
    "submission_deadline",
    "date",
    data_labels("submission_deadline"),
    exclude_before=data_exclusion("submission_deadline", "before"),
    exclude_after=data_exclusion("submission_deadline", "after"),
    aliases=("deadline", "closing_date", "response_deadline"),
)
QUESTIONS_DEADLINE = Concept(
    "questions_deadline",
    "date",
    data_labels("questions_deadline"),
)
BUDGET = Concept(
    "budget",
    "amount",
    data_labels("budget"),
    prefer="max",
    aliases=("estimated_value", "contract_value"),
)
ISSUER = Concept(
    "issuer",
    "name",
    data_labels("issuer"),
    aliases=("issuing_organisation", "agency", "buyer_organisation"),
)
CONTACT_NAME = Concept(
    "contact_name",
    "name",
    data_labels("contact_name"),
)
CONTACT_EMAIL = Concept("contact_email", "email", _EMAIL_LABELS)
CONTACT_PHONE = Concept("contact_phone", "phone", _PHONE_LABELS)

# ---------------------------------------------------------------------------------- person / resume

PERSON_EMAIL = Concept("email", "email", _EMAIL_LABELS, aliases=("email_address", "e_mail", "mail"))
PERSON_PHONE = Concept(
    "phone", "phone", _PHONE_LABELS, aliases=("phone_number", "telephone", "mobile", "tel")
)

CONCEPTS: tuple[Concept, ...] = (
    INVOICE_NUMBER,
    RECEIPT_NUMBER,
    ISSUE_DATE,
    DUE_DATE,
    TOTAL_AMOUNT,
    AMOUNT_DUE,
    NET_AMOUNT,
    TAX_AMOUNT,
    VENDOR_VAT_ID,
    BUYER_VAT_ID,
    IBAN,
    CURRENCY,
    ORDER_NUMBER,
    VENDOR_EMAIL,
    VENDOR_PHONE,
    BUYER_EMAIL,
    BUYER_PHONE,
    VENDOR_NAME,
    MERCHANT_NAME,
    BUYER_NAME,
    PAYMENT_METHOD,
    RFP_REFERENCE,
    SUBMISSION_DEADLINE,
    QUESTIONS_DEADLINE,
    BUDGET,
    ISSUER,
    CONTACT_NAME,
    CONTACT_EMAIL,
    CONTACT_PHONE,
    PERSON_EMAIL,
    PERSON_PHONE,
)

_BY_NAME: dict[str, Concept] = {}
for _c in CONCEPTS:
    _BY_NAME[_c.key] = _c
    for _alias in _c.aliases:
        _BY_NAME.setdefault(_alias, _c)

# Concepts whose meaning is only clear in their field type: a ``date`` field called "date" is the issue
# date, an ``amount`` called "amount" the total.
_TYPE_OK: dict[Kind, frozenset[FieldType]] = {
    "id": frozenset({FieldType.TEXT, FieldType.NUMBER}),
    "date": frozenset({FieldType.DATE, FieldType.TEXT}),
    "amount": frozenset({FieldType.AMOUNT, FieldType.NUMBER}),
    "number": frozenset({FieldType.NUMBER, FieldType.AMOUNT}),
    "currency": frozenset({FieldType.CURRENCY, FieldType.TEXT}),
    "iban": frozenset({FieldType.TEXT}),
    "vat": frozenset({FieldType.TEXT}),
    "email": frozenset({FieldType.EMAIL, FieldType.TEXT}),
    "phone": frozenset({FieldType.PHONE, FieldType.TEXT}),
    "text": frozenset({FieldType.TEXT}),
    "url": frozenset({FieldType.TEXT}),
    "list": frozenset({FieldType.LIST, FieldType.TEXT}),
    "name": frozenset({FieldType.TEXT}),
}


def known_concept(spec: FieldSpec) -> Concept | None:
    """The curated concept for a field name (or alias) when the field's type fits it."""
    concept = _BY_NAME.get(spec.name)
    if concept is None or spec.type not in _TYPE_OK[concept.kind]:
        return None
    return concept


# ------------------------------------------------------------------------------- user-chosen fields


@functools.cache
def _custom_fields_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("zapdoc.extraction.vocabulary")
        .joinpath("custom_fields.json")
        .read_text(encoding="utf-8")
    )
    return data


# The words of a field name in the other languages, and the words of a description that are no labels
# (vocabulary/custom_fields.json).
_SYNONYMS: dict[str, str] = {k: str(v["pattern"]) for k, v in _custom_fields_data()["synonyms"].items()}
_STOPWORDS = frozenset(w for words in _custom_fields_data()["stopwords"].values() for w in words)


def _token_regex(token: str) -> str:
    if token in _SYNONYMS:
        return _SYNONYMS[token]
    if len(token) <= 3 and token.isalpha():
        # abbreviations: "po" matches "PO", "P.O.", "P. O."
        return r"\.?\s?".join(re.escape(ch) for ch in token) + r"\.?"
    return re.escape(token)


def _phrase(tokens: list[str]) -> str:
    return r"[\s\-_.]{0,3}".join(_token_regex(t) for t in tokens)


_FIELD_KIND: dict[FieldType, Kind] = {
    FieldType.TEXT: "text",
    FieldType.NUMBER: "number",
    FieldType.AMOUNT: "amount",
    FieldType.CURRENCY: "currency",
    FieldType.DATE: "date",
    FieldType.EMAIL: "email",
    FieldType.PHONE: "phone",
    FieldType.LIST: "list",
    FieldType.TABLE: "text",
}


def custom_concept(spec: FieldSpec) -> Concept:
    """A concept for a field we have no curated labels for: its name and description become labels."""
    tokens = [t for t in spec.name.lower().split("_") if t]
    groups: list[tuple[float, tuple[str, ...]]] = []
    if tokens:
        groups.append((1.0, (_phrase(tokens),)))
        if len(tokens) > 1 and tokens[-1] in _SYNONYMS:
            # German compounds: "Lieferdatum", "Bestellnummer"
            groups.append((0.9, (_token_regex(tokens[0]) + r"\w{0,3}" + _SYNONYMS[tokens[-1]],)))
    words = [w for w in re.findall(r"[^\W\d_]+", spec.description.lower()) if w not in _STOPWORDS][:5]
    if words and words != tokens:
        groups.append((0.9, (_phrase(words),)))
        if len(words) > 1:
            initials = "".join(w[0] for w in words[:3])
            # "purchase order" -> "PO number", "P.O. no"
            if tokens and len(tokens) > 1 and tokens[-1] in _SYNONYMS:
                groups.append((0.9, (_token_regex(initials) + r"[\s\-_.]{0,3}" + _SYNONYMS[tokens[-1]],)))
            groups.append((0.8, (_phrase(words) + r"(?:[\s\-_.]{0,3}" + _SYNONYMS["number"] + ")?",)))
    return Concept(spec.name, _FIELD_KIND[spec.type], labels(*groups))
