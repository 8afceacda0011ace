"""Text PDFs whose letterhead or footer is a picture: the sender's name, VAT id, IBAN and e-mail address
are printed in pixels, not in the text layer, and are read by Tesseract (offline extractor).

The documents are generated invoices (tests/invoicegen.py) whose letterhead or footer block is turned
into an image of itself (tests/scans.py ``pictured_pdf``): the page looks the same, the text layer
lacks the block. Each sweep reads every invoice with the pictures' OCR off and on.
"""

from __future__ import annotations

import random
import shutil
from typing import Any

import pytest

from tests.invoicegen import Generated, generate, random_options
from tests.scans import image_only_pdf, pictured_pdf
from zapdoc.domain.documents import DocumentText, Source, TextSegment
from zapdoc.domain.templates import template_fields
from zapdoc.extraction import ocr
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

INVOICE = template_fields("invoice")
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed (scripts/install-tesseract.sh)"
)
Box = tuple[float, float, float, float]


def letterhead_box(doc: DocumentText) -> Box:
    """The box around the first page's topmost block: the letterhead's name and the lines under it."""
    segs = sorted((s for s in doc.segments if s.page == 1), key=lambda s: s.top)
    block = [segs[0]]
    for seg in segs[1:]:
        step = seg.top - block[-1].top
        if step > 30 or (step > 16 and len(block) > 1):
            break
        aligned = len(block) == 1 or abs(seg.x0 - block[1].x0) < 4 or abs(seg.x1 - block[1].x1) < 4
        if aligned and step > 0:
            block.append(seg)
    return _around(block)


def footer_box(doc: DocumentText) -> tuple[int, Box]:
    """The last page and the box around what is printed in its bottom 125 points."""
    last = doc.page_count
    segs = [s for s in doc.segments if s.page == last]
    height = segs[0].page_height
    return last, _around([s for s in segs if s.top > height - 125])


def _around(segs: list[TextSegment]) -> Box:
    return (
        min(s.x0 for s in segs) - 3,
        min(s.top for s in segs) - 3,
        max(s.x1 for s in segs) + 3,
        max(s.top + s.size for s in segs) + 2,
    )


def pictured(g: Generated, where: str) -> DocumentText:
    """``g`` with its letterhead, its footer or both (``where``) turned into pictures."""
    plain = inspect_pdf(Source("generated.pdf", g.pdf))
    pdf = g.pdf
    if where in ("letterhead", "both"):
        pdf = pictured_pdf(pdf, letterhead_box(plain))
    if where in ("footer", "both"):
        page, box = footer_box(plain)
        pdf = pictured_pdf(pdf, box, page=page)
    return inspect_pdf(Source("pictured.pdf", pdf))


def right(gens: list[Generated], where: str, fields: tuple[str, ...], *, ocr_on: bool) -> dict[str, int]:
    """How many invoices give each field exactly as printed, with the pictures' OCR on or off."""
    counts = dict.fromkeys(fields, 0)
    extractor = OfflineExtractor(ocr=ocr_on)
    for g in gens:
        values = extractor.extract(pictured(g, where), INVOICE).values
        for name in fields:
            counts[name] += values[name].value == g.truth[name]
    return counts


def invoices(seeds: range, **fixed: Any) -> list[Generated]:
    return [generate(seed, random_options(random.Random(seed), **fixed)) for seed in seeds]


@needs_tesseract
def test_a_footer_set_as_a_picture_gives_the_vendors_name_vat_id_iban_and_email() -> None:
    # GIVEN invoices naming their vendor only in the footer, and that footer a picture (EN/FR/DE/NL)
    gens = invoices(range(24), sender="footer_only")
    fields = ("vendor_name", "vendor_vat_id", "iban", "vendor_email")
    # WHEN they are read with the pictures' OCR off, then on
    off = right(gens, "footer", fields, ocr_on=False)
    on = right(gens, "footer", fields, ocr_on=True)
    # THEN the text layer alone has none of them; read from the picture, nearly all
    assert off == dict.fromkeys(fields, 0)
    assert all(on[name] >= 21 for name in fields), on  # measured: 24 of 24 each


