"""LLM cost per page, measured through the real SDKs against the local stand-ins, priced with the price table.

    python bench/cost.py [MANIFEST] [--limit N] [--escalation-rate 0.10] [--provider gemini|openai|both]
                         [--baseline GIT_REF] [--json]

Runs the default configuration (``LlmSettings()``: the cost-chosen default model, escalation on) with the
real google-genai client against the Gemini stand-in (and the openai client against the OpenAI-compatible
stand-in with ``--provider both``), in "auto" mode: the stand-in answers with the offline extractor run on
the document it was sent, so a truthful answer comes back and nothing depends on a model's mood.
Per document it extracts with the template of the corpus entry and takes the type from the extraction
answer (a classification request is sent only when the answer carried none), as the pipeline does.

Prints: tokens per page, requests per document, cost per 1,000 pages for the default, for every model of
the price table at the same tokens, and for the cascade (default model, a stated share of documents
re-read by the escalation model); the fixed prompt overhead (system instruction + schema + delimiters)
for a 10-field schema; the prompt tokens of a classification request when one is needed; and the
truth round trip: the values through each stand-in compared with the offline extractor run directly on
the same document (they must be identical: the shorter prompt loses nothing), and document types
against the corpus truth, next to the old classification input (the first 4,000 characters).
``--baseline REF`` runs the bench of git revision REF (its own code and prompt) on the same documents
right after, and prints both side by side.

Without the corpus (../shared/corpus) it uses generated invoices. Token counts are the stand-ins'
estimate (4 characters a token, 258 per native PDF page), not Google's tokenizer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
sys.path.insert(0, str(ROOT))

from zapdoc.domain.documents import DocumentText, Extraction, Source  # noqa: E402
from zapdoc.domain.errors import ZapdocError  # noqa: E402
from zapdoc.domain.fields import FieldSpec  # noqa: E402
from zapdoc.domain.prices import PRICES  # noqa: E402
from zapdoc.domain.templates import template_fields  # noqa: E402
from zapdoc.extraction.classify import classify_text  # noqa: E402
from zapdoc.extraction.offline import OfflineExtractor  # noqa: E402
from zapdoc.inputs.pdf import inspect_pdf  # noqa: E402
from zapdoc.llm.engine import LlmExtractor  # noqa: E402
from zapdoc.llm.prompt import estimate_tokens  # noqa: E402
from zapdoc.ports.llm import LlmReply, LlmRequest  # noqa: E402
from zapdoc.settings import LlmSettings  # noqa: E402
from zapdoc.standins._base import StandInServer  # noqa: E402

DEFAULT_MANIFEST = ROOT.parent / "shared" / "corpus" / "manifest.jsonl"
TEMPLATE_FOR = {
    "invoice": "invoice",
    "credit_note": "invoice",
    "receipt": "receipt",
    "nda": "contract",
    "resume": "resume",
}
TRUE_TYPE = {"credit_note": "invoice", "nda": "contract"}
# Sourced list prices per 1,000 pages (../shared/design/FACTS.md): what a managed extractor costs.
MANAGED_PER_1000 = {
    "Textract AnalyzeExpense": 10.0,
    "Azure DI prebuilt invoice": 10.0,
    "Document AI Custom": 30.0,
}
COST_LIMIT = 0.50
OVERHEAD_LIMIT = 450
CLASSIFY_LIMIT = 200


@dataclass
class Doc:
    template: str
    doc: DocumentText
    true_type: str | None


@dataclass
class Run:
    provider: str
    model: str
    escalation_model: str | None
    docs: int = 0
    pages: int = 0
    failures: int = 0
    requests: int = 0
    extract_requests: int = 0
    classify_requests: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    base_prompt_tokens: int = 0
    base_output_tokens: int = 0
    classify_prompt_tokens: int = 0
    cost_usd: float = 0.0
    escalated: int = 0
    values_total: int = 0
    values_same: int = 0
    mismatches: list[str] = field(default_factory=list)
    types_right: int = 0
    types_right_before: int = 0
    types_known: int = 0
    seconds: float = 0.0


def load_documents(manifest: Path, limit: int | None) -> list[Doc]:
    out: list[Doc] = []
    if manifest.exists():
        for line in manifest.read_text().splitlines():
            entry = json.loads(line)
            kind = entry.get("doc_type", "")
            template = TEMPLATE_FOR.get(kind)
            path = manifest.parent / entry["file"]
            if template is None or not path.exists():
                continue
            try:
                doc = inspect_pdf(Source(name=entry["file"], data=path.read_bytes()))
            except ZapdocError:
                continue
            out.append(Doc(template, doc, TRUE_TYPE.get(kind, kind)))
            if limit and len(out) >= limit:
                break
        return out
    from tests.pdfs import make_pdf

    for n in range(limit or 20):
        page = (
            f"ACME Ltd\nInvoice number: INV-{n:04d}\nDate: 2025-04-03\n"
            f"Widget {n} 3 x 4.50 = 13.50\nTotal: 13.50 EUR"
        )
        out.append(Doc("invoice", inspect_pdf(Source(name=f"gen-{n}.pdf", data=make_pdf([page]))), "invoice"))
    return out


def _extractor(provider: str, url: str, settings: LlmSettings) -> LlmExtractor:
    if provider == "gemini":
        from zapdoc.bootstrap import gemini_extractor

        return gemini_extractor(settings.__class__(**{**settings.__dict__, "gemini_base_url": url}))
    from zapdoc.bootstrap import openai_extractor

    return openai_extractor(settings.__class__(**{**settings.__dict__, "openai_base_url": url}))


def _server(provider: str) -> StandInServer:
    if provider == "gemini":
        from zapdoc.standins.gemini import GeminiStandIn

        return GeminiStandIn()
    from zapdoc.standins.openai import OpenAIStandIn

    return OpenAIStandIn()


def _same_values(
    got: Extraction, want: Extraction, fields: tuple[FieldSpec, ...], run: Run, name: str
) -> None:
    for spec in fields:
        a = got.values.get(spec.name)
        b = want.values.get(spec.name)
        run.values_total += 1
        if (a.value if a else None) == (b.value if b else None):
            run.values_same += 1
        elif len(run.mismatches) < 10:
            run.mismatches.append(
                f"{name} {spec.name}: {a.value if a else None!r} != {b.value if b else None!r}"
            )


class Recording:
    """Wraps a backend: every call's model, purpose and billed tokens, as the SDK reported them."""

    def __init__(self, backend: Any, log: list[tuple[str, str, int, int]]) -> None:
        self.backend = backend
        self.model = backend.model
        self.log = log

    def generate(self, request: LlmRequest) -> LlmReply:
        reply: LlmReply = self.backend.generate(request)
        self.log.append((self.model, request.purpose, reply.prompt_tokens, reply.output_tokens))
        return reply


