"""Stripe webhook and credit purchases on the in-memory store: signatures, once-per-session, refunds."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.api_support import WEBHOOK_SECRET, charge_refunded, event, session_object, sign
from tests.pipeline_support import MemoryWorld, memory_world
from zapdoc.adapters.memory import MemoryStore
from zapdoc.adapters.stripe_gateway import StripeEventVerifier
from zapdoc.api.webhook import process
from zapdoc.domain.errors import ConfigError, UsageError
from zapdoc.domain.packs import Pack, parse_packs
from zapdoc.services import jobs
from zapdoc.services.payments import purchase_path, refund_share, session_path, start_checkout


@pytest.fixture
def world() -> MemoryWorld:
    return memory_world()


def new_user(world: MemoryWorld, credits: int = 10) -> str:
    user = f"user-{time.perf_counter_ns()}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    return user


def deliver(world: MemoryWorld, evt: dict[str, object], **sign_kwargs: object) -> tuple[int, str]:
    signed = sign(evt, **sign_kwargs)  # type: ignore[arg-type]
    status, body = process(
        world.rt, payload=signed.body, signature=signed.header, verifier=StripeEventVerifier(WEBHOOK_SECRET)
    )
    return status, str(body.get("action", ""))


def balance_and_sum(world: MemoryWorld, user: str) -> tuple[int, int]:
    ledger = jobs.ledger(world.rt)
    return ledger.balance(user), sum(int(e["delta"]) for e in ledger.entries(user))


def test_paid_session_credits_once_however_often_it_is_delivered(world: MemoryWorld) -> None:
    # GIVEN a user with 10 credits and a paid checkout session for 100 credits
    user = new_user(world)
    evt = event("checkout.session.completed", session_object(user_id=user, credits=100))
    # WHEN the same signed event arrives 10 times
    outcomes = [deliver(world, evt) for _ in range(10)]
    # THEN it is credited once and the ledger sums to the balance
    assert [o[0] for o in outcomes] == [200] * 10
    assert [o[1] for o in outcomes].count("credited") == 1
    assert balance_and_sum(world, user) == (110, 110)


def test_concurrent_deliveries_of_one_event_credit_once(world: MemoryWorld) -> None:
    user = new_user(world)
    evt = event("checkout.session.completed", session_object(user_id=user, credits=100))
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: deliver(world, evt), range(10)))
    assert [r[1] for r in results].count("credited") == 1
    assert balance_and_sum(world, user) == (110, 110)


def test_unpaid_completion_waits_for_async_success(world: MemoryWorld) -> None:
    # GIVEN a session completed with a delayed payment method (unpaid)
    user = new_user(world)
    unpaid = session_object(user_id=user, credits=100, payment_status="unpaid")
    # WHEN only the completion arrives THEN nothing is credited
    assert deliver(world, event("checkout.session.completed", unpaid)) == (200, "awaiting_payment")
    assert balance_and_sum(world, user) == (10, 10)
    # WHEN the payment succeeds later THEN the credits arrive, once
    paid = {**unpaid, "payment_status": "paid"}
    assert deliver(world, event("checkout.session.async_payment_succeeded", paid))[1] == "credited"
    assert deliver(world, event("checkout.session.async_payment_succeeded", paid))[1] == "already_credited"
    assert balance_and_sum(world, user) == (110, 110)


@pytest.mark.parametrize("order", [("completed", "async"), ("async", "completed")])
def test_completed_and_async_success_in_either_order_credit_once(
    world: MemoryWorld, order: tuple[str, str]
) -> None:
    user = new_user(world)
    session = session_object(user_id=user, credits=100)
    kinds = {"completed": "checkout.session.completed", "async": "checkout.session.async_payment_succeeded"}
    actions = [deliver(world, event(kinds[name], session))[1] for name in order]
    assert actions == ["credited", "already_credited"]
    assert balance_and_sum(world, user) == (110, 110)


def test_signature_problems_answer_400_without_any_write() -> None:
    # GIVEN a store with one user and a valid paid event
    world = memory_world()
    user = new_user(world)
    store = world.store
    assert isinstance(store, MemoryStore)
    before = (store.commits, store.paths())
    evt = event("checkout.session.completed", session_object(user_id=user))
    good = sign(evt)
    flipped = bytearray(good.body)
    flipped[len(flipped) // 2] ^= 0x01
    cases = {
        "old timestamp": sign(evt, timestamp=int(time.time()) - 301),
        "flipped byte": type(good)(bytes(flipped), good.header),
        "wrong secret": sign(evt, secret="whsec_wrong"),
    }
    # WHEN each bad delivery arrives (and one without a header)
    secret = WEBHOOK_SECRET
    statuses = [
        process(world.rt, payload=s.body, signature=s.header, verifier=StripeEventVerifier(secret))[0]
        for s in cases.values()
    ]
    statuses.append(
        process(world.rt, payload=good.body, signature=None, verifier=StripeEventVerifier(WEBHOOK_SECRET))[0]
    )
    # THEN every one is refused and nothing was written
    assert statuses == [400, 400, 400, 400]
    assert (store.commits, store.paths()) == before
    assert jobs.ledger(world.rt).balance(user) == 10


def test_missing_secret_is_a_configuration_error(world: MemoryWorld) -> None:
    signed = sign(event("ping", {}))
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        process(world.rt, payload=signed.body, signature=signed.header, verifier=StripeEventVerifier(""))


def test_unknown_events_are_acknowledged(world: MemoryWorld) -> None:
    assert deliver(world, event("customer.created", {"id": "cus_1"})) == (200, "ignored")


def test_partial_then_full_refund_revokes_by_share_never_twice(world: MemoryWorld) -> None:
    # GIVEN a user who bought 100 credits for 500 cents (balance 110)
    user = new_user(world)
    session = session_object(user_id=user, credits=100, amount_total=500)
    pi = str(session["payment_intent"])
    deliver(world, event("checkout.session.completed", session))
    # WHEN 40% is refunded, twice (redelivery)
    partial = charge_refunded(pi, amount=500, amount_refunded=200)
    assert deliver(world, partial)[1] == "revoked"
    assert deliver(world, partial)[1] == "already_revoked"
    # THEN 40 credits are revoked once
    assert balance_and_sum(world, user) == (70, 70)
    # WHEN the rest is refunded, twice
    full = charge_refunded(pi, amount=500, amount_refunded=500)
    assert deliver(world, full)[1] == "revoked"
    assert deliver(world, full)[1] == "already_revoked"
    # and the old partial event is replayed afterwards
    assert deliver(world, partial)[1] == "already_revoked"
    # THEN the whole pack is revoked, exactly once in total
    assert balance_and_sum(world, user) == (10, 10)


def test_refund_revokes_only_unspent_credits(world: MemoryWorld) -> None:
    # GIVEN a buyer of 100 credits (with no opening credits) who has spent 80 of them
    user = new_user(world, credits=0)
    session = session_object(user_id=user, credits=100, amount_total=500)
    deliver(world, event("checkout.session.completed", session))
    jobs.ledger(world.rt).apply(user, "debit:job-x", -80)
    # WHEN the purchase is refunded in full
    deliver(world, charge_refunded(str(session["payment_intent"]), amount=500, amount_refunded=500))
    # THEN the balance goes to zero, never below
    assert balance_and_sum(world, user) == (0, 0)


def test_concurrent_refund_events_never_revoke_twice(world: MemoryWorld) -> None:
    user = new_user(world, credits=0)
    session = session_object(user_id=user, credits=100, amount_total=500)
    deliver(world, event("checkout.session.completed", session))
    pi = str(session["payment_intent"])
    events = [charge_refunded(pi, amount=500, amount_refunded=a) for a in (100, 300, 500)] * 4
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda e: deliver(world, e), events))
    assert balance_and_sum(world, user) == (0, 0)


def test_failed_async_payment_tells_the_buyer_once(world: MemoryWorld) -> None:
    user = new_user(world)
    session = session_object(user_id=user, payment_status="unpaid")
    evt = event("checkout.session.async_payment_failed", session)
    assert deliver(world, evt)[1] == "notified"
    assert deliver(world, evt)[1] == "already_notified"
    assert [m.to for m in world.mailer.sent] == [f"{user}@example.com"]
    assert jobs.ledger(world.rt).balance(user) == 10


def test_refund_share_rounds_down() -> None:
    assert refund_share(100, 300, 100) == 33
    assert refund_share(100, 300, 999) == 100
    assert refund_share(100, 0, 10) == 0


def test_packs_setting_is_parsed_and_validated() -> None:
    packs = parse_packs("small:100:500:EUR, big:1000:4000:usd")
    assert packs["small"] == Pack("small", 100, 500, "eur")
    assert packs["big"].credits == 1000
    with pytest.raises(ConfigError, match="ZAPDOC_CREDIT_PACKS"):
        parse_packs("broken:x:1:eur")
    with pytest.raises(ConfigError, match="no pack"):
        parse_packs(" , ")


class RecordingGateway:
    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []

    def create_session(self, **kwargs: object) -> object:
        from zapdoc.ports.payments import CheckoutSession

        self.calls.append(kwargs)
        return CheckoutSession("cs_1", "https://checkout.example/cs_1")


def test_checkout_refuses_an_unknown_pack() -> None:
    gateway = RecordingGateway()
    packs = parse_packs("small:100:500:eur")
    with pytest.raises(UsageError, match="unknown pack"):
        start_checkout(
            gateway,  # type: ignore[arg-type]
            packs, pack_id="huge", user_id="u", email="e@x", success_url="s", cancel_url="c", request_id="r",
        )  # fmt: skip
    assert gateway.calls == []


def test_a_refund_is_a_ledger_change_recorded_on_the_purchase_and_the_session(world: MemoryWorld) -> None:
    # GIVEN a buyer of 100 credits (no opening credits) who spent 70 of them
    user = new_user(world, credits=0)
    session = session_object(user_id=user, credits=100, amount_total=500)
    deliver(world, event("checkout.session.completed", session))
    jobs.ledger(world.rt).apply(user, "debit:job-y", -70)
    # WHEN the purchase is refunded in full
    pi = str(session["payment_intent"])
    assert deliver(world, charge_refunded(pi, amount=500, amount_refunded=500))[1] == "revoked"
    # THEN the ledger entry took the 30 left, and both records say so (the share is the whole pack)
    entry = next(e for e in jobs.ledger(world.rt).entries(user) if e["key"].startswith("revoke:"))
    assert (entry["delta"], entry["balance_after"], entry["refunded_share"]) == (-30, 0, 100)
    purchase = world.rt.store.get(purchase_path(pi))
    stored_session = world.rt.store.get(session_path(str(session["id"])))
    assert purchase is not None and stored_session is not None
    assert (purchase.data["revoked_share"], purchase.data["revoked"]) == (100, 30)
    assert stored_session.data["revoked"] == 30
