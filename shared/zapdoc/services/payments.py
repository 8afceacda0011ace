"""Credit purchases through Stripe Checkout: packs, checkout sessions, fulfilment and refunds.

Fulfilment credits the buyer once per Checkout Session: the ledger entry key is ``purchase:<session>``,
so ``checkout.session.completed`` (paid) and ``checkout.session.async_payment_succeeded`` for the same
session, in any order and however often, apply one credit. The purchase is indexed by its
PaymentIntent (``purchases/<payment_intent>``) in the same commit, so refunds can find it.

Refund policy (``charge.refunded``): Stripe reports the cumulative refunded amount of a charge. The
credits a purchase may lose are ``floor(credits * amount_refunded / amount)``; each refund event revokes
what that share grew by since the last one, but only from credits still unspent (the balance never goes
below zero; spent credits are not clawed back). The revocation is keyed
``revoke:<session>:<amount_refunded>``, applied through the ledger like every credit change, and the
purchase record is compare-and-set in the same commit, so repeats of a refund event and concurrent
refund events never revoke twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zapdoc.domain.errors import PermanentError, TransientError, UsageError
from zapdoc.domain.ids import check_user_id
from zapdoc.domain.packs import Pack
from zapdoc.logging import event as log_event
from zapdoc.ports.payments import CheckoutGateway, CheckoutSession
from zapdoc.ports.store import Create, Increment, Snapshot, Update, Write
from zapdoc.services import cas, jobs
from zapdoc.services.ledger import Outcome, user_path
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.payments")


def start_checkout(
    gateway: CheckoutGateway,
    packs: Mapping[str, Pack],
    *,
    pack_id: str,
    user_id: str,
    email: str,
    success_url: str,
    cancel_url: str,
    request_id: str,
) -> CheckoutSession:
    """A Checkout Session for ``pack_id``: the user is the ``client_reference_id``, credits in metadata."""
    pack = packs.get(pack_id)
    if pack is None:
        raise UsageError(f"unknown pack {pack_id!r}; choose one of: {', '.join(packs)}")
    return gateway.create_session(
        pack=pack,
        user_id=user_id,
        email=email,
        success_url=success_url,
        cancel_url=cancel_url,
        idempotency_key=f"checkout:{user_id}:{request_id}",
    )


# --------------------------------------------------------------------------------------- webhook


@dataclass(frozen=True)
class WebhookOutcome:
    """What a verified event did (for logs and tests)."""

    action: str  # credited | already_credited | awaiting_payment | notified | revoked | ignored
    detail: str = ""


def purchase_key(session_id: str) -> str:
    return f"purchase:{session_id}"


def purchase_path(payment_intent: str) -> str:
    return f"purchases/{payment_intent}"


def session_path(session_id: str) -> str:
    return f"checkout_sessions/{session_id}"


class MalformedEvent(UsageError):
    """A correctly signed event whose fields have impossible types or values: answered 400, no write."""


MAX_AMOUNT = 10**12  # minor units; far above any pack, far below Firestore's 64-bit integers


def _text(obj: Mapping[str, Any], key: str, *, required: bool = False, max_len: int = 255) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise MalformedEvent(f"{key} is missing")
        return ""
    if not isinstance(value, str) or len(value) > max_len:
        raise MalformedEvent(f"{key} must be a string of at most {max_len} characters")
    return value


def _amount(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise MalformedEvent(f"{key} must be an integer from 0 to {MAX_AMOUNT}")
    return value


def configured_packs(env: Mapping[str, str] | None = None) -> dict[str, Pack]:
    """The server's pack table (``ZAPDOC_CREDIT_PACKS``, ``settings.payments.packs``): what a payment
    may buy."""
    from zapdoc.settings import PaymentSettings

    return PaymentSettings.from_env(env).packs


def handle_event(
    rt: Runtime, event: Mapping[str, Any], packs: Mapping[str, Pack] | None = None
) -> WebhookOutcome:
    """Apply one verified Stripe event; unknown event types are acknowledged and ignored.

    Raises ``MalformedEvent`` (before any write) for fields of the wrong type or out of range."""
    packs = configured_packs() if packs is None else packs
    _text(event, "id", required=True, max_len=255)
    kind = _text(event, "type", required=True)
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(obj, Mapping):
        raise MalformedEvent("event without a data.object")
    if kind == "checkout.session.completed":
        status = _text(obj, "payment_status")
        if status == "paid":
            return fulfil(rt, obj, packs)
        # no_payment_required (a 100% coupon, a zero amount) buys nothing: credits are only sold
        return WebhookOutcome("awaiting_payment", f"payment_status={status}")
    if kind == "checkout.session.async_payment_succeeded":
        status = _text(obj, "payment_status")
        if status != "paid":
            return WebhookOutcome("awaiting_payment", f"payment_status={status}")
        return fulfil(rt, obj, packs)
    if kind == "checkout.session.async_payment_failed":
        return notify_failed(rt, obj)
    if kind == "charge.refunded":
        return revoke_refunded(rt, obj)
    return WebhookOutcome("ignored", kind)


def _session_credit(session: Mapping[str, Any], packs: Mapping[str, Pack]) -> tuple[str, str, Pack]:
    """The session id, buyer and the server-side pack it paid for; ``UsageError`` when nothing matches.

    Credits come from the server's pack table, never from the session's metadata: the pack named in
    the metadata must exist and its price must be exactly what was paid, in its currency."""
    session_id = _text(session, "id", required=True)
    user_id = _text(session, "client_reference_id", max_len=128)
    metadata = session.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise MalformedEvent("metadata must be an object")
    pack_id = _text(metadata, "pack", max_len=64)
    amount = _amount(session, "amount_total")
    currency = _text(session, "currency", max_len=3).lower()
    if not user_id:
        raise UsageError("checkout session lacks client_reference_id")
    try:
        check_user_id(user_id)
    except PermanentError as exc:
        raise MalformedEvent(str(exc)) from exc
    pack = packs.get(pack_id)
    if pack is None:
        raise UsageError(f"checkout session names no known pack ({pack_id!r})")
    if amount != pack.amount or currency != pack.currency:
        raise UsageError(
            f"checkout session paid {amount} {currency}, pack {pack.id} costs {pack.amount} {pack.currency}"
        )
    return session_id, user_id, pack


def fulfil(
    rt: Runtime, session: Mapping[str, Any], packs: Mapping[str, Pack] | None = None
) -> WebhookOutcome:
    """Credit the session's buyer once (key ``purchase:<session id>``) with the pack they paid for."""
    packs = configured_packs() if packs is None else packs
    try:
        session_id, user_id, pack = _session_credit(session, packs)
    except MalformedEvent:
        raise
    except UsageError as exc:
        log_event(log, "checkout session not credited", logging.ERROR, reason=str(exc))
        return WebhookOutcome("ignored", str(exc))
    credits = pack.credits
    if rt.store.get(user_path(user_id)) is None:
        log_event(log, "checkout session for unknown user", session_id=session_id)
        return WebhookOutcome("ignored", "unknown user")
    payment_intent = _text(session, "payment_intent")
    record = {
        "user_id": user_id,
        "session_id": session_id,
        "payment_intent": payment_intent,
        "pack": pack.id,
        "credits": credits,
        "amount_total": pack.amount,
        "currency": pack.currency,
        "revoked_share": 0,
        "revoked": 0,
        "credited_at": rt.clock(),
    }
    also = [Create(session_path(session_id), record)]
    if payment_intent:
        also.append(Create(purchase_path(payment_intent), record))
    result = jobs.ledger(rt).apply(
        user_id,
        purchase_key(session_id),
        credits,
        meta={"reason": "purchase", "session_id": session_id, "payment_intent": payment_intent},
        also=also,
    )
    action = "credited" if result.applied else "already_credited"
    log_event(log, "checkout session fulfilled", session_id=session_id, action=action, credits=credits)
    return WebhookOutcome(action, session_id)