def run(provider: str, docs: list[Doc], settings: LlmSettings) -> Run:
    server = _server(provider)
    url = server.start()
    extractor = _extractor(provider, url, settings)
    calls: list[tuple[str, str, int, int]] = []
    extractor.backend = Recording(extractor.backend, calls)
    if extractor.escalation is not None:
        extractor.escalation = Recording(extractor.escalation, calls)
    offline = OfflineExtractor()
    esc = extractor.escalation.model if extractor.escalation else None
    result = Run(provider=provider, model=extractor.model, escalation_model=esc)
    started = time.perf_counter()
    try:
        for item in docs:
            fields = template_fields(item.template)
            try:
                extraction = extractor.extract(item.doc, fields)
                doc_type = extraction.doc_type
                classification = None if doc_type else extractor.classify(item.doc)
            except ZapdocError as exc:
                result.failures += 1
                print(f"  {item.doc.name}: {exc}", file=sys.stderr)
                continue
            result.docs += 1
            result.pages += item.doc.page_count
            assert extraction.usage is not None
            result.cost_usd += extraction.usage.cost_usd
            result.escalated += extraction.usage.escalated
            if classification is not None:
                doc_type = classification.doc_type
                if classification.usage is not None:
                    result.cost_usd += classification.usage.cost_usd
            # the round trip: what the stand-in saw is the text (no PDF layout), so compare with the offline
            # extractor on that same text
            text_only = DocumentText(name=item.doc.name, pages=item.doc.pages, page_count=item.doc.page_count)
            _same_values(extraction, offline.extract(text_only, fields), fields, result, item.doc.name)
            if item.true_type:
                result.types_known += 1
                result.types_right += doc_type == item.true_type
                result.types_right_before += classify_text(item.doc.text[:4000]).doc_type == item.true_type
    finally:
        server.stop()
    for model, purpose, prompt_tokens, output_tokens in calls:
        result.requests += 1
        result.prompt_tokens += prompt_tokens
        result.output_tokens += output_tokens
        if purpose == "classify":
            result.classify_requests += 1
            result.classify_prompt_tokens += prompt_tokens
        else:
            result.extract_requests += 1
        if model == result.model:  # the default model's reading of every document
            result.base_prompt_tokens += prompt_tokens
            result.base_output_tokens += output_tokens
    result.seconds = time.perf_counter() - started
    return result


