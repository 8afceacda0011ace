"""Page-range planning, PDF subsets and merging of per-range answers."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pypdf

from tests.pdfs import make_pdf
from zapdoc.domain.documents import Evidence, FieldValue, Scalar
from zapdoc.domain.fields import parse_fields
from zapdoc.llm.chunking import (
    append_rows,
    merge_values,
    pdf_subset,
    plan_pdf_ranges,
    plan_text_ranges,
    split_range,
)


def test_ranges_cover_every_page_once_under_the_budget() -> None:
    pages = ["x" * 400] * 10  # 100 tokens each
    ranges = plan_text_ranges(pages, budget_tokens=350, max_pages=50)
    assert ranges == [range(1, 4), range(4, 7), range(7, 10), range(10, 11)]


def test_ranges_respect_the_page_cap() -> None:
    assert plan_text_ranges(["a"] * 5, budget_tokens=10_000, max_pages=2) == [
        range(1, 3),
        range(3, 5),
        range(5, 6),
    ]


def test_a_page_over_the_budget_gets_its_own_range() -> None:
    pages = ["a" * 40, "b" * 40_000, "c" * 40]
    assert plan_text_ranges(pages, budget_tokens=500, max_pages=10) == [range(1, 2), range(2, 3), range(3, 4)]


def test_overlap_repeats_the_last_page_and_still_progresses() -> None:
    ranges = plan_text_ranges(["a"] * 7, budget_tokens=10_000, max_pages=3, overlap=1)
    assert ranges == [range(1, 4), range(3, 6), range(5, 8)]
    covered = sorted({p for r in ranges for p in r})
    assert covered == list(range(1, 8))


def test_pdf_ranges_respect_pages_and_bytes() -> None:
    assert plan_pdf_ranges(10, 10_000, max_pages=4, max_bytes=10**9) == [
        range(1, 5),
        range(5, 9),
        range(9, 11),
    ]
    # 1,000 bytes a page and a 2,500-byte limit: two pages a request
    assert plan_pdf_ranges(5, 5_000, max_pages=50, max_bytes=2_500) == [range(1, 3), range(3, 5), range(5, 6)]


def test_pdf_subset_holds_exactly_the_pages_asked_for() -> None:
    pdf = make_pdf([f"Page number {n}" for n in range(1, 7)])
    part = pdf_subset(pdf, range(3, 6))
    reader = pypdf.PdfReader(io.BytesIO(part))
    assert len(reader.pages) == 3
    assert "Page number 3" in reader.pages[0].extract_text()
    assert "Page number 5" in reader.pages[2].extract_text()


def test_split_range_halves() -> None:
    assert split_range(range(1, 6)) == (range(1, 3), range(3, 6))


def test_boundary_duplicates_are_dropped_but_repeats_inside_a_range_are_kept() -> None:
    rows: list[object] = [{"d": "A"}, {"d": "B"}, {"d": "B"}]
    append_rows(rows, [{"d": "b "}, {"d": "C"}])  # "B" repeated across the boundary (case/space differ)
    assert rows == [{"d": "A"}, {"d": "B"}, {"d": "B"}, {"d": "C"}]
    append_rows(rows, [{"d": "D"}, {"d": "D"}])
    assert rows[-2:] == [{"d": "D"}, {"d": "D"}]


def test_merge_takes_the_most_confident_scalar_and_concatenates_tables() -> None:
    fields = parse_fields("total:amount, vendor, items:table[description, amount:amount]")
    rows_1: list[dict[str, Scalar | None]] = [
        {"description": "a", "amount": D("1.0")},
        {"description": "b", "amount": D("2.0")},
    ]
    rows_2: list[dict[str, Scalar | None]] = [
        {"description": "b", "amount": D("2.0")},
        {"description": "c", "amount": D("3.0")},
    ]
    first = {
        "total": FieldValue(value=D("10.0"), confidence=0.4),
        "vendor": FieldValue(value="ACME", confidence=0.95, evidence=Evidence(page=1, snippet="ACME")),
        "items": FieldValue(value=rows_1, confidence=0.95),
    }
    second = {
        "total": FieldValue(value=D("12.0"), confidence=0.95),
        "vendor": FieldValue(value=None, confidence=0.0),
        "items": FieldValue(value=rows_2, confidence=0.7),
    }
    merged = merge_values([first, second], fields)
    assert merged["total"].value == 12.0
    assert merged["vendor"].value == "ACME"
    assert merged["items"].value == [
        {"description": "a", "amount": 1.0},
        {"description": "b", "amount": 2.0},
        {"description": "c", "amount": 3.0},
    ]
    assert merged["items"].confidence == 0.7


def test_merge_of_nothing_found_is_empty() -> None:
    fields = parse_fields("total:amount")
    merged = merge_values([{"total": FieldValue(value=None, note="'x' is not an amount")}], fields)
    assert merged["total"].value is None
    assert merged["total"].note == "'x' is not an amount"
