"""The extraction port: offline, Gemini and OpenAI-compatible providers all implement it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from zapdoc.domain.documents import Classification, DocumentText, Extraction
from zapdoc.domain.fields import FieldSpec


class Extractor(Protocol):
    """Turns a document's text (or PDF bytes) into typed, normalised values and a document type.

    Implementations raise ``PermanentError`` when the document can never be processed (refused,
    unreadable answer after repair) and ``TransientError`` when a retry may help.
    """

    name: str

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction: ...

    def classify(self, doc: DocumentText) -> Classification: ...
