"""The real openai client against the local OpenAI-compatible stand-in: JSON-schema response format,
temperature 0, delimited document, and every scripted failure."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.pdfs import make_pdf
from zapdoc.adapters.openai_compat import classification_object_schema, strict_schema
from zapdoc.bootstrap import openai_extractor
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import parse_fields
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.llm.engine import LlmExtractor
from zapdoc.llm.prompt import SYSTEM_EXTRACT, close_line, parse_prompt
from zapdoc.llm.schema import response_schema
from zapdoc.llm.validate import CONF_VERIFIED
from zapdoc.settings import LlmSettings
from zapdoc.standins import answer_json, answer_text, error, safety
from zapdoc.standins._base import decode_b64
from zapdoc.standins.openai import OpenAIStandIn

FIELDS = parse_fields("invoice_number, total:amount, line_items:table[description, amount:amount]")


def invoice_doc(number: str) -> DocumentText:
    page = f"Contoso GmbH\nRechnung {number}\nBolts 12.00\nNuts 3.50\nGesamtbetrag 15,50 EUR"
    return inspect_pdf(Source(name=f"{number}.pdf", data=make_pdf([page])))


def good_answer(number: str) -> dict[str, object]:
    return {
        "values": {
            "invoice_number": number,
            "total": "15,50",
            "line_items": [{"description": "Bolts", "amount": 12}, {"description": "Nuts", "amount": 3.5}],
        },
        "evidence": [{"field": "invoice_number", "page": 1, "quote": f"Rechnung {number}"}],
    }


@pytest.fixture
def stand_in() -> Iterator[OpenAIStandIn]:
    server = OpenAIStandIn()
    server.start()
    yield server
    server.stop()


def extractor_for(server: OpenAIStandIn, **overrides: object) -> LlmExtractor:
    base: dict[str, object] = {
        "openai_base_url": server.base_url,
        "openai_model": "local-model",
        "backoff_s": 0.01,
        "max_attempts": 3,
        "timeout_s": 5.0,
    }
    base.update(overrides)
    return openai_extractor(LlmSettings(**base))


def test_request_has_json_schema_format_temperature_zero_and_delimited_document(
    stand_in: OpenAIStandIn,
) -> None:
    number = f"R-{uuid.uuid4().hex[:6]}"
    stand_in.enqueue(answer_json(good_answer(number)))
    result = extractor_for(stand_in).extract(invoice_doc(number), FIELDS)
    (req,) = stand_in.received()
    assert req.path == "/v1/chat/completions"
    body = req.body
    assert body["model"] == "local-model"
    assert body["temperature"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == strict_schema(response_schema(FIELDS))
    system, user = body["messages"]
    assert (system["role"], system["content"]) == ("system", SYSTEM_EXTRACT)
    parsed = parse_prompt(user["content"])
    assert parsed is not None
    assert number in parsed.pages[1]
    assert user["content"].endswith(close_line(parsed.delimiter))
    # the same validation as Gemini: locale amount normalised, rows typed, quote verified
    assert result.values["total"].value == Decimal("15.5")
    assert result.values["line_items"].value == [
        {"description": "Bolts", "amount": 12.0},
        {"description": "Nuts", "amount": 3.5},
    ]
    assert result.values["invoice_number"].confidence == CONF_VERIFIED
    assert result.usage is not None
    assert result.usage.model == "local-model"
    assert req.parsed is not None
    assert result.usage.prompt_tokens == req.parsed.prompt_tokens()
    assert result.usage.cost_usd == 0.0  # a local model is not in the price table


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_status_is_retried_then_succeeds(stand_in: OpenAIStandIn, status: int) -> None:
    stand_in.enqueue(error(status), answer_json(good_answer("R-2")))
    result = extractor_for(stand_in).extract(invoice_doc("R-2"), FIELDS)
    assert len(stand_in.received()) == 2
    assert result.values["invoice_number"].value == "R-2"


def test_repeated_500s_end_in_a_clear_transient_error(stand_in: OpenAIStandIn) -> None:
    stand_in.enqueue(*[error(500, "model crashed") for _ in range(10)])
    with pytest.raises(TransientError, match=r"failed after 3 attempts.*500"):
        extractor_for(stand_in).extract(invoice_doc("R-3"), FIELDS)
    assert len(stand_in.received()) == 3


def test_bad_request_is_permanent_and_not_retried(stand_in: OpenAIStandIn) -> None:
    stand_in.enqueue(error(400, "context length exceeded"))
    with pytest.raises(PermanentError, match="context length exceeded"):
        extractor_for(stand_in).extract(invoice_doc("R-4"), FIELDS)
    assert len(stand_in.received()) == 1


def test_content_filter_is_permanent(stand_in: OpenAIStandIn) -> None:
    stand_in.enqueue(safety())
    with pytest.raises(PermanentError, match="refused"):
        extractor_for(stand_in).extract(invoice_doc("R-5"), FIELDS)
    assert len(stand_in.received()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "```json\n" + json.dumps(good_answer("R-6")) + "\n```",
        json.dumps(good_answer("R-6"))[:-40],  # cut inside the evidence
    ],
    ids=["fenced", "truncated"],
)
def test_malformed_json_is_rescued(stand_in: OpenAIStandIn, text: str) -> None:
    stand_in.enqueue(answer_text(text))
    result = extractor_for(stand_in).extract(invoice_doc("R-6"), FIELDS)
    assert result.values["invoice_number"].value == "R-6"
    assert result.values["total"].value == Decimal("15.5")


def test_prose_is_a_clear_per_document_error(stand_in: OpenAIStandIn) -> None:
    stand_in.enqueue(answer_text("As an AI model I prefer not to."))
    with pytest.raises(PermanentError, match="not a JSON object"):
        extractor_for(stand_in).extract(invoice_doc("R-7"), FIELDS)


def test_timeout_is_retried(stand_in: OpenAIStandIn) -> None:
    stand_in.enqueue(answer_json(good_answer("R-8"), latency=3.0), answer_json(good_answer("R-8")))
    result = extractor_for(stand_in, timeout_s=1.0).extract(invoice_doc("R-8"), FIELDS)
    assert len(stand_in.received()) == 2
    assert result.values["invoice_number"].value == "R-8"


def test_classification_asks_for_the_enum_object(stand_in: OpenAIStandIn) -> None:
    stand_in.enqueue(answer_json({"doc_type": "contract"}))
    result = extractor_for(stand_in).classify(invoice_doc("R-9"))
    (req,) = stand_in.received()
    assert req.body["response_format"]["json_schema"]["schema"] == classification_object_schema()
    assert result.doc_type == "contract"


def test_scan_is_sent_as_a_pdf_file_part(stand_in: OpenAIStandIn) -> None:
    pdf = make_pdf(["Rechnung R-10", "page two"])
    doc = DocumentText(name="scan.pdf", pages=("", ""), page_count=2, pdf=pdf)  # no usable text layer
    stand_in.enqueue(answer_json({"values": {"invoice_number": "R-10"}, "evidence": []}))
    result = extractor_for(stand_in).extract(doc, FIELDS)
    (req,) = stand_in.received()
    parts = req.body["messages"][1]["content"]
    assert [p["type"] for p in parts] == ["text", "file", "text"]
    data = parts[1]["file"]["file_data"]
    assert data.startswith("data:application/pdf;base64,")
    assert decode_b64(data.split(",", 1)[1]) == pdf
    assert result.values["invoice_number"].value == "R-10"


def test_auto_mode_answers_from_the_prompt(stand_in: OpenAIStandIn) -> None:
    result = extractor_for(stand_in).extract(invoice_doc("R-11"), parse_fields("total:amount"))
    assert result.values["total"].value == Decimal("15.5")
