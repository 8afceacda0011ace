"""Who extracted what: token usage and cost per provider and model over a job's document results.

The job record (``llm_usage``), the workbook's Summary and the CLI summary all read this one function.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zapdoc.domain.documents import DocumentResult


def by_provider(results: Iterable[DocumentResult]) -> dict[str, dict[str, Any]]:
    """``{provider: {documents, pages, models: {model: documents}, requests, prompt_tokens,
    output_tokens, cost_usd, escalated, failed_over}}`` over the documents that were extracted."""
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.status != "ok":
            continue
        provider = r.provider or (r.usage.provider if r.usage else "") or "unknown"
        model = r.model or (r.usage.model if r.usage else "") or provider
        entry = out.setdefault(
            provider,
            {"documents": 0, "pages": 0, "models": {}, "requests": 0, "prompt_tokens": 0,
             "output_tokens": 0, "cost_usd": 0.0, "escalated": 0, "failed_over": 0},
        )  # fmt: skip
        entry["documents"] += 1
        entry["pages"] += r.pages or 0
        entry["models"][model] = entry["models"].get(model, 0) + 1
        if r.usage is not None:
            entry["requests"] += r.usage.requests
            entry["prompt_tokens"] += r.usage.prompt_tokens
            entry["output_tokens"] += r.usage.output_tokens
            entry["cost_usd"] = round(entry["cost_usd"] + r.usage.cost_usd, 6)
            entry["escalated"] += r.usage.escalated
            entry["failed_over"] += r.usage.failed_over
    return out


def describe(entry: dict[str, Any]) -> str:
    """One line for a person: ``10 documents (gpt-4o-mini); 4,210 tokens, $0.0009; 10 after a fallback``."""
    models = ", ".join(
        f"{m} ×{n}" if len(entry["models"]) > 1 else m for m, n in sorted(entry["models"].items())
    )
    parts = [f"{entry['documents']} document{'s' if entry['documents'] != 1 else ''} ({models})"]
    tokens = entry["prompt_tokens"] + entry["output_tokens"]
    if tokens:
        parts.append(f"{tokens:,} tokens, ${entry['cost_usd']:.4f}")
    if entry["escalated"]:
        parts.append(f"{entry['escalated']} re-read by a stronger model")
    if entry["failed_over"]:
        parts.append(f"{entry['failed_over']} after another provider failed")
    return "; ".join(parts)
