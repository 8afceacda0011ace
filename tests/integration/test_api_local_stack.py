"""Acceptance on the local stack: ``zapdoc submit`` as a new user downloads the workbook and pays the
pages from the free grant; with too few credits the job is refused and nothing is charged.

The pipeline's LocalStack (emulators, functions, bridge) plus the API services (Auth emulator, verifying
upload front, ``api`` function), with the CLI run as a separate process, as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import requests

from tests.api_support import event, session_object, sign
from tests.badinputs import good_pdf, password_pdf, png_as_pdf
from zapdoc.dev.api_services import LOCAL_WEBHOOK_SECRET, ApiServices, start_api_services
from zapdoc.dev.emulators import Emulator, stop_process_group
from zapdoc.dev.stack import LocalStack, StackOptions

pytestmark = [pytest.mark.emulators, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FREE = 4


@pytest.fixture
def services(
    firestore_emulator: Emulator, pubsub_emulator: Emulator, storage_emulator: Emulator, tmp_path: Path
) -> Iterator[tuple[LocalStack, ApiServices]]:
    from tests.api_support import firebase_cli

    if firebase_cli() is None:
        pytest.skip("needs firebase-tools (scripts/install-firebase-emulator.sh)")
    opts = StackOptions(
        state_dir=tmp_path / "state",
        outbox=tmp_path / "outbox",
        project=f"demo-{uuid.uuid4().hex[:10]}",
        firestore_host=firestore_emulator.address,
        pubsub_host=pubsub_emulator.address,
        storage_url=storage_emulator.url,
        sweep_every=3600.0,
        threads=8,
    )
    stack = LocalStack(opts).start()
    api: ApiServices | None = None
    try:
        api = start_api_services(
            tmp_path / "api",
            stack.function_env(),
            project=opts.project,
            extra_env={"ZAPDOC_FREE_CREDITS": str(FREE)},
        )
        yield stack, api
    finally:
        if api is not None:
            for proc in api.processes.values():
                stop_process_group(proc)
        stack.stop()


def zapdoc(*args: str, token: str, api: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZAPDOC_TOKEN": token}
    env.pop("ZAPDOC_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "zapdoc", *args, "--api", api],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_submit_as_a_new_user_run_out_of_credits_and_buy_more(
    services: tuple[LocalStack, ApiServices], tmp_path: Path
) -> None:
    stack, api = services
    # GIVEN a new user with a token from the local Auth emulator (as `zapdoc local-token` prints it)
    got = subprocess.run(
        [sys.executable, "-m", "zapdoc", "local-token", "--email", f"{uuid.uuid4().hex[:10]}@example.com",
         "--auth", api.client_env["FIREBASE_AUTH_EMULATOR_HOST"], "--project", stack.options.project],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    token = got.stdout.strip()
    me = requests.get(api.urls["api"] + "/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    uid = me.json()["id"]
    assert me.json()["email_verified"] is True
    # WHEN a new user submits the three one-page example invoices
    first = zapdoc("submit", str(ROOT / "examples/invoices"), "--template", "invoice", "-o", str(tmp_path),
                   token=token, api=api.urls["api"], cwd=tmp_path)  # fmt: skip
    # THEN the workbook is downloaded and the balance is the free grant minus 3 pages
    assert first.returncode == 0, first.stdout + first.stderr
    workbook = next(tmp_path.glob("zapdoc-*.xlsx"))
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    assert sheet.max_row >= 4  # header + one row per invoice
    assert f"credits charged: 3, refunded: 0, balance: {FREE - 3}" in first.stdout
    # WHEN they submit a zip of more pages than they have credits
    second = zapdoc("submit", str(ROOT / "examples/examples.zip"), "--template", "invoice",
                    token=token, api=api.urls["api"], cwd=tmp_path)  # fmt: skip
    # THEN the job is refused with a reason and nothing is charged
    assert second.returncode == 1
    assert "refused:" in second.stdout
    assert "Nothing was charged" in second.stdout
    assert f"balance: {FREE - 3}" in second.stdout
    # WHEN they submit more files than their balance covers THEN the API refuses before any upload
    third = zapdoc("submit", str(ROOT / "examples/invoices"), "--template", "invoice",
                   token=token, api=api.urls["api"], cwd=tmp_path)  # fmt: skip
    assert third.returncode == 1
    assert "not enough credits" in third.stderr
    credits = zapdoc("credits", token=token, api=api.urls["api"], cwd=tmp_path)
    assert f": {FREE - 3} credits" in credits.stdout
    # WHEN they buy a pack (Stripe reports the paid Checkout Session twice)
    signed = sign(event("checkout.session.completed", session_object(user_id=uid, credits=100)),
                  secret=LOCAL_WEBHOOK_SECRET)  # fmt: skip
    for _ in range(2):
        resp = requests.post(api.urls["stripe_webhook"], data=signed.body,
                             headers={"Stripe-Signature": signed.header}, timeout=60)  # fmt: skip
        assert resp.status_code == 200
    # THEN the credits arrive once and the same submission now goes through
    fourth = zapdoc("submit", str(ROOT / "examples/invoices"), "--template", "invoice", "-o", str(tmp_path),
                    token=token, api=api.urls["api"], cwd=tmp_path)  # fmt: skip
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr
    assert f"balance: {FREE - 3 + 100 - 3}" in fourth.stdout
    # WHEN they submit one good PDF, one password-protected PDF and one PNG renamed .pdf (issue 13, 3)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for name, data in (good_pdf(), password_pdf(), png_as_pdf()):
        (mixed / name).write_bytes(data)
    out_dir = tmp_path / "mixed-out"
    names = [str(mixed / n) for n in ("good.pdf", "password.pdf", "photo.pdf")]
    fifth = zapdoc("submit", *names, "--template", "invoice", "-o", str(out_dir),
                   token=token, api=api.urls["api"], cwd=tmp_path)  # fmt: skip
    # THEN it exits 0 with the workbook written, and prints both failures with their reasons
    assert fifth.returncode == 0, fifth.stdout + fifth.stderr
    assert "3 documents: 1 extracted, 2 failed" in fifth.stdout
    failures = [line for line in fifth.stdout.splitlines() if line.startswith("  failed: ")]
    assert len(failures) == 2, fifth.stdout
    assert any("password.pdf" in f and "password" in f.split("password.pdf", 1)[1] for f in failures)
    assert any("photo.pdf" in f and "PNG" in f for f in failures), failures
    assert len(list(out_dir.glob("zapdoc-*.xlsx"))) == 1
