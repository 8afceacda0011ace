"""The price table used to estimate the cost of each document (USD per million tokens)."""

from __future__ import annotations

from dataclasses import dataclass


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
