"""Table layouts as WeasyPrint prints HTML invoices (tests/weasypdf.py; drawn here with reportlab at the
positions WeasyPrint prints them, so no Pango is needed); tests/integration/test_weasy_invoices.py prints
and checks the same documents.

- a row of header cells over a row of value cells, the headers left-aligned in their cells (WeasyPrint's
  ``th``) and the values centred (``td style='text-align:center'``): no header lines up with its value by
  an edge or its middle, yet each value stands in its header's place between the neighbouring headers;
- bordered, padded cells put the value row more than two lines' height under the header row.
"""

from __future__ import annotations

import random

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.invoicegen import iban
from tests.unit.test_offline_web_layouts import Text, _table, parties, placed_pdf, values
from zapdoc.domain.documents import DocumentText
from zapdoc.domain.fields import parse_fields
from zapdoc.extraction.offline import OfflineExtractor

SIZE = 8.7
LEFT, WIDTH, PAD = 40.0, 172.0, 6.0  # three cells of a full-width table, their padding


def _meta_cells(heads: tuple[str, str, str], cells: tuple[str, str, str], *, gap: float) -> list[Text]:
    texts: list[Text] = [(260, 40, 18, "Helvetica-Bold", "INVOICE")]
    row: list[Text] = []
    for k, (head, value) in enumerate(zip(heads, cells, strict=True)):
        x0, middle = LEFT + k * WIDTH, LEFT + k * WIDTH + WIDTH / 2
        texts.append((x0 + PAD, 80, SIZE, "Helvetica-Bold", head))  # a row is drawn left to right
        row.append((middle - stringWidth(value, "Helvetica", SIZE) / 2, 80 + gap, SIZE, "Helvetica", value))
    texts += row
    texts += [(45, 130, 10, "Helvetica", "Kestrel Design Ltd"), (45, 143, 10, "Helvetica", "12 King Street"),
              (45, 156, 10, "Helvetica", "Leeds LS1 5DL")]  # fmt: skip
    return texts + _table(200)


@pytest.mark.parametrize(
    ("heads", "cells", "expected"),
    [(("INVOICE NUMBER", "ISSUE DATE", "DUE"), ("82AD2B33-4495", "18/10/2026", "2 Nov 2026"),
      ("82AD2B33-4495", "2026-10-18", "2026-11-02")),
     (("INVOICE #", "ISSUE DATE", "DATE DUE"), ("2026-4084", "22 Aug 2025", "29 August 2025"),
      ("2026-4084", "2025-08-22", "2025-08-29")),
     (("INVOICE NUMBER", "ISSUE DATE", "PAYMENT DUE"), ("#1320", "Jun 9, 2025", "July 9, 2025"),
      ("1320", "2025-06-09", "2025-07-09"))],
)  # fmt: skip
def test_values_centred_under_left_aligned_header_cells_are_read_by_their_place(
    heads: tuple[str, str, str], cells: tuple[str, str, str], expected: tuple[str, str, str]
) -> None:
    # GIVEN header cells left-aligned over values centred in the same cells, a line and a half apart
    got = values(placed_pdf(_meta_cells(heads, cells, gap=1.6 * SIZE)))
    # WHEN read THEN each value is its header's
    assert (got["invoice_number"], str(got["issue_date"]), str(got["due_date"])) == expected


def test_a_value_row_of_padded_cells_more_than_two_lines_under_its_headers_is_read() -> None:
    # GIVEN header cells left-aligned over values centred in them, the value row 2.6 font sizes under
    # the headers (each cell's padding and border between them)
    heads, cells = ("INVOICE NO.", "INVOICE DATE", "DUE DATE"), ("INV20263554", "Apr 5, 2026", "May 20, 2026")
    got = values(placed_pdf(_meta_cells(heads, cells, gap=2.6 * SIZE)))
    # WHEN read THEN the due date is the value under its header
    assert (got["invoice_number"], str(got["issue_date"]), str(got["due_date"])) == (
        "INV20263554", "2026-04-05", "2026-05-20")  # fmt: skip


@pytest.mark.parametrize(
    ("billing", "shipping"),
    [(("Billing address",), ("Shipping", "address")), (("Billing", "address"), ("Shipping", "address")),
     (("Rechnungsadresse",), ("Liefer-", "adresse")), (("Bill to",), ("Ship", "to"))],
)  # fmt: skip
def test_a_heading_wrapped_in_a_narrow_column_is_one_heading(
    billing: tuple[str, ...], shipping: tuple[str, ...]
) -> None:
    # GIVEN a shop's invoice: the brand as a web address top left, and under it two narrow columns, the
    # billing address and the delivery address, whose headings the columns wrap over two lines
    texts: list[Text] = [(45, 40, 28, "Helvetica-BoldOblique", "schaefermetallbau.de"),
                         (-550, 46, 8, "Helvetica", "info@schaefermetallbau.de"),
                         (-550, 54, 8, "Helvetica", "+49 30 4123476"),
                         (45, 91, 16, "Helvetica-Bold", "Invoice")]  # fmt: skip
    buyer = ["Gebr. Lindner", "GmbH", "Anna-Lena Schulz", "Lindenallee 51", "04109 Leipzig"]
    delivery = ["Tobias Wagner", "Bahnhofstr. 49", "04109 Leipzig"]
    for x, lines, heads in ((45, buyer, billing), (190, delivery, shipping)):
        top = 116.0
        for head in heads:
            texts.append((x, top, 12, "Times-Bold", head))
            top += 14
        for line in lines:
            texts.append((x, top, 12, "Times-Roman", line))
            top += 14
    texts += [(340, 117, 12, "Times-Roman", "Invoice no. F2025-9287"),
              (340, 133, 12, "Times-Roman", "Invoice date 25 August 2025")]  # fmt: skip
    # WHEN read THEN the buyer is the billing address's company, not a word of the delivery heading
    got = values(placed_pdf(texts + _table(260)))
    assert got["buyer_name"] == "Gebr. Lindner GmbH"


