"""Acceptance 14.1 on the local stack (emulators, functions on functions-framework, the real google-genai
and openai SDKs against their stand-ins): the provider chain ``gemini,openai`` with its shared circuit
breaker in Firestore."""

from __future__ import annotations

import email
import email.policy
import io
import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.e2e.conftest import StackFactory
from tests.pipeline_support import FIELDS, invoice_pdf, zip_of
from zapdoc.bootstrap import client_runtime
from zapdoc.dev.stack import LocalStack
from zapdoc.dev.submit import submit, user_id_for
from zapdoc.ports.store import Query
from zapdoc.services import jobs

pytestmark = [pytest.mark.emulators, pytest.mark.slow]

FAST_RETRIES = {
    "ZAPDOC_LLM_MAX_ATTEMPTS": "2",
    "ZAPDOC_LLM_BACKOFF_S": "0.05",
    "ZAPDOC_LLM_BREAKER_FAILURES": "3",
    "ZAPDOC_LLM_BREAKER_COOLDOWN_S": "600",
}


def _stats(stack: LocalStack, name: str) -> dict[str, Any]:
    with urllib.request.urlopen(stack.urls[name] + "/_standin/stats", timeout=5) as resp:  # noqa: S310
        data: dict[str, Any] = json.loads(resp.read())
    return data


def _job_files(tmp_path: Path, n: int, prefix: str) -> tuple[list[Path], dict[str, float]]:
    inner = {f"{prefix.lower()}-{i:02d}.pdf": invoice_pdf(f"{prefix}-{i}", f"{20 + i}.25") for i in range(n)}
    path = tmp_path / "in" / f"{prefix}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zip_of(inner))
    return [path], {f"{prefix}-{i}": 20 + i + 0.25 for i in range(n)}


def _workbook(stack: LocalStack) -> openpyxl.Workbook:
    [path] = sorted(stack.options.outbox.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    [attachment] = list(message.iter_attachments())
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes)
    return openpyxl.load_workbook(io.BytesIO(data))


def test_gemini_out_of_quota_sends_every_document_to_openai(make_stack: StackFactory, tmp_path: Path) -> None:
    # GIVEN the chain gemini,openai with the Gemini stand-in answering 429 to every request
    stack = make_stack(
        provider="gemini,openai", standin_args={"gemini": ["--fail-status", "429"]}, env=FAST_RETRIES
    )
    paths, expected = _job_files(tmp_path, 10, "Q")
    user = f"quota-{uuid.uuid4().hex[:6]}@example.com"
    rt = client_runtime(stack.client_env)
    # WHEN a 10-document job is submitted
    result = submit(rt, paths, FIELDS, email=user, wait=180, download_dir=tmp_path / "out")
    # THEN it is delivered with every value, every row from openai, and the Summary says so
    assert result.status == "delivered", result
    wb = _workbook(stack)
    rows = list(wb["Results"].iter_rows(min_row=2, values_only=True))
    assert {r[3]: r[4] for r in rows} == expected
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert str(summary["Extracted by openai"]).startswith("10 documents (gpt-4o-mini)")
    assert "10 after another provider failed" in str(summary["Extracted by openai"])
    assert not any(str(k).startswith("Extracted by gemini") for k in summary)
    assert {r[6] for r in wb["Evidence"].iter_rows(min_row=2, values_only=True)} == {"openai (gpt-4o-mini)"}
    # AND the job record and the analytics records name the provider, with tokens and cost
    job = jobs.get_job(rt, result.job_id)
    assert job is not None
    usage = job.data["llm_usage"]
    assert set(usage) == {"openai"}
    assert usage["openai"]["documents"] == 10 and usage["openai"]["prompt_tokens"] > 0
    records = [s.data for s in rt.store.query(Query("analytics"))]
    assert len(records) == 10
    assert all(r["provider"] == "openai" and r["model"] == "gpt-4o-mini" for r in records)
    assert all(r["cost_usd"] > 0 and r["failed_over"] == 1 for r in records)
    # AND the shared circuit breaker stopped the instances from sending more to gemini: it got fewer
    # requests than 10 documents x 2 attempts, and its open state is in Firestore
    gemini = _stats(stack, "gemini")
    assert 0 < gemini["requests"] < 20
    breaker = rt.store.get("llm_breakers/gemini")
    assert breaker is not None and breaker.data["open_until"] is not None
    assert "429" in breaker.data["reason"]
    assert result.charged == 10 and result.refunded == 0


def test_both_providers_failing_fail_the_documents_with_the_reason_and_refund_once(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    # GIVEN both stand-ins failing (quota on gemini, 503 on openai) and two deliveries per document
    env = {**FAST_RETRIES, "ZAPDOC_DELIVERY_ATTEMPTS": "2"}
    stack = make_stack(
        provider="gemini,openai",
        standin_args={"gemini": ["--fail-status", "429"], "openai": ["--fail-status", "503"]},
        env=env,
    )
    paths, _ = _job_files(tmp_path, 3, "F")
    user = f"down-{uuid.uuid4().hex[:6]}@example.com"
    rt = client_runtime(stack.client_env)
    # WHEN the job runs
    result = submit(rt, paths, FIELDS, email=user, wait=240, download_dir=tmp_path / "out")
    # THEN it is delivered with three failed rows naming both providers' reasons
    assert result.status == "delivered", result
    docs = jobs.list_documents(rt, result.job_id)
    assert [d.data["status"] for d in docs] == ["failed"] * 3
    for d in docs:
        reason = d.data["reason"]
        assert "no provider could extract the document" in reason
        assert "gemini" in reason and "openai" in reason
    rows = list(_workbook(stack)["Results"].iter_rows(min_row=2, values_only=True))
    assert all(r[-2] == "error" and "no provider could extract" in str(r[-1]) for r in rows)
    # AND the pages were refunded exactly once per document, and the money adds up
    assert (result.charged, result.refunded) == (3, 3)
    ledger = jobs.ledger(rt)
    entries = ledger.entries(user_id_for(user))
    refunds = [e for e in entries if str(e["key"]).startswith(f"refund:{result.job_id}:")]
    assert sorted(e["delta"] for e in refunds) == [1, 1, 1]
    assert sum(e["delta"] for e in entries) == ledger.balance(user_id_for(user)) == 100


def test_healthy_gemini_means_openai_receives_no_request(make_stack: StackFactory, tmp_path: Path) -> None:
    stack = make_stack(provider="gemini,openai", env=FAST_RETRIES)
    paths, expected = _job_files(tmp_path, 4, "H")
    user = f"ok-{uuid.uuid4().hex[:6]}@example.com"
    rt = client_runtime(stack.client_env)
    result = submit(rt, paths, FIELDS, email=user, wait=120, download_dir=tmp_path / "out")
    assert result.status == "delivered", result
    wb = _workbook(stack)
    assert {r[3]: r[4] for r in wb["Results"].iter_rows(min_row=2, values_only=True)} == expected
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert str(summary["Extracted by gemini"]).startswith("4 documents (gemini-3.1-flash-lite)")
    # one request per document: the extraction answer carried the type, classify sent nothing
    assert _stats(stack, "gemini") == {"requests": 4, "by_purpose": {"extract": 4}}
    assert _stats(stack, "openai")["requests"] == 0
    types = {d.data["doc_type"] for d in jobs.list_documents(rt, result.job_id)}
    assert types == {"invoice"}
