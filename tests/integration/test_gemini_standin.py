"""The real google-genai client (vertexai=True) against the local Gemini stand-in: what is sent, and what
every scripted failure becomes (retried then succeeded, or a clear per-document error)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.pdfs import make_pdf
from zapdoc.bootstrap import gemini_extractor
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import parse_fields
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.llm.engine import LlmExtractor
from zapdoc.llm.prompt import SYSTEM_CLASSIFY, SYSTEM_EXTRACT, close_line, open_line, parse_prompt
from zapdoc.llm.schema import response_schema
from zapdoc.llm.validate import CONF_VERIFIED
from zapdoc.settings import LlmSettings
from zapdoc.standins import answer_json, answer_text, error, safety
from zapdoc.standins._base import ParsedRequest
from zapdoc.standins.gemini import GeminiStandIn

FIELDS = parse_fields("invoice_number, total:amount, issue_date:date")


def invoice_doc(number: str) -> DocumentText:
    page = (
        f"ACME Supplies Ltd\nInvoice {number}\nIssue date: 2025-04-03\n"
        "Description of goods and services\nTotal: 1,234.50 EUR"
    )
    pdf = make_pdf([page])
    return inspect_pdf(Source(name=f"{number}.pdf", data=pdf))


def good_answer(number: str) -> dict[str, object]:
    return {
        "values": {"invoice_number": number, "total": 1234.5, "issue_date": "2025-04-03"},
        "evidence": [
            {"field": "invoice_number", "page": 1, "quote": f"Invoice {number}"},
            {"field": "total", "page": 1, "quote": "Total: 1,234.50 EUR"},
        ],
    }


@pytest.fixture
def stand_in() -> Iterator[GeminiStandIn]:
    server = GeminiStandIn()
    server.start()
    yield server
    server.stop()


def extractor_for(server: GeminiStandIn, **overrides: object) -> LlmExtractor:
    base: dict[str, object] = {
        "gcp_project": f"demo-{uuid.uuid4().hex[:6]}",
        "gemini_base_url": server.base_url,
        "backoff_s": 0.01,
        "max_attempts": 3,
        "max_retry_s": 30.0,
        "timeout_s": 5.0,
        "gemini_escalation_model": None,  # escalation has its own test
    }
    base.update(overrides)
    return gemini_extractor(LlmSettings(**base))


def test_request_carries_schema_delimited_document_and_temperature_zero(stand_in: GeminiStandIn) -> None:
    # GIVEN an invoice and a stand-in scripted with a correct answer
    number = f"INV-{uuid.uuid4().hex[:6].upper()}"
    stand_in.enqueue(answer_json(good_answer(number)))
    extractor = extractor_for(stand_in)
    # WHEN the real google-genai client extracts it
    result = extractor.extract(invoice_doc(number), FIELDS)
    # THEN the Vertex generateContent call carried the schema, temperature 0 and the delimited document
    (req,) = stand_in.received()
    assert re.fullmatch(
        rf"/v1beta1/projects/{extractor.settings.gcp_project}/locations/global/publishers/google/models/"
        r"gemini-3\.1-flash-lite:generateContent",
        req.path,
    )
    assert req.headers["Authorization"] == "Bearer local"
    config = req.body["generationConfig"]
    assert config["temperature"] == 0
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == response_schema(FIELDS)
    thinking = config["thinkingConfig"]
    assert (thinking.get("thinkingLevel") or thinking.get("thinking_level")).lower() == "low"
    assert req.body["systemInstruction"]["parts"][0]["text"] == SYSTEM_EXTRACT
    user = req.body["contents"][0]["parts"][0]["text"]
    parsed = parse_prompt(user)
    assert parsed is not None
    assert (
        user.index(open_line(parsed.delimiter))
        < user.index(number)
        < user.index(close_line(parsed.delimiter))
    )
    # AND the answer is validated: values typed, quotes verified against the page
    assert result.values["invoice_number"].value == number
    assert result.values["invoice_number"].confidence == CONF_VERIFIED
    assert result.values["total"].value == Decimal("1234.5")
    assert str(result.values["issue_date"].value) == "2025-04-03"


def test_usage_is_recorded_from_usage_metadata_with_cost(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(answer_json(good_answer("INV-1")))
    extractor = extractor_for(stand_in)
    result = extractor.extract(invoice_doc("INV-1"), FIELDS)
    (req,) = stand_in.received()
    assert req.parsed is not None
    usage = result.usage
    assert usage is not None
    assert usage.model == "gemini-3.1-flash-lite"
    assert usage.provider == "gemini"
    assert usage.requests == 1
    assert usage.prompt_tokens == req.parsed.prompt_tokens()
    assert usage.output_tokens == len(json.dumps(good_answer("INV-1"))) // 4 + 1
    assert usage.cost_usd == pytest.approx((usage.prompt_tokens * 0.25 + usage.output_tokens * 1.5) / 1e6)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_status_is_retried_then_succeeds(stand_in: GeminiStandIn, status: int) -> None:
    stand_in.enqueue(error(status), answer_json(good_answer("INV-2")))
    result = extractor_for(stand_in).extract(invoice_doc("INV-2"), FIELDS)
    assert len(stand_in.received()) == 2
    assert result.values["invoice_number"].value == "INV-2"


def test_repeated_500s_end_in_a_clear_transient_error_after_bounded_attempts(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(*[error(500, "backend exploded") for _ in range(10)])
    with pytest.raises(TransientError, match=r"failed after 3 attempts.*500.*backend exploded"):
        extractor_for(stand_in, max_attempts=3).extract(invoice_doc("INV-3"), FIELDS)
    assert len(stand_in.received()) == 3


def test_bad_request_is_permanent_and_not_retried(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(error(400, "Request contains an invalid argument."))
    with pytest.raises(PermanentError, match=r"400.*invalid argument"):
        extractor_for(stand_in).extract(invoice_doc("INV-4"), FIELDS)
    assert len(stand_in.received()) == 1


def test_safety_block_is_permanent_with_the_reason(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(safety())
    with pytest.raises(PermanentError, match="SAFETY"):
        extractor_for(stand_in).extract(invoice_doc("INV-5"), FIELDS)
    assert len(stand_in.received()) == 1


def test_fenced_json_is_rescued(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(answer_text("```json\n" + json.dumps(good_answer("INV-6")) + "\n```"))
    result = extractor_for(stand_in).extract(invoice_doc("INV-6"), FIELDS)
    assert result.values["invoice_number"].value == "INV-6"
    assert result.values["total"].value == Decimal("1234.5")


def test_truncated_json_keeps_the_complete_values(stand_in: GeminiStandIn) -> None:
    text = json.dumps(good_answer("INV-7"))
    stand_in.enqueue(answer_text(text[: text.index('"issue_date"') + 16]))
    result = extractor_for(stand_in).extract(invoice_doc("INV-7"), FIELDS)
    assert result.values["invoice_number"].value == "INV-7"
    assert result.values["total"].value == Decimal("1234.5")


def test_prose_instead_of_json_is_a_clear_per_document_error(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(answer_text("Sorry, I cannot read this document."))
    with pytest.raises(PermanentError, match="not a JSON object"):
        extractor_for(stand_in).extract(invoice_doc("INV-8"), FIELDS)


def test_answer_cut_at_max_tokens_splits_the_page_range(stand_in: GeminiStandIn) -> None:
    # GIVEN a 2-page document whose first answer hits the output limit
    pages = [f"Invoice INV-9 page {n}\nsome words to make a text layer on this page" for n in (1, 2)]
    doc = inspect_pdf(Source(name="long.pdf", data=make_pdf(pages)))
    stand_in.enqueue(answer_text('{"values": {"invoice_number": "INV', finish="MAX_TOKENS"))
    stand_in.responder = lambda req: {"values": {"invoice_number": "INV-9"}, "evidence": []}
    # WHEN extracted THEN each page is asked again on its own and the value is found
    result = extractor_for(stand_in).extract(doc, FIELDS)
    sent = [r.parsed.document.pages for r in stand_in.received() if r.parsed and r.parsed.document]
    assert [sorted(p) for p in sent] == [[1, 2], [1], [2]]
    assert result.values["invoice_number"].value == "INV-9"


def test_latency_over_the_timeout_is_retried(stand_in: GeminiStandIn) -> None:
    # GIVEN a first answer slower than the per-request timeout (1 s)
    stand_in.enqueue(answer_json(good_answer("INV-10"), latency=3.0), answer_json(good_answer("INV-10")))
    result = extractor_for(stand_in, timeout_s=1.0).extract(invoice_doc("INV-10"), FIELDS)
    # THEN the slow call timed out and the retry succeeded
    assert len(stand_in.received()) == 2
    assert result.values["invoice_number"].value == "INV-10"


def test_classification_uses_an_enum_schema(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(answer_text("receipt"))
    result = extractor_for(stand_in).classify(invoice_doc("INV-11"))
    (req,) = stand_in.received()
    config = req.body["generationConfig"]
    assert config["responseMimeType"] == "text/x.enum"
    assert config["responseSchema"]["enum"] == ["invoice", "receipt", "resume", "contract", "rfp", "other"]
    assert req.body["systemInstruction"]["parts"][0]["text"] == SYSTEM_CLASSIFY
    assert result.doc_type == "receipt"
    assert result.usage is not None
    assert result.usage.requests == 1


def test_classification_falls_back_to_keywords_when_blocked(stand_in: GeminiStandIn) -> None:
    stand_in.enqueue(safety())
    result = extractor_for(stand_in).classify(invoice_doc("INV-12"))
    assert result.doc_type == "invoice"  # the offline keyword classifier read "Invoice"


def test_auto_mode_answers_from_the_prompt(stand_in: GeminiStandIn) -> None:
    result = extractor_for(stand_in).extract(invoice_doc("INV-13"), FIELDS)
    assert result.values["invoice_number"].value == "INV-13"
    assert result.values["total"].value == Decimal("1234.5")


def test_responder_sees_the_parsed_request(stand_in: GeminiStandIn) -> None:
    seen: list[ParsedRequest] = []

    def responder(req: ParsedRequest) -> dict[str, object]:
        seen.append(req)
        return good_answer("INV-14")

    stand_in.responder = responder
    extractor_for(stand_in).extract(invoice_doc("INV-14"), FIELDS)
    (req,) = seen
    assert req.purpose == "extract"
    assert req.system == SYSTEM_EXTRACT
    assert req.document is not None
    assert "Invoice INV-14" in req.document.pages[1]


def test_runs_as_a_module_for_the_local_stack() -> None:
    # GIVEN the stand-in started the way the local stack starts it
    proc = subprocess.Popen(
        [sys.executable, "-m", "zapdoc.standins.gemini", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # it prints its base URL once it listens
        assert url.startswith("http://127.0.0.1:")
        # WHEN the real client calls it THEN it answers from the document ("auto")
        extractor = gemini_extractor(LlmSettings(gcp_project="demo", gemini_base_url=url))
        result = extractor.extract(invoice_doc("INV-20"), FIELDS)
        assert result.values["invoice_number"].value == "INV-20"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode is not None


def test_auto_mode_classifies_from_the_prompt(stand_in: GeminiStandIn) -> None:
    result = extractor_for(stand_in).classify(invoice_doc("INV-21"))
    (req,) = stand_in.received()
    assert req.parsed is not None
    assert req.parsed.purpose == "classify"
    assert result.doc_type == "invoice"
    assert result.usage is not None
    assert result.usage.prompt_tokens == req.parsed.prompt_tokens()
