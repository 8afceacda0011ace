"""The provider-neutral LLM extractor: plans page ranges, builds prompts, retries, validates, merges.

A provider only has to implement ``LlmBackend.generate`` (one request, one reply); Gemini and the
OpenAI-compatible adapters do, so both share exactly the same validation and merging.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from zapdoc.domain.documents import DOC_TYPES, Classification, DocumentText, Extraction, FieldValue, Usage
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import FieldSpec
from zapdoc.llm import chunking, prompt
from zapdoc.llm.retry import RetryPolicy, call_with_retry
from zapdoc.llm.schema import JsonSchema, classification_schema, response_schema
from zapdoc.llm.validate import ChunkResult, parse_answer, validate_answer
from zapdoc.settings import LlmSettings

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


def offline_classification(text: str) -> Classification:
    """The offline keyword classifier, used when the model cannot answer."""
    from zapdoc.extraction.classify import classify_text

    return classify_text(text)


class LlmExtractor:
    """``Extractor`` backed by a large language model (see the module doc)."""

    def __init__(self, name: str, backend: LlmBackend, settings: LlmSettings) -> None:
        self.name = name
        self.backend = backend
        self.settings = settings
        self.policy = RetryPolicy(
            attempts=settings.max_attempts,
            base_s=settings.backoff_s,
            max_delay_s=max(settings.backoff_s, 30.0),
            total_s=settings.max_retry_s,
        )

    @property
    def model(self) -> str:
        return self.backend.model

    # ------------------------------------------------------------------------------------------ calls

    def _call(self, request: LlmRequest, usage: Usage) -> LlmReply:
        reply = call_with_retry(
            lambda: self.backend.generate(request), self.policy, what=f"{self.name} ({self.model})"
        )
        usage.requests += 1
        usage.prompt_tokens += reply.prompt_tokens
        usage.output_tokens += reply.output_tokens
        return reply

    def _finish_usage(self, usage: Usage) -> Usage:
        usage.model = self.model
        usage.cost_usd = self.settings.price(self.model).cost(usage.prompt_tokens, usage.output_tokens)
        return usage

    # ------------------------------------------------------------------------------------- extraction

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        """Extract ``fields`` page range by page range and merge; a scan goes as PDF parts."""
        if not fields:
            raise PermanentError("no fields to extract")
        schema = response_schema(fields)
        usage = Usage(model=self.model)
        notes: list[str] = []
        parts: list[dict[str, FieldValue]] = []
        if doc.has_text_layer:
            ranges = chunking.plan_text_ranges(
                doc.pages,
                budget_tokens=self.settings.chunk_tokens,
                max_pages=self.settings.chunk_pages,
                overlap=self.settings.overlap_pages,
            )
            for pages in ranges:
                # a scanned stretch inside a text document (mixed PDFs) goes as PDF pages
                scanned = doc.pdf and sum(len(doc.pages[n - 1].strip()) for n in pages) < 20 * len(pages)
                run = self._extract_pdf if scanned else self._extract_text
                for result in run(doc, pages, fields, schema, usage):
                    parts.append(result.values)
                    notes.extend(result.notes)
        else:
            if not doc.pdf:
                raise PermanentError("the document has no text layer and no PDF bytes to send")
            ranges = chunking.plan_pdf_ranges(
                doc.page_count,
                len(doc.pdf),
                max_pages=self.settings.chunk_pages,
                max_bytes=self.settings.max_pdf_bytes,
            )
            for pages in ranges:
                for result in self._extract_pdf(doc, pages, fields, schema, usage):
                    parts.append(result.values)
                    notes.extend(result.notes)
        values = chunking.merge_values(parts, fields)
        return Extraction(values=values, usage=self._finish_usage(usage), notes=list(dict.fromkeys(notes)))

    def _extract_text(
        self, doc: DocumentText, pages: range, fields: Sequence[FieldSpec], schema: JsonSchema, usage: Usage
    ) -> list[ChunkResult]:
        texts = {n: doc.pages[n - 1] if n - 1 < len(doc.pages) else "" for n in pages}
        user = prompt.extraction_prompt(texts, doc.page_count)
        request = LlmRequest(
            system=prompt.SYSTEM_EXTRACT,
            parts=(user.text,),
            schema=schema,
            purpose="extract",
            max_output_tokens=self.settings.max_output_tokens,
        )
        reply = self._call(request, usage)
        if reply.truncated and len(pages) > 1:
            first, second = chunking.split_range(pages)
            return self._extract_text(doc, first, fields, schema, usage) + self._extract_text(
                doc, second, fields, schema, usage
            )
        result = validate_answer(parse_answer(reply.text), fields, texts, dayfirst=self.settings.dayfirst)
        if reply.truncated:
            result.notes.append(f"the answer for page {pages.start} was cut off; some values may be missing")
        return [result]

    def _extract_pdf(
        self, doc: DocumentText, pages: range, fields: Sequence[FieldSpec], schema: JsonSchema, usage: Usage
    ) -> list[ChunkResult]:
        assert doc.pdf is not None
        data = chunking.pdf_subset(doc.pdf, pages)
        head, tail, _ = prompt.pdf_prompt_parts(pages.start, pages.stop - 1, doc.page_count)
        request = LlmRequest(
            system=prompt.SYSTEM_EXTRACT,
            parts=(head, PdfPart(data=data, first_page=pages.start, pages=len(pages)), tail),
            schema=schema,
            purpose="extract",
            max_output_tokens=self.settings.max_output_tokens,
        )
        reply = self._call(request, usage)
        if reply.truncated and len(pages) > 1:
            first, second = chunking.split_range(pages)
            return self._extract_pdf(doc, first, fields, schema, usage) + self._extract_pdf(
                doc, second, fields, schema, usage
            )
        result = validate_answer(parse_answer(reply.text), fields, None, dayfirst=self.settings.dayfirst)
        if reply.truncated:
            result.notes.append(f"the answer for page {pages.start} was cut off; some values may be missing")
        return [result]

    # --------------------------------------------------------------------------------- classification

    def classify(self, doc: DocumentText) -> Classification:
        """Ask the model for one of the document types; fall back to the keyword classifier on failure
        (classification feeds analytics only, so it never fails a document)."""
        usage = Usage(model=self.model)
        parts: tuple[str | PdfPart, ...]
        if doc.has_text_layer:
            parts = (prompt.classification_prompt(doc.text, self.settings.classify_chars).text,)
        elif doc.pdf:
            first = range(1, min(doc.page_count, 2) + 1)
            delim = prompt.new_delimiter_id()
            parts = (
                f"Classify this document (attached as a PDF).\n{prompt.open_line(delim)}",
                PdfPart(data=chunking.pdf_subset(doc.pdf, first), first_page=1, pages=len(first)),
                prompt.close_line(delim),
            )
        else:
            return offline_classification(doc.text)
        request = LlmRequest(
            system=prompt.SYSTEM_CLASSIFY,
            parts=parts,
            schema=classification_schema(),
            purpose="classify",
            max_output_tokens=64,
        )
        try:
            reply = self._call(request, usage)
        except (PermanentError, TransientError):
            fallback = offline_classification(doc.text)
            fallback.usage = self._finish_usage(usage) if usage.requests else None
            return fallback
        label = _label(reply.text)
        if label is None:
            fallback = offline_classification(doc.text)
            fallback.usage = self._finish_usage(usage)
            return fallback
        return Classification(doc_type=label, confidence=0.9, usage=self._finish_usage(usage))


def _label(text: str) -> Any:
    """The document type in a reply: a bare label (enum mode), a JSON string or ``{"doc_type": ...}``."""
    raw: Any = text.strip()
    with contextlib.suppress(ValueError):
        raw = json.loads(raw)
    if isinstance(raw, dict):
        raw = raw.get("doc_type") or raw.get("type") or raw.get("label")
    label = str(raw or "").strip().strip("\"'").lower()
    return label if label in DOC_TYPES else None