@needs_tesseract
def test_a_letterhead_and_footer_both_pictures_give_the_whole_sender() -> None:
    # GIVEN invoices whose letterhead (name, address, phone, e-mail) and footer are both pictures
    gens = invoices(range(24), sender="letterhead")
    fields = ("vendor_name", "vendor_vat_id", "iban", "vendor_email")
    # WHEN they are read with the pictures' OCR off, then on
    off = right(gens, "both", fields, ocr_on=False)
    on = right(gens, "both", fields, ocr_on=True)
    # THEN the text layer has the name at best (a return line over the window); the pictures give it all
    assert (off["vendor_vat_id"], off["iban"], off["vendor_email"]) == (0, 0, 0)
    assert off["vendor_name"] < 24
    assert all(on[name] >= 21 for name in fields), on  # measured: 24 of 24 each


@needs_tesseract
def test_pictures_are_read_only_when_the_text_layer_leaves_the_sender_unanswered() -> None:
    # GIVEN invoices whose letterhead is a picture, the name, VAT id and IBAN mostly printed as text too
    # (and, for the other way, invoices whose footer is a picture as well)
    answered = unanswered = 0
    for g, where in [
        (g, where) for g in invoices(range(6), sender="letterhead") for where in ("letterhead", "both")
    ]:
        doc = pictured(g, where)
        assert doc.pictures
        off = OfflineExtractor(ocr=False).extract(doc, INVOICE)
        name, vat, iban = (off.values[k] for k in ("vendor_name", "vendor_vat_id", "iban"))
        sure = name.value is not None and vat.value and iban.value
        # WHEN they are read with OCR on
        got = OfflineExtractor(ocr=True).extract(doc, INVOICE)
        read = any("read by OCR" in note for note in got.notes)
        # THEN Tesseract runs only when the text layer leaves the sender's name, VAT id or IBAN open;
        # otherwise the values are those of the text layer
        assert read != bool(sure), (g.options, name, vat.value, iban.value)
        if sure:
            answered += 1
            assert {k: v.value for k, v in got.values.items()} == {k: v.value for k, v in off.values.items()}
        else:
            unanswered += 1
    assert answered and unanswered  # both ways were seen


@needs_tesseract
def test_a_value_read_from_a_picture_says_so_and_is_marked_by_its_ocr_confidence() -> None:
    # GIVEN one invoice whose footer is a picture
    g = invoices(range(3, 4), sender="footer_only")[0]
    doc = pictured(g, "footer")
    # WHEN it is read
    got = OfflineExtractor(ocr=True).extract(doc, INVOICE)
    # THEN the vendor's VAT id is right, its note names OCR, its confidence is under the text layer's
    vat = got.values["vendor_vat_id"]
    assert vat.value == g.truth["vendor_vat_id"]
    assert "read by OCR from an image on the page" in vat.note
    text_layer = OfflineExtractor(ocr=True).extract(inspect_pdf(Source("g.pdf", g.pdf)), INVOICE)
    assert vat.confidence < text_layer.values["vendor_vat_id"].confidence
    assert any("text in the images of page" in note for note in got.notes)
    # ... and values from the text layer carry no OCR note
    assert "OCR" not in got.values["invoice_number"].note


def test_pictures_are_found_while_reading_and_text_over_a_picture_is_not_read_again() -> None:
    # GIVEN an invoice whose footer is a picture
    g = invoices(range(5, 6), sender="footer_only")[0]
    doc = pictured(g, "footer")
    # THEN reading the PDF found the picture, on the last page, where the footer was
    page, (x0, top, x1, bottom) = footer_box(inspect_pdf(Source("g.pdf", g.pdf)))
    assert [p.page for p in doc.pictures] == [page]
    assert doc.pictures[0].top == pytest.approx(top, abs=1.0)
    assert doc.pictures[0].x1 == pytest.approx(x1, abs=1.0)
    assert doc.pictures[0].bottom == pytest.approx(bottom, abs=1.0)
    # AND a picture with text-layer lines on it (a background, an OCR'd scan) is left alone
    on_top = TextSegment("IBAN DE02 1203 0000 0000 2020 51", page, x0 + 5, x0 + 200, top + 5, 9.0, 595, 842)
    assert ocr.image_text(doc.pdf or b"", doc.page_count, doc.pictures, (on_top,)) is None


