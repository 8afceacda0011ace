"""Acceptance 2: ``zapdoc extract`` on Gemini against the local stand-in, on a machine with no Google
credentials (loopback base URL = static local token); the real endpoint without credentials or project
fails fast naming what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.pdfs import make_pdf
from zapdoc.standins.gemini import GeminiStandIn

FIELDS = "invoice_number, total:amount, issue_date:date"
_GOOGLE_VARS = (
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "ZAPDOC_GCP_PROJECT",
    "ZAPDOC_GEMINI_BASE_URL",
    "ZAPDOC_LLM_PROVIDER",
    "GOOGLE_CLOUD_LOCATION",
)


@pytest.fixture
def stand_in() -> Iterator[GeminiStandIn]:
    server = GeminiStandIn()  # "auto": answers by running the offline extractor on the delimited text
    server.start()
    yield server
    server.stop()


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The current environment without any Google credentials or project, HOME in a temp dir."""
    env = {k: v for k, v in os.environ.items() if k not in _GOOGLE_VARS}
    env.update(HOME=str(home), CLOUDSDK_CONFIG=str(home / "gcloud"), **extra)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zapdoc", "extract", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_extract_runs_on_the_gemini_stand_in_without_credentials(
    stand_in: GeminiStandIn, tmp_path: Path
) -> None:
    # GIVEN an invoice PDF and no Google credentials anywhere
    number = f"INV-{uuid.uuid4().hex[:6].upper()}"
    page = f"ACME Supplies Ltd\nInvoice number: {number}\nInvoice date: 2025-04-03\nTotal: 1,234.50 EUR"
    (tmp_path / "invoice.pdf").write_bytes(make_pdf([page]))
    env = clean_env(
        tmp_path,
        GOOGLE_CLOUD_PROJECT="demo",
        ZAPDOC_LLM_PROVIDER="gemini",
        ZAPDOC_GEMINI_BASE_URL=stand_in.base_url,
    )
    # WHEN zapdoc extract runs
    proc = run_cli(["invoice.pdf", "--fields", FIELDS, "-o", "out.xlsx", "--jobs", "1"], env, tmp_path)
    # THEN it succeeds, says it used Gemini, and the stand-in received the SDK's Vertex calls
    assert proc.returncode == 0, proc.stderr
    assert "gemini" in proc.stderr
    assert "gemini-3.5-flash" in proc.stderr
    paths = [r.path for r in stand_in.received()]
    assert any(
        p.startswith("/v1beta1/projects/demo/locations/") and p.endswith(":generateContent") for p in paths
    )
    assert all(r.headers.get("Authorization") == "Bearer local" for r in stand_in.received())
    # AND the workbook holds the values the stand-in answered
    wb = load_workbook(tmp_path / "out.xlsx")
    rows = list(wb["Results"].iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=False))
    assert record["File"] == "invoice.pdf"
    assert record["Status"] == "ok"
    assert record["Invoice number"] == number
    assert record["Total"] == 1234.5


def test_real_endpoint_without_credentials_fails_fast_naming_them(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(make_pdf(["Invoice 1"]))
    env = clean_env(tmp_path, GOOGLE_CLOUD_PROJECT="demo", ZAPDOC_LLM_PROVIDER="gemini")
    proc = run_cli(["a.pdf", "--fields", FIELDS, "-o", "out.xlsx"], env, tmp_path)
    assert proc.returncode != 0
    assert "GOOGLE_APPLICATION_CREDENTIALS" in proc.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_gemini_without_project_fails_fast_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(make_pdf(["Invoice 1"]))
    env = clean_env(tmp_path, ZAPDOC_LLM_PROVIDER="gemini")
    proc = run_cli(["a.pdf", "--fields", FIELDS, "-o", "out.xlsx"], env, tmp_path)
    assert proc.returncode != 0
    assert "GOOGLE_CLOUD_PROJECT" in proc.stderr
