"""Usage analytics: one record per document (type, status, pages, latency, LLM tokens and cost; never a
value, a file name or an address), and the per-day, per-type report the operator reads.

The steps keep their figures on the document record as they go (``stats``: extract: pages, latency,
usage; classify: type; a failure: status), in the commits that record their results. When the job
ends, ``record_job_end`` writes ``analytics/<job>-<document>`` from them (end state, failure
reason, end-to-end latency) and, in production (``ZAPDOC_ANALYTICS_TOPIC`` set), publishes the same rows
to the topic a BigQuery subscription writes into the ``documents`` table (terraform/analytics.tf).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zapdoc.domain import job_model
from zapdoc.domain.documents import Usage
from zapdoc.domain.records import DocFields, JobFields
from zapdoc.ports.store import Put, Query, Snapshot, Where
from zapdoc.services.runtime import Runtime

ANALYTICS_TOPIC = "zapdoc-analytics"
"""Topic Terraform creates for the BigQuery subscription (functions get it as ZAPDOC_ANALYTICS_TOPIC)."""
PUBLISHERS = frozenset({"intake", "assemble", "sweep"})
"""Functions whose code ends jobs, hence publishes analytics records (and webhook events)."""
STEPS = ("extract", "classify", "job")
COLLECTION = "analytics"
_BATCH = 400


def usage_fields(usage: Usage | None, provider: str = "") -> dict[str, Any]:
    """The analytics fields of one document's LLM usage (what extract adds to the record)."""
    if usage is None:
        return {"provider": provider or None}
    return {
        "provider": str(getattr(usage, "provider", "") or provider or "") or None,
        "model": usage.model or None,
        "prompt_tokens": int(usage.prompt_tokens),
        "output_tokens": int(usage.output_tokens),
        "cost_usd": round(float(usage.cost_usd), 6),
    }


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def failure_reason(reason: str | None) -> str | None:
    """A reason without file names, quoted text or numbers, so reasons group and carry no content."""
    if not reason:
        return None
    text = str(reason).replace(" (pages refunded)", "")
    text = _QUOTED.sub("…", text)
    text = _NUMBER.sub("N", text)
    return text.split(": ", 1)[0].strip()[:120] or None


