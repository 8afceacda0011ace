"""LLM cost per page: tokens as counted by the local Gemini stand-in from request sizes, priced with the
settings' price table, and the fixed prompt overhead per request (target: <= 800 tokens for 10 fields).

    python bench/cost.py [MANIFEST] [--limit N] [--model MODEL] [--json]

Runs the real google-genai client against the stand-in in "auto" mode (it answers with the offline
extractor), extracting each corpus document with its template and classifying it, as the pipeline does.
Without the corpus (../shared/corpus) it uses generated invoices. Token counts are the stand-in's
estimate (4 characters a token, 258 per native PDF page), not Google's tokenizer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
sys.path.insert(0, str(ROOT))

from zapdoc.adapters.gemini import GeminiExtractor  # noqa: E402
from zapdoc.domain.documents import DocumentText, Source, Usage  # noqa: E402
from zapdoc.domain.errors import ZapdocError  # noqa: E402
from zapdoc.domain.templates import template_fields  # noqa: E402
from zapdoc.inputs.pdf import inspect_pdf  # noqa: E402
from zapdoc.llm.prompt import estimate_tokens  # noqa: E402
from zapdoc.llm.settings import PRICES, LlmSettings  # noqa: E402
from zapdoc.standins.gemini import GeminiStandIn  # noqa: E402

DEFAULT_MANIFEST = ROOT.parent / "shared" / "corpus" / "manifest.jsonl"
TEMPLATE_FOR = {
    "invoice": "invoice",
    "credit_note": "invoice",
    "receipt": "receipt",
    "nda": "contract",
    "resume": "resume",
}
# Sourced list prices per 1,000 pages (../shared/design/FACTS.md) as the baseline for the ratios.
MANAGED_PER_1000 = {
    "Textract AnalyzeExpense": 10.0,
    "Azure DI prebuilt invoice": 10.0,
    "Document AI Custom": 30.0,
}
OVERHEAD_LIMIT = 800


@dataclass
class Tally:
    docs: int = 0
    pages: int = 0
    extract: Usage = field(default_factory=Usage)
    classify: Usage = field(default_factory=Usage)
    overheads: list[int] = field(default_factory=list)


def load_documents(manifest: Path, limit: int | None) -> list[tuple[str, DocumentText]]:
    """(template, document) pairs from the corpus, or generated invoices when it is absent."""
    out: list[tuple[str, DocumentText]] = []
    if manifest.exists():
        for line in manifest.read_text().splitlines():
            entry = json.loads(line)
            template = TEMPLATE_FOR.get(entry.get("doc_type", ""))
            path = manifest.parent / entry["file"]
            if template is None or not path.exists():
                continue
            try:
                out.append((template, inspect_pdf(Source(name=entry["file"], data=path.read_bytes()))))
            except ZapdocError:
                continue
            if limit and len(out) >= limit:
                break
        return out
    from tests.pdfs import make_pdf

    for n in range(limit or 20):
        page = (
            f"ACME Ltd\nInvoice number: INV-{n:04d}\nDate: 2025-04-03\n"
            f"Widget {n} 3 x 4.50 = 13.50\nTotal: 13.50 EUR"
        )
        out.append(("invoice", inspect_pdf(Source(name=f"gen-{n}.pdf", data=make_pdf([page])))))
    return out


def document_tokens(text: str) -> int:
    return estimate_tokens(text)


def run(manifest: Path, limit: int | None, model: str) -> dict[str, Any]:
    docs = load_documents(manifest, limit)
    server = GeminiStandIn()
    url = server.start()
    settings = LlmSettings(gcp_project="bench", gemini_base_url=url, gemini_model=model, backoff_s=0.05)
    extractor = GeminiExtractor(settings)
    tallies: dict[str, Tally] = defaultdict(Tally)
    failures = 0
    started = time.perf_counter()
    try:
        for template, doc in docs:
            tally = tallies[template]
            fields = template_fields(template)
            before = len(server.received())
            try:
                extraction = extractor.extract(doc, fields)
                classification = extractor.classify(doc)
            except ZapdocError as exc:
                failures += 1
                print(f"  {doc.name}: {exc}", file=sys.stderr)
                continue
            tally.docs += 1
            tally.pages += doc.page_count
            if extraction.usage:
                tally.extract.add(extraction.usage)
            if classification.usage:
                tally.classify.add(classification.usage)
            for rec in server.received()[before:]:
                parsed = rec.parsed
                if parsed is None or parsed.purpose != "extract" or parsed.document is None:
                    continue
                body_tokens = document_tokens("\n".join(parsed.document.pages.values()))
                tally.overheads.append(parsed.prompt_tokens() - body_tokens)
        ten = measure_overhead(extractor, server, 10)
        full = measure_overhead(extractor, server, len(template_fields("invoice")))
    finally:
        server.stop()
    elapsed = time.perf_counter() - started
    return {"model": model, "tallies": tallies, "failures": failures, "seconds": elapsed, "overhead_10": ten,
            "overhead_invoice": full}  # fmt: skip


def measure_overhead(extractor: GeminiExtractor, server: GeminiStandIn, n_fields: int) -> int:
    """Prompt tokens of one request minus its document text: system instruction, schema, delimiters."""
    fields = template_fields("invoice")[:n_fields]
    text = "Lorem ipsum dolor sit amet " * 20
    doc = DocumentText(name="overhead.pdf", pages=(text,), page_count=1)
    before = len(server.received())
    extractor.extract(doc, fields)
    rec = server.received()[before]
    assert rec.parsed is not None
    return rec.parsed.prompt_tokens() - document_tokens(text.strip())


def report(result: dict[str, Any], settings: LlmSettings, as_json: bool) -> None:
    tallies: dict[str, Tally] = result["tallies"]
    docs = sum(t.docs for t in tallies.values())
    pages = sum(t.pages for t in tallies.values())
    prompt = sum(t.extract.prompt_tokens + t.classify.prompt_tokens for t in tallies.values())
    output = sum(t.extract.output_tokens + t.classify.output_tokens for t in tallies.values())
    requests = sum(t.extract.requests + t.classify.requests for t in tallies.values())
    per_model = {
        name: (prompt * price.input_per_mtok + output * price.output_per_mtok) / 1e6 / max(pages, 1) * 1000
        for name, price in PRICES.items()
        if name.startswith("gemini")
    }
    configured = settings.price(result["model"])
    configured_cost = (prompt * configured.input_per_mtok + output * configured.output_per_mtok) / 1e6
    per_1000 = configured_cost / max(pages, 1) * 1000
    summary = {
        "model": result["model"],
        "documents": docs,
        "pages": pages,
        "failures": result["failures"],
        "requests": requests,
        "prompt_tokens_per_page": round(prompt / max(pages, 1), 1),
        "output_tokens_per_page": round(output / max(pages, 1), 1),
        "cost_per_1000_pages_usd": round(per_1000, 4),
        "cost_per_1000_pages_by_model_usd": {k: round(v, 4) for k, v in per_model.items()},
        "overhead_tokens_10_fields": result["overhead_10"],
        "overhead_tokens_invoice_template": result["overhead_invoice"],
        "overhead_within_limit": result["overhead_10"] <= OVERHEAD_LIMIT,
        "by_template": {
            name: {
                "documents": t.docs,
                "pages": t.pages,
                "extract_prompt_tokens_per_page": round(t.extract.prompt_tokens / max(t.pages, 1), 1),
                "extract_output_tokens_per_page": round(t.extract.output_tokens / max(t.pages, 1), 1),
                "classify_prompt_tokens_per_doc": round(t.classify.prompt_tokens / max(t.docs, 1), 1),
                "overhead_per_request_min_max": [min(t.overheads, default=0), max(t.overheads, default=0)],
            }
            for name, t in sorted(tallies.items())
        },
        "seconds": round(result["seconds"], 2),
    }
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    print(
        f"model {result['model']} at ${configured.input_per_mtok}/M in, ${configured.output_per_mtok}/M out"
    )
    print(f"{docs} documents, {pages} pages, {requests} requests, {result['failures']} failures")
    print(f"prompt tokens per page  {summary['prompt_tokens_per_page']:>8}")
    print(f"output tokens per page  {summary['output_tokens_per_page']:>8}")
    print(f"cost per 1,000 pages    ${per_1000:>8.4f}")
    for name, t in summary["by_template"].items():
        low, high = t["overhead_per_request_min_max"]
        print(
            f"  {name:9} {t['documents']:3} docs {t['pages']:4} pages: extract"
            f" {t['extract_prompt_tokens_per_page']} in / {t['extract_output_tokens_per_page']} out per page;"
            f" overhead per request {low}-{high} tokens"
        )
    verdict = "ok" if summary["overhead_within_limit"] else "OVER"
    ten = result["overhead_10"]
    print(f"fixed prompt overhead, 10-field schema: {ten} tokens (limit {OVERHEAD_LIMIT}: {verdict})")
    print(f"fixed prompt overhead, 16-field invoice template: {result['overhead_invoice']} tokens")
    print("same tokens at other Gemini list prices, per 1,000 pages:")
    for name, cost in per_model.items():
        print(f"  {name:24} ${cost:8.4f}")
    print("ratio to managed extractors (list price per 1,000 pages):")
    for name, price in MANAGED_PER_1000.items():
        print(f"  {name:26} ${price:6.2f}  -> ZapDoc on {result['model']} costs {per_1000 / price:.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("manifest", nargs="?", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default=None, help="model name to price (default: the settings' default)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = LlmSettings.from_env()
    model = args.model or settings.gemini_model
    result = run(args.manifest, args.limit, model)
    report(result, settings, args.json)


if __name__ == "__main__":
    main()
