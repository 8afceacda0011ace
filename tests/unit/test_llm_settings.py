"""LLM settings: environment parsing, fail-fast validation and the price table."""

from __future__ import annotations

import pytest

from zapdoc.domain.errors import ConfigError
from zapdoc.domain.prices import Price
from zapdoc.settings import DEFAULT_GEMINI_MODEL, LlmSettings, is_loopback


def test_defaults_without_environment() -> None:
    # GIVEN an empty environment WHEN settings are read
    s = LlmSettings.from_env({})
    # THEN nothing cloud is configured and the GA Flash default applies
    assert s.provider is None
    assert s.gcp_project is None
    assert s.gemini_model == DEFAULT_GEMINI_MODEL
    assert s.gemini_base_url is None
    assert s.timeout_s == 60.0
    assert s.max_attempts == 5


def test_explicit_variables_are_read() -> None:
    env = {
        "ZAPDOC_LLM_PROVIDER": "gemini",
        "GOOGLE_CLOUD_PROJECT": "demo",
        "GOOGLE_CLOUD_LOCATION": "europe-west4",
        "ZAPDOC_GEMINI_MODEL": "gemini-3.1-flash-lite",
        "ZAPDOC_GEMINI_BASE_URL": "http://127.0.0.1:9999",
        "ZAPDOC_OPENAI_BASE_URL": "http://localhost:8080/v1",
        "OPENAI_API_KEY": "sk-test",
        "ZAPDOC_LLM_TIMEOUT_S": "2.5",
        "ZAPDOC_LLM_MAX_ATTEMPTS": "3",
        "ZAPDOC_LLM_CHUNK_PAGES": "4",
        "ZAPDOC_DAYFIRST": "true",
    }
    s = LlmSettings.from_env(env)
    assert (s.provider, s.gcp_project, s.gcp_location) == ("gemini", "demo", "europe-west4")
    assert s.gemini_model == "gemini-3.1-flash-lite"
    assert s.gemini_base_url == "http://127.0.0.1:9999"
    assert s.openai_api_key is not None and s.openai_api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(s)
    assert (s.timeout_s, s.max_attempts, s.chunk_pages, s.dayfirst) == (2.5, 3, 4, True)


def test_zapdoc_project_variable_wins_over_google_one() -> None:
    s = LlmSettings.from_env({"ZAPDOC_GCP_PROJECT": "mine", "GOOGLE_CLOUD_PROJECT": "other"})
    assert s.gcp_project == "mine"


@pytest.mark.parametrize(
    ("name", "raw"),
    [("ZAPDOC_LLM_MAX_ATTEMPTS", "many"), ("ZAPDOC_LLM_MAX_ATTEMPTS", "0"), ("ZAPDOC_LLM_TIMEOUT_S", "-1")],
)
def test_invalid_numbers_fail_fast_naming_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        LlmSettings.from_env({name: raw})


def test_price_table_lookup_prefix_and_override() -> None:
    s = LlmSettings()
    # a known model, a dated variant of it (longest prefix), an unknown model (free: a local server)
    assert s.price("gemini-3.5-flash") == Price(1.50, 9.00)
    assert s.price("gemini-3.1-flash-lite-001") == Price(0.25, 1.50)
    assert s.price("llama-3.1-8b") == Price(0.0, 0.0)
    over = LlmSettings.from_env({"ZAPDOC_LLM_PRICE_INPUT": "1", "ZAPDOC_LLM_PRICE_OUTPUT": "2"})
    assert over.price("gemini-3.5-flash").cost(1_000_000, 500_000) == pytest.approx(2.0)


def test_cost_is_per_million_tokens() -> None:
    assert Price(0.5, 3.0).cost(2_000, 1_000) == pytest.approx(0.004)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.5.5.5", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:9000", True),
        ("https://us-central1-aiplatform.googleapis.com", False),
        ("http://10.0.0.2:8080", False),
        (None, False),
    ],
)
def test_loopback_detection(url: str | None, expected: bool) -> None:
    assert is_loopback(url) is expected