def _micros(when: dt.datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def bigquery_row(record_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON message for the BigQuery subscription: exactly the table's columns."""
    at = record.get("at")
    row: dict[str, Any] = {
        "record_id": record_id,
        "at": _micros(at) if isinstance(at, dt.datetime) else None,
        "job_id": record.get("job_id"),
        "document_id": record.get("document_id"),
        "job_status": record.get("job_status"),
        "doc_type": record.get("doc_type"),
        "status": record.get("status"),
        "failure_reason": record.get("failure_reason"),
        "pages": _int_or_none(record.get("pages")),
        "extract_seconds": _float_or_none(record.get("extract_seconds")),
        "classify_seconds": _float_or_none(record.get("classify_seconds")),
        "job_seconds": _float_or_none(record.get("job_seconds")),
        "provider": record.get("provider"),
        "model": record.get("model"),
        "prompt_tokens": _int_or_none(record.get("prompt_tokens")),
        "output_tokens": _int_or_none(record.get("output_tokens")),
        "cost_usd": _float_or_none(record.get("cost_usd")),
    }
    return row


def sample_bigquery_row() -> dict[str, Any]:
    """A fully filled row (types as sent), for checks that the table can hold it."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    record = {
        "at": now, "job_id": "j", "document_id": "d", "job_status": "delivered", "doc_type": "invoice",
        "status": "ok", "failure_reason": "x", "pages": 1, "extract_seconds": 0.5,
        "classify_seconds": 0.25, "job_seconds": 3.0, "provider": "gemini", "model": "m",
        "prompt_tokens": 10, "output_tokens": 5, "cost_usd": 0.001,
    }  # fmt: skip
    return bigquery_row("j-d", record)


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _doc_status(job_status: str, doc: Mapping[str, Any]) -> tuple[str, str | None]:
    status = str(doc.get(DocFields.STATUS) or "")
    if status == job_model.DocStatus.DONE:
        return "ok", None
    if status == job_model.DocStatus.FAILED:
        return "failed", failure_reason(doc.get(DocFields.REASON))
    if status == job_model.DocStatus.REJECTED:
        return "rejected", failure_reason(doc.get(DocFields.REASON))
    # Still pending when the job ended: the job was rejected (credits) or cancelled.
    return "rejected", f"job {job_status}"


def record_job_end(
    rt: Runtime, job_id: str, job: Mapping[str, Any], status: str, *, docs: Sequence[Snapshot] | None = None
) -> int:
    """Complete the analytics record of every document of an ended job; publish them in production.

    Idempotent: the records are overwritten with the same values; a repeated publish gives a row with
    the same ``record_id`` (BigQuery readers deduplicate on it).
    """
    from zapdoc.services import jobs

    ended = (
        job.get(JobFields.ENDED_AT)
        or job.get(JobFields.DELIVERED_AT)
        or job.get(JobFields.UPDATED_AT)
        or rt.clock()
    )
    created = job.get(JobFields.CREATED_AT)
    job_seconds = (
        round((ended - created).total_seconds(), 3)
        if isinstance(ended, dt.datetime) and isinstance(created, dt.datetime)
        else None
    )
    writes: list[Put] = []
    rows: list[dict[str, Any]] = []
    for doc in jobs.list_documents(rt, job_id) if docs is None else docs:
        stats = doc.data.get(DocFields.STATS)
        if isinstance(stats, Mapping):  # the steps' figures, kept on the document record
            record: dict[str, Any] = dict(stats)
        else:  # recorded before the steps kept them there
            current = rt.store.get(job_model.analytics_path(job_id, doc.id))
            record = dict(current.data if current else {})
        doc_status, reason = _doc_status(status, doc.data)
        record.update(
            {
                "job_id": job_id,
                "document_id": doc.id,
                "job_status": status,
                "doc_type": record.get("doc_type") or doc.data.get(DocFields.DOC_TYPE) or "other",
                "status": doc_status,
                "failure_reason": reason,
                "pages": record.get("pages")
                if record.get("pages") is not None
                else doc.data.get(DocFields.PAGES),
                "job_seconds": job_seconds,
                "at": ended,
            }
        )
        writes.append(Put(job_model.analytics_path(job_id, doc.id), record))
        rows.append(bigquery_row(f"{job_id}-{doc.id}", record))
    for start in range(0, len(writes), _BATCH):
        rt.store.commit(writes[start : start + _BATCH])
    topic = rt.settings.analytics_topic
    if topic and rows:
        rt.bus.publish_all(topic, rows)
    return len(rows)


# --- the report ---------------------------------------------------------------------------------------


def parse_since(text: str) -> dt.timedelta:
    """``7d``, ``24h``, ``90m`` or ``2w`` as a duration (the CLI's and the endpoint's ``since``)."""
    m = re.fullmatch(r"\s*(\d{1,4})\s*([mhdw])\s*", text or "")
    if not m:
        raise ValueError("since must look like 7d, 24h, 90m or 2w")
    amount, unit = int(m.group(1)), m.group(2)
    seconds = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}[unit] * amount
    if seconds <= 0 or seconds > 400 * 86400:
        raise ValueError("since must be between 1 minute and 400 days")
    return dt.timedelta(seconds=seconds)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class _Group:
    documents: int = 0
    pages: int = 0
    ok: int = 0
    failed: int = 0
    rejected: int = 0

    def __post_init__(self) -> None:
        self.reasons: Counter[str] = Counter()
        self.latency: dict[str, list[float]] = defaultdict(list)

    def add(self, record: Mapping[str, Any]) -> None:
        self.documents += 1
        self.pages += int(record.get("pages") or 0)
        status = record.get("status")
        if status == "ok":
            self.ok += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.rejected += 1
        if status != "ok" and record.get("failure_reason"):
            self.reasons[str(record["failure_reason"])] += 1
        for step in STEPS:
            value = record.get(f"{step}_seconds")
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.latency[step].append(float(value))

    def to_dict(self, doc_type: str) -> dict[str, Any]:
        finished = self.ok + self.failed
        return {
            "doc_type": doc_type,
            "documents": self.documents,
            "pages": self.pages,
            "ok": self.ok,
            "failed": self.failed,
            "rejected": self.rejected,
            "success_rate": round(self.ok / finished, 4) if finished else None,
            "top_failure_reasons": [{"reason": r, "count": n} for r, n in self.reasons.most_common(3)],
            "latency_s": {
                step: {"p50": percentile(self.latency[step], 50), "p95": percentile(self.latency[step], 95)}
                for step in STEPS
            },
        }


def _day(value: Any) -> str | None:
    return value.astimezone(dt.UTC).date().isoformat() if isinstance(value, dt.datetime) else None


def _llm_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    llm: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        if not (r.get("prompt_tokens") or r.get("output_tokens") or r.get("cost_usd")):
            continue
        key = (str(r.get("provider") or "unknown"), str(r.get("model") or ""))
        row = llm.setdefault(
            key, {"provider": key[0], "model": key[1], "documents": 0, "prompt_tokens": 0,
                  "output_tokens": 0, "cost_usd": 0.0},
        )  # fmt: skip
        row["documents"] += 1
        row["prompt_tokens"] += int(r.get("prompt_tokens") or 0)
        row["output_tokens"] += int(r.get("output_tokens") or 0)
        row["cost_usd"] = round(row["cost_usd"] + float(r.get("cost_usd") or 0.0), 6)
    return sorted(llm.values(), key=lambda x: (x["provider"], x["model"]))


def _types(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, _Group] = defaultdict(_Group)
    for r in records:
        groups[str(r.get("doc_type") or "other")].add(r)
    return [groups[t].to_dict(t) for t in sorted(groups)]


def _snaps_since(rt: Runtime, collection: str, field: str, since: dt.datetime) -> list[Snapshot]:
    return rt.store.query(Query(collection, (Where(field, ">=", since),)))


def usage_report(rt: Runtime, since: dt.timedelta) -> dict[str, Any]:
    """Per day and per document type over the last ``since``: documents, pages, success rate, top
    failure reasons, p50/p95 latency per step, LLM tokens and cost per provider, credits sold/spent."""
    from zapdoc.services.payments import session_path

    now = rt.clock()
    start = now - since
    records = [s.data for s in _snaps_since(rt, COLLECTION, "at", start) if s.data.get("job_status")]
    by_day: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        if day := _day(r.get("at")):
            by_day[day].append(r)
    credits: dict[str, dict[str, int]] = defaultdict(lambda: {"sold": 0, "spent": 0, "refunded": 0})
    sessions = session_path("x").split("/")[0]
    for s in _snaps_since(rt, sessions, "credited_at", start):
        if day := _day(s.data.get("credited_at")):
            credits[day]["sold"] += int(s.data.get("credits") or 0) - int(s.data.get("revoked") or 0)
    for s in _snaps_since(rt, "jobs", JobFields.CREATED_AT, start):
        if day := _day(s.data.get(JobFields.CREATED_AT)):
            charged, refunded = (
                int(s.data.get(JobFields.CHARGED) or 0),
                int(s.data.get(JobFields.REFUNDED) or 0),
            )
            credits[day]["spent"] += charged - refunded
            credits[day]["refunded"] += refunded
    days = sorted(set(by_day) | set(credits))
    total_credits = {k: sum(c[k] for c in credits.values()) for k in ("sold", "spent", "refunded")}
    return {
        "since": start,
        "until": now,
        "totals": {"types": _types(records), "llm": _llm_rows(records), "credits": total_credits},
        "days": [
            {
                "day": day,
                "types": _types(by_day.get(day, [])),
                "llm": _llm_rows(by_day.get(day, [])),
                "credits": dict(credits.get(day, {"sold": 0, "spent": 0, "refunded": 0})),
            }
            for day in days
        ],
    }


# --- text rendering (CLI) -------------------------------------------------------------------------------


def _pct(value: Any) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "–"


def _secs(latency: Mapping[str, Any], step: str) -> str:
    p = latency.get(step) or {}
    p50, p95 = p.get("p50"), p.get("p95")
    if p50 is None:
        return "–"
    return f"{p50:.2f}/{p95:.2f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


TYPE_HEADERS = (
    "day", "type", "docs", "pages", "ok", "failed", "rejected", "success",
    "extract p50/p95 s", "classify p50/p95 s", "job p50/p95 s", "top failure reasons",
)  # fmt: skip


def _type_rows(day: str, types: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for t in types:
        latency = t.get("latency_s") or {}
        reasons = "; ".join(f"{r['reason']} ({r['count']})" for r in t.get("top_failure_reasons") or [])
        rows.append(
            [day, str(t["doc_type"]), str(t["documents"]), str(t["pages"]), str(t["ok"]), str(t["failed"]),
             str(t["rejected"]), _pct(t.get("success_rate")), _secs(latency, "extract"),
             _secs(latency, "classify"), _secs(latency, "job"), reasons or "–"]
        )  # fmt: skip
    return rows


def render_report(report: Mapping[str, Any]) -> str:
    """The report as plain-text tables: per type (period), per day and type, LLM per provider, credits."""

    def stamp(v: Any) -> str:
        return v.isoformat(timespec="minutes") if isinstance(v, dt.datetime) else str(v)

    out = [f"ZapDoc usage from {stamp(report['since'])} to {stamp(report['until'])}", ""]
    totals = report["totals"]
    out.append("Per document type (whole period)")
    out += _table(TYPE_HEADERS, _type_rows("all", totals["types"])) if totals["types"] else ["(no documents)"]
    out.append("")
    day_rows = [row for d in report["days"] for row in _type_rows(d["day"], d["types"])]
    if day_rows:
        out.append("Per day and document type")
        out += _table(TYPE_HEADERS, day_rows)
        out.append("")
    out.append("LLM usage per provider")
    llm_rows = [
        [d["day"], r["provider"], r["model"], str(r["documents"]), str(r["prompt_tokens"]),
         str(r["output_tokens"]), f"{r['cost_usd']:.4f}"]
        for d in report["days"] for r in d["llm"]
    ]  # fmt: skip
    llm_rows += [
        ["all", r["provider"], r["model"], str(r["documents"]), str(r["prompt_tokens"]),
         str(r["output_tokens"]), f"{r['cost_usd']:.4f}"]
        for r in totals["llm"]
    ]  # fmt: skip
    headers = ("day", "provider", "model", "docs", "prompt tokens", "output tokens", "est. cost USD")
    out += _table(headers, llm_rows) if llm_rows else ["(no LLM usage)"]
    out.append("")
    out.append("Credits")
    credit_rows = [
        [d["day"], str(d["credits"]["sold"]), str(d["credits"]["spent"]), str(d["credits"]["refunded"])]
        for d in report["days"]
    ]
    c = totals["credits"]
    credit_rows.append(["all", str(c["sold"]), str(c["spent"]), str(c["refunded"])])
    out += _table(("day", "sold", "spent", "refunded"), credit_rows)
    return "\n".join(out) + "\n"
