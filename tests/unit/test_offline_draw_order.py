"""Invoices whose strings are drawn column by column (tests/draworder.py): every label of the totals
block, then every amount. The page reads the same; the text layer puts "VAT 20%" and its "1,107.22" on
lines far apart. The amounts are read from the label's row by position, with their currency sign, and
the currency from the label's and the value's lines only."""

from __future__ import annotations

from typing import Any

from bench.accuracy import matches
from tests.draworder import redrawn
from tests.invoicegen import generate, money
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

FIELDS = ("total_amount", "tax_amount", "net_amount", "currency", "vendor_name", "buyer_name", "iban",
          "vendor_vat_id")  # fmt: skip


def _extract(pdf: bytes) -> dict[str, Any]:
    doc = inspect_pdf(Source("redrawn.pdf", pdf))
    return {k: v.value for k, v in OfflineExtractor().extract(doc, template_fields("invoice")).values.items()}


def test_amounts_drawn_apart_from_their_labels() -> None:
    wrong: list[str] = []
    for seed in range(30):
        # GIVEN a generated invoice drawn column by column (labels first, then values)
        with redrawn("columns"):
            g = generate(seed)
        # WHEN it is extracted
        got = _extract(g.pdf)
        # THEN the amounts, the currency and the parties are those printed
        for name in FIELDS:
            expected = g.truth.get(name)
            if expected is not None and not matches(name, expected, got.get(name))[0]:
                wrong.append(f"seed {seed} {name}: {expected!r} -> {got.get(name)!r}")
    assert not wrong, "\n".join(wrong)


def test_the_redrawn_text_layer_parts_labels_from_values() -> None:
    # the structure under test: each printed total stands alone on its text line, away from its label
    for seed in range(30):
        with redrawn("columns"):
            g = generate(seed)
        printed = money(g.truth["total_amount"], g.options.lang)
        lines = [
            line for line in inspect_pdf(Source("redrawn.pdf", g.pdf)).text.splitlines() if printed in line
        ]
        assert lines, seed
        assert all(line.strip(" €£$-") == printed for line in lines), (seed, lines)
