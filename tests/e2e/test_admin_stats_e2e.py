"""Issue 14, acceptance 3: after jobs ran through the whole event chain on the emulators, `zapdoc admin
stats` prints the per-type table from the analytics records in Firestore."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import StackFactory
from tests.pipeline_support import FIELDS
from zapdoc import cli
from zapdoc.bootstrap import client_runtime
from zapdoc.dev.submit import submit
from zapdoc.domain import job_model

pytestmark = [pytest.mark.emulators, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_admin_stats_prints_the_per_type_table_after_jobs_ran(
    make_stack: StackFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the local stack and a delivered job of invoices, receipts and resumes (the bundled examples)
    stack = make_stack()
    rt = client_runtime(stack.client_env)
    paths = [EXAMPLES / "invoices", EXAMPLES / "receipts", EXAMPLES / "resumes"]
    user = f"ops-{uuid.uuid4().hex[:6]}@example.com"
    result = submit(rt, paths, FIELDS, email=user, wait=180, download_dir=tmp_path / "out")
    assert result.status == "delivered"
    # (the end-of-job records are completed just after the delivery: wait for them, as a reader would)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = rt.store.get(job_model.job_path(result.job_id))
        if job is not None and job.data.get("end_done") is True:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the job's end-of-job effects never ran")
    # WHEN the operator runs `zapdoc admin stats` against that Firestore (no local state file here)
    for key, value in stack.client_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["admin", "stats", "--since", "7d"])
    out = capsys.readouterr().out
    # THEN it prints the per-type table: one row per document type with its documents and pages
    assert code == 0, out
    assert "Per document type (whole period)" in out
    rows = {line.split()[1]: line.split() for line in out.splitlines() if line.startswith("all ")}
    from zapdoc.ports.store import Query

    records = [s.data for s in rt.store.query(Query("analytics"))]
    assert {"invoice", "resume"} <= set(rows), (out, records)
    total_docs = sum(int(r[2]) for t, r in rows.items() if t not in ("offline",) and r[2].isdigit())
    assert total_docs >= 7
    assert int(rows["invoice"][2]) >= 3 and rows["invoice"][7].endswith("%")
    # AND the credits line counts what this job spent
    assert "all  " in out
