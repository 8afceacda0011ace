"""A window-envelope letter (DIN 5008 style): the sender's return address in small print over the window,
the addressee's name, street and place in it. Two things a narrow window or an everyday name does:
- the return line is wrapped onto a second line ("... · Bahnhofstr. 113 ·" / "70173 Stuttgart"): it still
  frames the window (extraction/layout.py ``_return_line``), and the window still names the buyer;
- the addressee's name starts like a contact word ("Weber ...", "Telford ...", "Fontaine ..."): it is a
  name, not a "Web:" / "Tel" / "Fon" contact line (extraction/business.py ``_CONTACT_LINE_RE``).

Each letter is drawn with reportlab: a letterhead at the top right, the return line, the window address,
the invoice data as labels and values right of the window, three items, the totals and a registration
footer with the sender's VAT id and IBAN.
"""

from __future__ import annotations

import io
import random

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

from tests.htmlinvoices_eu import CITIES, FORMS, STEMS, STREETS
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

# names that begin with the letters of a contact word: Web(er), Tel(ford), Fon(taine), Mobil(ia), Fax(on)
CONTACT_LIKE = (
    "Weber Logistik AG",
    "Webster & Lamb GmbH",
    "Telford Glasbau GmbH",
    "Telemann Akustik KG",
    "Fontaine Conseil SARL",
    "Mobilia Wonen B.V.",
    "Faxon Druck GmbH",
    "Phonetik Sprachschule e.K.",
)


def _iban(rng: random.Random) -> str:
    bban = f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**9, 10**10)}"
    value = f"DE{mod_97_10.calc_check_digits(bban + 'DE')}{bban}"  # ISO 7064 check digits, as IBAN does
    assert stdnum_iban.is_valid(value)
    return value


def _letter(seed: int, buyer: str, *, wrap: bool) -> tuple[bytes, str]:
    rng = random.Random(seed)
    vendor = f"{rng.choice([s for s in STEMS['DE'] if s.split()[0] not in buyer])} {rng.choice(FORMS['DE'])}"
    street, (code, city) = f"{rng.choice(STREETS['DE'])} {rng.randrange(1, 200)}", rng.choice(CITIES["DE"])
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    width, height = A4
    c.setFont("Helvetica-Bold", 20)
    c.drawRightString(width - 50, height - 50, vendor.split(maxsplit=1)[0].upper())
    c.setFont("Helvetica", 7)
    back = f"{vendor} · {street} · {code} {city}"
    if wrap:  # the window is narrower than the line: it breaks after a separator or inside the place
        cut = rng.choice((back.rindex(" · ") + 2, back.rindex(" ")))
        lines = [back[:cut].strip(), back[cut:].strip()]
    else:
        lines = [back]
    for i, line in enumerate(lines):
        c.drawString(57, height - 120 - 8.5 * i, line)
        y = height - 120 - 8.5 * i
    b_street, (b_code, b_city) = (
        f"{rng.choice(STREETS['DE'])} {rng.randrange(1, 200)}",
        rng.choice(CITIES["DE"]),
    )
    c.setFont("Helvetica", 11)
    for i, line in enumerate((buyer, b_street, f"{b_code} {b_city}")):
        c.drawString(57, y - 18 - 13 * i, line)
    number = f"RE-{rng.randrange(10000, 99999)}"
    c.setFont("Helvetica", 8)
    for i, (label, value) in enumerate(
        (
            ("Rechnungsnr.", number),
            ("Rechnungsdatum", "16.06.2025"),
            ("Kundennr.", str(rng.randrange(1000, 9999))),
        )
    ):
        c.drawString(350, height - 120 - 12 * i, label)
        c.drawString(430, height - 120 - 12 * i, value)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(57, height - 250, f"Rechnung {number}")
    c.setFont("Helvetica", 9)
    y = height - 280
    for item, amount in (("Beratung", "1.200,00 €"), ("Montage", "300,00 €"), ("Material", "500,00 €")):
        c.drawString(57, y, item)
        c.drawRightString(540, y, amount)
        y -= 13
    for label, amount in (
        ("Nettobetrag", "2.000,00 €"),
        ("zzgl. 19 % USt.", "380,00 €"),
        ("Rechnungsbetrag", "2.380,00 €"),
    ):
        c.drawString(380, y - 8, label)
        c.drawRightString(540, y - 8, amount)
        y -= 13
    c.setFont("Helvetica", 7)
    iban = " ".join(_iban(rng)[i : i + 4] for i in range(0, 22, 4))
    for k, column in enumerate(
        (
            (vendor, street, f"{code} {city}"),
            (
                f"Amtsgericht {city}, HRB {rng.randrange(1000, 99999)}",
                f"USt-IdNr.: DE{rng.randrange(10**8, 10**9)}",
            ),
            ("Bankverbindung", f"IBAN: {iban}"),
        )
    ):
        for i, line in enumerate(column):
            c.drawString(57 + 170 * k, 70 - 9 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue(), vendor


def _names(pdf: bytes) -> tuple[object, object]:
    values = OfflineExtractor(ocr=False).extract(
        inspect_pdf(Source("brief.pdf", pdf)), template_fields("invoice")
    )
    return values.values["vendor_name"].value, values.values["buyer_name"].value


def test_a_return_line_wrapped_over_two_lines_still_frames_the_window() -> None:
    # GIVEN window letters whose small-print return line wraps onto a second line
    plain = [f"{s} {f}" for s in STEMS["DE"] for f in ("GmbH", "AG")]
    wrong = []
    for seed in range(12):
        buyer = random.Random(seed).choice(plain)
        pdf, vendor = _letter(seed, buyer, wrap=True)
        # WHEN each is extracted
        got = _names(pdf)
        # THEN the window's first line is the buyer, the return line's name the vendor
        if got != (vendor, buyer):
            wrong.append(f"seed {seed}: expected {(vendor, buyer)} got {got}")
    assert not wrong, "\n".join(wrong)


def test_an_addressee_named_like_a_contact_word_is_the_buyer() -> None:
    # GIVEN window letters to companies whose names begin like "Web", "Tel", "Fon", "Fax", "Mobil", "Phon"
    wrong = []
    for seed, buyer in enumerate(CONTACT_LIKE):
        pdf, vendor = _letter(100 + seed, buyer, wrap=seed % 2 == 1)
        # WHEN each is extracted
        got = _names(pdf)
        # THEN the name is read as the buyer's, not skipped as a contact line, and the vendor stays right
        if got != (vendor, buyer):
            wrong.append(f"{buyer}: got {got}")
    assert not wrong, "\n".join(wrong)
