"""English web/SaaS invoices printed by Chromium (tests/htmlinvoices_en.py): every field of every seed.

The invoices are rendered in one browser call for the module; each field is checked over all seeds and
its misses listed. A field in PENDING is not right on every seed yet: its test holds the count reached
(a ratchet: it may only go up) and names what is missing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.htmlinvoices_en import DESIGNS, FIELDS, HtmlInvoice, generate
from tests.htmlpdf import html_to_pdfs, need_chromium
from tests.printedinvoices import invoice_values, is_right

SEEDS = range(126)  # 18 of each design
# field -> (seeds right at least, why not all yet)
PENDING: dict[str, tuple[int, str]] = {
    "issue_date": (124, "'Date' and its value in tight cells glued in the text layer: 'DateSeptember 24'"),
    "vendor_phone": (125, "the right-aligned sender column of a mirrored layout read as the buyer's"),
}

Read = tuple[HtmlInvoice, dict[str, Any]]


@pytest.fixture(scope="module")
def read() -> list[Read]:
    need_chromium()
    invoices = [generate(seed) for seed in SEEDS]
    pdfs = html_to_pdfs([inv.html for inv in invoices])
    named = [(f"html-en-{inv.seed}.pdf", pdf) for inv, pdf in zip(invoices, pdfs, strict=True)]
    return list(zip(invoices, invoice_values(named, ocr=None), strict=True))


def test_every_design_is_drawn() -> None:
    assert {generate(seed).design for seed in SEEDS} == set(DESIGNS)


@pytest.mark.parametrize("field", FIELDS)
def test_field_over_all_seeds(read: list[Read], field: str) -> None:
    # GIVEN the printed invoices WHEN each is extracted THEN the field is as printed on every seed
    misses = [
        f"seed {inv.seed} ({inv.design}, {inv.info['country']}):"
        f" expected {inv.truth[field]!r} got {got[field]!r}"
        for inv, got in read
        if field in inv.truth and not is_right(field, inv.truth[field], got[field])
    ]
    asked = sum(field in inv.truth for inv, _ in read)
    if field in PENDING:
        floor, why = PENDING[field]
        assert asked - len(misses) >= floor, f"{field} ({why}):\n" + "\n".join(misses)
    else:
        assert not misses, "\n".join(misses)


def test_vendor_and_buyer_are_never_the_same(read: list[Read]) -> None:
    same = [inv.seed for inv, got in read if got["vendor_name"] and got["vendor_name"] == got["buyer_name"]]
    assert not same
