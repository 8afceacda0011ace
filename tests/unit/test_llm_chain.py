"""The provider chain with in-memory backends: which failures move a document to the next provider,
which do not, what each row records, and the breaker keeping requests away from a failing provider;
plus escalation to a stronger model."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from zapdoc.adapters.memory import MemoryStore
from zapdoc.bootstrap import build_extractor as make_extractor
from zapdoc.domain.documents import DocumentText
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import parse_fields
from zapdoc.llm.breaker import BreakerPolicy, CircuitBreaker
from zapdoc.llm.chain import ProviderChain
from zapdoc.llm.engine import LlmExtractor
from zapdoc.ports.llm import LlmReply, LlmRequest, ProviderError, RetryableError
from zapdoc.settings import LlmSettings

FIELDS = parse_fields("vendor, total:amount")
DOC = DocumentText(name="d.pdf", pages=("Globex Corporation\nInvoice 17\nTotal 12.50 EUR",), page_count=1)
GOOD = json.dumps(
    {"doc_type": "invoice", "values": {"vendor": "Globex Corporation", "total": 12.5},
     "evidence": [{"field": "total", "page": 1, "quote": "Total 12.50 EUR"}]}
)  # fmt: skip


class Backend:
    def __init__(self, model: str, answer: Callable[[LlmRequest], str | Exception]) -> None:
        self.model = model
        self.answer = answer
        self.requests: list[LlmRequest] = []

    def generate(self, request: LlmRequest) -> LlmReply:
        self.requests.append(request)
        out = self.answer(request)
        if isinstance(out, Exception):
            raise out
        return LlmReply(text=out, prompt_tokens=400, output_tokens=40)


SETTINGS = LlmSettings(backoff_s=0.0, max_attempts=2)


def chain_of(*members: LlmExtractor, failures: int = 2) -> ProviderChain:
    return ProviderChain(list(members), CircuitBreaker(MemoryStore(), BreakerPolicy(failures=failures)))


def test_quota_exhausted_first_provider_hands_the_document_to_the_next() -> None:
    # GIVEN gemini answering 429 forever and a healthy openai
    gemini = Backend("gemini-3.1-flash-lite", lambda r: RetryableError("429 RESOURCE_EXHAUSTED", status=429))
    openai = Backend("gpt-4o-mini", lambda r: GOOD)
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    # WHEN a document is extracted
    result = chain.extract(DOC, FIELDS)
    # THEN gemini was tried with its retries, openai produced the row, and the row says so
    assert len(gemini.requests) == 2
    assert result.provider == "openai"
    assert result.model == "gpt-4o-mini"
    assert result.values["total"].value == 12.5
    assert result.usage is not None
    assert (result.usage.provider, result.usage.failed_over) == ("openai", 1)
    assert result.usage.cost_usd == pytest.approx((400 * 0.15 + 40 * 0.60) / 1e6)
    assert result.notes[0].startswith("extracted by openai after: gemini:")


def test_after_the_breaker_opens_the_failing_provider_gets_no_more_requests() -> None:
    gemini = Backend("gemini-3.1-flash-lite", lambda r: RetryableError("503", status=503))
    openai = Backend("gpt-4o-mini", lambda r: GOOD)
    chain = chain_of(
        LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS), failures=2
    )
    for _ in range(5):
        assert chain.extract(DOC, FIELDS).provider == "openai"
    # two documents opened gemini's circuit (2 attempts each); the other three skipped it
    assert len(gemini.requests) == 4
    assert len(openai.requests) == 5


@pytest.mark.parametrize(
    "failure",
    [
        ProviderError("Gemini answered 404 NOT_FOUND: model not found"),
        ProviderError("Gemini blocked the document (SAFETY)", health=False),
        ProviderError("Gemini answered 403 PERMISSION_DENIED"),
    ],
)
def test_provider_side_refusals_go_to_the_next_provider(failure: ProviderError) -> None:
    gemini = Backend("gemini-3.1-flash-lite", lambda r: failure)
    openai = Backend("gpt-4o-mini", lambda r: GOOD)
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    assert chain.extract(DOC, FIELDS).provider == "openai"
    assert len(gemini.requests) == 1  # permanent for gemini: not retried there


def test_a_bad_request_is_not_retried_anywhere() -> None:
    gemini = Backend(
        "gemini-3.1-flash-lite", lambda r: PermanentError("Gemini answered 400 INVALID_ARGUMENT")
    )
    openai = Backend("gpt-4o-mini", lambda r: GOOD)
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    with pytest.raises(PermanentError, match="400"):
        chain.extract(DOC, FIELDS)
    assert (len(gemini.requests), len(openai.requests)) == (1, 0)


def test_healthy_first_provider_means_no_request_to_the_second() -> None:
    gemini = Backend("gemini-3.1-flash-lite", lambda r: GOOD)
    openai = Backend("gpt-4o-mini", lambda r: GOOD)
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    for _ in range(3):
        result = chain.extract(DOC, FIELDS)
        assert (result.provider, result.model, result.doc_type) == (
            "gemini",
            "gemini-3.1-flash-lite",
            "invoice",
        )
    assert openai.requests == []


def test_all_providers_failing_transiently_is_transient_with_every_reason() -> None:
    gemini = Backend("g", lambda r: RetryableError("429 quota", status=429))
    openai = Backend("o", lambda r: RetryableError("500 boom", status=500))
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    with pytest.raises(TransientError, match=r"gemini: .*429 quota.*openai: .*500 boom"):
        chain.extract(DOC, FIELDS)


def test_all_providers_refusing_is_permanent() -> None:
    gemini = Backend("g", lambda r: ProviderError("404 model"))
    openai = Backend("o", lambda r: ProviderError("401 key"))
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    with pytest.raises(PermanentError, match=r"gemini: 404 model; openai: 401 key") as info:
        chain.extract(DOC, FIELDS)
    assert not isinstance(info.value, TransientError)


def test_classification_skips_a_failing_provider_and_never_fails() -> None:
    gemini = Backend("g", lambda r: RetryableError("429", status=429))
    openai = Backend("o", lambda r: '{"doc_type": "receipt"}')
    chain = chain_of(LlmExtractor("gemini", gemini, SETTINGS), LlmExtractor("openai", openai, SETTINGS))
    result = chain.classify(DOC)
    assert result.doc_type == "receipt"
    assert result.usage is not None and result.usage.provider == "openai"


def test_chain_is_built_from_the_setting() -> None:
    env = {
        "ZAPDOC_LLM_PROVIDERS": "gemini,openai",
        "GOOGLE_CLOUD_PROJECT": "demo",
        "ZAPDOC_GEMINI_BASE_URL": "http://127.0.0.1:9",
        "ZAPDOC_OPENAI_BASE_URL": "http://127.0.0.1:10/v1",
    }
    extractor, description = make_extractor(None, env)
    assert isinstance(extractor, ProviderChain)
    assert [m.name for m in extractor.members] == ["gemini", "openai"]
    assert description.startswith("chain: gemini: model gemini-3.1-flash-lite")
    assert "openai: model gpt-4o-mini" in description


# ------------------------------------------------------------------------------------------ escalation


def _answer_with_quote(quote: str) -> str:
    return json.dumps(
        {"values": {"vendor": "Globex Corporation", "total": 12.5},
         "evidence": [{"field": "total", "page": 1, "quote": quote}]}
    )  # fmt: skip


def test_low_confidence_answer_is_escalated_and_counted() -> None:
    # GIVEN a cheap model quoting text that is not in the document, and a stronger one that is right
    cheap = Backend("gemini-3.1-flash-lite", lambda r: _answer_with_quote("Total 99.00 USD"))
    strong = Backend("gemini-3.5-flash", lambda r: GOOD)
    extractor = LlmExtractor("gemini", cheap, SETTINGS, escalation=strong)
    # WHEN extracted
    result = extractor.extract(DOC, FIELDS)
    # THEN the stronger model's answer is kept, both are paid for at their own price, and it is counted
    assert (len(cheap.requests), len(strong.requests)) == (1, 1)
    assert result.model == "gemini-3.5-flash"
    assert result.values["total"].confidence > 0.9
    assert result.usage is not None
    assert result.usage.escalated == 1
    assert result.usage.requests == 2
    expected = (400 * 0.25 + 40 * 1.50 + 400 * 1.50 + 40 * 9.00) / 1e6
    assert result.usage.cost_usd == pytest.approx(expected)
    assert "low-confidence values: total" in result.notes[0]


def test_unreadable_answer_is_escalated() -> None:
    cheap = Backend("gemini-3.1-flash-lite", lambda r: "Sorry, I cannot help with that.")
    strong = Backend("gemini-3.5-flash", lambda r: GOOD)
    result = LlmExtractor("gemini", cheap, SETTINGS, escalation=strong).extract(DOC, FIELDS)
    assert result.values["vendor"].value == "Globex Corporation"
    assert result.usage is not None and result.usage.escalated == 1


def test_good_answer_is_not_escalated() -> None:
    cheap = Backend("gemini-3.1-flash-lite", lambda r: GOOD)
    strong = Backend("gemini-3.5-flash", lambda r: GOOD)
    result = LlmExtractor("gemini", cheap, SETTINGS, escalation=strong).extract(DOC, FIELDS)
    assert strong.requests == []
    assert result.usage is not None and result.usage.escalated == 0
    assert result.model == "gemini-3.1-flash-lite"


def test_escalation_off_keeps_the_first_answer() -> None:
    cheap = Backend("gemini-3.1-flash-lite", lambda r: _answer_with_quote("Total 99.00 USD"))
    strong = Backend("gemini-3.5-flash", lambda r: GOOD)
    settings = LlmSettings(backoff_s=0.0, escalate_below=0.0)
    result = LlmExtractor("gemini", cheap, settings, escalation=strong).extract(DOC, FIELDS)
    assert strong.requests == []
    assert result.values["total"].is_low_confidence


def test_verbatim_value_without_quote_is_verified_against_the_page() -> None:
    answer = json.dumps({"values": {"vendor": "Globex Corporation"}})
    result = LlmExtractor("gemini", Backend("m", lambda r: answer), SETTINGS).extract(DOC, FIELDS)
    vendor = result.values["vendor"]
    assert vendor.confidence >= 0.95
    assert vendor.evidence is not None and vendor.evidence.page == 1