def test_icons_and_full_page_photos_are_not_pictures_worth_reading() -> None:
    from zapdoc.inputs.layout import PICTURE_MAX_SHARE, PICTURE_MIN_SHARE

    # GIVEN an invoice with a 20 x 20 pt icon and nothing else pictured, and a scan (one page-sized image)
    g = invoices(range(1), sender="letterhead")[0]
    icon = pictured_pdf(g.pdf, (40, 800, 60, 820))
    scan = image_only_pdf(g.pdf)
    # THEN neither is a picture to read: too small, and a whole page (scans go to page OCR)
    assert inspect_pdf(Source("icon.pdf", icon)).pictures == ()
    assert inspect_pdf(Source("scan.pdf", scan)).pictures == ()
    assert 400 / (595 * 842) < PICTURE_MIN_SHARE < PICTURE_MAX_SHARE < 1


def test_without_tesseract_pictures_are_skipped_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN no tesseract on the PATH and an invoice whose footer is a picture
    monkeypatch.setenv("PATH", "/nonexistent")
    g = invoices(range(2, 3), sender="footer_only")[0]
    doc = pictured(g, "footer")
    # WHEN it is read
    got = OfflineExtractor(ocr=True).extract(doc, INVOICE)
    # THEN the rest is read as ever, with no note about OCR (a text PDF needs none)
    assert got.values["invoice_number"].value == g.truth["invoice_number"]
    assert not any("OCR" in note or "Tesseract" in note for note in got.notes)


@pytest.mark.parametrize(
    ("read", "closed"),
    [
        ("billing @ kestrel.fr", "billing@kestrel.fr"),
        ("E-Mail: info@ müller-bau.de", "E-Mail: info@müller-bau.de"),
        ("Tel. 0123 - billing @quartz.co.uk", "Tel. 0123 - billing@quartz.co.uk"),
        ("2 @ 5.00", "2 @ 5.00"),
        ("3 Stück @ 4,50 EUR", "3 Stück @ 4,50 EUR"),
    ],
)
def test_an_at_sign_read_as_a_word_of_its_own_is_closed_up_only_in_an_email_address(
    read: str, closed: str
) -> None:
    assert ocr._AT_GAP_RE.sub("@", read) == closed


def test_an_ocr_line_crossing_columns_is_one_row_of_text_but_one_segment_per_column() -> None:
    # GIVEN Tesseract's TSV of one line of three footer columns (word boxes in pixels at 300 dpi)
    words = [("Cobalt", 100, 300), ("Analytics", 320, 560), ("Btw-nummer:", 1100, 1400),
             ("NL759233275B24", 1420, 1800), ("IBAN:", 2300, 2420), ("NL60", 2440, 2560)]  # fmt: skip
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [f"5\t1\t1\t1\t1\t{i}\t{x0}\t3000\t{x1 - x0}\t30\t95\t{w}" for i, (w, x0, x1) in enumerate(words)]
    # WHEN the lines are built
    lines = ocr._lines("\n".join([header, *rows]), 1, 300 / 72, 595.0, 842.0)
    # THEN one line holds the row's words, and its segments part at the wide gaps
    assert [ln.text for ln in lines] == ["Cobalt Analytics Btw-nummer: NL759233275B24 IBAN: NL60"]
    assert [s.text for s in lines[0].pieces()] == [
        "Cobalt Analytics",
        "Btw-nummer: NL759233275B24",
        "IBAN: NL60",
    ]
    assert lines[0].pieces()[1].x0 == pytest.approx(1100 / (300 / 72))


@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        ("TVA: FRO6676255771 SIRET", "TVA: FR06676255771 SIRET"),  # O for 0, confirmed by the key
        ("USt-IdNr. DE 1234S6788", "USt-IdNr. DE123456788"),  # S for 5
        ("USt-IdNr. DE 1234S6789", "USt-IdNr. DE 1234S6789"),  # would fail its check digit: left alone
        ("NL OLIE BV", "NL OLIE BV"),
    ],
)
def test_a_vat_id_read_with_a_letter_for_a_digit_is_repaired_only_when_its_check_digits_pass(
    read: str, fixed: str
) -> None:
    from zapdoc.extraction.patterns import ocr_fixed_vat_ids

    assert ocr_fixed_vat_ids(read) == fixed
