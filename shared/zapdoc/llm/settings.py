"""LLM settings read from the environment, and the price table used to estimate cost per document."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from zapdoc.domain.errors import ConfigError

DEFAULT_GEMINI_MODEL = "gemini-3.1-flash-lite"
"""Chosen for cost: the Flash-Lite class reads a text page near the raw model cost ($0.25/M input). A
document whose answer fails validation or carries low-confidence values is re-asked of
``DEFAULT_ESCALATION_MODEL`` (``ZAPDOC_GEMINI_ESCALATION_MODEL``; empty turns escalation off)."""
DEFAULT_ESCALATION_MODEL = "gemini-3.5-flash"
"""GA Flash-class model on Vertex AI (released May 2026, no shutdown date announced as of Nov 2026)."""
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_LOCATION = "global"
"""Gemini 3.x on Vertex AI is served from the global endpoint (fewer 429s); set ZAPDOC_GEMINI_LOCATION
to a region (e.g. europe-west4) when processing must stay in one place."""


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, prompt_tokens: int, output_tokens: int) -> float:
        return (prompt_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1_000_000


# Public list prices (standard tier, text input, USD per 1M tokens) as read in late 2026; re-check before
# quoting. Output prices include thinking tokens. Override with ZAPDOC_LLM_PRICE_INPUT/OUTPUT.
PRICES: dict[str, Price] = {
    "gemini-3.5-flash": Price(1.50, 9.00),
    "gemini-3.1-flash-lite": Price(0.25, 1.50),
    "gemini-3-flash-preview": Price(0.50, 3.00),
    "gemini-2.5-flash": Price(0.30, 2.50),
    "gemini-2.5-flash-lite": Price(0.10, 0.40),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
}
FREE = Price(0.0, 0.0)


def is_loopback(url: str | None) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or localhost: local stand-ins and local model servers."""
    if not url:
        return False
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float | None) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    return value


def _str(env: Mapping[str, str], *names: str, default: str | None = None) -> str | None:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return default


