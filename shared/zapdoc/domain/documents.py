"""Documents flowing through ZapDoc and what extraction makes of them.

A *source* is a file the user gave (a loose PDF, or an entry of a zip). Inspection turns a source into a
``DocumentText`` (page count and the text of each page). An extractor turns that into an ``Extraction``
(a ``FieldValue`` per field, with confidence and evidence). A ``DocumentResult`` is one row of the workbook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

# A cell value after normalisation. Tables are lists of rows keyed by column name. Numbers that are not
# whole are Decimal end to end (the printed digits, exact; money is never a binary float).
Scalar = str | Decimal | int | dt.date
Value = Scalar | list[str] | list[dict[str, Scalar | None]] | None

DocType = Literal["invoice", "receipt", "resume", "contract", "rfp", "other"]
DOC_TYPES: tuple[DocType, ...] = ("invoice", "receipt", "resume", "contract", "rfp", "other")

LOW_CONFIDENCE = 0.6
"""Values below this confidence are marked in the workbook for a human to check."""


@dataclass(frozen=True)
class Source:
    """Bytes of one candidate document and the name the user will see (``a.zip/dir/x.pdf``)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Rejected:
    """An input that is not a processable document, with a reason a user understands."""

    name: str
    reason: str
    pages: int | None = None


@dataclass(frozen=True)
class TextSegment:
    """A run of text on one printed line with its box, in points from the page's top-left corner."""

    text: str
    page: int  # 1-based
    x0: float
    x1: float
    top: float
    size: float  # font size (height of the line)
    page_width: float
    page_height: float


@dataclass(frozen=True)
class PictureBox:
    """Where an image stands on a page, in points from the page's top-left corner."""

    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class DocumentText:
    """The text layer of a PDF, one string per page (1-based page ``n`` is ``pages[n - 1]``).

    ``pdf`` keeps the original bytes for providers that read PDFs natively (scans without text).
    ``segments``: where the text of the first and last page stands (for layout: letterhead, address
    window, footer); empty when not read.
    ``pictures``: the images of the first and last page big enough to hold a line of print (a letterhead
    or a footer set as a picture puts the sender's name and numbers in pixels, not in the text layer).
    ``xml`` is an e-invoice (CII or UBL): the XML embedded in the PDF, or the standalone XML document
    itself (then ``pages`` holds a readable rendering of it and ``pdf`` is None).
    """

    name: str
    pages: tuple[str, ...]
    page_count: int
    pdf: bytes | None = None
    segments: tuple[TextSegment, ...] = ()
    xml: bytes | None = None
    pictures: tuple[PictureBox, ...] = ()

    @property
    def text(self) -> str:
        return "\n\f".join(self.pages)

    @property
    def has_text_layer(self) -> bool:
        """True when the PDF has enough text to read; scans without OCR have none."""
        chars = sum(len(p.strip()) for p in self.pages)
        return chars >= 20 * max(1, self.page_count) or chars >= 200


@dataclass(frozen=True)
class Evidence:
    """Where a value was found: 1-based page number and the source snippet."""

    page: int | None
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "snippet": self.snippet}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        page = data.get("page")
        return cls(page=int(page) if page is not None else None, snippet=str(data.get("snippet") or ""))


@dataclass
class FieldValue:
    """A normalised value with a confidence in [0, 1] and the evidence behind it.

    ``value`` is None when nothing trustworthy was found; ``note`` then says why when that is useful
    (e.g. "'31/02/2024' is not a valid date").
    """

    value: Value = None
    confidence: float = 0.0
    evidence: Evidence | None = None
    note: str = ""

    @property
    def is_low_confidence(self) -> bool:
        return self.value is not None and self.confidence < LOW_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _value_to_json(self.value),
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldValue:
        ev = data.get("evidence")
        return cls(
            value=_value_from_json(data.get("value")),
            confidence=float(data.get("confidence") or 0.0),
            evidence=Evidence.from_dict(ev) if isinstance(ev, dict) else None,
            note=str(data.get("note") or ""),
        )


