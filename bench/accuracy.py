"""Extraction accuracy on the evaluation corpus (../shared/corpus), normalised match, per field/source/layout.

    python bench/accuracy.py [MANIFEST] [--provider offline] [--limit N] [--json] [--misses]

Each document's ``doc_type`` picks a template (invoice/credit_note -> invoice, receipt -> receipt,
nda -> contract, resume -> resume); only fields that template asks for are scored. Comparison:
names and free text case/whitespace/punctuation-insensitive ("&" reads "and"); ids (invoice/order
numbers) alphanumerics only; amounts numeric (|a - b| < 0.01); dates ISO; phones digits only; IBAN and
VAT ids alphanumerics only (country prefix kept, stricter than digits only); currency ISO; emails
lower-case; websites without scheme/"www."; lists (parties, skills) count as correct only when the
normalised sets are equal (exact), the mean item F1 is shown beside. Documents listed in excluded.json
are skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))

from zapdoc.domain.documents import DocumentText, Source  # noqa: E402
from zapdoc.domain.errors import ZapdocError  # noqa: E402
from zapdoc.domain.fields import FieldSpec  # noqa: E402
from zapdoc.domain.templates import template_fields  # noqa: E402
from zapdoc.inputs.pdf import inspect_pdf  # noqa: E402
from zapdoc.ports.extractor import Extractor  # noqa: E402

DEFAULT_MANIFEST = ROOT.parent / "shared" / "corpus" / "manifest.jsonl"

TEMPLATE_FOR = {"invoice": "invoice", "credit_note": "invoice", "receipt": "receipt", "nda": "contract",
                "resume": "resume"}  # fmt: skip
# Corpus field name -> template field name, where a template calls the same thing differently.
RENAME = {
    "receipt": {"invoice_number": "receipt_number", "issue_date": "date", "vendor_name": "merchant_name",
                "vendor_vat_id": "merchant_vat_id", "vendor_gstin": "merchant_vat_id"},
}  # fmt: skip

INVOICE_TARGET = ("invoice_number", "issue_date", "total_amount", "currency", "iban", "vendor_vat_id")
RESUME_TARGET = ("email", "phone")
TARGETS = {"invoice": (INVOICE_TARGET, 0.75), "resume": (RESUME_TARGET, 0.90)}


def build_provider(name: str) -> Extractor:
    """The provider by name: through ``zapdoc.bootstrap`` when the project has it, else offline."""
    try:
        from zapdoc import bootstrap
    except ImportError:
        bootstrap = None  # type: ignore[assignment]
    if bootstrap is not None and hasattr(bootstrap, "build_extractor"):
        built: Any = bootstrap.build_extractor(name)
        extractor: Extractor = built[0] if isinstance(built, tuple) else built  # (extractor, description)
        return extractor
    if name != "offline":
        raise SystemExit(f"provider {name!r} needs zapdoc.bootstrap.build_extractor, which is not there yet")
    from zapdoc.extraction.offline import OfflineExtractor

    return OfflineExtractor()


# ------------------------------------------------------------------------------------- comparison


def _fold(text: object) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).replace("&", " and ")).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())


def _digits(text: object) -> str:
    return re.sub(r"\D", "", str(text))


def _amount(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _site(value: object) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", str(value).strip().lower()).rstrip("/")


def _items(value: object) -> set[str]:
    if isinstance(value, list):
        return {_fold(v) for v in value if _fold(v)}
    if value is None:
        return set()
    return {_fold(v) for v in re.split(r"[;,\n]", str(value)) if _fold(v)}


def _f1(expected: set[str], got: set[str]) -> float:
    if not expected and not got:
        return 1.0
    hit = len(expected & got)
    if not hit:
        return 0.0
    precision, recall = hit / len(got), hit / len(expected)
    return 2 * precision * recall / (precision + recall)


AMOUNT_FIELDS = {"total_amount", "net_amount", "tax_amount", "amount_due", "budget"}
DATE_FIELDS = {"issue_date", "due_date", "effective_date", "date", "submission_deadline"}
ID_FIELDS = {"invoice_number", "order_number", "receipt_number", "buyer_reference", "reference_number"}
TAX_FIELDS = {"iban", "vendor_vat_id", "buyer_vat_id", "merchant_vat_id"}
LIST_FIELDS = {"parties", "skills"}


def matches(field_name: str, expected: object, got: object) -> tuple[bool, float]:
    """(exact normalised match, item F1 for lists else 0/1)."""
    if got is None:
        return False, 0.0
    ok: bool
    if field_name in LIST_FIELDS:
        f1 = _f1(_items(expected), _items(got))
        return f1 == 1.0, f1
    if field_name in AMOUNT_FIELDS:
        a, b = _amount(expected), _amount(got)
        ok = a is not None and b is not None and abs(a - b) < 0.01
    elif field_name in DATE_FIELDS:
        ok = _iso(expected) == _iso(got)
    elif field_name.endswith("phone"):
        ok = _digits(expected) == _digits(got) and bool(_digits(got))
    elif field_name in TAX_FIELDS:
        ok = _fold(expected).upper() == _fold(got).upper()
    elif field_name == "currency":
        ok = str(expected).upper() == str(got).upper()
    elif field_name.endswith("email"):
        ok = str(expected).strip().lower() == str(got).strip().lower()
    elif field_name == "website":
        ok = _site(expected) == _site(got)
    else:
        ok = _fold(expected) == _fold(got) and bool(_fold(got))
    return ok, 1.0 if ok else 0.0


# ------------------------------------------------------------------------------------------- run


@dataclass
class Tally:
    correct: int = 0
    total: int = 0
    f1: float = 0.0

    def add(self, ok: bool, f1: float) -> None:
        self.correct += ok
        self.total += 1
        self.f1 += f1

    @property
    def pct(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0


@dataclass
class Report:
    fields: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    sources: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    layouts: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    targets: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    pages: int = 0
    failed: list[str] = field(default_factory=list)
    seconds_extract: float = 0.0
    not_requested: int = 0


def run(manifest: Path, provider: Extractor, limit: int | None) -> Report:
    base = manifest.parent
    excluded: set[str] = set()
    excluded_path = base / "excluded.json"
    if excluded_path.exists():
        excluded = {str(e["file"]) for e in json.loads(excluded_path.read_text())}
    report = Report()
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["file"] not in excluded and r["doc_type"] in TEMPLATE_FOR]
    if limit:
        rows = rows[:limit]
    for row in rows:
        template = TEMPLATE_FOR[row["doc_type"]]
        specs = template_fields(template)
        by_name: dict[str, FieldSpec] = {s.name: s for s in specs}
        rename = RENAME.get(template, {})
        source = row["file"].split("/", 1)[0]
        layout = row.get("layout", "?")
        values: dict[str, Any] = {}
        evidence: dict[str, str] = {}
        try:
            doc: DocumentText = inspect_pdf(Source(row["file"], (base / row["file"]).read_bytes()))
            started = time.perf_counter()
            extraction = provider.extract(doc, specs)
            report.seconds_extract += time.perf_counter() - started
            report.pages += doc.page_count
            values = {k: v.value for k, v in extraction.values.items()}
            evidence = {k: v.evidence.snippet for k, v in extraction.values.items() if v.evidence}
        except ZapdocError as exc:
            report.failed.append(f"{row['file']}: {exc}")
        report.documents += 1
        for gt_name, expected in row["fields"].items():
            name = rename.get(gt_name, gt_name)
            if name not in by_name:
                report.not_requested += 1
                continue
            got = values.get(name)
            ok, f1 = matches(name, expected, got)
            report.fields[f"{template}.{name}"].add(ok, f1)
            report.sources[source].add(ok, f1)
            report.layouts[layout].add(ok, f1)
            target = TARGETS.get(template)
            if target and name in target[0]:
                report.targets[template].add(ok, f1)
            if not ok:
                report.misses.append({"file": row["file"], "field": name, "expected": expected,
                                      "got": _jsonable(got), "evidence": evidence.get(name, "")})  # fmt: skip
    return report


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _table(title: str, tallies: dict[str, Tally], show_f1: bool = False) -> list[str]:
    out = [
        f"\n{title}",
        f"  {'':42} {'correct':>8} {'total':>6} {'acc':>7}" + ("  item-F1" if show_f1 else ""),
    ]
    for key in sorted(tallies):
        t = tallies[key]
        extra = f"  {t.f1 / t.total:7.2f}" if show_f1 and t.total else ""
        out.append(f"  {key:42} {t.correct:8d} {t.total:6d} {t.pct:6.1f}%{extra}")
    return out


def render(report: Report, provider: str, show_misses: bool) -> str:
    lines = [f"provider: {provider}; documents: {report.documents}; pages: {report.pages}; "
             f"extraction time: {report.seconds_extract:.2f} s "
             f"({1000 * report.seconds_extract / max(1, report.pages):.1f} ms/page)"]  # fmt: skip
    lines += _table("Accuracy per field (template.field)", report.fields, show_f1=True)
    lines += _table("Accuracy per source folder", report.sources)
    lines += _table("Accuracy per layout", report.layouts)
    total = Tally(
        sum(t.correct for t in report.fields.values()), sum(t.total for t in report.fields.values())
    )
    lines.append(
        f"\nOverall: {total.correct}/{total.total} = {total.pct:.1f}% "
        f"({report.not_requested} ground-truth values are not asked for by the templates)"
    )
    lines.append("\nAcceptance aggregates")
    for template, (names, goal) in TARGETS.items():
        t = report.targets.get(template, Tally())
        verdict = "MET" if t.total and t.correct / t.total >= goal else "NOT MET"
        lines.append(f"  {template} {', '.join(names)}: {t.correct}/{t.total} = {t.pct:.1f}% "
                     f"(target >= {goal:.0%}) {verdict}")  # fmt: skip
    if report.failed:
        lines.append("\nDocuments that failed: " + "; ".join(report.failed))
    if show_misses:
        lines.append("\nMisses")
        for m in report.misses:
            lines.append(f"  {m['file']} {m['field']}: expected {m['expected']!r} got {m['got']!r}"
                         f"  [{m['evidence'][:90]}]")  # fmt: skip
    return "\n".join(lines)


def to_json(report: Report, provider: str) -> dict[str, Any]:
    def tallies(d: dict[str, Tally]) -> dict[str, Any]:
        return {
            k: {"correct": t.correct, "total": t.total, "accuracy": round(t.pct / 100, 4)}
            for k, t in d.items()
        }

    return {
        "provider": provider,
        "documents": report.documents,
        "pages": report.pages,
        "seconds_extract": round(report.seconds_extract, 3),
        "fields": tallies(report.fields),
        "sources": tallies(report.sources),
        "layouts": tallies(report.layouts),
        "targets": {
            k: {
                "correct": t.correct,
                "total": t.total,
                "accuracy": round(t.pct / 100, 4),
                "goal": TARGETS[k][1],
            }
            for k, t in report.targets.items()
        },
        "failed": report.failed,
        "misses": report.misses,
    }


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("manifest", nargs="?", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--provider", default="offline")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--misses", action="store_true", help="list every miss with the evidence read")
    args = parser.parse_args(argv)
    if not args.manifest.exists():
        out("corpus not found, skipping")
        return 0
    provider = build_provider(args.provider)
    report = run(args.manifest, provider, args.limit)
    if args.json:
        out(json.dumps(to_json(report, args.provider), indent=2, ensure_ascii=False))
    else:
        out(render(report, args.provider, args.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
