"""LLM port: one model call (``LlmBackend.generate``), its request and reply, and the errors a backend
raises. The engine (``zapdoc.llm``) plans, prompts, retries and validates; each provider adapter
(``zapdoc.adapters.gemini``, ``zapdoc.adapters.openai_compat``) only implements the call.

Backends translate SDK failures into ``RetryableError`` (429, 500, 503, timeouts, dropped connections),
``ProviderError`` (401/403/404, safety blocks: this provider will not do it, another may) or
``PermanentError`` (400: the request itself is bad).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from zapdoc.domain.errors import PermanentError, TransientError

JsonSchema = dict[str, Any]
Purpose = Literal["extract", "classify"]


@dataclass(frozen=True)
class PdfPart:
    """PDF bytes sent natively (scans); ``first_page`` is the document page number of its page 1."""

    data: bytes
    first_page: int
    pages: int


@dataclass(frozen=True)
class LlmRequest:
    """One model call: system instruction, user parts in order (text or PDF), the schema to answer in."""

    system: str
    parts: tuple[str | PdfPart, ...]
    schema: JsonSchema
    purpose: Purpose
    max_output_tokens: int


@dataclass(frozen=True)
class LlmReply:
    """The model's text and the tokens it was billed for; ``truncated`` when it hit the output limit."""

    text: str
    prompt_tokens: int
    output_tokens: int
    truncated: bool = False


class LlmBackend(Protocol):
    """One provider's transport. Raises ``RetryableError`` (may pass) or ``PermanentError`` (refused)."""

    model: str

    def generate(self, request: LlmRequest) -> LlmReply: ...


RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class RetryableError(TransientError):
    """A failure that may pass on a new attempt; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ProviderError(PermanentError):
    """Permanent for this provider, not for the document: quota or access refused, model unavailable,
    a safety block, an unusable answer. A provider chain tries the next provider; ``health`` says whether
    the failure counts against the provider's circuit breaker (a safety block is about the document, so
    it does not)."""

    def __init__(self, message: str, *, health: bool = True) -> None:
        super().__init__(message)
        self.health = health
