"""Issue 14, acceptance 2: the README's 15-line receiver, run exactly as printed, accepts a genuine
ZapDoc event once and refuses forged, tampered and replayed ones."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.webhook_support import Receiver, readme_receiver_source, start_readme_receiver
from zapdoc.domain import webhooks as W

SECRET = W.new_secret()
EVENT = {
    "id": "evt_job42_delivered",
    "type": "job.delivered",
    "data": {"job": {"id": "job42", "status": "delivered"}},
}


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    r = start_readme_receiver(SECRET, tmp_path)
    yield r
    if r.process.poll() is None:
        r.stop()


def send(receiver: Receiver, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[W.SIGNATURE_HEADER] = signature
    return requests.post(receiver.url, data=body, headers=headers, timeout=10).status_code


def test_the_readme_block_is_a_15_line_stdlib_receiver() -> None:
    code = [line for line in readme_receiver_source().splitlines() if line.strip()]
    assert len(code) == 15
    imports = [line for line in code if line.startswith(("import ", "from "))]
    assert imports == ["import hashlib, hmac, http.server, json, os, time"]


def test_genuine_events_are_accepted_once_and_forged_or_replayed_ones_refused(receiver: Receiver) -> None:
    body = json.dumps(EVENT).encode()
    now = int(time.time())
    # GIVEN a genuine event signed now with the account's secret THEN it is accepted
    assert send(receiver, body, W.sign(SECRET, body, now)) == 200
    # AND the same event again (at-least-once delivery) is acknowledged but not acted on twice
    assert send(receiver, body, W.sign(SECRET, body, now + 1)) == 200
    # WHEN forged: signed with another secret, a changed body under a genuine signature, no signature
    assert send(receiver, body, W.sign(W.new_secret(), body, now)) == 400
    tampered = json.dumps({**EVENT, "id": "evt_other_delivered"}).encode()
    assert send(receiver, tampered, W.sign(SECRET, body, now)) == 400
    assert send(receiver, body, None) == 400
    assert send(receiver, body, "t=abc,v1=def") == 400
    # WHEN replayed: a genuine signature captured 10 minutes ago (outside the 5-minute tolerance)
    old = json.dumps({**EVENT, "id": "evt_old_delivered"}).encode()
    assert send(receiver, old, W.sign(SECRET, old, now - 600)) == 400
    # THEN only the genuine event was acted on, once
    printed = receiver.stop().splitlines()
    assert printed == ["job.delivered job42 delivered"]
