"""A chain of LLM providers (``ZAPDOC_LLM_PROVIDERS=gemini,openai``): each document goes to the first
provider whose circuit is closed; when it fails there for a provider-side reason, it goes to the next.

- Transient failure after the provider's own retries (429, 5xx, timeouts): next provider; counts
  against the provider's circuit breaker.
- ``ProviderError`` (quota or access refused, model not found, safety block, unusable answer): next
  provider; counts against the breaker unless it was about the document (a safety block).
- Any other ``PermanentError`` (the request or the document is bad): raised at once, tried nowhere else.

When every provider failed, the document fails transiently if any failure (or open circuit) may pass,
so it is redelivered later, else permanently with every provider's reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from zapdoc.domain.documents import Classification, DocumentText, Extraction
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import FieldSpec
from zapdoc.llm.breaker import CircuitBreaker
from zapdoc.llm.engine import LlmExtractor, offline_classification
from zapdoc.ports.llm import ProviderError


class ProviderChain:
    """``Extractor`` over several ``LlmExtractor``s, in order, with a shared circuit breaker."""

    def __init__(self, members: Sequence[LlmExtractor], breaker: CircuitBreaker) -> None:
        if not members:
            raise ValueError("a provider chain needs at least one provider")
        self.members = list(members)
        self.breaker = breaker
        self.name = ",".join(m.name for m in self.members)
        self.types_in_extraction = all(m.types_in_extraction for m in self.members)

    @property
    def model(self) -> str:
        return self.members[0].model

    def describe(self) -> str:
        return "chain: " + " -> ".join(m.describe() for m in self.members)

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        tried: list[str] = []
        may_pass = False
        for member in self.members:
            until = self.breaker.open_until(member.name)
            if until is not None:
                tried.append(f"{member.name}: skipped, its circuit is open until {until:%H:%M:%S} UTC")
                may_pass = True
                continue
            try:
                result = member.extract(doc, fields)
            except TransientError as exc:
                self.breaker.failure(member.name, str(exc))
                tried.append(f"{member.name}: {exc}")
                may_pass = True
                continue
            except ProviderError as exc:
                if exc.health:
                    self.breaker.failure(member.name, str(exc))
                tried.append(f"{member.name}: {exc}")
                continue
            except PermanentError:
                raise  # a bad document or request: no other provider will do better
            self.breaker.success(member.name)
            if tried:
                result.notes.insert(0, f"extracted by {member.name} after: {'; '.join(tried)}")
                if result.usage is not None:
                    result.usage.failed_over = 1
            return result
        reason = "no provider could extract the document: " + "; ".join(tried)
        if may_pass:
            raise TransientError(reason)
        raise PermanentError(reason)

    def classify(self, doc: DocumentText) -> Classification:
        """The first provider that answers; the keyword classifier when none does (never fails)."""
        for member in self.members:
            if not self.breaker.allow(member.name):
                continue
            try:
                return member.classify_strict(doc)
            except TransientError as exc:
                self.breaker.failure(member.name, str(exc))
            except ProviderError as exc:
                if exc.health:
                    self.breaker.failure(member.name, str(exc))
            except PermanentError:
                break
        return offline_classification(doc.text)
