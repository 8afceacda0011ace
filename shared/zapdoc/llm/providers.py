"""Choose the extraction provider(s): an explicit name (``--provider``, may be a chain ``gemini,openai``),
else ``ZAPDOC_LLM_PROVIDERS`` (a chain), else ``ZAPDOC_LLM_PROVIDER``, else gemini when a Google Cloud
project is configured, else the offline extractor. Misconfiguration fails here, before any work."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from zapdoc.domain.errors import ConfigError
from zapdoc.llm.breaker import BreakerPolicy, CircuitBreaker
from zapdoc.llm.engine import LlmExtractor
from zapdoc.llm.settings import LlmSettings
from zapdoc.ports.extractor import Extractor
from zapdoc.ports.store import DocumentStore

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


def _build(name: str, settings: LlmSettings) -> LlmExtractor:
    if name == "gemini":
        from zapdoc.adapters.gemini import GeminiExtractor

        gemini = GeminiExtractor(settings)
        gemini.check_ready()
        return gemini
    from zapdoc.adapters.openai_compat import OpenAIExtractor

    oai = OpenAIExtractor(settings)
    oai.check_ready()
    return oai


def breaker_for(settings: LlmSettings, store: DocumentStore | None) -> CircuitBreaker:
    """The chain's circuit breaker on ``store`` (shared by a function's instances through Firestore);
    without one (the CLI), an in-process store: the breaker then protects this run only."""
    if store is None:
        from zapdoc.adapters.memory import MemoryStore

        store = MemoryStore()
    policy = BreakerPolicy(
        failures=settings.breaker_failures,
        window=dt.timedelta(seconds=settings.breaker_window_s),
        cooldown=dt.timedelta(seconds=settings.breaker_cooldown_s),
    )
    return CircuitBreaker(store, policy)


def make_extractor(
    name: str | None = None, env: Mapping[str, str] = os.environ, *, store: DocumentStore | None = None
) -> tuple[Extractor, str]:
    """Build the extractor and a one-line description of which provider(s) and model(s) were chosen.

    ``store`` holds the circuit breaker's state when a chain is configured (the functions pass their
    Firestore store so every instance sees the same state)."""
    settings = LlmSettings.from_env(env)
    chosen = choose_providers(name, settings)
    if chosen == ("offline",):
        from zapdoc.extraction.offline import OfflineExtractor

        return OfflineExtractor(), "offline: deterministic extractor, no network"
    members = [_build(p, settings) for p in chosen]
    if len(members) == 1 and not settings.providers and (name is None or "," not in name):
        return members[0], members[0].describe()
    from zapdoc.llm.chain import ProviderChain

    chain = ProviderChain(members, breaker_for(settings, store))
    return chain, chain.describe()
