"""The Stripe webhook: verify the raw body's signature first, then apply the event once.

Nothing is read or written before the signature checks out: a bad timestamp, a changed byte, a wrong
secret or a missing header answers 400 with zero writes. The tolerance is Stripe's default (300 s).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from zapdoc.domain.packs import Pack
from zapdoc.logging import event as log_event
from zapdoc.ports.payments import EventVerifier
from zapdoc.services.payments import MalformedEvent, handle_event
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.webhook")


def process(
    rt: Runtime,
    *,
    payload: bytes,
    signature: str | None,
    verifier: EventVerifier,
    packs: Mapping[str, Pack] | None = None,
) -> tuple[int, dict[str, Any]]:
    """HTTP status and JSON body for one webhook delivery (``packs``: the server's pack table)."""
    event = verifier.verify(payload, signature)
    if event is None:
        log_event(log, "stripe webhook rejected", reason="signature")
        return 400, {"error": {"code": "bad_signature", "message": "invalid or missing Stripe-Signature"}}
    try:
        outcome = handle_event(rt, event, packs)
    except MalformedEvent as exc:  # signed but impossible: retrying cannot help, nothing was written
        log_event(log, "stripe webhook rejected", reason="malformed", detail=str(exc))
        return 400, {"error": {"code": "malformed_event", "message": str(exc)}}
    log_event(
        log, "stripe event handled", event_id=str(event.get("id", "")), type=str(event.get("type", "")),
        action=outcome.action,
    )  # fmt: skip
    return 200, {"received": True, "action": outcome.action}
