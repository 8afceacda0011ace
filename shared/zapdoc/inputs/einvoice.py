"""E-invoices read exactly: UN/CEFACT CII (Factur-X, ZUGFeRD 1 and 2, XRechnung CII) and UBL 2.1 XML.

A PDF/A-3 e-invoice carries its data as an XML attachment; an XRechnung or Peppol invoice may be that
XML alone. The values are read from the XML on the standard's own paths and marked with full
confidence, the evidence naming the path. A few of them (number, date, total, currency) are checked
against the page text: a disagreement is a note, and for the profiles whose XML is only a booking aid
(Factur-X/ZUGFeRD MINIMUM and BASIC WL, not an invoice under EN 16931) the page wins when it clearly
shows another value.

Hand code over drafthorse or factur-x: drafthorse reads CII D16B only (not ZUGFeRD 1 nor UBL) and
factur-x extracts but does not map fields; one table of local-name paths per syntax covers all three.
Parsing is defensive: size-capped, no DTD, no entity expansion, no network.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from zapdoc.domain.documents import Evidence, FieldValue, Scalar
from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.domain.normalize import find_dates, normalise, parse_amount
from zapdoc.inputs.sniff import EINVOICE_ROOTS

MAX_XML_BYTES = 10 * 1024 * 1024
"""An e-invoice XML larger than this is refused (real ones are a few hundred KB at most)."""

EVIDENCE = "embedded e-invoice XML"
STANDALONE_EVIDENCE = "e-invoice XML"

# Attachment names the standards prescribe, in order of preference (compared case-insensitively).
ATTACHMENT_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")

ROOTS = EINVOICE_ROOTS

# Profiles whose XML is not the invoice itself (a booking aid): the page is binding.
_PAGE_BINDING_PROFILES = re.compile(r"factur-x\.eu:1p0:(?:minimum|basicwl)", re.IGNORECASE)

# UNTDID 1001 document type codes that are credit notes.
CREDIT_NOTE_CODES = frozenset({"381", "396", "532"})


class EInvoiceError(ValueError):
    """The XML is not a readable e-invoice; the message says why, for a note or an error row."""


@dataclass(frozen=True)
class EInvoice:
    """What an e-invoice says, keyed by the corpus/template field names, with the path of each value."""

    syntax: str
    profile: str
    type_code: str
    values: dict[str, Scalar]
    paths: dict[str, str]
    line_items: list[dict[str, Scalar | None]] = field(default_factory=list)

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_CODES

    @property
    def page_is_binding(self) -> bool:
        """True for profiles whose XML is only a booking aid (MINIMUM, BASIC WL)."""
        return bool(_PAGE_BINDING_PROFILES.search(self.profile))


# ----------------------------------------------------------------------------------------- parsing


_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_DTD_REFUSED = "the XML declares a DTD, which e-invoices never do; it was not read"


def parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``, parsed without DTDs, entities or network; raises EInvoiceError."""
    if len(data) > MAX_XML_BYTES:
        raise EInvoiceError(f"the XML is {len(data) // (1024 * 1024)} MB, over the 10 MB limit")
    if _DTD_RE.search(data):
        raise EInvoiceError(_DTD_REFUSED)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise EInvoiceError(f"the XML is malformed ({exc})") from exc
    info: Any = tree.docinfo
    if info.doctype or info.internalDTD is not None:  # a DTD in an encoding the byte check misses
        raise EInvoiceError(_DTD_REFUSED)
    return tree.getroot()


def syntax_of(root: etree._Element) -> str | None:
    """ "CII", "ZUGFeRD 1" or "UBL" for an e-invoice root element, else None."""
    qname = etree.QName(root)
    return ROOTS.get((qname.namespace or "", qname.localname))


