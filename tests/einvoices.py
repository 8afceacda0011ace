# ruff: noqa: E501  (XML templates read best one element per line)
"""E-invoices made for tests: CII (Factur-X / ZUGFeRD 2, ZUGFeRD 1) and UBL XML, and PDFs carrying them.

The XML follows the standards' element names and nesting; the values are the test's own. A PDF e-invoice
is a reportlab page (``tests.pdfs.make_pdf``) with the XML attached the way Factur-X prescribes (an
embedded file named ``factur-x.xml``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape

import pypdf

from tests.pdfs import make_pdf

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT_NS = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
EN16931 = "urn:cen.eu:en16931:2017"
BASIC_WL = "urn:factur-x.eu:1p0:basicwl"


@dataclass(frozen=True)
class Line:
    name: str
    quantity: str
    price: str
    amount: str


@dataclass(frozen=True)
class Invoice:
    """The values an e-invoice carries (strings as they are written in the XML)."""

    number: str = "RE-2025-0815"
    issue: dt.date = dt.date(2025, 3, 14)
    due: dt.date = dt.date(2025, 4, 13)
    seller: str = "Havel Lichttechnik GmbH"
    seller_vat: str = "DE811569869"
    seller_street: str = "Uferweg 3"
    seller_postcode: str = "14467"
    seller_city: str = "Potsdam"
    seller_email: str = "rechnung@havel-licht.de"
    buyer: str = "Brasserie du Port SARL"
    buyer_vat: str = "FR40303265045"
    order: str = "PO-7781"
    iban: str = "DE02120300000000202051"
    currency: str = "EUR"
    net: str = "1250.00"
    tax: str = "237.50"
    total: str = "1487.50"
    due_amount: str = "1487.50"
    type_code: str = "380"
    profile: str = EN16931
    lines: tuple[Line, ...] = field(
        default=(
            Line("Pendelleuchte Messing", "5", "210.00", "1050.00"),
            Line("Montage", "2.5", "80.00", "200.00"),
        )
    )

    def but(self, **changes: object) -> Invoice:
        return replace(self, **changes)  # type: ignore[arg-type]


def cii_xml(inv: Invoice = Invoice(), *, comment: str = "") -> bytes:
    """A Factur-X / ZUGFeRD 2 (CII D16B) invoice."""
    e = escape
    lines = "".join(
        f"""
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>{i}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{e(line.name)}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>{line.price}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{line.quantity}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{line.amount}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>"""
        for i, line in enumerate(inv.lines, start=1)
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
{f"<!--{comment}-->" if comment else ""}
<rsm:CrossIndustryInvoice xmlns:rsm="{CII_NS}" xmlns:ram="{RAM_NS}" xmlns:udt="{UDT_NS}">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{inv.profile}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{e(inv.number)}</ram:ID>
    <ram:TypeCode>{inv.type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{inv.issue:%Y%m%d}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>{lines}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{e(inv.seller)}</ram:Name>
        <ram:DefinedTradeContact>
          <ram:EmailURIUniversalCommunication><ram:URIID>{e(inv.seller_email)}</ram:URIID></ram:EmailURIUniversalCommunication>
        </ram:DefinedTradeContact>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>{inv.seller_postcode}</ram:PostcodeCode>
          <ram:LineOne>{e(inv.seller_street)}</ram:LineOne>
          <ram:CityName>{e(inv.seller_city)}</ram:CityName>
          <ram:CountryID>DE</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">046/123/45678</ram:ID></ram:SpecifiedTaxRegistration>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{inv.seller_vat}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>{e(inv.buyer)}</ram:Name>
        <ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{inv.buyer_vat}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{e(inv.order)}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{inv.currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{inv.iban}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime><udt:DateTimeString format="102">{inv.due:%Y%m%d}</udt:DateTimeString></ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{inv.net}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{inv.net}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{inv.currency}">{inv.tax}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{inv.total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{inv.due_amount}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
    return xml.encode("utf-8")


def zugferd1_xml(inv: Invoice = Invoice()) -> bytes:
    """A ZUGFeRD 1.0 (CrossIndustryDocument) invoice: the older element names."""
    e = escape
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ram:ID>{e(inv.number)}</ram:ID>
    <ram:TypeCode>{inv.type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{inv.issue:%Y%m%d}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{e(inv.seller)}</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{inv.seller_vat}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>{e(inv.buyer)}</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:ID>{e(inv.order)}</ram:ID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>{inv.currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{inv.iban}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:TaxBasisTotalAmount currencyID="{inv.currency}">{inv.net}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{inv.currency}">{inv.tax}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="{inv.currency}">{inv.total}</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>
"""
    return xml.encode("utf-8")


