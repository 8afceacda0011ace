"""The Stripe webhook: verify the raw body's signature first, then apply the event once.

Nothing is read or written before the signature checks out: a bad timestamp, a changed byte, a wrong
secret or a missing header answers 400 with zero writes. The tolerance is Stripe's default (300 s).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from zapdoc.domain.errors import ConfigError
from zapdoc.logging import event as log_event
from zapdoc.services.payments import handle_event
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.webhook")


def verify(payload: bytes, signature: str | None, secret: str) -> dict[str, Any] | None:
    """The event as a dict when ``signature`` is Stripe's valid signature of ``payload``, else None."""
    import stripe

    if not secret:
        raise ConfigError("STRIPE_WEBHOOK_SECRET is not set")
    if not signature:
        return None
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError):
        return None
    data = json.loads(payload)
    return data if isinstance(data, dict) else None


def process(rt: Runtime, *, payload: bytes, signature: str | None, secret: str) -> tuple[int, dict[str, Any]]:
    """HTTP status and JSON body for one webhook delivery."""
    event = verify(payload, signature, secret)
    if event is None:
        log_event(log, "stripe webhook rejected", reason="signature")
        return 400, {"error": {"code": "bad_signature", "message": "invalid or missing Stripe-Signature"}}
    outcome = handle_event(rt, event)
    log_event(
        log, "stripe event handled", event_id=str(event.get("id", "")), type=str(event.get("type", "")),
        action=outcome.action,
    )  # fmt: skip
    return 200, {"received": True, "action": outcome.action}