def read_einvoice(data: bytes) -> EInvoice:
    """Parse an e-invoice XML (CII, ZUGFeRD 1 or UBL). Raises EInvoiceError when it is none of them."""
    root = parse_xml(data)
    syntax = syntax_of(root)
    if syntax is None:
        qname = etree.QName(root)
        raise EInvoiceError(f"the XML is not an e-invoice (its root element is {qname.localname!r})")
    reader: _CiiReader | _UblReader = (
        _UblReader(root, syntax) if syntax == "UBL" else _CiiReader(root, syntax)
    )
    return reader.read()


# ------------------------------------------------------------------------------- path evaluation

_SPLIT_RE = re.compile(r"[^/\[]+(?:\[[^\]]*\])?")
_STEP_RE = re.compile(r"^(?P<name>[\w.-]+)(?:\[(?P<pred>[^\]]+)\])?$")


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    for child in el:
        if _local(child) == name:
            yield child


def _matches(el: etree._Element, pred: str) -> bool:
    """``@attr=value`` or ``Child/Path=value`` (value compared case-insensitively)."""
    path, _, want = pred.partition("=")
    want = want.strip().strip("'\"").casefold()
    if path.startswith("@"):
        return (el.get(path[1:]) or "").strip().casefold() == want
    return any((_text(hit) or "").casefold() == want for hit in select(el, path))


def select(el: etree._Element, path: str) -> list[etree._Element]:
    """Elements under ``el`` on ``path`` ("A/B[@schemeID=VA]/C"), matched by local name."""
    current = [el]
    for step in _SPLIT_RE.findall(path):
        m = _STEP_RE.match(step)
        if m is None:
            raise ValueError(f"bad path step {step!r}")
        name, pred = m.group("name"), m.group("pred")
        current = [c for node in current for c in _children(node, name) if pred is None or _matches(c, pred)]
        if not current:
            break
    return current


def _text(el: etree._Element) -> str | None:
    text = "".join(str(t) for t in el.itertext()).strip()
    return re.sub(r"\s+", " ", text) or None


def first_text(el: etree._Element, *paths: str) -> tuple[str, str] | None:
    """The first non-empty text on any of ``paths`` and the path it was on."""
    for path in paths:
        for hit in select(el, path):
            text = _text(hit)
            if text:
                return text, path
    return None


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value


def _date(text: str, fmt: str | None) -> dt.date | None:
    """CII dates are ``yyyymmdd`` (format 102); UBL and some CII writers use ISO ``yyyy-mm-dd``."""
    if fmt not in (None, "", "102"):
        return None  # 610 (month) and 616 (week) name no day
    digits = re.sub(r"\D", "", text)
    if len(digits) != 8:
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


class _Reader:
    """Collects values with their paths; subclasses know one syntax."""

    def __init__(self, root: etree._Element, syntax: str) -> None:
        self.root = root
        self.syntax = syntax
        self.values: dict[str, Scalar] = {}
        self.paths: dict[str, str] = {}

    def put(
        self, key: str, base: str, *paths: str, convert: Callable[[str], Scalar | None] | None = None
    ) -> None:
        if key in self.values:
            return
        for path in paths:
            full = f"{base}/{path}" if base else path
            found = first_text(self.root, full)
            if found is None:
                continue
            text, _ = found
            value = convert(text) if convert else text
            if value is None or value == "":
                continue
            self.values[key] = value
            self.paths[key] = full
            return

    def put_date(self, key: str, base: str, *paths: str) -> None:
        if key in self.values:
            return
        for path in paths:
            full = f"{base}/{path}" if base else path
            for hit in select(self.root, full):
                text = _text(hit)
                day = _date(text, hit.get("format")) if text else None
                if day is not None:
                    self.values[key] = day
                    self.paths[key] = full
                    return

    def put_amount(self, key: str, base: str, path: str, currency: str | None) -> None:
        """An amount; where the element repeats per currency (TaxTotalAmount), the invoice currency's."""
        full = f"{base}/{path}"
        hits = [h for h in select(self.root, full) if _text(h)]
        if currency:
            hits.sort(key=lambda h: (h.get("currencyID") or currency) != currency)
        for hit in hits:
            value = _amount(_text(hit) or "")
            if value is not None:
                self.values[key] = value
                self.paths[key] = full
                return

    def result(self, profile: str, type_code: str, lines: list[dict[str, Scalar | None]]) -> EInvoice:
        return EInvoice(self.syntax, profile, type_code, self.values, self.paths, lines)