def fixed_overhead(n_fields: int) -> int:
    """Prompt tokens of one request minus its page text: system instruction, schema, delimiters."""
    from zapdoc.standins.gemini import GeminiStandIn

    fields = template_fields("invoice")[:n_fields]
    text = "Lorem ipsum dolor sit amet " * 20
    doc = DocumentText(name="overhead.pdf", pages=(text,), page_count=1)
    with GeminiStandIn() as server:
        settings = LlmSettings(
            gcp_project="bench", gemini_base_url=server.base_url, gemini_escalation_model=None
        )
        _extractor("gemini", server.base_url, settings).extract(doc, fields)
        rec = server.received()[0]
    assert rec.parsed is not None
    return rec.parsed.prompt_tokens() - estimate_tokens(f"[page 1]\n{text.strip()}")


def classification_request_tokens(docs: list[Doc]) -> int:
    """Prompt tokens of the short classification request, on the longest document (when one is needed)."""
    from zapdoc.standins.gemini import GeminiStandIn

    longest = max((d.doc for d in docs if d.doc.has_text_layer), key=lambda d: len(d.text))
    with GeminiStandIn() as server:
        settings = LlmSettings(gcp_project="bench", gemini_base_url=server.base_url)
        _extractor("gemini", server.base_url, settings).classify_strict(longest)
        rec = server.received()[0]
    assert rec.parsed is not None
    return rec.parsed.prompt_tokens()


def per_1000(prompt: int, output: int, pages: int, model: str, settings: LlmSettings) -> float:
    price = settings.price(model)
    return (prompt * price.input_per_mtok + output * price.output_per_mtok) / 1e6 / max(pages, 1) * 1000


def summarise(r: Run, settings: LlmSettings, rate: float) -> dict[str, Any]:
    pages = max(r.pages, 1)
    base = per_1000(r.base_prompt_tokens, r.base_output_tokens, r.pages, r.model, settings)
    # the cascade: every document read by the default model, ``rate`` of them again by the stronger one
    stronger = (
        per_1000(r.base_prompt_tokens, r.base_output_tokens, r.pages, r.escalation_model, settings)
        if r.escalation_model
        else 0.0
    )
    return {
        "provider": r.provider,
        "model": r.model,
        "escalation_model": r.escalation_model,
        "documents": r.docs,
        "pages": r.pages,
        "failures": r.failures,
        "requests_per_document": round(r.requests / max(r.docs, 1), 3),
        "classify_requests": r.classify_requests,
        "prompt_tokens_per_page": round(r.prompt_tokens / pages, 1),
        "output_tokens_per_page": round(r.output_tokens / pages, 1),
        "classification_prompt_tokens_per_document": round(r.classify_prompt_tokens / max(r.docs, 1), 1),
        "escalated_documents": r.escalated,
        "measured_escalation_rate": round(r.escalated / max(r.docs, 1), 4),
        "cost_per_1000_pages_usd": round(r.cost_usd / pages * 1000, 4),
        "cost_per_1000_pages_without_escalation_usd": round(base, 4),
        "cascade": {"escalation_rate": rate, "cost_per_1000_pages_usd": round(base + rate * stronger, 4)},
        "cost_per_1000_pages_by_model_usd": {
            name: round(per_1000(r.base_prompt_tokens, r.base_output_tokens, r.pages, name, settings), 4)
            for name in PRICES
        },
        "truth_round_trip": {
            "values_identical_to_offline": r.values_same,
            "values": r.values_total,
            "mismatches": r.mismatches,
            "doc_types_right": r.types_right,
            "doc_types_right_with_old_4000_char_input": r.types_right_before,
            "doc_types_known": r.types_known,
        },
        "seconds": round(r.seconds, 2),
    }


