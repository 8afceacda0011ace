"""Choose the extraction provider(s): an explicit name (``--provider``, may be a chain ``gemini,openai``),
else ``ZAPDOC_LLM_PROVIDERS`` (a chain), else ``ZAPDOC_LLM_PROVIDER``, else gemini when a Google Cloud
project is configured, else the offline extractor. Misconfiguration fails here, before any work.

The providers' adapters (and the chain's circuit breaker) are built in the composition root
(``zapdoc.bootstrap.build_extractor``)."""

from __future__ import annotations

import datetime as dt

from zapdoc.domain.errors import ConfigError
from zapdoc.llm.breaker import BreakerPolicy
from zapdoc.settings import LlmSettings

PROVIDERS = ("gemini", "openai", "offline")
LLM_PROVIDERS = ("gemini", "openai")


def _check(name: str) -> str:
    if name not in PROVIDERS:
        raise ConfigError(
            f"unknown LLM provider {name!r} (ZAPDOC_LLM_PROVIDERS / ZAPDOC_LLM_PROVIDER / --provider): "
            f"use {', '.join(PROVIDERS)}"
        )
    return name


def choose_providers(name: str | None, settings: LlmSettings) -> tuple[str, ...]:
    """The provider names that will be used, in order, validated (one name unless a chain is asked)."""
    if name:
        chosen = tuple(p.strip().lower() for p in name.split(",") if p.strip())
    elif settings.providers:
        chosen = settings.providers
    else:
        single = settings.provider or ("gemini" if settings.gcp_project else "offline")
        chosen = (single.strip().lower(),)
    for p in chosen:
        _check(p)
    if len(chosen) > 1 and "offline" in chosen:
        raise ConfigError("ZAPDOC_LLM_PROVIDERS chains LLM providers (gemini, openai); offline is not one")
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"ZAPDOC_LLM_PROVIDERS names a provider twice: {','.join(chosen)}")
    return chosen or ("offline",)


def choose_provider(name: str | None, settings: LlmSettings) -> str:
    """The single provider name that will be used (the first of a chain)."""
    return choose_providers(name, settings)[0]


def breaker_policy(settings: LlmSettings) -> BreakerPolicy:
    """The chain's circuit-breaker policy (``ZAPDOC_LLM_BREAKER_*``)."""
    return BreakerPolicy(
        failures=settings.breaker_failures,
        window=dt.timedelta(seconds=settings.breaker_window_s),
        cooldown=dt.timedelta(seconds=settings.breaker_cooldown_s),
    )