@dataclass(frozen=True)
class LlmSettings:
    """Everything the LLM providers need; explicit construction beats the environment in tests."""

    provider: str | None = None
    providers: tuple[str, ...] = ()
    """``ZAPDOC_LLM_PROVIDERS=gemini,openai``: a fallback chain, tried in order per document."""
    gcp_project: str | None = None
    gcp_location: str = DEFAULT_LOCATION
    gemini_model: str = DEFAULT_GEMINI_MODEL
    gemini_escalation_model: str | None = DEFAULT_ESCALATION_MODEL
    gemini_base_url: str | None = None
    gemini_thinking_level: str | None = "low"
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    openai_escalation_model: str | None = None
    escalate_below: float = 0.6
    """Escalate when a value the model gave is below this confidence (its quote is not in the text)
    or did not validate; 0 turns escalation off."""
    breaker_failures: int = 5
    breaker_window_s: float = 60.0
    breaker_cooldown_s: float = 60.0
    timeout_s: float = 60.0
    max_attempts: int = 5
    max_retry_s: float = 120.0
    backoff_s: float = 1.0
    chunk_tokens: int = 24_000
    chunk_pages: int = 15
    overlap_pages: int = 0
    max_pdf_bytes: int = 18_000_000
    max_output_tokens: int = 16_384
    classify_chars: int = 440
    """Prefix of the text sent when a classification request is needed at all (the extraction answer
    normally carries the type): the whole request stays under 200 prompt tokens."""
    dayfirst: bool | None = None
    price_input: float | None = None
    price_output: float | None = None
    prices: Mapping[str, Price] = field(default_factory=lambda: dict(PRICES))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LlmSettings:
        """Read ``ZAPDOC_*`` (and the standard ``GOOGLE_CLOUD_*`` / ``OPENAI_API_KEY``) variables."""
        dayfirst_raw = env.get("ZAPDOC_DAYFIRST", "").strip().lower()
        dayfirst = (
            None if not dayfirst_raw or dayfirst_raw == "auto" else dayfirst_raw in ("1", "true", "yes")
        )
        thinking = env.get("ZAPDOC_GEMINI_THINKING_LEVEL")
        timeout = _float(env, "ZAPDOC_LLM_TIMEOUT_S", 60.0) or 0.0
        max_retry = _float(env, "ZAPDOC_LLM_MAX_RETRY_S", 120.0) or 0.0
        backoff = _float(env, "ZAPDOC_LLM_BACKOFF_S", 1.0) or 0.0
        if timeout <= 0:
            raise ConfigError("ZAPDOC_LLM_TIMEOUT_S must be positive")
        chain = tuple(p.strip().lower() for p in env.get("ZAPDOC_LLM_PROVIDERS", "").split(",") if p.strip())
        escalation = env.get("ZAPDOC_GEMINI_ESCALATION_MODEL")
        return cls(
            provider=_str(env, "ZAPDOC_LLM_PROVIDER"),
            providers=chain,
            gemini_escalation_model=DEFAULT_ESCALATION_MODEL
            if escalation is None
            else (escalation.strip() or None),
            openai_escalation_model=_str(env, "ZAPDOC_OPENAI_ESCALATION_MODEL"),
            escalate_below=_float(env, "ZAPDOC_LLM_ESCALATE_BELOW", 0.6) or 0.0,
            breaker_failures=_int(env, "ZAPDOC_LLM_BREAKER_FAILURES", 5),
            breaker_window_s=_float(env, "ZAPDOC_LLM_BREAKER_WINDOW_S", 60.0) or 60.0,
            breaker_cooldown_s=_float(env, "ZAPDOC_LLM_BREAKER_COOLDOWN_S", 60.0) or 60.0,
            gcp_project=_str(env, "ZAPDOC_GCP_PROJECT", "GOOGLE_CLOUD_PROJECT"),
            gcp_location=_str(
                env, "ZAPDOC_GEMINI_LOCATION", "GOOGLE_CLOUD_LOCATION", default=DEFAULT_LOCATION
            )
            or DEFAULT_LOCATION,
            gemini_model=_str(env, "ZAPDOC_GEMINI_MODEL", default=DEFAULT_GEMINI_MODEL)
            or DEFAULT_GEMINI_MODEL,
            gemini_base_url=_str(env, "ZAPDOC_GEMINI_BASE_URL"),
            gemini_thinking_level="low" if thinking is None else (thinking.strip() or None),
            openai_base_url=_str(env, "ZAPDOC_OPENAI_BASE_URL"),
            openai_api_key=_str(env, "ZAPDOC_OPENAI_API_KEY", "OPENAI_API_KEY"),
            openai_model=_str(env, "ZAPDOC_OPENAI_MODEL", default=DEFAULT_OPENAI_MODEL)
            or DEFAULT_OPENAI_MODEL,
            timeout_s=timeout,
            max_attempts=_int(env, "ZAPDOC_LLM_MAX_ATTEMPTS", 5),
            max_retry_s=max_retry,
            backoff_s=backoff,
            chunk_tokens=_int(env, "ZAPDOC_LLM_CHUNK_TOKENS", 24_000, minimum=500),
            chunk_pages=_int(env, "ZAPDOC_LLM_CHUNK_PAGES", 15),
            overlap_pages=_int(env, "ZAPDOC_LLM_OVERLAP_PAGES", 0, minimum=0),
            max_pdf_bytes=_int(env, "ZAPDOC_LLM_MAX_PDF_BYTES", 18_000_000, minimum=100_000),
            max_output_tokens=_int(env, "ZAPDOC_LLM_MAX_OUTPUT_TOKENS", 16_384, minimum=256),
            dayfirst=dayfirst,
            price_input=_float(env, "ZAPDOC_LLM_PRICE_INPUT", None),
            price_output=_float(env, "ZAPDOC_LLM_PRICE_OUTPUT", None),
        )

    def price(self, model: str) -> Price:
        """Price of ``model``: explicit overrides first, then the table (longest matching prefix), else 0."""
        base = self.prices.get(model)
        if base is None:
            matches = [k for k in self.prices if model.startswith(k)]
            base = self.prices[max(matches, key=len)] if matches else FREE
        return Price(
            self.price_input if self.price_input is not None else base.input_per_mtok,
            self.price_output if self.price_output is not None else base.output_per_mtok,
        )
