"""Acceptance 3: a 40-page document whose line-item table spans every page yields every row, in order,
with no duplicates, the stand-in answering each page range from the pages it was sent."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.pdfs import make_pdf
from zapdoc.bootstrap import gemini_extractor
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.fields import parse_fields
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.llm.engine import LlmExtractor
from zapdoc.settings import LlmSettings
from zapdoc.standins import answer_text
from zapdoc.standins._base import ParsedRequest
from zapdoc.standins.gemini import GeminiStandIn

PAGES = 40
ROWS_PER_PAGE = 12
FIELDS = parse_fields(
    "invoice_number, total:amount, line_items:table[code, description, quantity:number, amount:amount]"
)
_ROW_RE = re.compile(r"^(L\d{2}-\d{2}) (.+?) qty (\d+) amount ([\d.]+)$", re.MULTILINE)


def expected_rows() -> list[dict[str, object]]:
    return [
        {
            "code": f"L{p:02d}-{i:02d}",
            "description": f"Widget {p}.{i}",
            "quantity": i,
            "amount": float(p * 100 + i),
        }
        for p in range(1, PAGES + 1)
        for i in range(1, ROWS_PER_PAGE + 1)
    ]


@pytest.fixture(scope="module")
def long_invoice() -> DocumentText:
    pages = []
    for p in range(1, PAGES + 1):
        lines = [f"Invoice LONG-{uuid.uuid4().hex[:4]} page {p} of {PAGES}", "Code Description Qty Amount"]
        lines += [
            f"L{p:02d}-{i:02d} Widget {p}.{i} qty {i} amount {p * 100 + i}.00"
            for i in range(1, ROWS_PER_PAGE + 1)
        ]
        if p == PAGES:
            lines.append("Total 99999.00")
        pages.append("\n".join(lines))
    return inspect_pdf(Source(name="long.pdf", data=make_pdf(pages)))


def answer_from_pages(req: ParsedRequest) -> dict[str, object]:
    """A faithful model: the rows printed on exactly the pages it was sent, in order."""
    doc = req.document
    assert doc is not None
    rows: list[dict[str, object]] = []
    evidence: list[dict[str, object]] = []
    total = None
    for n in sorted(doc.pages):
        text = doc.pages[n]
        for m in _ROW_RE.finditer(text):
            rows.append({"code": m[1], "description": m[2], "quantity": int(m[3]), "amount": float(m[4])})
        if "Total 99999.00" in text:
            total = 99999.0
            evidence.append({"field": "total", "page": n, "quote": "Total 99999.00"})
    if rows:
        first = min(doc.pages)
        evidence.append({"field": "line_items", "page": first, "quote": rows[0]["code"]})
    return {"values": {"invoice_number": None, "total": total, "line_items": rows}, "evidence": evidence}


@pytest.fixture
def stand_in() -> Iterator[GeminiStandIn]:
    server = GeminiStandIn(responder=answer_from_pages)
    server.start()
    yield server
    server.stop()


def extractor(server: GeminiStandIn, **overrides: object) -> LlmExtractor:
    base: dict[str, object] = {"gcp_project": "demo", "gemini_base_url": server.base_url, "backoff_s": 0.01}
    base.update(overrides)
    return gemini_extractor(LlmSettings(**base))


def sent_ranges(server: GeminiStandIn) -> list[list[int]]:
    out = []
    for rec in server.received():
        assert rec.parsed is not None
        assert rec.parsed.document is not None
        out.append(sorted(rec.parsed.document.pages))
    return out


def test_every_row_in_order_without_duplicates(stand_in: GeminiStandIn, long_invoice: DocumentText) -> None:
    # GIVEN page ranges of at most 6 pages WHEN the 40-page invoice is extracted
    result = extractor(stand_in, chunk_pages=6).extract(long_invoice, FIELDS)
    # THEN it went out in 7 consecutive ranges covering every page once
    ranges = sent_ranges(stand_in)
    assert len(ranges) == 7
    assert [p for r in ranges for p in r] == list(range(1, PAGES + 1))
    # AND every row came back, in page order, none twice; the total came from the last range
    assert result.values["line_items"].value == expected_rows()
    assert result.values["total"].value == Decimal("99999.0")
    assert result.usage is not None
    assert result.usage.requests == 7


def test_overlapping_ranges_do_not_duplicate_rows(
    stand_in: GeminiStandIn, long_invoice: DocumentText
) -> None:
    # GIVEN ranges that repeat one page at each boundary (rows of that page are answered twice)
    result = extractor(stand_in, chunk_pages=5, overlap_pages=1).extract(long_invoice, FIELDS)
    ranges = sent_ranges(stand_in)
    assert all(a[-1] == b[0] for a, b in itertools.pairwise(ranges))
    # THEN the repeated rows are removed once and nothing else is lost
    rows = result.values["line_items"].value
    assert isinstance(rows, list)
    assert len(rows) == PAGES * ROWS_PER_PAGE
    assert rows == expected_rows()


def test_token_budget_decides_the_ranges(stand_in: GeminiStandIn, long_invoice: DocumentText) -> None:
    # GIVEN a token budget of roughly three pages
    page_tokens = max(len(p) for p in long_invoice.pages) // 4 + 1
    result = extractor(stand_in, chunk_pages=100, chunk_tokens=3 * page_tokens + 1).extract(
        long_invoice, FIELDS
    )
    ranges = sent_ranges(stand_in)
    assert max(len(r) for r in ranges) <= 3
    assert result.values["line_items"].value == expected_rows()


def test_a_truncated_range_is_split_and_no_row_is_lost(
    stand_in: GeminiStandIn, long_invoice: DocumentText
) -> None:
    # GIVEN the first range's answer stops at the output limit
    stand_in.enqueue(answer_text('{"values": {"line_items": [{"code": "L01-01"', finish="MAX_TOKENS"))
    result = extractor(stand_in, chunk_pages=8).extract(long_invoice, FIELDS)
    # THEN that range was asked again in halves and the rows are complete
    assert sent_ranges(stand_in)[:3] == [list(range(1, 9)), list(range(1, 5)), list(range(5, 9))]
    assert result.values["line_items"].value == expected_rows()