@dataclass
class Usage:
    """LLM usage for one document (summed over its requests), priced per model as it was spent.

    ``provider``/``model`` name who produced the values; ``escalated`` counts documents re-asked of the
    stronger model (its tokens are included); ``failed_over`` counts documents that another provider
    of the chain could not do first.
    """

    model: str = ""
    requests: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    provider: str = ""
    escalated: int = 0
    failed_over: int = 0

    def add(self, other: Usage) -> None:
        self.model = self.model or other.model
        self.provider = self.provider or other.provider
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.output_tokens += other.output_tokens
        self.cost_usd += other.cost_usd
        self.escalated += other.escalated
        self.failed_over += other.failed_over

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "escalated": self.escalated,
            "failed_over": self.failed_over,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        return cls(
            model=str(data.get("model") or ""),
            requests=int(data.get("requests") or 0),
            prompt_tokens=int(data.get("prompt_tokens") or 0),
            output_tokens=int(data.get("output_tokens") or 0),
            cost_usd=float(data.get("cost_usd") or 0.0),
            provider=str(data.get("provider") or ""),
            escalated=int(data.get("escalated") or 0),
            failed_over=int(data.get("failed_over") or 0),
        )


@dataclass
class Extraction:
    """What an extractor returns for one document: a value per requested field.

    ``provider``/``model`` say who produced the values (``offline`` for the deterministic extractor);
    ``doc_type`` is the document type when the extraction answer carried one (LLM providers), so no
    separate classification request is needed.
    """

    values: dict[str, FieldValue]
    usage: Usage | None = None
    notes: list[str] = field(default_factory=list)
    provider: str = ""
    model: str = ""
    doc_type: DocType | None = None


@dataclass
class Classification:
    doc_type: DocType
    confidence: float
    usage: Usage | None = None


Status = Literal["ok", "error"]


@dataclass
class DocumentResult:
    """One row of the workbook: a processed document or a rejected input with its reason."""

    file: str
    status: Status
    pages: int | None = None
    values: dict[str, FieldValue] = field(default_factory=dict)
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    doc_type: str | None = None
    usage: Usage | None = None
    seconds: float = 0.0
    provider: str = ""
    model: str = ""

    @classmethod
    def error(cls, file: str, reason: str, pages: int | None = None) -> DocumentResult:
        return cls(file=file, status="error", pages=pages, reason=reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "pages": self.pages,
            "reason": self.reason,
            "notes": list(self.notes),
            "doc_type": self.doc_type,
            "values": {k: v.to_dict() for k, v in self.values.items()},
            "usage": self.usage.to_dict() if self.usage else None,
            "seconds": round(self.seconds, 3),
            "provider": self.provider,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentResult:
        usage = data.get("usage")
        return cls(
            file=str(data["file"]),
            status="ok" if data.get("status") == "ok" else "error",
            pages=data.get("pages"),
            values={k: FieldValue.from_dict(v) for k, v in (data.get("values") or {}).items()},
            reason=str(data.get("reason") or ""),
            notes=[str(n) for n in data.get("notes") or []],
            doc_type=data.get("doc_type"),
            usage=Usage.from_dict(usage) if isinstance(usage, dict) else None,
            seconds=float(data.get("seconds") or 0.0),
            provider=str(data.get("provider") or ""),
            model=str(data.get("model") or ""),
        )


# JSON round-trip for values: dates travel as {"date": "YYYY-MM-DD"} and decimals as {"decimal": "12.50"}
# (Firestore and JSON have no decimal type; a string keeps every printed digit) so they come back as such.
def _value_to_json(value: Value) -> Any:
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, list):
        return [
            {k: _value_to_json(v) for k, v in row.items()} if isinstance(row, dict) else row for row in value
        ]
    return value


def _value_from_json(data: Any) -> Any:
    if isinstance(data, dict) and set(data) == {"date"}:
        return dt.date.fromisoformat(data["date"])
    if isinstance(data, dict) and set(data) == {"decimal"}:
        return Decimal(data["decimal"])
    if isinstance(data, float):  # results stored before decimals: the shortest repr is the printed value
        return Decimal(repr(data))
    if isinstance(data, list):
        return [
            {k: _value_from_json(v) for k, v in row.items()} if isinstance(row, dict) else row for row in data
        ]
    return data
