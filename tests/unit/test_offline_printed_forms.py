"""Presentation forms in a text layer: non-breaking hyphens inside ids and phone numbers (HTML's
``&#8209;`` and word processors' "non-breaking hyphen", set so that a number does not wrap) and ligature
glyphs ("ﬃ" for "ffi"), which pdfium writes out but pypdf, the fallback reader, keeps. Both are read
as the plain print they stand for. Generated invoices, printed with DejaVu Sans (it has the glyphs)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from tests.pdfs import make_pdf
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import _pypdf_texts, inspect_pdf

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NB_HYPHEN = "\u2011"
HYPHEN = "\u2010"
LIGATURES = {"ffi": "\ufb03", "ff": "\ufb00", "fi": "\ufb01", "fl": "\ufb02"}
NAMES = (
    "Griffin Staffing Ltd",
    "Clifford & Flint LLP",
    "Official Coffee Supplies Ltd",
    "Fielding Waffles Ltd",
)


def _font() -> str:
    if not FONT.exists():
        pytest.skip("DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    return "DejaVuSans"


def _ligatured(text: str) -> str:
    for plain, glyph in LIGATURES.items():  # longest first: "ffi" before "ff" and "fi"
        text = text.replace(plain, glyph)
    return text


def _invoice(seed: int) -> tuple[str, dict[str, str]]:
    rng = random.Random(seed)
    name = NAMES[seed % len(NAMES)]
    prefix = rng.choice(("INV", "RE", "F"))
    number = f"{prefix}{NB_HYPHEN}{rng.randint(2023, 2026)}{NB_HYPHEN}{rng.randint(100, 999)}"
    phone = f"+44{NB_HYPHEN}20{HYPHEN}7946{NB_HYPHEN}{rng.randint(1000, 9999)}"
    day = rng.randint(13, 28)
    text = "\n".join(
        [
            _ligatured(name),
            f"{rng.randint(2, 90)} {_ligatured('Office')} Park, Leeds LS1 4AB",
            f"Phone: {phone}",
            "",
            "INVOICE",
            f"Invoice no.: {number}",
            f"Invoice date: {day} March 2025",
            "",
            "Bill to: Orion Retail plc, 4 High Street, York YO1 7HB",
            "Total due: £1,250.00",
        ]
    )
    digits = phone.replace(NB_HYPHEN, "").replace(HYPHEN, "")
    truth = {"vendor_name": name, "invoice_number": number.replace(NB_HYPHEN, "-"), "vendor_phone": digits}
    return text, truth


@pytest.mark.parametrize("seed", range(8))
def test_ids_and_phones_with_non_breaking_hyphens_and_names_in_ligatures_are_read(seed: int) -> None:
    text, truth = _invoice(seed)
    doc = inspect_pdf(Source(f"ligatures-{seed}.pdf", make_pdf([text], font=_font())))
    values = OfflineExtractor(ignore_einvoice=True, ocr=False).extract(doc, template_fields("invoice")).values
    assert values["invoice_number"].value == truth["invoice_number"]
    assert values["vendor_phone"].value == truth["vendor_phone"]
    assert values["vendor_name"].value == truth["vendor_name"]
    assert NB_HYPHEN not in doc.pages[0] and all(NB_HYPHEN not in s.text for s in doc.segments)


def test_the_fallback_reader_writes_ligature_glyphs_out() -> None:
    text, _ = _invoice(0)
    (page,) = _pypdf_texts(make_pdf([text], font=_font()), 1)
    assert "Griffin Staffing Ltd" in page and "Office Park" in page
    assert not any(glyph in page for glyph in LIGATURES.values())