def baseline(ref: str, manifest: Path, limit: int | None) -> dict[str, Any]:
    """The bench of git revision ``ref`` (its own code, prompts and default model), same documents."""
    with tempfile.TemporaryDirectory(prefix="zapdoc-cost-baseline-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "shared", "bench", "tests"],
                                 check=True, capture_output=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        argv = [sys.executable, str(Path(tmp) / "bench" / "cost.py"), str(manifest), "--json"]
        if limit:
            argv += ["--limit", str(limit)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZAPDOC_")}
        done = subprocess.run(argv, check=True, capture_output=True, text=True, env=env, cwd=tmp)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("manifest", nargs="?", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--provider", choices=("gemini", "openai", "both"), default="gemini")
    parser.add_argument("--escalation-rate", type=float, default=0.10,
                        help="share of documents re-read by the stronger model in the cascade")  # fmt: skip
    parser.add_argument("--baseline", metavar="GIT_REF", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = LlmSettings(gcp_project="bench", backoff_s=0.05)
    docs = load_documents(args.manifest, args.limit)
    providers = ["gemini", "openai"] if args.provider == "both" else [args.provider]
    runs = [summarise(run(p, docs, settings), settings, args.escalation_rate) for p in providers]
    report: dict[str, Any] = {
        "runs": runs,
        "overhead_tokens_10_fields": fixed_overhead(10),
        "overhead_tokens_invoice_template": fixed_overhead(len(template_fields("invoice"))),
        "classification_request_prompt_tokens": classification_request_tokens(docs),
    }
    if args.baseline:
        report["baseline"] = {"ref": args.baseline, **baseline(args.baseline, args.manifest, args.limit)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print_report(report)


def _ok(flag: bool) -> str:
    return "ok" if flag else "OVER"


def print_report(report: dict[str, Any]) -> None:
    for r in report["runs"]:
        trt = r["truth_round_trip"]
        print(f"== {r['provider']} stand-in, default configuration: {r['model']}"
              f" (escalation to {r['escalation_model'] or 'none'})")  # fmt: skip
        print(f"{r['documents']} documents, {r['pages']} pages, {r['failures']} failures, {r['seconds']} s")
        print(f"requests per document          {r['requests_per_document']:>9}"
              f"   (classification requests: {r['classify_requests']})")  # fmt: skip
        print(f"prompt tokens per page         {r['prompt_tokens_per_page']:>9}")
        print(f"output tokens per page         {r['output_tokens_per_page']:>9}")
        cls = r["classification_prompt_tokens_per_document"]
        print(
            f"classification prompt tokens per document {cls}"
            f" (limit {CLASSIFY_LIMIT}: {_ok(cls <= CLASSIFY_LIMIT)})"
        )
        cost = r["cost_per_1000_pages_usd"]
        print(f"cost per 1,000 pages (default, measured escalation {r['measured_escalation_rate']:.1%}):"
              f" ${cost:.4f} (limit ${COST_LIMIT:.2f}: {_ok(cost <= COST_LIMIT)})")  # fmt: skip
        casc = r["cascade"]
        print(f"cascade at a stated {casc['escalation_rate']:.0%} escalation rate:"
              f" ${casc['cost_per_1000_pages_usd']:.4f} per 1,000 pages")  # fmt: skip
        print("same tokens at each model's list price, per 1,000 pages:")
        for name, c in r["cost_per_1000_pages_by_model_usd"].items():
            print(f"  {name:24} ${c:8.4f}")
        same, total = trt["values_identical_to_offline"], trt["values"]
        print(f"truth round trip: {same}/{total} values identical to the"
              f" offline extractor on the same document; document types right {trt['doc_types_right']}/"
              f"{trt['doc_types_known']} (old 4,000-character classification input:"
              f" {trt['doc_types_right_with_old_4000_char_input']}/{trt['doc_types_known']})")  # fmt: skip
        for m in trt["mismatches"]:
            print(f"  differs: {m}")
        print("ratio to managed extractors (list price per 1,000 pages):")
        for name, price in MANAGED_PER_1000.items():
            print(f"  {name:26} ${price:6.2f}  -> {cost / price:.3f}x")
    ten = report["overhead_tokens_10_fields"]
    verdict = _ok(ten <= OVERHEAD_LIMIT)
    print(f"fixed prompt overhead, 10-field schema: {ten} tokens (limit {OVERHEAD_LIMIT}: {verdict})")
    full = report["overhead_tokens_invoice_template"]
    print(f"fixed prompt overhead, 16-field invoice template: {full} tokens")
    print(f"a classification request when one is needed (longest document): "
          f"{report['classification_request_prompt_tokens']} prompt tokens")  # fmt: skip
    base = report.get("baseline")
    if base:
        now = report["runs"][0]
        before_pages = max(base["pages"], 1)
        before_req = base["requests"] / max(base["documents"], 1)
        print(f"\nside by side with {base['ref']} (its own bench and defaults, same documents):")
        print(f"  {'':34}{'before':>22}{'now':>22}{'ratio':>8}")
        rows = [
            ("model", base["model"], now["model"], None),
            ("prompt tokens per page", base["prompt_tokens_per_page"], now["prompt_tokens_per_page"], True),
            ("output tokens per page", base["output_tokens_per_page"], now["output_tokens_per_page"], True),
            ("requests per document", round(before_req, 3), now["requests_per_document"], True),
            ("fixed overhead, 10 fields", base["overhead_tokens_10_fields"], ten, True),
            (
                "cost per 1,000 pages (USD)",
                base["cost_per_1000_pages_usd"],
                now["cost_per_1000_pages_usd"],
                True,
            ),
        ]
        for label, b, n, ratio in rows:
            r_text = f"{n / b:.3f}x" if ratio and b else ""
            print(f"  {label:34}{b!s:>22}{n!s:>22}{r_text:>8}")
        print(f"  ({base['documents']} documents, {before_pages} pages in the baseline run)")


if __name__ == "__main__":
    main()