@pytest.mark.parametrize("name", ["Daan Bos", "Ontwerpstudio Lotte van Dijk", "Timmerwerken Eva Mulder"])
def test_a_letterhead_name_with_its_address_column_beside_it_is_the_vendor(name: str) -> None:
    # GIVEN a sole trader's letterhead: the name in big print top left, no legal form, and its address,
    # contact and registration in small print flush right on the same band (a flex row), so the text
    # layer reads the name and the street as one line; the buyer under "Aan:" further down
    texts: list[Text] = [(45, 40, 17, "Helvetica-Bold", name)]
    for k, line in enumerate(["Havenkade 122", "3011 HE Rotterdam", "+31 20 1571600", "billing@example.nl",
                              "KvK-nummer: 92663368", "BTW-nummer: NL927534393B53"]):  # fmt: skip
        texts.append((-550, 36 + 8 * k, 6.5, "Helvetica", line))
    texts += [(45, 125, 15, "Helvetica-Bold", "FACTUUR"), (45, 153, 9.5, "Helvetica-Bold", "Aan:"),
              (45, 165, 9.5, "Helvetica", "Van den Berg & Zn. B.V."),
              (45, 177, 9.5, "Helvetica", "Kerkstraat 61"),
              (45, 189, 9.5, "Helvetica", "9711 LM Groningen"),
              (400, 153, 9.5, "Helvetica", "Factuurnummer 2025/8614"),
              (400, 165, 9.5, "Helvetica", "Factuurdatum 15-03-2025")]  # fmt: skip
    # WHEN read THEN the name beside its address column is the vendor
    assert parties(placed_pdf(texts + _table(260))) == (name, "Van den Berg & Zn. B.V.")


@pytest.mark.parametrize(("country", "seed"), [("NL", 1), ("NL", 2), ("GB", 3)])
def test_an_iban_with_a_letter_bank_code_wrapped_in_a_narrow_footer_column(country: str, seed: int) -> None:
    # GIVEN a footer column too narrow for the IBAN: its last group wraps to the next line, and the group
    # after the check digits is the bank's letter code ("NL18 NZIP 7801 4233" / "66")
    number = iban(random.Random(seed), country)
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    lines = ["Rechnung 2025-118", "Totaal 100,00 EUR", "Bank", f"IBAN: {' '.join(groups[:-1])}", groups[-1],
             "BIC: INGBNL2A"]  # fmt: skip
    doc = DocumentText("factuur.pdf", ("\n".join(lines),), 1)
    # WHEN read THEN the IBAN is whole
    assert OfflineExtractor().extract(doc, parse_fields("iban:text")).values["iban"].value == number


@pytest.mark.parametrize(
    ("first", "rest"),
    [("Übersetzungsbüro Sabine", "Krüger"), ("Ontwerpstudio Pieter", "Visser"), ("Atelier Marie", "Dubois")],
)
def test_a_name_wrapped_in_a_narrow_party_column_is_joined_as_the_footer_prints_it(
    first: str, rest: str
) -> None:
    # GIVEN a sole trader's name wrapped by a narrow "Auftragnehmer" column (no legal form to end it),
    # and the footer printing it whole
    texts: list[Text] = [(45, 40, 16, "Helvetica-Bold", "Rechnung"),
                         (45, 80, 11, "Helvetica-Bold", "Auftragnehmer"), (45, 94, 11, "Helvetica", first),
                         (45, 108, 11, "Helvetica", rest), (45, 122, 11, "Helvetica", "Mühlenstraße 114"),
                         (45, 136, 11, "Helvetica", "20095 Hamburg"),
                         (300, 80, 11, "Helvetica-Bold", "Auftraggeber"),
                         (300, 94, 11, "Helvetica", "JVK Bouw B.V."),
                         (300, 108, 11, "Helvetica", "Stationsweg 108"),
                         (300, 122, 11, "Helvetica", "1012 AB Amsterdam"),
                         (45, 800, 8, "Helvetica", f"{first} {rest} · Mühlenstraße 114")]  # fmt: skip
    # WHEN read THEN the vendor is the whole name
    assert parties(placed_pdf(texts + _table(200))) == (f"{first} {rest}", "JVK Bouw B.V.")
