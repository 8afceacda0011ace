"""The one-scan prefilter of label search (``search._label_lines``): every line on which a concept's label
matches when the line is searched alone must be among the lines the scan of the joined text marks, for every
concept, on generated invoices in four languages (a label pattern whose edge reads a newline unlike a line's
end would break this)."""

from __future__ import annotations

import pytest

from tests.invoicegen import generate
from zapdoc.domain.documents import Source
from zapdoc.extraction.context import build_context
from zapdoc.extraction.labels import CONCEPTS
from zapdoc.extraction.search import _label_lines
from zapdoc.inputs.pdf import inspect_pdf


@pytest.mark.parametrize("seed", range(0, 40, 5))
def test_the_joined_scan_marks_every_line_a_label_stands_on(seed: int) -> None:
    ctx = build_context(inspect_pdf(Source(f"gen-{seed}.pdf", generate(seed).pdf)))
    marked_somewhere = 0
    for concept in CONCEPTS:
        alone = {line.index for line in ctx.lines if concept.combined.search(line.text)}
        marked = _label_lines(ctx, concept)
        assert alone <= marked, (concept.key, sorted(alone - marked))
        marked_somewhere += len(alone)
    assert marked_somewhere > 10  # the invoice's labels were found at all