def notify_failed(rt: Runtime, session: Mapping[str, Any]) -> WebhookOutcome:
    """Tell the buyer (once per session) that the delayed payment failed and nothing was credited."""
    session_id = _text(session, "id")
    buyer = _text(session, "client_reference_id", max_len=128)
    try:
        user = rt.store.get(user_path(buyer)) if buyer else None
    except PermanentError as exc:
        raise MalformedEvent(str(exc)) from exc
    email = str((user.data.get("email") if user else "") or "")
    if not session_id or not email:
        return WebhookOutcome("ignored", "no session id or buyer email")
    mail = jobs.notice_mail(
        email,
        "ZapDoc: your payment did not go through",
        [
            "Your payment for ZapDoc credits failed, so no credits were added to your account.",
            "You can try again with another payment method from your account page.",
        ],
        key=f"payment-failed:{session_id}",
    )
    sent = jobs.send_once(rt, f"payment-failed:{session_id}", mail)
    return WebhookOutcome("notified" if sent else "already_notified", session_id)


def refund_share(credits: int, amount: int, amount_refunded: int) -> int:
    """Credits a purchase loses when ``amount_refunded`` of ``amount`` is refunded (rounded down)."""
    if amount <= 0:
        return 0
    refunded = max(0, min(amount_refunded, amount))
    return credits * refunded // amount


