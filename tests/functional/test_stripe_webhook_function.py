"""The ``stripe_webhook`` entry point under functions-framework on in-memory adapters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_support import WEBHOOK_SECRET, event, session_object, sign
from tests.pipeline_support import MemoryWorld, function_client, memory_world
from zapdoc import bootstrap
from zapdoc.services import jobs


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryWorld]:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    w = memory_world()
    bootstrap.install(w.rt)
    yield w
    bootstrap.reset()


def client() -> Any:
    return function_client("stripe_webhook", "http")


def test_a_signed_paid_session_is_credited(world: MemoryWorld) -> None:
    jobs.ledger(world.rt).ensure_user("buyer", email="buyer@example.com", initial_credits=5)
    signed = sign(event("checkout.session.completed", session_object(user_id="buyer", credits=100)))
    resp = client().post("/", data=signed.body, headers={"Stripe-Signature": signed.header})
    assert resp.status_code == 200
    assert resp.get_json() == {"received": True, "action": "credited"}
    assert jobs.ledger(world.rt).balance("buyer") == 105


def test_bad_signature_is_400_with_an_error_body(world: MemoryWorld) -> None:
    signed = sign(event("checkout.session.completed", session_object(user_id="buyer")), secret="whsec_no")
    resp = client().post("/", data=signed.body, headers={"Stripe-Signature": signed.header})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_signature"


def test_only_post_is_accepted(world: MemoryWorld) -> None:
    assert client().get("/").status_code == 405
