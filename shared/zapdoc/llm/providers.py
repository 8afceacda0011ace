"""Choose the extraction provider: explicit name, else ``ZAPDOC_LLM_PROVIDER``, else gemini when a Google
Cloud project is configured, else the offline extractor. Misconfiguration fails here, before any work.

The provider's adapter is built in the composition root (``zapdoc.bootstrap.build_extractor``)."""

from __future__ import annotations

from zapdoc.domain.errors import ConfigError
from zapdoc.settings import LlmSettings

PROVIDERS = ("gemini", "openai", "offline")


def choose_provider(name: str | None, settings: LlmSettings) -> str:
    """The provider name that will be used, validated."""
    chosen = (name or settings.provider or ("gemini" if settings.gcp_project else "offline")).strip().lower()
    if chosen not in PROVIDERS:
        raise ConfigError(
            f"unknown LLM provider {chosen!r} (ZAPDOC_LLM_PROVIDER / --provider): use {', '.join(PROVIDERS)}"
        )
    return chosen