class _CiiReader(_Reader):
    """UN/CEFACT CII: D16B (Factur-X, ZUGFeRD 2, XRechnung CII) and the older ZUGFeRD 1 names."""

    def read(self) -> EInvoice:
        v1 = self.syntax == "ZUGFeRD 1"
        header = "HeaderExchangedDocument" if v1 else "ExchangedDocument"
        tx = "SpecifiedSupplyChainTradeTransaction" if v1 else "SupplyChainTradeTransaction"
        agreement = (
            f"{tx}/ApplicableSupplyChainTradeAgreement" if v1 else f"{tx}/ApplicableHeaderTradeAgreement"
        )
        settlement = (
            f"{tx}/ApplicableSupplyChainTradeSettlement" if v1 else f"{tx}/ApplicableHeaderTradeSettlement"
        )
        summation = f"{settlement}/SpecifiedTradeSettlement{'' if v1 else 'Header'}MonetarySummation"
        context = "SpecifiedExchangedDocumentContext" if v1 else "ExchangedDocumentContext"
        profile = first_text(self.root, f"{context}/GuidelineSpecifiedDocumentContextParameter/ID")
        type_code = first_text(self.root, f"{header}/TypeCode")

        self.put("invoice_number", header, "ID")
        self.put_date("issue_date", header, "IssueDateTime/DateTimeString")
        self.put_date("due_date", settlement, "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString")
        for role, party in (("vendor", "SellerTradeParty"), ("buyer", "BuyerTradeParty")):
            base = f"{agreement}/{party}"
            self.put(f"{role}_name", base, "Name")
            self.put(f"{role}_vat_id", base, "SpecifiedTaxRegistration/ID[@schemeID=VA]")
            self.put(f"{role}_tax_number", base, "SpecifiedTaxRegistration/ID[@schemeID=FC]")
            self.put(f"{role}_street", base, "PostalTradeAddress/LineOne")
            self.put(f"{role}_postcode", base, "PostalTradeAddress/PostcodeCode")
            self.put(f"{role}_city", base, "PostalTradeAddress/CityName")
            self.put(f"{role}_country", base, "PostalTradeAddress/CountryID")
            self.put(
                f"{role}_email",
                base,
                "DefinedTradeContact/EmailURIUniversalCommunication/URIID",
                "URIUniversalCommunication/URIID[@schemeID=EM]",
            )
            self.put(
                f"{role}_phone", base, "DefinedTradeContact/TelephoneUniversalCommunication/CompleteNumber"
            )
        self.put("buyer_reference", agreement, "BuyerReference")
        self.put(
            "order_number",
            agreement,
            "BuyerOrderReferencedDocument/IssuerAssignedID",
            "BuyerOrderReferencedDocument/ID",
        )
        self.put("currency", settlement, "InvoiceCurrencyCode")
        currency = str(self.values.get("currency") or "") or None
        self.put(
            "iban",
            settlement,
            "SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/IBANID",
            "SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/ProprietaryID",
        )
        self.put_amount("net_amount", summation, "TaxBasisTotalAmount", currency)
        self.put_amount("tax_amount", summation, "TaxTotalAmount", currency)
        self.put_amount("total_amount", summation, "GrandTotalAmount", currency)
        self.put_amount("amount_due", summation, "DuePayableAmount", currency)
        return self.result(
            profile[0] if profile else "", type_code[0] if type_code else "", self._lines(tx, v1)
        )

    def _lines(self, tx: str, v1: bool) -> list[dict[str, Scalar | None]]:
        line_agreement = "SpecifiedSupplyChainTradeAgreement" if v1 else "SpecifiedLineTradeAgreement"
        line_delivery = "SpecifiedSupplyChainTradeDelivery" if v1 else "SpecifiedLineTradeDelivery"
        line_settlement = "SpecifiedSupplyChainTradeSettlement" if v1 else "SpecifiedLineTradeSettlement"
        line_sum = (
            "SpecifiedTradeSettlementMonetarySummation"
            if v1
            else "SpecifiedTradeSettlementLineMonetarySummation"
        )
        rows: list[dict[str, Scalar | None]] = []
        for item in select(self.root, f"{tx}/IncludedSupplyChainTradeLineItem"):
            name = first_text(item, "SpecifiedTradeProduct/Name")
            qty = first_text(item, f"{line_delivery}/BilledQuantity")
            price = first_text(item, f"{line_agreement}/NetPriceProductTradePrice/ChargeAmount")
            total = first_text(item, f"{line_settlement}/{line_sum}/LineTotalAmount")
            rate = first_text(item, f"{line_settlement}/ApplicableTradeTax/RateApplicablePercent",
                              f"{line_settlement}/ApplicableTradeTax/ApplicablePercent")  # fmt: skip
            sku = first_text(item, "SpecifiedTradeProduct/SellerAssignedID")
            unit = select(item, f"{line_delivery}/BilledQuantity")
            rows.append(
                _row(
                    name,
                    qty,
                    price,
                    total,
                    rate,
                    sku,
                    unit[0].get("unitCode") if unit else None,
                    first_text(item, "AssociatedDocumentLineDocument/LineID"),
                )
            )
        return rows


