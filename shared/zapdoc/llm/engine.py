"""The provider-neutral LLM extractor: plans page ranges, builds prompts, retries, validates, merges.

A provider only has to implement ``LlmBackend.generate`` (one request, one reply); Gemini and the
OpenAI-compatible adapters do, so both share exactly the same validation and merging.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from zapdoc.domain.documents import (
    DOC_TYPES,
    Classification,
    DocType,
    DocumentText,
    Extraction,
    FieldValue,
    Usage,
)
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import FieldSpec
from zapdoc.llm import chunking, prompt
from zapdoc.llm.retry import RetryPolicy, UnusableAnswer, call_with_retry
from zapdoc.llm.schema import classification_schema, response_schema
from zapdoc.llm.validate import ChunkResult, parse_answer, validate_answer
from zapdoc.ports.llm import JsonSchema, LlmBackend, LlmReply, LlmRequest, PdfPart, ProviderError
from zapdoc.settings import LlmSettings


def offline_classification(text: str) -> Classification:
    """The offline keyword classifier, used when the model cannot answer."""
    from zapdoc.extraction.classify import classify_text

    return classify_text(text)


class LlmExtractor:
    """``Extractor`` backed by a large language model (see the module doc).

    ``escalation`` is a second backend on a stronger model of the same provider: a document whose
    answer did not validate, could not be read, or carries a value below ``settings.escalate_below``
    confidence is extracted again by it (counted in ``Usage.escalated``, its tokens priced at its own
    rate). The extraction answer carries the document type, so classification needs no request of its
    own (``types_in_extraction``).
    """

    types_in_extraction = True

    def __init__(
        self,
        name: str,
        backend: LlmBackend,
        settings: LlmSettings,
        escalation: LlmBackend | None = None,
        *,
        where: str = "",
        ready: Callable[[], object] | None = None,
    ) -> None:
        self.name = name
        self.backend = backend
        self.escalation = escalation
        self.settings = settings
        self.where = where  # the endpoint, for describe()
        self._ready = ready
        self.policy = RetryPolicy(
            attempts=settings.max_attempts,
            base_s=settings.backoff_s,
            max_delay_s=max(settings.backoff_s, 30.0),
            total_s=settings.max_retry_s,
        )

    @property
    def model(self) -> str:
        return self.backend.model

    def describe(self) -> str:
        where = f" on {self.where}" if self.where else ""
        stronger = f", escalating to {self.escalation.model}" if self.escalation else ""
        return f"{self.name}: model {self.model}{where}{stronger}"

    def check_ready(self) -> None:
        """Resolve what the backend needs (credentials) now, so a misconfiguration fails before any
        document is read."""
        if self._ready is not None:
            self._ready()

    # ------------------------------------------------------------------------------------------ calls

    def _call(self, backend: LlmBackend, request: LlmRequest, usage: Usage) -> LlmReply:
        reply = call_with_retry(
            lambda: backend.generate(request), self.policy, what=f"{self.name} ({backend.model})"
        )
        usage.requests += 1
        usage.prompt_tokens += reply.prompt_tokens
        usage.output_tokens += reply.output_tokens
        usage.cost_usd += self.settings.price(backend.model).cost(reply.prompt_tokens, reply.output_tokens)
        return reply

    def _usage(self, backend: LlmBackend) -> Usage:
        return Usage(provider=self.name, model=backend.model)

    # ------------------------------------------------------------------------------------- extraction

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        """Extract ``fields`` page range by page range and merge (a scan goes as PDF parts); escalate to
        the stronger model when the answer is not good enough."""
        if not fields:
            raise PermanentError("no fields to extract")
        usage = self._usage(self.backend)
        result: Extraction | None
        try:
            result = self._extract_with(self.backend, doc, fields, usage)
            reason = self.escalation_reason(result)
        except UnusableAnswer as exc:
            if self.escalation is None:
                raise
            result, reason = None, str(exc)
        if reason and self.escalation is not None:
            try:
                stronger = self._extract_with(self.escalation, doc, fields, usage)
            except (TransientError, ProviderError) as exc:
                if result is None:
                    raise
                result.notes.append(f"a second reading by {self.escalation.model} failed: {exc}")
            else:
                usage.escalated = 1
                usage.model = self.escalation.model
                stronger.notes.insert(0, f"re-read by {self.escalation.model} ({reason})")
                stronger.doc_type = stronger.doc_type or (result.doc_type if result else None)
                result = stronger
        assert result is not None
        result.usage = usage
        result.provider = self.name
        result.model = usage.model
        return result

    def escalation_reason(self, result: Extraction) -> str | None:
        """Why a stronger model should read the document again, or None (also None without one)."""
        threshold = self.settings.escalate_below
        if self.escalation is None or threshold <= 0:
            return None
        low = [n for n, fv in result.values.items() if fv.value is not None and fv.confidence < threshold]
        invalid = [n for n, fv in result.values.items() if fv.value is None and fv.note]
        parts = []
        if invalid:
            parts.append("values that did not validate: " + ", ".join(invalid))
        if low:
            parts.append("low-confidence values: " + ", ".join(low))
        return "; ".join(parts) or None

    def _extract_with(
        self, backend: LlmBackend, doc: DocumentText, fields: Sequence[FieldSpec], usage: Usage
    ) -> Extraction:
        schema = response_schema(fields)
        notes: list[str] = []
        parts: list[dict[str, FieldValue]] = []
        types: list[DocType] = []

        def take(results: list[tuple[ChunkResult, DocType | None]]) -> None:
            for result, doc_type in results:
                parts.append(result.values)
                notes.extend(result.notes)
                if doc_type:
                    types.append(doc_type)

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
                take(run(backend, doc, pages, fields, schema, usage))
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
                take(self._extract_pdf(backend, doc, pages, fields, schema, usage))
        values = chunking.merge_values(parts, fields)
        return Extraction(
            values=values,
            notes=list(dict.fromkeys(notes)),
            provider=self.name,
            model=backend.model,
            doc_type=types[0] if types else None,
        )

    def _answer(
        self,
        backend: LlmBackend,
        reply: LlmReply,
        fields: Sequence[FieldSpec],
        texts: dict[int, str] | None,
    ) -> tuple[ChunkResult, DocType | None]:
        try:
            data = parse_answer(reply.text)
        except PermanentError as exc:
            raise UnusableAnswer(f"{self.name} ({backend.model}): {exc}") from exc
        result = validate_answer(data, fields, texts, dayfirst=self.settings.dayfirst)
        return result, _label(data.get("doc_type"))

    def _extract_text(
        self,
        backend: LlmBackend,
        doc: DocumentText,
        pages: range,
        fields: Sequence[FieldSpec],
        schema: JsonSchema,
        usage: Usage,
    ) -> list[tuple[ChunkResult, DocType | None]]:
        texts = {n: doc.pages[n - 1] if n - 1 < len(doc.pages) else "" for n in pages}
        user = prompt.extraction_prompt(texts, doc.page_count)
        request = LlmRequest(
            system=prompt.SYSTEM_EXTRACT,
            parts=(user.text,),
            schema=schema,
            purpose="extract",
            max_output_tokens=self.settings.max_output_tokens,
        )
        reply = self._call(backend, request, usage)
        if reply.truncated and len(pages) > 1:
            first, second = chunking.split_range(pages)
            return self._extract_text(backend, doc, first, fields, schema, usage) + self._extract_text(
                backend, doc, second, fields, schema, usage
            )
        result, doc_type = self._answer(backend, reply, fields, texts)
        if reply.truncated:
            result.notes.append(f"the answer for page {pages.start} was cut off; some values may be missing")
        return [(result, doc_type)]

    def _extract_pdf(
        self,
        backend: LlmBackend,
        doc: DocumentText,
        pages: range,
        fields: Sequence[FieldSpec],
        schema: JsonSchema,
        usage: Usage,
    ) -> list[tuple[ChunkResult, DocType | None]]:
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
        reply = self._call(backend, request, usage)
        if reply.truncated and len(pages) > 1:
            first, second = chunking.split_range(pages)
            return self._extract_pdf(backend, doc, first, fields, schema, usage) + self._extract_pdf(
                backend, doc, second, fields, schema, usage
            )
        result, doc_type = self._answer(backend, reply, fields, None)
        if reply.truncated:
            result.notes.append(f"the answer for page {pages.start} was cut off; some values may be missing")
        return [(result, doc_type)]

    # --------------------------------------------------------------------------------- classification

    def classify(self, doc: DocumentText) -> Classification:
        """Ask the model for one of the document types; fall back to the keyword classifier on failure
        (classification feeds analytics only, so it never fails a document)."""
        try:
            return self.classify_strict(doc)
        except (PermanentError, TransientError):
            return offline_classification(doc.text)

    def classify_strict(self, doc: DocumentText) -> Classification:
        """One short request (a prefix of the text, enum answer); raises when the model cannot answer.
        A label outside the enum falls back to the keyword classifier (the usage is kept)."""
        usage = self._usage(self.backend)
        parts: tuple[str | PdfPart, ...]
        if doc.has_text_layer:
            parts = (prompt.classification_prompt(doc.text, self.settings.classify_chars).text,)
        elif doc.pdf:
            first = range(1, min(doc.page_count, 2) + 1)
            delim = prompt.new_delimiter_id()
            parts = (
                f"Scanned PDF.\n{prompt.open_line(delim)}",
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
        reply = self._call(self.backend, request, usage)
        label = _label(reply.text)
        if label is None:
            fallback = offline_classification(doc.text)
            fallback.usage = usage
            return fallback
        return Classification(doc_type=label, confidence=0.9, usage=usage)


def _label(text: Any) -> DocType | None:
    """The document type in a reply: a bare label (enum mode), a JSON string or ``{"doc_type": ...}``."""
    raw: Any = text.strip() if isinstance(text, str) else text
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            raw = json.loads(raw)
    if isinstance(raw, dict):
        raw = raw.get("doc_type") or raw.get("type") or raw.get("label")
    label = str(raw or "").strip().strip("\"'").lower()
    for known in DOC_TYPES:
        if label == known:
            return known
    return None
