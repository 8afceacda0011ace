"""What the printed-invoice integration tests share (Chromium, WeasyPrint, LibreOffice Writer families):
the offline extractor's invoice values of many PDFs, and whether a value is the truth."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bench.accuracy import matches
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf


def invoice_values(
    named_pdfs: Iterable[tuple[str, bytes]], *, ocr: bool | None = False
) -> list[dict[str, Any]]:
    """The invoice template's values the offline extractor reads from each (file name, PDF), in order;
    ``ocr`` as ``OfflineExtractor`` takes it (printed text layers need none)."""
    extractor = OfflineExtractor(ocr=ocr)
    fields = template_fields("invoice")
    out: list[dict[str, Any]] = []
    for name, pdf in named_pdfs:
        values = extractor.extract(inspect_pdf(Source(name, pdf)), fields).values
        out.append({field: fv.value for field, fv in values.items()})
    return out


def is_right(field: str, expected: object, got: object) -> bool:
    """``got`` is the truth: empty where the invoice prints no such value, else as the bench matches it."""
    return got is None if expected is None else matches(field, expected, got)[0]
