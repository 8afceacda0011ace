"""Turn a model's answer into trusted values: repair the JSON, normalise every value by its type, and
score confidence by checking each quote against the page text that was sent.

A value that does not fit its type becomes None with a note (never a wrong cell); fields that were not
asked for are dropped, so an answer cannot widen the schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import json_repair

from zapdoc.domain.documents import Evidence, FieldValue
from zapdoc.domain.errors import PermanentError
from zapdoc.domain.fields import FieldSpec
from zapdoc.domain.normalize import normalise

CONF_VERIFIED = 0.95
"""The quote was found on the page the model named."""
CONF_OTHER_PAGE = 0.85
"""The quote was found, but on another page of the range (the page is corrected)."""
CONF_UNVERIFIABLE = 0.75
"""A scan: there is no text layer to check the quote against."""
CONF_NO_EVIDENCE = 0.7
"""A value without a quote."""
CONF_QUOTE_NOT_FOUND = 0.4
"""The quote is not in the text sent: below ``LOW_CONFIDENCE`` so the cell is flagged for review."""

MAX_QUOTE = 200
_FENCE_RE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?|\n?```\s*$")


@dataclass
class ChunkResult:
    """Validated values for one request (one page range), with notes a user may need to read."""

    values: dict[str, FieldValue]
    notes: list[str] = field(default_factory=list)


def parse_answer(text: str) -> dict[str, Any]:
    """Parse model output as a JSON object, repairing fences, trailing commas and truncation."""
    stripped = _FENCE_RE.sub("", text.strip())
    if not stripped:
        raise PermanentError("the model returned an empty answer")
    try:
        data = json_repair.loads(stripped)
    except Exception as exc:  # json_repair raises assorted errors on hostile input
        raise PermanentError(f"the model's answer is not JSON, even after repair ({exc})") from exc
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        raise PermanentError(f"the model's answer is not a JSON object: {stripped[:80]!r}")
    return data


def _squash(text: str) -> str:
    """Compare quotes ignoring case, spacing and punctuation (PDF text layers space things oddly)."""
    return re.sub(r"\W+", "", text.casefold())


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _evidence_map(data: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field key -> (page, quote), from an ``evidence`` list, an evidence object, or per-field wrappers."""
    out: dict[str, tuple[Any, Any]] = {}
    ev = data.get("evidence")
    if isinstance(ev, list):
        for item in ev:
            if isinstance(item, Mapping) and item.get("field") is not None:
                out.setdefault(_key(str(item["field"])), (item.get("page"), item.get("quote")))
    elif isinstance(ev, Mapping):
        for name, item in ev.items():
            if isinstance(item, Mapping):
                out.setdefault(_key(str(name)), (item.get("page"), item.get("quote") or item.get("snippet")))
    for name, raw in values.items():
        if isinstance(raw, Mapping) and "value" in raw:
            out.setdefault(_key(str(name)), (raw.get("page"), raw.get("quote") or raw.get("snippet")))
    return out


def _page(raw: Any) -> int | None:
    try:
        return int(raw) if raw is not None and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        return None


def score(quote: str | None, page: int | None, pages: Mapping[int, str] | None) -> tuple[float, int | None]:
    """Confidence of a value given its quote, and the page the quote was really found on."""
    if not quote or not _squash(quote):
        return CONF_NO_EVIDENCE, page
    if pages is None:
        return CONF_UNVERIFIABLE, page
    needle = _squash(quote)
    if page is not None and page in pages and needle in _squash(pages[page]):
        return CONF_VERIFIED, page
    for n in sorted(pages):
        if needle in _squash(pages[n]):
            return CONF_OTHER_PAGE, n
    return CONF_QUOTE_NOT_FOUND, page


def validate_answer(
    data: Mapping[str, Any],
    fields: Sequence[FieldSpec],
    pages: Mapping[int, str] | None,
    *,
    dayfirst: bool | None = None,
) -> ChunkResult:
    """Validate one answer against the requested fields and the page text that was sent.

    ``pages`` maps 1-based page numbers to their text; None for scans, whose quotes cannot be checked.
    """
    raw_values = data.get("values")
    values: Mapping[str, Any] = raw_values if isinstance(raw_values, Mapping) else data
    by_key = {_key(str(k)): v for k, v in values.items()}
    evidence = _evidence_map(data, values)
    out: dict[str, FieldValue] = {}
    notes: list[str] = []
    wanted = {f.name for f in fields}
    extra = sorted(k for k in by_key if k not in wanted and k != "evidence")
    if extra:
        notes.append(f"ignored values for fields that were not asked for: {', '.join(extra)[:200]}")
    for spec in fields:
        raw = by_key.get(spec.name)
        if isinstance(raw, Mapping) and "value" in raw:
            raw = raw["value"]
        norm = normalise(spec, raw, dayfirst=dayfirst)
        if norm.note:
            notes.append(f"{spec.name}: {norm.note}")
        if norm.value is None:
            out[spec.name] = FieldValue(value=None, confidence=0.0, note=norm.note)
            continue
        page_raw, quote_raw = evidence.get(spec.name, (None, None))
        quote = str(quote_raw).strip()[:MAX_QUOTE] if quote_raw is not None else ""
        if not quote and pages is not None and isinstance(raw, str) and len(_squash(raw)) >= 3:
            # evidence is asked only for values not copied verbatim: a verbatim value is its own quote
            found = next((n for n in sorted(pages) if _squash(raw) in _squash(pages[n])), None)
            if found is not None:
                quote, page_raw = raw.strip()[:MAX_QUOTE], found
        conf, page = score(quote, _page(page_raw), pages)
        note = norm.note
        if conf == CONF_QUOTE_NOT_FOUND:
            note = "; ".join(filter(None, [note, "the quote given by the model is not in the document"]))
        out[spec.name] = FieldValue(
            value=norm.value,
            confidence=conf,
            evidence=Evidence(page=page, snippet=quote) if quote or page is not None else None,
            note=note,
        )
    return ChunkResult(values=out, notes=notes)