class _UblReader(_Reader):
    """OASIS UBL 2.1 Invoice and CreditNote (XRechnung UBL, Peppol BIS Billing 3)."""

    def read(self) -> EInvoice:
        credit = _local(self.root) == "CreditNote"
        self.put("invoice_number", "", "ID")
        self.put_date("issue_date", "", "IssueDate")
        self.put_date("due_date", "", "DueDate", "PaymentMeans/PaymentDueDate")
        for role, party in (
            ("vendor", "AccountingSupplierParty/Party"),
            ("buyer", "AccountingCustomerParty/Party"),
        ):
            self.put(f"{role}_name", party, "PartyName/Name", "PartyLegalEntity/RegistrationName")
            self.put(f"{role}_vat_id", party, "PartyTaxScheme[TaxScheme/ID=VAT]/CompanyID")
            self.put(f"{role}_tax_number", party, "PartyTaxScheme[TaxScheme/ID=FC]/CompanyID")
            self.put(f"{role}_street", party, "PostalAddress/StreetName")
            self.put(f"{role}_postcode", party, "PostalAddress/PostalZone")
            self.put(f"{role}_city", party, "PostalAddress/CityName")
            self.put(f"{role}_country", party, "PostalAddress/Country/IdentificationCode")
            self.put(f"{role}_email", party, "Contact/ElectronicMail")
            self.put(f"{role}_phone", party, "Contact/Telephone")
            self.put(f"{role}_website", party, "WebsiteURI")
        self.put("buyer_reference", "", "BuyerReference")
        self.put("order_number", "", "OrderReference/ID")
        self.put("currency", "", "DocumentCurrencyCode")
        currency = str(self.values.get("currency") or "") or None
        self.put("iban", "", "PaymentMeans/PayeeFinancialAccount/ID")
        self.put_amount("net_amount", "LegalMonetaryTotal", "TaxExclusiveAmount", currency)
        self.put_amount("tax_amount", "TaxTotal", "TaxAmount", currency)
        self.put_amount("total_amount", "LegalMonetaryTotal", "TaxInclusiveAmount", currency)
        self.put_amount("amount_due", "LegalMonetaryTotal", "PayableAmount", currency)
        profile = first_text(self.root, "CustomizationID")
        type_code = first_text(self.root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode")
        code = type_code[0] if type_code else ("381" if credit else "380")
        line_name = "CreditNoteLine" if credit else "InvoiceLine"
        qty_name = "CreditedQuantity" if credit else "InvoicedQuantity"
        rows: list[dict[str, Scalar | None]] = []
        for line in select(self.root, line_name):
            qty_el = select(line, qty_name)
            rows.append(
                _row(
                    first_text(line, "Item/Name", "Item/Description"),
                    first_text(line, qty_name),
                    first_text(line, "Price/PriceAmount"),
                    first_text(line, "LineExtensionAmount"),
                    first_text(line, "Item/ClassifiedTaxCategory/Percent"),
                    first_text(line, "Item/SellersItemIdentification/ID"),
                    qty_el[0].get("unitCode") if qty_el else None,
                    first_text(line, "ID"),
                )
            )
        return self.result(profile[0] if profile else "", code, rows)


def _row(
    name: tuple[str, str] | None,
    qty: tuple[str, str] | None,
    price: tuple[str, str] | None,
    total: tuple[str, str] | None,
    rate: tuple[str, str] | None,
    sku: tuple[str, str] | None,
    unit: str | None,
    line_id: tuple[str, str] | None,
) -> dict[str, Scalar | None]:
    def num(found: tuple[str, str] | None) -> Decimal | None:
        return _amount(found[0]) if found else None

    return {
        "description": name[0] if name else None,
        "quantity": num(qty),
        "unit_price": num(price),
        "amount": num(total),
        "tax_rate": num(rate),
        "sku": sku[0] if sku else None,
        "unit": unit,
        "line": line_id[0] if line_id else None,
    }


# ------------------------------------------------------------------------------ finding the XML


def find_attachment(attachments: Mapping[str, Sequence[bytes]]) -> tuple[str, bytes] | None:
    """The e-invoice among a PDF's attachments: by the standard file names first, then by content.

    ``attachments`` may be lazy (pypdf's): only the files looked at are read.
    """
    names = list(attachments)
    by_name = {name.casefold(): name for name in names}
    wanted = [by_name[n] for n in ATTACHMENT_NAMES if n in by_name]
    others = [n for n in names if n.casefold().endswith(".xml") and n not in wanted]
    for name in [*wanted, *others]:
        blobs = attachments[name]
        if not blobs or len(blobs[0]) > MAX_XML_BYTES:
            continue
        try:
            root = parse_xml(blobs[0])
        except EInvoiceError:
            continue
        if syntax_of(root) is not None:
            return name, blobs[0]
    return None


# ------------------------------------------------------------------------------- field mapping

# Field names (template names and common aliases) -> EInvoice keys.
_ALIASES: dict[str, str] = {
    "receipt_number": "invoice_number",
    "invoice_no": "invoice_number",
    "invoice_id": "invoice_number",
    "credit_note_number": "invoice_number",
    "document_number": "invoice_number",
    "date": "issue_date",
    "invoice_date": "issue_date",
    "payment_due_date": "due_date",
    "merchant_name": "vendor_name",
    "seller_name": "vendor_name",
    "supplier_name": "vendor_name",
    "merchant_vat_id": "vendor_vat_id",
    "seller_vat_id": "vendor_vat_id",
    "supplier_vat_id": "vendor_vat_id",
    "vat_id": "vendor_vat_id",
    "customer_name": "buyer_name",
    "customer_vat_id": "buyer_vat_id",
    "po_number": "order_number",
    "purchase_order": "order_number",
    "total": "total_amount",
    "grand_total": "total_amount",
    "subtotal": "net_amount",
    "vat_amount": "tax_amount",
    "tax": "tax_amount",
    "balance_due": "amount_due",
}

# Table columns -> line keys.
_COLUMN_ALIASES: dict[str, str] = {
    "item": "description",
    "name": "description",
    "product": "description",
    "qty": "quantity",
    "price": "unit_price",
    "unit_cost": "unit_price",
    "total": "amount",
    "line_total": "amount",
    "net_amount": "amount",
    "vat_rate": "tax_rate",
    "article_number": "sku",
    "item_number": "sku",
    "product_code": "sku",
}

_CROSS_CHECKED = ("invoice_number", "issue_date", "total_amount", "currency")


def key_for(spec: FieldSpec, keys: Sequence[str]) -> str | None:
    """The e-invoice key a field asks for, when the e-invoice can answer it."""
    name = spec.name.strip().lower()
    key = name if name in keys else _ALIASES.get(name)
    return key if key in keys else None


ALL_KEYS: tuple[str, ...] = (
    "invoice_number", "issue_date", "due_date", "order_number", "buyer_reference", "currency", "iban",
    "net_amount", "tax_amount", "total_amount", "amount_due",
    *(f"{role}_{part}" for role in ("vendor", "buyer") for part in (
        "name", "vat_id", "tax_number", "street", "postcode", "city", "country", "email", "phone", "website"
    )),
)  # fmt: skip


@dataclass
class Applied:
    """The e-invoice's values for the requested fields, and notes from the cross-check."""

    values: dict[str, FieldValue]
    notes: list[str]


def apply_einvoice(
    inv: EInvoice,
    fields: Sequence[FieldSpec],
    text_values: dict[str, FieldValue],
    page_text: str,
    *,
    source: str = EVIDENCE,
) -> Applied:
    """Values from ``inv`` for every field it answers; the rest keep ``text_values`` (the text path).

    Cross-check: the invoice number, dates, total and currency are looked for on the page; when the page
    does not show the XML's value a note says so, and for page-binding profiles a confident text value
    replaces it.
    """
    out: dict[str, FieldValue] = {}
    notes: list[str] = []
    page = _PageFacts(page_text) if page_text.strip() else None
    kind = "credit note" if inv.is_credit_note else "invoice"
    notes.append(f"read from the {source} ({inv.syntax}{', ' + inv.profile if inv.profile else ''}, {kind})")
    for spec in fields:
        text_value = text_values.get(spec.name, FieldValue())
        if spec.type is FieldType.TABLE:
            out[spec.name] = _table_value(inv, spec, source) or text_value
            continue
        key = key_for(spec, ALL_KEYS)
        if key is None or key not in inv.values:
            out[spec.name] = text_value
            continue
        raw = inv.values[key]
        norm = normalise(spec, raw)
        if norm.value is None:
            out[spec.name] = FieldValue(note=f"{source}: {norm.note}") if norm.note else text_value
            continue
        value = FieldValue(
            value=norm.value,
            confidence=1.0,
            evidence=Evidence(page=None, snippet=f"{source}: {_short_path(inv.paths[key])} = {raw}"),
        )
        if page is not None and key in _CROSS_CHECKED and not page.shows(key, raw):
            shown = text_value.value
            if (
                inv.page_is_binding
                and shown is not None
                and shown != norm.value
                and text_value.confidence >= 0.8
            ):
                notes.append(
                    f"{spec.name}: the page shows {shown!s} where the {source} says {raw!s};"
                    f" the page is binding for the {inv.profile.rsplit(':', 1)[-1]} profile"
                )
                text_value.note = (text_value.note + "; " if text_value.note else "") + f"XML says {raw!s}"
                out[spec.name] = text_value
                continue
            seen = f" (the page shows {shown!s})" if shown is not None and shown != norm.value else ""
            notes.append(f"{spec.name}: the {source} says {raw!s}, which the page does not show{seen}")
            value.note = f"not found on the page{seen}"
        out[spec.name] = value
    return Applied(out, notes)


def _short_path(path: str) -> str:
    """The last three steps of an XML path: enough to find the element, short enough to read."""
    steps = _SPLIT_RE.findall(path)
    return "/".join(steps) if len(steps) <= 3 else "…/" + "/".join(steps[-3:])


def _table_value(inv: EInvoice, spec: FieldSpec, source: str) -> FieldValue | None:
    if not inv.line_items:
        return None
    rows: list[dict[str, Scalar | None]] = []
    for line in inv.line_items:
        row: dict[str, Scalar | None] = {}
        for col in spec.columns:
            name = col.name.strip().lower()
            row[col.name] = line.get(name if name in line else _COLUMN_ALIASES.get(name, ""))
        rows.append(row)
    norm = normalise(spec, rows)
    if not norm.value:
        return None
    snippet = f"{source}: {len(rows)} line item{'s' if len(rows) != 1 else ''}"
    return FieldValue(value=norm.value, confidence=1.0, evidence=Evidence(None, snippet), note=norm.note)


_NUMBER_RE = re.compile(r"(?<![\w.,])-?\d[\d.,' \u00a0\u202f]*\d(?![\w])|(?<![\w.,])\d(?![\w.,])")


class _PageFacts:
    """What the page text shows, for the cross-check: folded text, dates, amounts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = _fold(text)
        self._dates: set[dt.date] | None = None
        self._amounts: list[Decimal] | None = None

    def shows(self, key: str, raw: Scalar) -> bool:
        if isinstance(raw, dt.date):
            if self._dates is None:
                dates: set[dt.date] = set()
                for dayfirst in (True, False):
                    dates.update(m.value for m in find_dates(self.text, dayfirst=dayfirst) if m.value)
                compact = re.findall(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)", self.text)
                for y, m, d in compact:
                    with contextlib.suppress(ValueError):
                        dates.add(dt.date(int(y), int(m), int(d)))
                self._dates = dates
            return raw in self._dates
        if isinstance(raw, Decimal | int):
            if self._amounts is None:
                amounts: list[Decimal] = []
                for m in _NUMBER_RE.finditer(self.text):
                    value = parse_amount(m.group(0).strip())
                    if value is not None:
                        amounts.append(abs(value))
                self._amounts = amounts
            return any(abs(a - abs(Decimal(raw))) < Decimal("0.005") for a in self._amounts)
        if key == "currency":
            code = str(raw).upper()
            symbols = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF", "INR": "₹"}
            return code in self.text.upper() or symbols.get(code, "\0") in self.text
        folded = _fold(raw)
        return bool(folded) and folded in self.folded


def _fold(text: object) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


# ------------------------------------------------------------------------ standalone XML as text


def render_text(inv: EInvoice) -> str:
    """A readable page for a standalone XML e-invoice, so text providers and people can read it too."""
    kind = "Credit note" if inv.is_credit_note else "Invoice"
    v = inv.values
    lines = [f"{kind} ({inv.syntax} e-invoice{', ' + inv.profile if inv.profile else ''})"]

    def add(label: str, key: str) -> None:
        value = v.get(key)
        if value is not None and value != "":
            lines.append(f"{label}: {value.isoformat() if isinstance(value, dt.date) else value}")

    add("Invoice number", "invoice_number")
    add("Invoice date", "issue_date")
    add("Due date", "due_date")
    add("Order number", "order_number")
    add("Buyer reference", "buyer_reference")
    for role, heading in (("vendor", "Seller"), ("buyer", "Bill to")):
        lines.append("")
        lines.append(f"{heading}:")
        for part in ("name", "street"):
            add(heading if part == "name" else "Street", f"{role}_{part}")
        place = " ".join(str(v[k]) for k in (f"{role}_postcode", f"{role}_city") if v.get(k))
        if place:
            lines.append(place)
        add("Country", f"{role}_country")
        add("VAT ID", f"{role}_vat_id")
        add("Tax number", f"{role}_tax_number")
        add("Email", f"{role}_email")
        add("Phone", f"{role}_phone")
    if inv.line_items:
        lines.append("")
        lines.append("Description | Quantity | Unit price | Amount")
        for row in inv.line_items:
            lines.append(
                " | ".join(
                    "" if row.get(c) is None else str(row[c])
                    for c in ("description", "quantity", "unit_price", "amount")
                )
            )
    lines.append("")
    add("Currency", "currency")
    add("Net amount", "net_amount")
    add("Tax amount", "tax_amount")
    add("Total amount", "total_amount")
    add("Amount due", "amount_due")
    add("IBAN", "iban")
    return "\n".join(lines)
