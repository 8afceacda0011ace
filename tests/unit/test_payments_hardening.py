"""Issue 9: Stripe fulfilment credits only the server's pack that was paid for; malformed signed events
are 400 with zero writes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.api_support import WEBHOOK_SECRET, charge_refunded, event, session_object, sign
from tests.pipeline_support import MemoryWorld, memory_world
from zapdoc.adapters.memory import MemoryStore
from zapdoc.adapters.stripe_gateway import StripeEventVerifier
from zapdoc.api.webhook import process
from zapdoc.services import jobs


@pytest.fixture
def world() -> MemoryWorld:
    return memory_world()


def _user(world: MemoryWorld) -> str:
    user = f"user-{time.perf_counter_ns()}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=10)
    return user


def _deliver(world: MemoryWorld, evt: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    signed = sign(evt)
    return process(
        world.rt, payload=signed.body, signature=signed.header, verifier=StripeEventVerifier(WEBHOOK_SECRET)
    )


def _balance(world: MemoryWorld, user: str) -> int:
    ledger = jobs.ledger(world.rt)
    balance = ledger.balance(user)
    assert sum(int(e["delta"]) for e in ledger.entries(user)) == balance
    return balance


def test_credits_come_from_the_server_pack_not_the_metadata(world: MemoryWorld) -> None:
    # GIVEN a paid starter session (100 credits for 500 cents) whose metadata claims 100,000 credits
    user = _user(world)
    evt = event("checkout.session.completed", session_object(user_id=user, credits=100_000))
    # WHEN it is delivered THEN the pack's 100 credits are added
    status, body = _deliver(world, evt)
    assert (status, body["action"]) == (200, "credited")
    assert _balance(world, user) == 110


@pytest.mark.parametrize(
    "change",
    [
        {"amount_total": 1},  # paid less than the pack costs
        {"amount_total": 50_000},  # a different price: not what this pack sells for
        {"currency": "usd"},
        {"pack": "platinum"},  # no such pack
        {"pack": "pro"},  # a bigger pack than was paid for
    ],
)
def test_a_session_that_does_not_match_its_pack_is_not_credited(
    world: MemoryWorld, change: dict[str, Any]
) -> None:
    user = _user(world)
    evt = event("checkout.session.completed", session_object(user_id=user, **change))
    status, body = _deliver(world, evt)
    assert (status, body["action"]) == (200, "ignored")
    assert _balance(world, user) == 10


def test_no_payment_required_is_not_credited(world: MemoryWorld) -> None:
    user = _user(world)
    for kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        evt = event(kind, session_object(user_id=user, payment_status="no_payment_required"))
        status, body = _deliver(world, evt)
        assert status == 200 and body["action"] != "credited"
    assert _balance(world, user) == 10


def _session(user: str, **fields: Any) -> dict[str, Any]:
    return {**session_object(user_id=user), **fields}


MALFORMED_SESSIONS = [
    {"amount_total": 10**30},
    {"amount_total": [500]},
    {"amount_total": 500.5},
    {"amount_total": "500"},
    {"amount_total": True},
    {"amount_total": -500},
    {"client_reference_id": ["a", "b"]},
    {"client_reference_id": "../users/other"},
    {"id": {"x": 1}},
    {"metadata": ["pack", "starter"]},
    {"metadata": {"pack": ["starter"]}},
    {"currency": 978},
    {"payment_status": ["paid"]},
]


@pytest.mark.parametrize("fields", MALFORMED_SESSIONS)
def test_signed_but_malformed_sessions_are_400_with_zero_writes(
    world: MemoryWorld, fields: dict[str, Any]
) -> None:
    # GIVEN a user and a correctly signed event whose session has impossible field values
    user = _user(world)
    store = world.store
    assert isinstance(store, MemoryStore)
    before = (store.commits, store.paths())
    evt = event("checkout.session.completed", _session(user, **fields))
    # WHEN it is delivered THEN it is refused with 400 (not a 500 Stripe retries forever), nothing written
    status, body = _deliver(world, evt)
    assert status == 400, body
    assert body["error"]["code"] == "malformed_event"
    assert (store.commits, store.paths()) == before


@pytest.mark.parametrize(
    "fields",
    [{"amount": [1]}, {"amount_refunded": 10**40}, {"amount_refunded": 2.5}, {"payment_intent": ["pi"]}],
)
def test_malformed_refund_events_are_400_with_zero_writes(world: MemoryWorld, fields: dict[str, Any]) -> None:
    user = _user(world)
    session = session_object(user_id=user)
    assert _deliver(world, event("checkout.session.completed", session))[0] == 200
    store = world.store
    assert isinstance(store, MemoryStore)
    before = (store.commits, store.paths())
    evt = charge_refunded(str(session["payment_intent"]), amount=500, amount_refunded=500)
    evt["data"]["object"].update(fields)
    status, _ = _deliver(world, evt)
    assert status == 400
    assert (store.commits, store.paths()) == before
    assert _balance(world, user) == 110


def test_an_event_without_an_object_is_400(world: MemoryWorld) -> None:
    evt = event("checkout.session.completed", {})
    evt["data"] = ["not", "an", "object"]
    assert _deliver(world, evt)[0] == 400
