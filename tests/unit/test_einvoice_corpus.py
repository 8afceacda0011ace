"""Acceptance: every corpus PDF with embedded e-invoice XML gives exactly the XML's values (skipped without
the corpus).

The ground truth of the corpus's e-invoices was taken from their embedded XML by the corpus's makers,
independently of this code; documents whose XML disagrees with their page are in ``excluded.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
MANIFEST = CORPUS / "manifest.jsonl"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not MANIFEST.exists(), reason="evaluation corpus ../shared/corpus is not here"),
]

KEY_FIELDS = ("invoice_number", "issue_date", "total_amount", "currency", "iban", "vendor_vat_id")


def _exact(name: str, expected: object, got: object) -> bool:
    """Equal as the XML writes it: amounts to the cent, dates as ISO, text with whitespace collapsed;
    phones and emails as ZapDoc normalises them (printed digits, lower case)."""
    if name.endswith("phone"):
        return got is not None and re.sub(r"[^\d+]", "", str(expected)) == got
    if name.endswith("email"):
        return got is not None and str(expected).lower() == got
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        # exactly: a Decimal (never a binary float) equal to the XML's printed amount
        return isinstance(got, Decimal | int) and Decimal(got) == Decimal(repr(expected))
    if isinstance(got, dt.date):
        got = got.isoformat()
    return got is not None and _collapse(got) == _collapse(expected)


def _collapse(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def _einvoices() -> list[dict[str, Any]]:
    excluded = {e["file"] for e in json.loads((CORPUS / "excluded.json").read_text())}
    rows = [json.loads(line) for line in MANIFEST.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["doc_type"] in ("invoice", "credit_note") and r["file"] not in excluded]


def test_every_embedded_e_invoice_gives_exactly_the_xml_values() -> None:
    # GIVEN every invoice of the corpus and the offline extractor with e-invoices on
    fields = template_fields("invoice")
    names = {f.name for f in fields}
    extractor = OfflineExtractor(ignore_einvoice=False)
    found = 0
    checked: dict[str, int] = dict.fromkeys(KEY_FIELDS, 0)
    misses: list[str] = []
    for row in _einvoices():
        doc = inspect_pdf(Source(row["file"], (CORPUS / row["file"]).read_bytes()))
        if doc.xml is None:
            continue
        found += 1
        # WHEN each PDF carrying e-invoice XML is extracted
        values = extractor.extract(doc, fields).values
        # THEN every ground-truth field the template asks for is exactly the XML's value
        for name, expected in row["fields"].items():
            if name not in names:
                continue
            got = values[name].value
            if name in checked:
                checked[name] += 1
            if not _exact(name, expected, got):
                misses.append(f"{row['file']}: {name} expected {expected!r}, got {got!r}")
    assert misses == [], "\n".join(misses)
    # AND the check covered the corpus's e-invoices (zugferd_corpus and mustangproject: 56, plus one
    # UBL invoice among invoice2data) and every key field
    assert found >= 56, found
    assert checked["invoice_number"] >= 50
    assert checked["total_amount"] >= 55
    assert all(checked[k] > 0 for k in KEY_FIELDS), checked
