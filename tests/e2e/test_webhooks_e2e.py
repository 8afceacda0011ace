"""Issue 14, acceptance 2, on the local stack: a receiver on loopback gets exactly one verified
``job.delivered`` per job although its first two attempts answer 500, every Pub/Sub message is delivered
twice and assemble crashes (and is redelivered) after the job's end event was queued.

The jobs go through the real API (``webhook_url`` on one job, the account default on the other); the
receiver is the README's, run as printed, behind a proxy that fails the first two attempts of each event.
"""

from __future__ import annotations

import email
import email.policy
import http.server
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import StackFactory
from tests.webhook_support import Receiver, start_readme_receiver
from zapdoc.client.api_client import ZapdocClient
from zapdoc.client.local_auth import local_token
from zapdoc.dev.emulators import wait_until

pytestmark = [pytest.mark.emulators, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAILURES = 2


class FlakyProxy:
    """Answers 500 to the first ``FAILURES`` attempts of each event id, then forwards to ``target``."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.attempts: Counter[str] = Counter()
        self.answers: list[tuple[str, str, int]] = []  # (path, event id, status returned)
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers.get("ZapDoc-Event-Id", "")
                with proxy.lock:
                    proxy.attempts[event_id] += 1
                    failing = proxy.attempts[event_id] <= FAILURES
                status = 500
                if not failing:
                    forwarded = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    status = requests.post(proxy.target, data=body, headers=forwarded, timeout=10).status_code
                with proxy.lock:
                    proxy.answers.append((self.path, event_id, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def accepted(self) -> list[tuple[str, str, int]]:
        with self.lock:
            return [a for a in self.answers if 200 <= a[2] < 300]


@pytest.fixture
def proxy_factory() -> Iterator[list[FlakyProxy | Receiver]]:
    """Proxies and README receivers to stop after the test, whether it passed or not."""
    started: list[FlakyProxy | Receiver] = []
    yield started
    for p in started:
        if isinstance(p, Receiver):
            if p.process.poll() is None:
                p.stop()
            continue
        p.server.shutdown()
        p.server.server_close()


def test_one_verified_job_delivered_per_job_despite_500s_and_a_redelivered_assemble(
    make_stack: StackFactory, tmp_path: Path, proxy_factory: list[FlakyProxy | Receiver]
) -> None:
    from tests.api_support import firebase_cli

    if firebase_cli() is None:
        pytest.skip("needs firebase-tools (scripts/install-firebase-emulator.sh)")
    markers = tmp_path / "crash-markers"
    # GIVEN the local stack with the API, every Pub/Sub message delivered twice, and assemble dying once
    # right after a job's end event was queued (the supervisor restarts it; its message is redelivered)
    stack = make_stack(
        api=True,
        pubsub_copies=2,
        env={"ZAPDOC_CRASH_AT": "assemble.after_job_end", "ZAPDOC_CRASH_MARKERS": str(markers),
             "ZAPDOC_LEASE_S": "2"},
    )  # fmt: skip
    stack.supervise()
    user_email = f"hook-{uuid.uuid4().hex[:8]}@example.com"
    token = local_token(
        stack.client_env["FIREBASE_AUTH_EMULATOR_HOST"], user_email, project=stack.options.project
    )
    client = ZapdocClient(stack.urls["api"], token)
    # AND a user whose default webhook points at a proxy (500, 500, then the README receiver)
    placeholder = "http://127.0.0.1:9/"
    secret = client.set_webhook(placeholder)["secret"]
    receiver = start_readme_receiver(secret, tmp_path)
    proxy_factory.append(receiver)
    proxy = FlakyProxy(receiver.url)
    proxy_factory.append(proxy)
    proxy.thread.start()
    assert client.set_webhook(proxy.url + "/default").get("secret") is None  # shown once only
    # WHEN two jobs run: one names its webhook_url, the other uses the default
    invoices = sorted((EXAMPLES / "invoices").glob("*.pdf"))[:2]
    job_ids = []
    for pdf, url in zip(invoices, [proxy.url + "/explicit", None], strict=True):
        created = client.create_job(
            [pdf], fields="invoice_number, total:amount", template=None, webhook_url=url
        )
        for f in created["files"]:
            client.upload(f["upload"], pdf)
        job_ids.append(created["id"])

    def settled() -> bool:
        views = [client.job(j) for j in job_ids]
        return all(
            v["status"] == "delivered" and (v["webhook"] or {}).get("state") == "delivered" for v in views
        )

    wait_until(settled, timeout=300, interval=1.0, what="both jobs delivered and their webhooks acknowledged")
    assert markers.joinpath("assemble.after_job_end").exists()  # assemble did crash and was redelivered
    # THEN each job's end event reached the receiver verified, exactly once, after two 500s
    accepted = proxy.accepted()
    assert sorted(e for _, e, _ in accepted) == sorted(f"evt_{j}_delivered" for j in job_ids), proxy.answers
    assert sorted(p for p, _, _ in accepted) == ["/default", "/explicit"]
    assert all(proxy.attempts[f"evt_{j}_delivered"] == FAILURES + 1 for j in job_ids), proxy.answers
    # AND the job shows the attempts and the last status
    for job_id in job_ids:
        hook = client.job(job_id)["webhook"]
        assert hook["attempts"] == FAILURES + 1 and hook["last_status"] == 200, hook
    # AND a sweep pass re-sends nothing (no stale delivery), and the README receiver acted once per job
    sweep = requests.post(stack.urls["sweep"] + "/", timeout=120).json()
    assert sweep["webhooks"] == []
    printed = receiver.stop().splitlines()
    assert sorted(printed) == sorted(f"job.delivered {j} delivered" for j in job_ids)
    assert proxy.accepted() == accepted
    # AND the email went out once per job, unaffected by the receiver's failures
    mails = [email.message_from_bytes(m.read_bytes(), policy=email.policy.default)
             for m in sorted(stack.options.outbox.glob("*.eml"))]  # fmt: skip
    texts = [str(m.get_body(preferencelist=("plain", "html")).get_content()) for m in mails]  # type: ignore[union-attr]
    assert len(mails) == len(job_ids)
    assert all(sum(job_id in text for text in texts) == 1 for job_id in job_ids), texts
