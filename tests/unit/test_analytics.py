"""Usage analytics on the in-memory pipeline: the records completed at job end, the BigQuery rows, the
per-day/per-type report and its text table."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump
from zapdoc.domain.documents import Classification, DocumentText, Extraction, Usage
from zapdoc.domain.fields import FieldSpec
from zapdoc.ports.store import Create, Query
from zapdoc.services import analytics, jobs
from zapdoc.services.intake import handle_upload
from zapdoc.services.payments import session_path
from zapdoc.services.sweep import sweep


class TypedUsage:
    """Wraps the scripted extractor: classifies by a TYPE: line and reports token usage and cost."""

    name = "scripted"

    def __init__(self, world: MemoryWorld) -> None:
        self.inner = world.extractor

    def extract(self, doc: DocumentText, fields: tuple[FieldSpec, ...]) -> Extraction:
        result = self.inner.extract(doc, fields)
        result.usage = Usage(model="gemini-test", requests=1, prompt_tokens=1000, output_tokens=100,
                             cost_usd=0.002)  # fmt: skip
        return result

    def classify(self, doc: DocumentText) -> Classification:
        return Classification("receipt" if "TYPE: receipt" in doc.text else "invoice", 0.9)


def _world(analytics_topic: str = "") -> MemoryWorld:
    world = memory_world(analytics_topic=analytics_topic)
    typed = TypedUsage(world)
    world.rt.extractor_factory = lambda: typed  # type: ignore[assignment,return-value]
    return world


def _run_job(world: MemoryWorld, files: dict[str, bytes], *, credits: int = 100) -> tuple[str, str]:
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS
    )
    job = jobs.get_job(world.rt, created.job_id)
    assert job is not None
    for record in job.data["files"].values():
        world.blobs.write("uploads", record["object"], files[record["name"]], "application/pdf")
        handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1")
    pump(world)
    return user, created.job_id


def _three(world: MemoryWorld) -> tuple[str, str]:
    return _run_job(
        world,
        {
            "a.pdf": invoice_pdf("A-1", "10.00", pages=2),
            "b.pdf": invoice_pdf("B-2", "20.00", extra="TYPE: receipt"),
            "secret-name.pdf": invoice_pdf("C-3", "30.00", extra="PERMANENT-FAIL"),
        },
    )


def test_job_end_completes_one_record_per_document_without_content() -> None:
    # GIVEN a delivered job of three documents, one of which failed
    world = _world()
    _, job_id = _three(world)
    records = {s.id: s.data for s in world.store.query(Query("analytics"))}
    # THEN each document has one completed record: end state, type, status, pages, usage, latency
    assert len(records) == 3
    assert {r["job_status"] for r in records.values()} == {"delivered"}
    assert sorted(r["status"] for r in records.values()) == ["failed", "ok", "ok"]
    assert sorted(r["doc_type"] for r in records.values()) == ["invoice", "invoice", "receipt"]
    ok = [r for r in records.values() if r["status"] == "ok"]
    assert all(r["prompt_tokens"] == 1000 and r["cost_usd"] == 0.002 for r in ok)
    assert all(isinstance(r["job_seconds"], float) for r in records.values())
    failed = next(r for r in records.values() if r["status"] == "failed")
    assert failed["failure_reason"] == "the provider refused this document"
    # AND no record carries a file name or a value
    assert "secret-name" not in repr(records) and "A-1" not in repr(records)
    # AND the job's end-of-job effects are marked done (a redelivery does not redo them)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["end_done"] is True


def test_production_publishes_the_rows_for_bigquery_once_per_document() -> None:
    # GIVEN the analytics topic is set (production) WHEN a job ends
    world = _world(analytics_topic=analytics.ANALYTICS_TOPIC)
    _, job_id = _three(world)
    rows = [data for topic, data in world.parked if topic == analytics.ANALYTICS_TOPIC]
    # THEN one row per document, exactly the table's columns, keyed by record id
    assert len(rows) == 3
    assert {r["record_id"] for r in rows} == {f"{job_id}-{r['document_id']}" for r in rows}
    assert all(set(r) == set(analytics.sample_bigquery_row()) for r in rows)
    assert all(isinstance(r["at"], int) for r in rows)
    # AND a redelivered results message or a sweep publishes nothing again
    from zapdoc.services.assemble import assemble_job

    assemble_job(world.rt, job_id)
    sweep(world.rt)
    pump(world)
    assert len([1 for topic, _ in world.parked if topic == analytics.ANALYTICS_TOPIC]) == 3


def test_the_local_stack_keeps_the_firestore_path_only() -> None:
    world = _world()  # ZAPDOC_ANALYTICS_TOPIC unset
    _three(world)
    assert [t for t, _ in world.parked if t == analytics.ANALYTICS_TOPIC] == []
    assert len(world.store.query(Query("analytics"))) == 3


def test_a_rejected_job_ends_once_and_leaves_no_document_records() -> None:
    # Since issue 9 a job rejected for credits keeps no document records: nothing to count per type,
    # but its end-of-job effects are marked done (the sweep does not retry them forever).
    world = _world()
    _, job_id = _run_job(world, {"big.pdf": invoice_pdf("X", "1.00", pages=5)}, credits=2)
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "rejected" and job.data["end_done"] is True
    assert world.store.query(Query("analytics")) == []


def test_report_per_day_and_type_with_latency_llm_and_credits() -> None:
    # GIVEN two delivered jobs and a purchase
    world = _world()
    user, _ = _three(world)
    _three(world)
    world.store.commit(
        [Create(session_path("cs_1"), {"user_id": user, "credits": 50, "revoked": 0,
                                       "credited_at": world.clock()})]
    )  # fmt: skip
    # WHEN the operator asks for the last 7 days
    report = analytics.usage_report(world.rt, dt.timedelta(days=7))
    # THEN per type: documents, pages, success rate, the top failure reason, p50/p95 per step
    types = {t["doc_type"]: t for t in report["totals"]["types"]}
    assert types["invoice"]["documents"] == 4 and types["receipt"]["documents"] == 2
    assert types["invoice"]["pages"] == 6
    assert types["invoice"]["success_rate"] == 0.5
    assert types["invoice"]["top_failure_reasons"] == [
        {"reason": "the provider refused this document", "count": 2}
    ]
    assert types["receipt"]["success_rate"] == 1.0
    for step in ("extract", "classify", "job"):
        assert types["receipt"]["latency_s"][step]["p50"] is not None
    # AND LLM tokens and cost per provider/model, and credits sold and spent
    [llm] = report["totals"]["llm"]
    assert (llm["model"], llm["documents"], llm["prompt_tokens"]) == ("gemini-test", 4, 4000)
    assert llm["cost_usd"] == pytest.approx(0.008)
    assert report["totals"]["credits"] == {"sold": 50, "spent": 6, "refunded": 2}
    [day] = report["days"]
    assert day["day"] == world.clock().date().isoformat()
    # AND the text table names each type with its numbers
    text = analytics.render_report(report)
    assert "Per document type" in text
    assert any(line.split()[:4] == ["all", "invoice", "4", "6"] for line in text.splitlines())
    assert "the provider refused this document (2)" in text


def test_records_older_than_since_are_left_out() -> None:
    world = _world()
    _three(world)
    world.clock.advance(days=3)
    assert analytics.usage_report(world.rt, dt.timedelta(days=2))["totals"]["types"] == []
    assert analytics.usage_report(world.rt, dt.timedelta(days=4))["totals"]["types"] != []


@pytest.mark.parametrize(
    ("text", "seconds"), [("7d", 604800), ("24h", 86400), ("90m", 5400), ("2w", 1209600)]
)
def test_since_accepts_days_hours_minutes_weeks(text: str, seconds: int) -> None:
    assert analytics.parse_since(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "7", "d7", "0d", "-1d", "500d"])
def test_since_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="since"):
        analytics.parse_since(text)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert analytics.percentile(values, 50) == 50.0
    assert analytics.percentile(values, 95) == 95.0
    assert analytics.percentile([3.0], 95) == 3.0
    assert analytics.percentile([], 50) is None


def test_failure_reasons_lose_names_and_numbers() -> None:
    assert analytics.failure_reason("file 'scan 7.pdf' has 12 pages: too many (pages refunded)") == (
        "file … has N pages"
    )
