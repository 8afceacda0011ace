"""Layouts and wording of invoices typed into a word processor (tests/docxinvoices.py, printed by
LibreOffice Writer in tests/integration/test_docx_invoices.py), on reportlab documents of the same
structure: the legal note of a seller who charges no VAT ("TVA non applicable, art. 293 B du CGI"),
which names the tax and then a number that is no amount; the "Montant HT" heading of the items table,
under which stand line items; a letter's "An:" / "À :" over the buyer's address, with the invoice's
number and date at a tab stop on the same lines; a line starting with an accented capital ("À
l'attention de"), whose glyph box is taller than its neighbours'; a letterhead's small address line
over the return address above the envelope window.
"""

from __future__ import annotations

import io
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.pdfs import make_pdf
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.context import build_context
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf


def _extract(pdf: bytes) -> dict[str, object]:
    got = OfflineExtractor(ocr=False).extract(
        inspect_pdf(Source("word.pdf", pdf)), template_fields("invoice")
    )
    return {name: fv.value for name, fv in got.values.items()}


@pytest.mark.parametrize(
    ("title", "head", "total", "note"),
    [
        (
            "Facture",
            "Désignation Qté P.U. HT Montant HT",
            "Total 1 846,50 €",
            "TVA non applicable, art. 293 B du CGI.",
        ),
        (
            "Invoice",
            "Description Qty Price Amount",
            "Total £1,846.50",
            "VAT not applicable: not VAT registered.",
        ),
        (
            "Factuur",
            "Omschrijving Aantal Prijs Bedrag",
            "Totaal € 1.846,50",
            "Btw vrijgesteld, art. 25 Wet OB.",
        ),
    ],
)
def test_a_no_vat_note_gives_no_tax_amount(title: str, head: str, total: str, note: str) -> None:
    # GIVEN the invoice of a seller who charges no VAT: items, a total, and the legal note saying so
    text = (
        f"Atelier Sonnenhof\n12 rue Pasteur\n31000 Toulouse\n{title} F-2025/031\nDate 17/06/2025\n"
        f"Oosterhout Distribution SA\n{head}\nConseil 3 615,50 1 846,50\n{total}\n{note}"
    )
    # WHEN it is extracted
    got = _extract(make_pdf([text]))
    # THEN the note's article number is no tax amount, and the total is the total
    assert got["tax_amount"] is None
    assert got["total_amount"] == Decimal("1846.50")


def test_an_amount_heading_of_the_items_table_is_no_net_amount() -> None:
    # GIVEN an invoice without VAT whose items table heads its last column "Montant HT" (net amount), and
    # whose only sum is the total
    text = (
        "Atelier Sonnenhof\n12 rue Pasteur\n31000 Toulouse\nFacture F-2025/032\nDate 17/06/2025\n"
        "Oosterhout Distribution SA\nDésignation Qté P.U. HT Montant HT\nConseil 4 1 063,90 4 255,60\n"
        "Formation 3 267,13 801,39\nTotal 5 056,99 €\nTVA non applicable, art. 293 B du CGI."
    )
    # WHEN it is extracted
    got = _extract(make_pdf([text]))
    # THEN the first line item is not taken for the invoice's net amount (none, or the total itself)
    assert got["net_amount"] in (None, Decimal("5056.99"))
    assert got["total_amount"] == Decimal("5056.99")


Run = tuple[float, float, float, str]  # x, y from the top (points), font size, text


