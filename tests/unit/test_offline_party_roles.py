"""Trade roles head the parties of many invoices: landlord/tenant, insurer/policyholder, contractor/client,
practice/patient, carrier/passenger, and Dutch "Aan:" over the addressee (vocabulary/party_headings.json).

Each document is drawn with reportlab as the HTML family of tests/htmlinvoices_eu.py prints it: the title
and the invoice data on top, the two role-headed blocks side by side or one under the other, the items,
the totals and a footer line with the vendor's name. Without the roles the heading word is read as part
of the name ("Vermieter Falkenried Software OHG") or the buyer's block is taken for the vendor's.
"""

from __future__ import annotations

import io
import random

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.htmlinvoices_eu import ROLES, party
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

CASES = [(lang, roles) for lang, pairs in ROLES.items() for roles in pairs]


def _invoice(
    seed: int, lang: str, seller: str, buyer: str, title: str, *, side: bool
) -> tuple[bytes, str, str]:
    rng = random.Random(seed)
    home = {"de": "DE", "fr": "FR", "nl": "NL", "en": "DE"}[lang]
    v, b = party(rng, home), party(rng, home)
    buyer_name = b.person if buyer in ("Patient", "Fahrgast", "Passager", "Passenger") else b.name
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawString(50, height - 60, title)
    c.setFont("Helvetica", 10)
    for i, row in enumerate(("Nr.: 2025-0417", "Datum: 14.03.2025")):
        c.drawRightString(545, height - 60 - 13 * i, row)
    blocks = [
        (seller, [v.name, v.street, v.place, f"VAT: {v.vat}"]),
        (buyer, [buyer_name, b.street, b.place]),
    ]
    for k, (head, lines) in enumerate(blocks):
        x, top = (50 + 230 * k, height - 130) if side else (50, height - 130 - 80 * k)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(x, top, head)
        c.setFont("Helvetica", 10)
        for i, line in enumerate(lines, 1):
            c.drawString(x, top - 13 * i, line)
    y = height - 330
    for label, value in (("Netto", "1.000,00 €"), ("USt. 19 %", "190,00 €"), ("Gesamt", "1.190,00 €")):
        c.drawString(350, y, label)
        c.drawRightString(545, y, value)
        y -= 13
    c.setFont("Helvetica", 7)
    c.drawString(50, 60, f"{v.name} · {v.street} · {v.place} · IBAN {v.iban}")
    c.showPage()
    c.save()
    return buf.getvalue(), v.name, buyer_name


@pytest.mark.parametrize(("lang", "roles"), CASES, ids=[f"{lang}-{r[0]}" for lang, r in CASES])
@pytest.mark.parametrize("side", [True, False], ids=["side_by_side", "stacked"])
def test_trade_role_headings_name_the_vendor_and_the_buyer(
    lang: str, roles: tuple[str, str, str], side: bool
) -> None:
    # GIVEN an invoice whose parties are headed by their trade roles ("Vermieter" / "Mieter")
    seller, buyer, title = roles
    pdf, vendor_name, buyer_name = _invoice(
        len(seller) * 31 + len(buyer), lang, seller, buyer, title, side=side
    )
    # WHEN it is extracted
    got = OfflineExtractor(ocr=False).extract(
        inspect_pdf(Source("roles.pdf", pdf)), template_fields("invoice")
    )
    # THEN the vendor is the party under the vendor's role, the buyer the one under the buyer's
    assert got.values["vendor_name"].value == vendor_name
    assert got.values["buyer_name"].value == buyer_name


def test_dutch_aan_heads_the_addressee() -> None:
    # GIVEN a Dutch invoice: a sole trader's name on top (no legal form), "Aan:" over the client company
    rng = random.Random(4)
    v, b = party(rng, "NL", sole=True), party(rng, "NL")
    lines = [
        v.name,
        v.street,
        v.place,
        f"BTW-nummer: {v.vat}",
        "",
        "FACTUUR",
        "",
        "Aan:",
        b.name,
        b.street,
        b.place,
        "",
        "Factuurnummer: 2025-118",
        "Factuurdatum: 14-03-2025",
        "",
        "Totaal incl. btw: € 121,00",
    ]
    from tests.pdfs import make_pdf

    pdf = make_pdf(["\n".join(lines)])
    # WHEN it is extracted
    got = OfflineExtractor(ocr=False).extract(inspect_pdf(Source("aan.pdf", pdf)), template_fields("invoice"))
    # THEN the company under "Aan:" is the buyer, not the vendor, and the heading is no part of its name
    assert got.values["buyer_name"].value == b.name
    assert got.values["vendor_name"].value == v.name


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Grünwerk Gartenbau GmbH", "& Co. KG"),
        ("Weber Logistik UG", "(haftungsbeschränkt)"),
        ("Hansa Kontor Handel", "SE"),
        ("Dijkstra Installatietechniek", "B.V."),
    ],
)
def test_a_legal_form_broken_onto_the_next_line_by_a_narrow_column_stays_in_the_name(
    first: str, second: str
) -> None:
    # GIVEN the parties' blocks side by side in narrow columns, the buyer's name broken before (or inside)
    # its legal form, as a browser wraps it
    rng = random.Random(len(first))
    v = party(rng, "DE")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    c.setFont("Helvetica", 10)
    c.drawString(50, height - 60, "Rechnung")
    blocks = [
        ("Verkäufer", [v.name, v.street, v.place, f"USt-IdNr.: {v.vat}"]),
        ("Rechnungsadresse", [first, second, "Am Markt 13", "20095 Hamburg"]),
    ]
    for k, (head, lines) in enumerate(blocks):
        for i, line in enumerate([head, *lines]):
            c.drawString(50 + 170 * k, height - 110 - 13 * i, line)
    for i, row in enumerate(("Rechnungsnr.: 2025-0417", "Rechnungsdatum: 14.03.2025", "Gesamt: 1.190,00 €")):
        c.drawString(50, height - 240 - 13 * i, row)
    c.showPage()
    c.save()
    # WHEN it is extracted
    doc = inspect_pdf(Source("wrapped.pdf", buf.getvalue()))
    got = OfflineExtractor(ocr=False).extract(doc, template_fields("invoice"))
    # THEN the buyer's name is the whole name with its whole form
    assert got.values["buyer_name"].value == f"{first} {second}"
    assert got.values["vendor_name"].value == v.name
