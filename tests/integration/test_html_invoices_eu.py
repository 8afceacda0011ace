"""European business invoices printed by Chromium (tests/htmlinvoices_eu.py): every field of every seed.

All seeds are printed in one browser call (module fixture). ``KNOWN_GAPS`` lists the (seed, field) pairs
the offline extractor still gets wrong; the sweep test fails when one of them is fixed (strike it) or
when anything else breaks.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.htmlinvoices_eu import GeneratedHtml, generate
from tests.htmlpdf import html_to_pdfs, need_chromium
from tests.printedinvoices import invoice_values, is_right

SEEDS = range(120)
FIELDS = (
    "invoice_number",
    "issue_date",
    "due_date",
    "vendor_name",
    "buyer_name",
    "vendor_vat_id",
    "buyer_vat_id",
    "iban",
    "total_amount",
    "tax_amount",
    "net_amount",
    "currency",
    "order_number",
)

# (seed, field) still wrong, by cause. Strike a pair when a fix makes it right.
_GAPS: dict[str, tuple[int, ...]] = {}  # every field of every seed is right today
KNOWN_GAPS: frozenset[tuple[int, str]] = frozenset((seed, f) for f, seeds in _GAPS.items() for seed in seeds)


@pytest.fixture(scope="module")
def results() -> list[tuple[GeneratedHtml, dict[str, Any]]]:
    need_chromium()
    generated = [generate(seed) for seed in SEEDS]
    pdfs = html_to_pdfs([g.html for g in generated])
    named = [(f"eu-{g.seed}.pdf", pdf) for g, pdf in zip(generated, pdfs, strict=True)]
    return list(zip(generated, invoice_values(named), strict=True))


def test_every_design_is_drawn() -> None:
    from tests.htmlinvoices_eu import DESIGNS

    assert Counter(generate(seed).design for seed in SEEDS).keys() == set(DESIGNS)


def test_every_field_of_every_seed(results: list[tuple[GeneratedHtml, dict[str, Any]]]) -> None:
    # GIVEN invoices of six designs printed by Chromium, WHEN extracted, THEN every field is right
    wrong = {
        (g.seed, f): f"{g.seed} {g.design}/{g.lang} {f}: expected {g.truth[f]!r} got {got.get(f)!r}"
        for g, got in results
        for f in FIELDS
        if not is_right(f, g.truth[f], got.get(f))
    }
    new = [text for key, text in sorted(wrong.items()) if key not in KNOWN_GAPS]
    fixed = sorted(KNOWN_GAPS - wrong.keys())
    tally = Counter(f for _, f in wrong)
    summary = ", ".join(f"{f} {len(results) - tally[f]}/{len(results)}" for f in FIELDS)
    assert not new, f"{summary}\n" + "\n".join(new)
    assert not fixed, f"fixed, strike from KNOWN_GAPS: {fixed}"


# Seeds beyond the sweep whose structures the sweep's seeds do not print: a footer table pdfium reads one
# glyph per line on an overflow page (426, 462, 744, 780: inputs/pdf.py ``shattered``), "Customer" /
# "no." wrapped by a narrow label cell (480), a bare "BTW-nummer:" over its value in the issuer's footer on
# a reverse-charge invoice (540), "Totaal excl. btw 139.291,67" (576, 611), "betalen vóór" (462, 540, 654,
# 792), a label's colon or a number's tail wrapped to the next line (416, 452, 524, 542, 566, 614, 650,
# 668, 674, 686).
BEYOND = (416, 426, 452, 462, 480, 524, 540, 542, 566, 576, 611, 614, 650, 654, 668, 674, 686, 744, 780, 792)


def test_wrapped_cells_shattered_footers_and_amounts_after_a_tax_word_beyond_the_sweep() -> None:
    # GIVEN invoices of those structures printed by Chromium
    need_chromium()
    generated = [generate(seed) for seed in BEYOND]
    pdfs = html_to_pdfs([g.html for g in generated])
    # WHEN they are extracted
    got = invoice_values((f"eu-{g.seed}.pdf", pdf) for g, pdf in zip(generated, pdfs, strict=True))
    # THEN every field is right
    wrong = [
        f"{g.seed} {g.design}/{g.lang} {f}: expected {g.truth[f]!r} got {values.get(f)!r}"
        for g, values in zip(generated, got, strict=True)
        for f in FIELDS
        if not is_right(f, g.truth[f], values.get(f))
    ]
    assert not wrong, "\n".join(wrong)
