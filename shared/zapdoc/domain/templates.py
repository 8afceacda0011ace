"""Built-in templates: typed field lists for the documents users send most.

Field names follow the evaluation corpus (../shared/corpus) so accuracy is measured on the same names.
"""

from __future__ import annotations

from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import FieldSpec
from zapdoc.domain.fields import FieldType as T


def _f(name: str, ftype: T = T.TEXT, description: str = "", columns: tuple[FieldSpec, ...] = ()) -> FieldSpec:
    return FieldSpec(name=name, type=ftype, description=description, columns=columns)


LINE_ITEMS = _f(
    "line_items",
    T.TABLE,
    "one row per billed item, in document order",
    (
        _f("description", T.TEXT, "what was sold"),
        _f("quantity", T.NUMBER),
        _f("unit_price", T.AMOUNT, "price of one unit"),
        _f("amount", T.AMOUNT, "line total"),
    ),
)

TEMPLATES: dict[str, tuple[str, tuple[FieldSpec, ...]]] = {
    "invoice": (
        "Supplier invoices: numbers, dates, parties, tax ids, totals and line items",
        (
            _f("invoice_number", T.TEXT, "invoice number or reference"),
            _f("issue_date", T.DATE, "date the invoice was issued"),
            _f("due_date", T.DATE, "payment due date"),
            _f("vendor_name", T.TEXT, "company that issued the invoice"),
            _f("vendor_vat_id", T.TEXT, "VAT / tax id of the vendor"),
            _f("vendor_email", T.EMAIL),
            _f("vendor_phone", T.PHONE),
            _f("buyer_name", T.TEXT, "customer billed"),
            _f("buyer_vat_id", T.TEXT, "VAT / tax id of the customer"),
            _f("order_number", T.TEXT, "purchase order or order reference"),
            _f("iban", T.TEXT, "bank account (IBAN) for payment"),
            _f("currency", T.CURRENCY, "ISO 4217 code"),
            _f("net_amount", T.AMOUNT, "total before tax"),
            _f("tax_amount", T.AMOUNT, "total tax / VAT"),
            _f("total_amount", T.AMOUNT, "grand total including tax"),
            LINE_ITEMS,
        ),
    ),
    "receipt": (
        "Till and card receipts: merchant, date, totals, payment method",
        (
            _f("merchant_name", T.TEXT, "shop or business name"),
            _f("receipt_number", T.TEXT),
            _f("date", T.DATE, "date of purchase"),
            _f("merchant_vat_id", T.TEXT, "VAT / tax id of the merchant"),
            _f("payment_method", T.TEXT, "cash, card..."),
            _f("currency", T.CURRENCY, "ISO 4217 code"),
            _f("tax_amount", T.AMOUNT),
            _f("total_amount", T.AMOUNT, "amount paid"),
            LINE_ITEMS,
        ),
    ),
    "resume": (
        "CVs and resumes: contact details, latest role, education, skills",
        (
            _f("name", T.TEXT, "full name of the candidate"),
            _f("email", T.EMAIL),
            _f("phone", T.PHONE),
            _f("location", T.TEXT, "city and country"),
            _f("website", T.TEXT, "personal site or profile URL"),
            _f("latest_employer", T.TEXT, "most recent employer"),
            _f("latest_position", T.TEXT, "most recent job title"),
            _f("education_institution", T.TEXT, "most recent school or university"),
            _f("education_degree", T.TEXT, "most recent degree"),
            _f("skills", T.LIST, "skills, tools and languages"),
        ),
    ),
    "contract": (
        "Contracts and NDAs: parties, dates, governing law, term",
        (
            _f("contract_title", T.TEXT, "title of the agreement"),
            _f("parties", T.LIST, "names of the contracting parties"),
            _f("effective_date", T.DATE, "date the agreement takes effect"),
            _f("jurisdiction", T.TEXT, "governing law (state or country)"),
            _f("term", T.TEXT, "duration of the agreement"),
            _f("termination_notice", T.TEXT, "notice period for termination"),
        ),
    ),
    "rfp": (
        "Requests for proposal: issuer, reference, deadlines, contact, budget",
        (
            _f("issuer", T.TEXT, "organisation issuing the request"),
            _f("title", T.TEXT, "title of the request"),
            _f("reference_number", T.TEXT, "RFP / tender reference"),
            _f("submission_deadline", T.DATE, "deadline for proposals"),
            _f("questions_deadline", T.DATE, "deadline for questions"),
            _f("contact_name", T.TEXT),
            _f("contact_email", T.EMAIL),
            _f("contact_phone", T.PHONE),
            _f("budget", T.AMOUNT, "estimated budget or contract value"),
            _f("currency", T.CURRENCY),
        ),
    ),
}


def template_fields(name: str) -> tuple[FieldSpec, ...]:
    key = name.strip().lower()
    if key not in TEMPLATES:
        raise UsageError(f"unknown template {name!r}; choose one of: {', '.join(TEMPLATES)}")
    return TEMPLATES[key][1]


def describe_templates() -> str:
    """Human listing for ``zapdoc templates``."""
    lines: list[str] = []
    for name, (summary, fields) in TEMPLATES.items():
        lines.append(f"{name} — {summary}")
        for f in fields:
            cols = f"[{', '.join(f'{c.name}:{c.type}' for c in f.columns)}]" if f.columns else ""
            desc = f"  ({f.description})" if f.description else ""
            lines.append(f"    {f.name}:{f.type}{cols}{desc}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
