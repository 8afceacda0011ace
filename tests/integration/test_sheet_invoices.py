"""Spreadsheet invoices printed by LibreOffice Calc (tests/sheetinvoices.py): 160 seeded workbooks in
four designs and five languages, printed in one soffice run, each read back with the offline extractor
and checked field by field against its truth.

LibreOffice's print differs from the reportlab-made documents in what layout reads: a font's loose glyph
box is 0.69 em (rows then stand further apart than the line step, measured in it), cells of one row are
joined into one text line, and labels and values stand in cells of a grid."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.sheetinvoices import SheetInvoice, generate, print_pdfs
from tests.unit.test_offline_corpus import _bench
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

pytestmark = pytest.mark.slow
SEEDS = range(160)


@pytest.fixture(scope="module")
def printed() -> list[SheetInvoice]:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("needs LibreOffice Calc (scripts/install-desktop-tools.sh, run by `make test`)")
    invoices = [generate(seed) for seed in SEEDS]
    print_pdfs(invoices)
    return invoices


def _extract(pdf: bytes) -> dict[str, Any]:
    doc = inspect_pdf(Source("sheet.pdf", pdf))
    return {k: v.value for k, v in OfflineExtractor().extract(doc, template_fields("invoice")).values.items()}


def test_every_field_of_every_printed_sheet_invoice(printed: list[SheetInvoice]) -> None:
    # GIVEN spreadsheet invoices of every design and language, printed to PDF by LibreOffice
    assert {inv.design for inv in printed} == {"classic", "letter", "band", "columns"}
    assert {inv.lang for inv in printed} == {"en", "us", "de", "fr", "nl"}
    matches = _bench().matches  # the bench's normalised match, the corpus's rule
    wrong: list[str] = []
    checked = 0
    for inv in printed:
        # WHEN each is read back and extracted offline
        got = _extract(inv.pdf)
        for name, expected in inv.truth.items():
            if expected is None:
                continue  # not printed on this one (no VAT id in the US, no IBAN ...)
            checked += 1
            ok, _ = matches(name, expected, got.get(name))
            if not ok:
                where = f"seed {inv.seed} {inv.design}/{inv.lang} {name}"
                wrong.append(f"{where}: {expected!r} -> {got.get(name)!r}")
    # THEN every printed field is right (names, dates, amounts, ids, the parties side by side)
    assert checked > 160 * 10
    assert not wrong, "\n".join(wrong)
