"""LLM settings live in the one settings model (``zapdoc.settings.LlmSettings``, part ``settings.llm``);
the price table in ``zapdoc.llm.prices``. This module keeps the old import path for both."""

from __future__ import annotations

from zapdoc.llm.prices import FREE, PRICES, Price
from zapdoc.settings import (
    DEFAULT_ESCALATION_MODEL,
    DEFAULT_GEMINI_MODEL,
    DEFAULT_LOCATION,
    DEFAULT_OPENAI_MODEL,
    LlmSettings,
    is_loopback,
)

__all__ = [
    "DEFAULT_ESCALATION_MODEL",
    "DEFAULT_GEMINI_MODEL",
    "DEFAULT_LOCATION",
    "DEFAULT_OPENAI_MODEL",
    "FREE",
    "PRICES",
    "LlmSettings",
    "Price",
    "is_loopback",
]
