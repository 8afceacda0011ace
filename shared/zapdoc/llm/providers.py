"""Choose the extraction provider: explicit name, else ``ZAPDOC_LLM_PROVIDER``, else gemini when a Google
Cloud project is configured, else the offline extractor. Misconfiguration fails here, before any work."""

from __future__ import annotations

import os
from collections.abc import Mapping

from zapdoc.domain.errors import ConfigError
from zapdoc.llm.settings import LlmSettings
from zapdoc.ports.extractor import Extractor

PROVIDERS = ("gemini", "openai", "offline")


def choose_provider(name: str | None, settings: LlmSettings) -> str:
    """The provider name that will be used, validated."""
    chosen = (name or settings.provider or ("gemini" if settings.gcp_project else "offline")).strip().lower()
    if chosen not in PROVIDERS:
        raise ConfigError(
            f"unknown LLM provider {chosen!r} (ZAPDOC_LLM_PROVIDER / --provider): use {', '.join(PROVIDERS)}"
        )
    return chosen


def make_extractor(name: str | None = None, env: Mapping[str, str] = os.environ) -> tuple[Extractor, str]:
    """Build the extractor and a one-line description of which provider and model were chosen."""
    settings = LlmSettings.from_env(env)
    chosen = choose_provider(name, settings)
    if chosen == "gemini":
        from zapdoc.adapters.gemini import GeminiExtractor

        gemini = GeminiExtractor(settings)
        gemini.check_ready()
        return gemini, gemini.describe()
    if chosen == "openai":
        from zapdoc.adapters.openai_compat import OpenAIExtractor

        oai = OpenAIExtractor(settings)
        oai.check_ready()
        return oai, oai.describe()
    from zapdoc.extraction.offline import OfflineExtractor

    return OfflineExtractor(), "offline: deterministic extractor, no network"
