"""Provider choice and fail-fast configuration (no network: clients are built lazily)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zapdoc.bootstrap import build_extractor as make_extractor
from zapdoc.domain.errors import ConfigError
from zapdoc.llm.providers import choose_provider
from zapdoc.settings import LlmSettings


@pytest.mark.parametrize(
    ("name", "settings", "expected"),
    [
        (None, LlmSettings(), "offline"),
        (None, LlmSettings(gcp_project="demo"), "gemini"),
        (None, LlmSettings(gcp_project="demo", provider="openai"), "openai"),
        ("offline", LlmSettings(gcp_project="demo", provider="gemini"), "offline"),
        ("Gemini", LlmSettings(), "gemini"),
    ],
)
def test_explicit_name_then_setting_then_project_decides(
    name: str | None, settings: LlmSettings, expected: str
) -> None:
    assert choose_provider(name, settings) == expected


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ZAPDOC_LLM_PROVIDER"):
        choose_provider("claude", LlmSettings())


def test_gemini_without_project_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="GOOGLE_CLOUD_PROJECT"):
        make_extractor("gemini", {})


@pytest.fixture
def no_google_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine with no Application Default Credentials (and no metadata server to ask)."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")


@pytest.mark.usefixtures("no_google_credentials")
def test_real_gemini_endpoint_without_credentials_fails_fast() -> None:
    with pytest.raises(ConfigError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        make_extractor(None, {"GOOGLE_CLOUD_PROJECT": "demo", "ZAPDOC_LLM_PROVIDER": "gemini"})


@pytest.mark.usefixtures("no_google_credentials")
def test_loopback_gemini_needs_no_credentials() -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "demo", "ZAPDOC_GEMINI_BASE_URL": "http://127.0.0.1:9"}
    extractor, description = make_extractor(None, env)
    assert extractor.name == "gemini"
    assert "gemini-3.5-flash" in description
    assert "http://127.0.0.1:9" in description


def test_openai_needs_a_key_unless_local() -> None:
    with pytest.raises(ConfigError, match="ZAPDOC_OPENAI_API_KEY"):
        make_extractor("openai", {})
    extractor, description = make_extractor(
        "openai", {"ZAPDOC_OPENAI_BASE_URL": "http://localhost:11434/v1", "ZAPDOC_OPENAI_MODEL": "llama3.1"}
    )
    assert extractor.name == "openai"
    assert description == "openai: model llama3.1 on http://localhost:11434/v1"


def test_offline_is_the_default_without_a_project() -> None:
    extractor, description = make_extractor(None, {})
    assert extractor.name == "offline"
    assert "offline" in description
