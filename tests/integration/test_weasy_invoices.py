"""The generated English and European HTML invoices (tests/htmlinvoices_en.py, tests/htmlinvoices_eu.py)
printed by WeasyPrint instead of Chromium: every field of every seed.

WeasyPrint writes another text layer (HarfBuzz-shaped runs with kerning, subset fonts, its own line
breaking and table layout: ``th`` left-aligned in WeasyPrint's stylesheet where Chromium centres it, flex
only partly supported), so the same documents test other reading paths. All seeds are printed in one
module fixture. ``KNOWN_GAPS`` lists the (family, seed, field) triples still wrong, by cause; the test
fails on any other miss, and when a known gap is fixed (strike it).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests import htmlinvoices_en, htmlinvoices_eu
from tests.printedinvoices import invoice_values, is_right
from tests.weasypdf import html_to_pdfs_weasy, need_weasyprint

EN_SEEDS = range(84)  # 12 of each of the seven designs
EU_SEEDS = range(72)  # 12 of each of the six designs

# (family, seed, field) still wrong, by cause. Strike a triple when a fix makes it right.
_GAPS: dict[str, tuple[tuple[str, int, str], ...]] = {}
KNOWN_GAPS: frozenset[tuple[str, int, str]] = frozenset(t for triples in _GAPS.values() for t in triples)

EU_FIELDS = ("invoice_number", "issue_date", "due_date", "vendor_name", "buyer_name", "vendor_vat_id",
             "buyer_vat_id", "iban", "total_amount", "tax_amount", "net_amount", "currency",
             "order_number")  # fmt: skip

# family, seed, design, truth, extracted values
Read = tuple[str, int, str, dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def read() -> list[Read]:
    need_weasyprint()
    docs: list[tuple[str, htmlinvoices_en.HtmlInvoice | htmlinvoices_eu.GeneratedHtml]]
    docs = [("en", htmlinvoices_en.generate(seed)) for seed in EN_SEEDS]
    docs += [("eu", htmlinvoices_eu.generate(seed)) for seed in EU_SEEDS]
    pdfs = html_to_pdfs_weasy([g.html for _, g in docs])
    named = [(f"weasy-{family}-{g.seed}.pdf", pdf) for (family, g), pdf in zip(docs, pdfs, strict=True)]
    values = invoice_values(named)
    return [(family, g.seed, g.design, g.truth, got) for (family, g), got in zip(docs, values, strict=True)]


def _fields(family: str) -> tuple[str, ...]:
    return htmlinvoices_en.FIELDS if family == "en" else EU_FIELDS


def test_every_field_of_every_seed(read: list[Read]) -> None:
    # GIVEN invoices of thirteen designs printed by WeasyPrint, WHEN extracted, THEN every field is right
    wrong = {
        (family, seed, f): f"{family} {seed} {design} {f}: expected {truth[f]!r} got {got.get(f)!r}"
        for family, seed, design, truth, got in read
        for f in _fields(family)
        if f in truth and not is_right(f, truth[f], got.get(f))
    }
    new = [text for key, text in sorted(wrong.items()) if key not in KNOWN_GAPS]
    fixed = sorted(KNOWN_GAPS - wrong.keys())
    asked = Counter((family, f) for family, _, _, truth, _ in read for f in _fields(family) if f in truth)
    missed = Counter((family, f) for family, _, f in wrong)
    summary = ", ".join(f"{fam}:{f} {n - missed[fam, f]}/{n}" for (fam, f), n in sorted(asked.items()))
    assert not new, f"{summary}\n" + "\n".join(new)
    assert not fixed, f"fixed, strike from KNOWN_GAPS: {fixed}"


def test_vendor_and_buyer_are_never_the_same(read: list[Read]) -> None:
    same = [
        (fam, seed)
        for fam, seed, _, _, got in read
        if got["vendor_name"] and got["vendor_name"] == got["buyer_name"]
    ]
    assert not same