def ubl_xml(inv: Invoice = Invoice(), *, credit_note: bool = False) -> bytes:
    """An XRechnung / Peppol BIS 3 UBL 2.1 Invoice (or CreditNote)."""
    e = escape
    root = "CreditNote" if credit_note else "Invoice"
    qty = "CreditedQuantity" if credit_note else "InvoicedQuantity"
    lines = "".join(
        f"""
  <cac:{root}Line>
    <cbc:ID>{i}</cbc:ID>
    <cbc:{qty} unitCode="C62">{line.quantity}</cbc:{qty}>
    <cbc:LineExtensionAmount currencyID="{inv.currency}">{line.amount}</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>{e(line.name)}</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="{inv.currency}">{line.price}</cbc:PriceAmount></cac:Price>
  </cac:{root}Line>"""
        for i, line in enumerate(inv.lines, start=1)
    )
    due = "" if credit_note else f"<cbc:DueDate>{inv.due:%Y-%m-%d}</cbc:DueDate>"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</cbc:CustomizationID>
  <cbc:ID>{e(inv.number)}</cbc:ID>
  <cbc:IssueDate>{inv.issue:%Y-%m-%d}</cbc:IssueDate>
  {due}
  <cbc:{root}TypeCode>{inv.type_code}</cbc:{root}TypeCode>
  <cbc:DocumentCurrencyCode>{inv.currency}</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>04011000-12345-34</cbc:BuyerReference>
  <cac:OrderReference><cbc:ID>{e(inv.order)}</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PostalAddress>
      <cbc:StreetName>{e(inv.seller_street)}</cbc:StreetName><cbc:CityName>{e(inv.seller_city)}</cbc:CityName>
      <cbc:PostalZone>{inv.seller_postcode}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>{inv.seller_vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>{e(inv.seller)}</cbc:RegistrationName></cac:PartyLegalEntity>
    <cac:Contact><cbc:ElectronicMail>{e(inv.seller_email)}</cbc:ElectronicMail></cac:Contact>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyTaxScheme><cbc:CompanyID>{inv.buyer_vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>{e(inv.buyer)}</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount><cbc:ID>{inv.iban}</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="{inv.currency}">{inv.tax}</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{inv.currency}">{inv.net}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{inv.currency}">{inv.net}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{inv.currency}">{inv.total}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{inv.currency}">{inv.due_amount}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{lines}
</{root}>
"""
    return xml.encode("utf-8")


def page_text(inv: Invoice = Invoice(), *, lang: str = "de") -> str:
    """The invoice as a person reads it (German labels, German number and date formats)."""

    def de(amount: str) -> str:
        whole, _, cents = f"{float(amount):,.2f}".partition(".")
        return f"{whole.replace(',', '.')},{cents}"

    rows = "\n".join(
        f"{line.name}    {line.quantity.replace('.', ',')}    {de(line.price)}    {de(line.amount)}"
        for line in inv.lines
    )
    return f"""{inv.seller}
{inv.seller_street}, {inv.seller_postcode} {inv.seller_city}
USt-IdNr.: {inv.seller_vat}

Rechnungsempfänger:
{inv.buyer}
USt-IdNr.: {inv.buyer_vat}

Rechnung
Rechnungsnummer: {inv.number}
Rechnungsdatum: {inv.issue:%d.%m.%Y}
Fällig am: {inv.due:%d.%m.%Y}
Bestellnummer: {inv.order}

Beschreibung    Menge    Einzelpreis    Betrag
{rows}

Nettobetrag: {de(inv.net)} {inv.currency}
USt. 19 %: {de(inv.tax)} {inv.currency}
Gesamtbetrag: {de(inv.total)} {inv.currency}

IBAN: {inv.iban}
"""


def with_attachment(pdf: bytes, name: str, data: bytes) -> bytes:
    """``pdf`` with ``data`` attached as the embedded file ``name`` (as Factur-X writers do)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def facturx_pdf(inv: Invoice = Invoice(), *, page: Invoice | None = None, xml: bytes | None = None) -> bytes:
    """A PDF e-invoice: the page shows ``page`` (default: the same invoice), the XML carries ``inv``."""
    return with_attachment(make_pdf([page_text(page or inv)]), "factur-x.xml", xml or cii_xml(inv))