def revoke_refunded(rt: Runtime, charge: Mapping[str, Any]) -> WebhookOutcome:
    """Revoke unspent credits by the refunded share of the purchase (see the module docstring).

    The revocation is a ledger change like every other credit change (``at_most``: it takes what is
    left of the balance, never more); the purchase and session records say how much it took, in the
    same commit, on the condition that the purchase is as read (another refund event of the same
    charge in between means the share is computed again)."""
    payment_intent = _text(charge, "payment_intent")
    amount = _amount(charge, "amount")
    amount_refunded = _amount(charge, "amount_refunded")
    if not payment_intent:
        return WebhookOutcome("ignored", "charge without payment_intent")
    ledger = jobs.ledger(rt)
    for _ in range(cas.MAX_ATTEMPTS):
        purchase = rt.store.get(purchase_path(payment_intent))
        if purchase is None:
            return WebhookOutcome("ignored", "no purchase for this payment")
        p = purchase.data
        user_id, session_id = str(p["user_id"]), str(p["session_id"])
        target = refund_share(int(p["credits"]), amount, amount_refunded)
        increment = target - int(p.get("revoked_share") or 0)
        if increment <= 0:
            return WebhookOutcome("already_revoked", session_id)
        if rt.store.get(user_path(user_id)) is None:
            return WebhookOutcome("ignored", "unknown user")

        def as_read(read: Snapshot = purchase) -> list[Write] | None:
            fresh = rt.store.get(read.path)
            return [] if fresh is not None and fresh.version == read.version else None

        def records(delta: int, read: Snapshot = purchase, target: int = target) -> list[Write]:
            taken = Increment(-delta)
            return [
                Update(read.path, {"revoked_share": target, "revoked": taken}, if_version=read.version),
                Update(session_path(str(read.data["session_id"])), {"revoked": Increment(-delta)}),
            ]

        result = ledger.apply(
            user_id,
            f"revoke:{session_id}:{amount_refunded}",
            -increment,
            meta={"reason": "refund of purchase", "session_id": session_id, "refunded_share": increment},
            at_most=True,
            also=as_read,
            also_taken=records,
        )
        if result.outcome is Outcome.NOT_APPLICABLE:
            continue  # another refund event of this charge changed the purchase: compute the share again
        if not result.applied:
            return WebhookOutcome("already_revoked", session_id)
        log_event(log, "purchase refunded", session_id=session_id, revoked=-result.delta, share=increment)
        return WebhookOutcome("revoked", f"{-result.delta}")
    raise TransientError("purchase record too contended; retry later")


def recent_entries(rt: Runtime, user_id: str, limit: int = 20) -> Sequence[dict[str, Any]]:
    """The user's newest ledger entries first (an ordered, limited query: ``limit`` reads)."""
    return jobs.ledger(rt).recent(user_id, limit)
