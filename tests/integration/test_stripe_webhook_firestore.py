"""The ``stripe_webhook`` function served over real HTTP, on the Firestore emulator: Stripe-signed events
credit once per Checkout Session under repeats and concurrency; signature problems write nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import functions_framework
import pytest
import requests
from werkzeug.serving import make_server

from tests.api_support import WEBHOOK_SECRET, Signed, charge_refunded, event, session_object, sign
from tests.pipeline_support import MemoryWorld, memory_world
from zapdoc import bootstrap
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.services import jobs
from zapdoc.services.payments import purchase_path, session_path

pytestmark = pytest.mark.emulators
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(firestore_client: Any) -> Iterator[MemoryWorld]:
    w = memory_world(store=FirestoreStore(firestore_client))
    bootstrap.install(w.rt)
    yield w
    bootstrap.reset()


@pytest.fixture
def webhook_url(world: MemoryWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target="stripe_webhook", source=str(ROOT / "functions/stripe_webhook/main.py"), signature_type="http"
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join(timeout=10)


def post(url: str, signed: Signed | None, *, body: bytes | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if signed is not None:
        headers["Stripe-Signature"] = signed.header
    data = body if body is not None else (signed.body if signed else b"{}")
    return requests.post(url, data=data, headers=headers, timeout=60).status_code


def new_user(world: MemoryWorld, credits: int = 10) -> str:
    user = f"u{time.perf_counter_ns()}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    return user


def state(world: MemoryWorld, user: str) -> tuple[int, int, int]:
    """Balance, sum of the ledger, number of purchase entries."""
    ledger = jobs.ledger(world.rt)
    entries = ledger.entries(user)
    purchases = sum(1 for e in entries if str(e["key"]).startswith("purchase:"))
    return ledger.balance(user), sum(int(e["delta"]) for e in entries), purchases


def test_same_event_ten_times_sequentially_credits_once(world: MemoryWorld, webhook_url: str) -> None:
    user = new_user(world)
    signed = sign(event("checkout.session.completed", session_object(user_id=user, credits=100)))
    statuses = [post(webhook_url, signed) for _ in range(10)]
    assert statuses == [200] * 10
    assert state(world, user) == (110, 110, 1)


def test_same_event_ten_times_concurrently_credits_once(world: MemoryWorld, webhook_url: str) -> None:
    user = new_user(world)
    signed = sign(event("checkout.session.completed", session_object(user_id=user, credits=100)))
    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(lambda _: post(webhook_url, signed), range(10)))
    assert statuses == [200] * 10
    assert state(world, user) == (110, 110, 1)


def test_unpaid_then_async_success_credits_once_only_after_the_second(
    world: MemoryWorld, webhook_url: str
) -> None:
    user = new_user(world)
    unpaid = session_object(user_id=user, credits=100, payment_status="unpaid")
    assert post(webhook_url, sign(event("checkout.session.completed", unpaid))) == 200
    assert state(world, user) == (10, 10, 0)
    paid = {**unpaid, "payment_status": "paid"}
    succeeded = sign(event("checkout.session.async_payment_succeeded", paid))
    with ThreadPoolExecutor(5) as pool:
        assert set(pool.map(lambda _: post(webhook_url, succeeded), range(5))) == {200}
    assert state(world, user) == (110, 110, 1)


@pytest.mark.parametrize("first", ["checkout.session.completed", "checkout.session.async_payment_succeeded"])
def test_completed_and_async_success_in_either_order_credit_once(
    world: MemoryWorld, webhook_url: str, first: str
) -> None:
    user = new_user(world)
    session = session_object(user_id=user, credits=100)
    kinds = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]
    kinds.sort(key=lambda k: k != first)
    for kind in kinds:
        assert post(webhook_url, sign(event(kind, session))) == 200
    assert state(world, user) == (110, 110, 1)


def test_signature_problems_answer_400_and_write_nothing(
    firestore_client: Any, world: MemoryWorld, webhook_url: str
) -> None:
    # GIVEN an empty project (no user exists) and a valid-looking paid event
    evt = event("checkout.session.completed", session_object(user_id="nobody", credits=100))
    good = sign(evt)
    flipped = bytearray(good.body)
    flipped[10] ^= 0x01
    # WHEN it arrives with an old timestamp, a flipped byte, a wrong secret, or no header
    statuses = [
        post(webhook_url, sign(evt, timestamp=int(time.time()) - 301)),
        post(webhook_url, good, body=bytes(flipped)),
        post(webhook_url, sign(evt, secret="whsec_other")),
        post(webhook_url, None, body=good.body),
    ]
    # THEN each is refused and the database is still empty
    assert statuses == [400, 400, 400, 400]
    assert list(firestore_client.collections()) == []


def test_partial_then_full_refund_revokes_by_share_once(world: MemoryWorld, webhook_url: str) -> None:
    user = new_user(world, credits=0)
    session = session_object(user_id=user, credits=100, amount_total=500)
    assert post(webhook_url, sign(event("checkout.session.completed", session))) == 200
    pi = str(session["payment_intent"])
    partial = sign(charge_refunded(pi, amount=500, amount_refunded=125))
    full = sign(charge_refunded(pi, amount=500, amount_refunded=500))
    for signed in (partial, partial, full, full, partial):
        assert post(webhook_url, signed) == 200
    ledger = jobs.ledger(world.rt)
    revokes = sorted(int(e["delta"]) for e in ledger.entries(user) if str(e["key"]).startswith("revoke:"))
    assert revokes == [-75, -25]
    assert ledger.balance(user) == 0


def test_concurrent_refund_events_after_spending_take_only_what_is_left(
    world: MemoryWorld, webhook_url: str
) -> None:
    # GIVEN a buyer of 100 credits (none of their own) who spent 60 of them
    user = new_user(world, credits=0)
    session = session_object(user_id=user, credits=100, amount_total=500)
    assert post(webhook_url, sign(event("checkout.session.completed", session))) == 200
    ledger = jobs.ledger(world.rt)
    assert ledger.apply(user, "debit:job-spent", -60).applied
    # WHEN three growing refund events of the charge arrive three times each, concurrently
    pi = str(session["payment_intent"])
    events = [sign(charge_refunded(pi, amount=500, amount_refunded=a)) for a in (100, 300, 500)] * 3
    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(lambda s: post(webhook_url, s), events)) == {200}
    # THEN the 40 credits left are revoked, no more, through ledger entries that sum to the balance
    entries = ledger.entries(user)
    taken = -sum(int(e["delta"]) for e in entries if str(e["key"]).startswith("revoke:"))
    assert (taken, ledger.balance(user), sum(int(e["delta"]) for e in entries)) == (40, 0, 0)
    # AND the purchase and the session record the whole share as refunded and what was taken
    purchase = world.rt.store.get(purchase_path(pi))
    stored = world.rt.store.get(session_path(str(session["id"])))
    assert purchase is not None and stored is not None
    assert (purchase.data["revoked_share"], purchase.data["revoked"], stored.data["revoked"]) == (100, 40, 40)