def _page(runs: list[Run], font: str = "Helvetica") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    for x, y, size, text in runs:
        c.setFont(font, size)
        c.drawString(x, height - y, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _rows(x: float, y: float, lines: list[str], size: float = 10, step: float = 14) -> list[Run]:
    return [(x, y + step * i, size, line) for i, line in enumerate(lines)]


_TOTALS = ["Bezeichnung Menge Einzelpreis Gesamt", "Wartung 2 150,00 300,00", "Nettobetrag 300,00"]


@pytest.mark.parametrize(
    ("heading", "buyer", "meta", "sums"),
    [
        (
            "An:",
            "Kronberg Zahnarztpraxis AG",
            ["Rechnungs-Nr.: F-2025/054", "Datum: 13.03.2025", "Zahlbar bis: 12.04.2025"],
            [*_TOTALS, "USt. 19 % 57,00", "Rechnungsbetrag 357,00 €"],
        ),
        (
            "À :",
            "Kronberg Formation SA",
            ["Facture N°: INV-0129", "Date: 23/02/2025", "Échéance: 05/03/2025"],
            ["Désignation Qté P.U. HT Montant HT", "Conseil 2 150,00 300,00", "Total HT 300,00",
             "TVA 20 % 60,00", "Total TTC 360,00 €"],
        ),
    ],
)  # fmt: skip
def test_a_letters_to_heading_heads_the_buyer_beside_the_invoice_details(
    heading: str, buyer: str, meta: list[str], sums: list[str]
) -> None:
    # GIVEN a letter-style invoice: the sender centred on top, then "An:" (or "À :") over the buyer's
    # address on the left, the invoice's number and dates at a right tab stop on the same lines
    runs: list[Run] = [(200, 50, 16, "Foxglove Elektrotechnik"), (220, 70, 9, "Marktplatz 4 · 01067 Dresden")]
    runs += _rows(60, 120, [heading, buyer, "Schillerweg 147", "80331 München"])
    runs += _rows(360, 120, meta)
    runs += _rows(60, 220, sums)
    # WHEN it is extracted
    got = _extract(_page(runs))
    # THEN the heading is no part of the buyer's name
    assert got["buyer_name"] == buyer


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_a_line_starting_with_an_accented_capital_keeps_its_neighbours_size() -> None:
    # GIVEN an address block in an embedded font, one line starting with "À" (its glyph box reaches
    # above the font's ascent)
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    lines = [
        "Glenwood Immobilier SAS",
        "À l'attention de Lena Hoffmann",
        "Échéance 23/07/2025",
        "67000 Strasbourg",
    ]
    # WHEN its text layer is read
    segments = inspect_pdf(
        Source("accents.pdf", _page(_rows(60, 140, lines, step=13), "DejaVuSans"))
    ).segments
    # THEN every line has the block's size and stands one line step under the other
    sizes = [round(s.size, 1) for s in segments]
    steps = {round(b.top - a.top, 1) for a, b in itertools.pairwise(segments)}
    assert len(set(sizes)) == 1, sizes
    assert steps == {13.0}, steps


def test_the_return_address_is_the_line_just_over_the_window_not_the_letterheads() -> None:
    # GIVEN a sole trader's letterhead (name, then a small "street · place · phone" line) and, just over the
    # envelope window, the return line that names the sender; no legal form anywhere
    runs: list[Run] = [
        (63, 41, 16, "Claire Morel Auto Repair"),
        (63, 60, 8, "96 Main Street · Denver, CO 80202 · (708) 555-7680"),
        (63, 80, 7, "Claire Morel Auto Repair · 96 Main Street · Denver, CO 80202"),
    ]
    runs += _rows(63, 94, ["Rosental Realty Inc.", "41 Main Street", "Austin, TX 78701"], step=15)
    runs += _rows(330, 175, ["INVOICE #: INV-3705", "DATE: 05/22/2025", "DUE DATE: 06/21/2025"], step=15)
    runs += _rows(63, 250, ["DESCRIPTION QTY UNIT PRICE AMOUNT", "Delivery 1 352.41 352.41", "TOTAL $352.41"])
    pdf = _page(runs)
    # WHEN its layout is read and it is extracted
    layout = build_context(inspect_pdf(Source("letter.pdf", pdf))).layout
    got = _extract(pdf)
    # THEN the return address is the line just over the window, the sender its name, the buyer the window's
    assert layout is not None
    returned = [b.lines[0] for b in layout.of_role("sender") if b.reason == "return address"]
    assert returned == ["Claire Morel Auto Repair · 96 Main Street · Denver, CO 80202"]
    assert got["vendor_name"] == "Claire Morel Auto Repair"
    assert got["buyer_name"] == "Rosental Realty Inc."


@pytest.mark.parametrize(
    ("sentence", "due"),
    [
        ("Bitte überweisen Sie den Rechnungsbetrag von 1.428,00 € bis zum 26.07.2025.", "2025-07-26"),
        ("Please transfer the amount of £1,428.00 by 26 July 2025 to the account below.", "2025-07-26"),
        ("Please remit $1,428.00 by July 26, 2025.", "2025-07-26"),
        ("Merci de régler la somme de 1 428,00 € avant le 26/07/2025 par virement.", "2025-07-26"),
        ("Wij verzoeken u het bedrag van € 1.428,00 vóór 26-07-2025 over te maken.", "2025-07-26"),
    ],
)  # fmt: skip
def test_the_due_date_of_a_payment_sentence_naming_the_amount(sentence: str, due: str) -> None:
    # GIVEN a business letter whose only due date stands in its payment sentence, after the amount to pay
    text = (
        "Foxglove Elektrotechnik\nMarktplatz 4\n01067 Dresden\nKronberg Handel GmbH\nSchillerweg 147\n"
        "80331 München\nDresden, 13.07.2025\nRechnung Nr. 2025-117\nWartung 2 600,00 1.200,00\n"
        f"Nettobetrag 1.200,00\nUSt. 19 % 228,00\nRechnungsbetrag 1.428,00 €\n{sentence}"
    )
    # WHEN it is extracted
    got = _extract(make_pdf([text]))
    # THEN the date after the deadline word is the due date
    assert str(got["due_date"]) == due


def test_a_senders_name_wrapped_in_its_text_box_over_the_address_is_read_whole() -> None:
    # GIVEN a sender's name in big print that a narrow text box wrapped over two lines, its address and
    # contact under it in small print, the buyer's window address left below; no legal form
    runs: list[Run] = [(340, 54, 11, "Westbrook Cleaning"), (340, 68, 11, "Services")]
    runs += _rows(340, 84, ["97 Queens Avenue", "Exeter EX4 3SR", "Phone 01603 827 390"], size=9, step=12)
    runs += _rows(63, 144, ["Glenwood Hotels Ltd", "92 Castle Street", "Exeter EX4 3SR"], step=14)
    runs += _rows(340, 200, ["Invoice No.: 48289", "Date: 13/11/2025", "Due date: 27/11/2025"], step=14)
    runs += _rows(
        63, 300, ["INVOICE", "Description Qty Price Amount", "Cleaning 4 90.00 360.00", "Total £360.00"]
    )
    # WHEN it is extracted
    got = _extract(_page(runs))
    # THEN the name is both lines
    assert got["vendor_name"] == "Westbrook Cleaning Services"


@pytest.mark.parametrize(
    ("lines", "number", "order"),
    [
        (["Invoice ref.: 68144", "Date: 17/06/2025", "Your order: PO-4410"], "68144", "PO-4410"),
        (["Factuurnr. 2025-684", "Datum 17-06-2025", "Inkoopordernummer PO-70064"], "2025-684", "PO-70064"),
        (["Rechnung Nr. F-2025/054", "Datum 17.6.25", "Ihr Auftrag 4500320440"], "F-2025/054", "4500320440"),
        (["Rechnungsnummer 2024-286", "Datum 17.06.2025", "Ihr Auftrag PO-92189"], "2024-286", "PO-92189"),
    ],
)  # fmt: skip
def test_reference_labels_of_word_templates(lines: list[str], number: str, order: str) -> None:
    # GIVEN an invoice whose number or order reference stands after a template's own wording ("Invoice
    # ref.", Dutch "Inkoopordernummer" = purchase order number, German "Ihr Auftrag" = your order)
    text = "\n".join(["Westbrook Cleaning Ltd", "97 Queens Avenue", "Exeter EX4 3SR", "INVOICE", *lines])
    # WHEN it is extracted
    got = _extract(make_pdf([f"{text}\nCleaning 4 90,00 360,00\nTotal 360,00 EUR"]))
    # THEN the number and the whole order reference ("PO-" included) are read
    assert (got["invoice_number"], got["order_number"]) == (number, order)
