"""E-invoices read exactly: embedded CII/UBL XML in PDFs and standalone XML e-invoices (made here)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from tests.einvoices import (
    BASIC_WL,
    Invoice,
    cii_xml,
    facturx_pdf,
    page_text,
    ubl_xml,
    with_attachment,
    zugferd1_xml,
)
from tests.pdfs import make_pdf
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.errors import InputError
from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import IGNORE_EINVOICE_ENV, OfflineExtractor
from zapdoc.inputs.archive import expand
from zapdoc.inputs.einvoice import (
    MAX_XML_BYTES,
    EInvoiceError,
    find_attachment,
    parse_xml,
    read_einvoice,
)
from zapdoc.inputs.pdf import count_pages, inspect_pdf
from zapdoc.inputs.sniff import EINVOICE_XML, sniff

INVOICE = template_fields("invoice")
KEY_FIELDS = ("invoice_number", "issue_date", "total_amount", "currency", "iban", "vendor_vat_id")


def _extract(data: bytes, *, ignore: bool = False) -> tuple[DocumentText, dict[str, object], list[str]]:
    doc = inspect_pdf(Source("e-invoice", data))
    result = OfflineExtractor(ignore_einvoice=ignore).extract(doc, INVOICE)
    return doc, {k: v.value for k, v in result.values.items()}, result.notes


def test_embedded_cii_values_come_from_the_xml_with_full_confidence() -> None:
    # GIVEN a Factur-X PDF whose page and XML show the same invoice
    inv = Invoice()
    doc = inspect_pdf(Source("facturx.pdf", facturx_pdf(inv)))
    # WHEN the offline extractor reads it
    result = OfflineExtractor(ignore_einvoice=False).extract(doc, INVOICE)
    # THEN every field the XML carries has its value, confidence 1 and the XML as evidence
    values = result.values
    assert doc.xml is not None
    assert values["invoice_number"].value == "RE-2025-0815"
    assert values["issue_date"].value == dt.date(2025, 3, 14)
    assert values["due_date"].value == dt.date(2025, 4, 13)
    assert values["vendor_name"].value == "Havel Lichttechnik GmbH"
    assert values["vendor_vat_id"].value == "DE811569869"
    assert values["buyer_name"].value == "Brasserie du Port SARL"
    assert values["buyer_vat_id"].value == "FR40303265045"
    assert values["order_number"].value == "PO-7781"
    assert values["iban"].value == "DE02120300000000202051"
    assert values["currency"].value == "EUR"
    assert (values["net_amount"].value, values["tax_amount"].value) == (1250.0, 237.5)
    assert values["total_amount"].value == 1487.5
    assert values["vendor_email"].value == "rechnung@havel-licht.de"
    for name in KEY_FIELDS:
        assert values[name].confidence == 1.0
        evidence = values[name].evidence
        assert evidence is not None
        assert evidence.snippet.startswith("embedded e-invoice XML: ")
        assert values[name].note == ""
    rows = values["line_items"].value
    assert isinstance(rows, list)
    assert [(r["description"], r["quantity"], r["unit_price"], r["amount"]) for r in rows] == [  # type: ignore[index]
        ("Pendelleuchte Messing", 5, 210.0, 1050.0),
        ("Montage", 2.5, 80.0, 200.0),
    ]
    # AND no cross-check complaint: the page agrees
    assert result.notes == ["read from the embedded e-invoice XML (CII, urn:cen.eu:en16931:2017, invoice)"]


def test_a_page_that_disagrees_is_a_note_and_the_xml_wins_for_en16931() -> None:
    # GIVEN an EN 16931 e-invoice whose page prints another number and total than its XML
    page = Invoice().but(number="RE-2025-0999", total="1500.00")
    # WHEN it is extracted
    _, values, notes = _extract(facturx_pdf(Invoice(), page=page))
    # THEN the XML's values stand (it is the invoice), and a note names each disagreement
    assert values["invoice_number"] == "RE-2025-0815"
    assert values["total_amount"] == 1487.5
    assert any("invoice_number" in n and "RE-2025-0815" in n and "RE-2025-0999" in n for n in notes)
    assert any(n.startswith("total_amount:") and "1500" in n for n in notes)
    assert not any("issue_date" in n for n in notes)


def test_the_page_wins_for_a_basic_wl_booking_aid() -> None:
    # GIVEN a BASIC WL XML (a booking aid, not the invoice) and a page with another invoice number
    xml_inv = Invoice(profile=BASIC_WL)
    page = xml_inv.but(number="RE-2025-0999")
    # WHEN it is extracted
    _, values, notes = _extract(facturx_pdf(xml_inv, page=page))
    # THEN the printed number is taken, with a note; values the page confirms still come from the XML
    assert values["invoice_number"] == "RE-2025-0999"
    assert any("page is binding" in n and "basicwl" in n for n in notes)
    assert values["total_amount"] == 1487.5


def test_ignore_einvoice_measures_the_text_path_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an e-invoice whose page differs from its XML
    data = facturx_pdf(Invoice(), page=Invoice().but(number="RE-2025-0999"))
    # WHEN it is read with the option, or with the setting
    _, by_option, notes = _extract(data, ignore=True)
    monkeypatch.setenv(IGNORE_EINVOICE_ENV, "1")
    doc = inspect_pdf(Source("x.pdf", data))
    by_setting = OfflineExtractor().extract(doc, INVOICE)
    # THEN the values are the page's, never the XML's
    assert by_option["invoice_number"] == "RE-2025-0999"
    assert not any("e-invoice" in n for n in notes)
    assert by_setting.values["invoice_number"].value == "RE-2025-0999"
    ev = by_setting.values["invoice_number"].evidence
    assert ev is not None
    assert ev.page == 1
    # AND the setting off (or absent) reads the XML again
    monkeypatch.setenv(IGNORE_EINVOICE_ENV, "0")
    assert OfflineExtractor().extract(doc, INVOICE).values["invoice_number"].value == "RE-2025-0815"


def test_fields_the_xml_lacks_come_from_the_page() -> None:
    # GIVEN an e-invoice whose XML carries no phone, and a page that prints one
    text = page_text() + "\nTel.: +49 331 2345678\n"
    data = with_attachment(make_pdf([text]), "factur-x.xml", cii_xml())
    # WHEN extracted with a custom field list
    doc = inspect_pdf(Source("x.pdf", data))
    fields = [
        FieldSpec("invoice_number", FieldType.TEXT),
        FieldSpec("vendor_phone", FieldType.PHONE),
        FieldSpec("total", FieldType.AMOUNT),
    ]
    values = OfflineExtractor(ignore_einvoice=False).extract(doc, fields).values
    # THEN the phone is read from the page (evidence page 1), the rest from the XML
    assert values["vendor_phone"].value == "+493312345678"
    assert values["vendor_phone"].evidence is not None
    assert values["vendor_phone"].evidence.page == 1
    assert values["total"].value == 1487.5
    assert values["total"].confidence == 1.0


@pytest.mark.parametrize("credit_note", [False, True])
def test_standalone_ubl_xml_is_a_one_page_document(credit_note: bool) -> None:
    # GIVEN an XRechnung UBL invoice (or credit note) as a bare .xml file
    data = ubl_xml(Invoice(type_code="381" if credit_note else "380"), credit_note=credit_note)
    # WHEN it is sniffed, expanded, counted and extracted
    assert sniff(data) == EINVOICE_XML
    assert list(expand("rechnung.xml", data)) == [Source("rechnung.xml", data)]
    assert count_pages(data) == 1
    doc, values, notes = _extract(data)
    # THEN it is one page whose text a person (or an LLM) can read, and the values are the XML's
    assert doc.page_count == 1
    assert doc.pdf is None
    assert doc.has_text_layer
    assert "Invoice number: RE-2025-0815" in doc.pages[0]
    assert values["invoice_number"] == "RE-2025-0815"
    assert values["vendor_name"] == "Havel Lichttechnik GmbH"
    assert values["vendor_vat_id"] == "DE811569869"
    assert values["iban"] == "DE02120300000000202051"
    assert values["total_amount"] == 1487.5
    assert values["due_date"] == (None if credit_note else dt.date(2025, 4, 13))
    kind = "credit note" if credit_note else "invoice"
    assert notes[0].startswith("read from the e-invoice XML (UBL, ") and notes[0].endswith(f"{kind})")
    # AND with the option off the rendered text still yields the key values
    _, text_values, _ = _extract(data, ignore=True)
    assert text_values["invoice_number"] == "RE-2025-0815"
    assert text_values["total_amount"] == 1487.5


def test_standalone_cii_and_zugferd1_xml_are_read() -> None:
    # GIVEN Factur-X CII and ZUGFeRD 1 XML files on their own (one after a long licence comment)
    cii = cii_xml(comment=" Nutzungsrechte " * 2000)
    for data, syntax in ((cii, "CII"), (zugferd1_xml(), "ZUGFeRD 1")):
        # WHEN they are sniffed and read
        assert sniff(data) == EINVOICE_XML
        inv = read_einvoice(data)
        # THEN the syntax is told apart and the values are read on its paths
        assert inv.syntax == syntax
        assert inv.values["invoice_number"] == "RE-2025-0815"
        assert inv.values["issue_date"] == dt.date(2025, 3, 14)
        assert inv.values["order_number"] == "PO-7781"
        assert inv.values["total_amount"] == 1487.5


def test_an_xml_e_invoice_inside_a_zip_is_a_document() -> None:
    # GIVEN a zip holding a UBL invoice and an ordinary XML file
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("in/rechnung.xml", ubl_xml())
        zf.writestr("in/config.xml", b'<?xml version="1.0"?><config><a>1</a></config>')
    # WHEN it is expanded
    items = list(expand("batch.zip", buf.getvalue()))
    # THEN the e-invoice is a source, whole, and the other XML is refused with a reason
    by_name = {i.name: i for i in items}
    assert isinstance(by_name["batch.zip/in/rechnung.xml"], Source)
    assert by_name["batch.zip/in/rechnung.xml"].data == ubl_xml()
    assert "XML file" in getattr(by_name["batch.zip/in/config.xml"], "reason", "")


def test_other_xml_is_not_taken_for_an_e_invoice() -> None:
    # GIVEN XML files that are not e-invoices (wrong namespace, an SVG, an order)
    samples = [
        b'<?xml version="1.0"?><Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>',
        b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b'<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
    ]
    # WHEN sniffed
    # THEN none is an e-invoice
    assert [sniff(s) for s in samples] == ["an XML file", "an SVG image", "an XML file"]


def test_xml_with_a_dtd_or_entities_is_refused_and_never_expanded(tmp_path: object) -> None:
    # GIVEN an external-entity (XXE) attack and a billion-laughs bomb dressed as UBL invoices
    ns = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<Invoice xmlns="{ns}" xmlns:cbc="{cbc}"><cbc:ID>&x;</cbc:ID></Invoice>'
    ).encode()
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY l0 "lol">{lol}]>'
        f'<Invoice xmlns="{ns}" xmlns:cbc="{cbc}"><cbc:ID>&l9;</cbc:ID></Invoice>'
    ).encode()
    for data in (xxe, bomb):
        # WHEN sniffed and parsed
        # THEN it is not taken for an e-invoice, and parsing refuses the DTD without expanding it
        assert sniff(data) != EINVOICE_XML
        with pytest.raises(EInvoiceError, match="DTD"):
            parse_xml(data)
    # AND an oversized XML is refused before parsing
    with pytest.raises(EInvoiceError, match="10 MB"):
        parse_xml(b"<a>" + b" " * (MAX_XML_BYTES + 1) + b"</a>")


def test_a_malformed_standalone_e_invoice_is_a_clear_input_error() -> None:
    # GIVEN a UBL invoice cut off halfway
    data = ubl_xml()[:700]
    # WHEN it is inspected
    # THEN the reason says it is a broken XML e-invoice
    assert sniff(data) == EINVOICE_XML
    with pytest.raises(InputError, match="XML e-invoice cannot be read: the XML is malformed"):
        inspect_pdf(Source("cut.xml", data))


def test_an_unreadable_embedded_xml_falls_back_to_the_page_with_a_note() -> None:
    # GIVEN a PDF carrying a factur-x.xml that is not XML, and an ordinary PDF
    broken = with_attachment(make_pdf([page_text()]), "factur-x.xml", b"not xml at all")
    plain = make_pdf([page_text()])
    # WHEN they are inspected
    # THEN neither carries e-invoice XML, and the page still gives the values
    for data in (broken, plain):
        doc, values, _ = _extract(data)
        assert doc.xml is None
        assert values["invoice_number"] == "RE-2025-0815"


def test_attachments_are_chosen_by_standard_name_then_by_content() -> None:
    # GIVEN attachments: a picture, an unrelated XML, and an e-invoice under a non-standard name
    class Lazy(dict[str, list[bytes]]):
        read: list[str]

        def __getitem__(self, key: str) -> list[bytes]:
            self.read.append(key)
            return super().__getitem__(key)

    atts = Lazy({"photo.png": [b"\x89PNG"], "notes.xml": [b"<notes/>"], "INVOICE.XML": [ubl_xml()]})
    atts.read = []
    # WHEN the e-invoice is looked for
    found = find_attachment(atts)
    # THEN it is found by its content, and the picture was never read
    assert found is not None
    assert found[0] == "INVOICE.XML"
    assert "photo.png" not in atts.read
    # AND the standard name wins over any other XML
    named = find_attachment({"other.xml": [ubl_xml()], "factur-x.xml": [cii_xml()]})
    assert named is not None
    assert named[0] == "factur-x.xml"
