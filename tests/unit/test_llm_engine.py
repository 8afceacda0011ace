"""The provider-neutral LLM extractor with an in-memory backend: ranges, merging, usage, fallbacks."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.pdfs import make_pdf
from zapdoc.domain.documents import DocumentText
from zapdoc.domain.errors import PermanentError
from zapdoc.domain.fields import parse_fields
from zapdoc.llm.engine import LlmExtractor
from zapdoc.llm.prompt import parse_prompt
from zapdoc.ports.llm import LlmReply, LlmRequest, PdfPart, RetryableError
from zapdoc.settings import LlmSettings


class FakeBackend:
    """Answers each request with ``answer(request)``; records requests."""

    model = "gemini-3.5-flash"

    def __init__(self, answer: Callable[[LlmRequest], str | Exception]) -> None:
        self.answer = answer
        self.requests: list[LlmRequest] = []

    def generate(self, request: LlmRequest) -> LlmReply:
        self.requests.append(request)
        out = self.answer(request)
        if isinstance(out, Exception):
            raise out
        return LlmReply(text=out, prompt_tokens=1000, output_tokens=100)


def pages_of(request: LlmRequest) -> dict[int, str]:
    text = "\n".join(p for p in request.parts if isinstance(p, str))
    parsed = parse_prompt(text)
    assert parsed is not None
    return parsed.pages


DOC = DocumentText(
    name="d.pdf",
    pages=tuple(f"Page {n} of the report, vendor Globex appears here. Total {n}0.00" for n in range(1, 7)),
    page_count=6,
)
FIELDS = parse_fields("vendor, total:amount, pages:table[n:number]")


def test_ranges_are_merged_and_usage_is_summed_with_cost() -> None:
    def answer(req: LlmRequest) -> str:
        pages = pages_of(req)
        last = max(pages)
        return json.dumps(
            {
                "values": {
                    "vendor": "Globex",
                    "total": last * 10,
                    "pages": [{"n": n} for n in sorted(pages)],
                },
                "evidence": [{"field": "total", "page": last, "quote": f"Total {last}0.00"}],
            }
        )

    backend = FakeBackend(answer)
    result = LlmExtractor("fake", backend, LlmSettings(chunk_pages=2)).extract(DOC, FIELDS)
    assert len(backend.requests) == 3
    assert result.values["pages"].value == [{"n": n} for n in range(1, 7)]
    assert result.values["vendor"].value == "Globex"
    assert result.usage is not None
    assert (result.usage.requests, result.usage.prompt_tokens, result.usage.output_tokens) == (3, 3000, 300)
    assert result.usage.cost_usd == pytest.approx((3000 * 1.5 + 300 * 9.0) / 1e6)


def test_transient_failures_are_retried_inside_the_extractor() -> None:
    failures = [RetryableError("429", status=429)]

    def answer(req: LlmRequest) -> str | Exception:
        return failures.pop() if failures else json.dumps({"values": {"vendor": "Globex"}})

    backend = FakeBackend(answer)
    result = LlmExtractor("fake", backend, LlmSettings(backoff_s=0.0)).extract(DOC, FIELDS)
    assert len(backend.requests) == 2
    assert result.values["vendor"].value == "Globex"


def test_scan_without_pdf_bytes_is_a_permanent_error() -> None:
    scan = DocumentText(name="s.pdf", pages=("", ""), page_count=2, pdf=None)
    with pytest.raises(PermanentError, match="no text layer"):
        LlmExtractor("fake", FakeBackend(lambda r: "{}"), LlmSettings()).extract(scan, FIELDS)


def test_classification_label_outside_the_enum_falls_back_to_keywords() -> None:
    doc = DocumentText(
        name="c.pdf", pages=("Curriculum vitae\nExperience\nEducation\nSkills " * 5,), page_count=1
    )
    backend = FakeBackend(lambda r: "spreadsheet")
    result = LlmExtractor("fake", backend, LlmSettings()).classify(doc)
    assert len(backend.requests) == 1
    assert backend.requests[0].purpose == "classify"
    assert result.doc_type == "resume"
    assert result.usage is not None
    assert result.usage.requests == 1


@pytest.mark.parametrize(
    ("reply", "label"), [("invoice", "invoice"), ('"rfp"', "rfp"), ('{"doc_type": "contract"}', "contract")]
)
def test_classification_reads_bare_quoted_and_object_labels(reply: str, label: str) -> None:
    doc = DocumentText(
        name="c.pdf", pages=("Some text that is long enough to count as a text layer." * 3,), page_count=1
    )
    result = LlmExtractor("fake", FakeBackend(lambda r: reply), LlmSettings()).classify(doc)
    assert result.doc_type == label


def test_a_scanned_stretch_of_a_text_document_goes_as_pdf_pages() -> None:
    # GIVEN a 4-page document whose last two pages have no text layer
    text = "Globex invoice with a proper text layer on this page. " * 4
    doc = DocumentText(
        name="m.pdf", pages=(text, text, "", " "), page_count=4, pdf=make_pdf(["a", "b", "c", "d"])
    )
    backend = FakeBackend(lambda r: json.dumps({"values": {"vendor": "Globex"}}))
    LlmExtractor("fake", backend, LlmSettings(chunk_pages=2)).extract(doc, FIELDS)
    # THEN the first range is text and the second a PDF part of pages 3-4
    first, second = backend.requests
    assert not any(isinstance(p, PdfPart) for p in first.parts)
    pdf_parts = [p for p in second.parts if isinstance(p, PdfPart)]
    assert [(p.first_page, p.pages) for p in pdf_parts] == [(3, 2)]
