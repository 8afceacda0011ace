"""Payments ports: hosted checkout pages and signed payment events (Stripe in production)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from zapdoc.domain.packs import Pack


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class CheckoutGateway(Protocol):
    """Creates hosted payment pages (Stripe Checkout in production)."""

    def create_session(
        self,
        *,
        pack: Pack,
        user_id: str,
        email: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> CheckoutSession: ...


class EventVerifier(Protocol):
    """Checks a payment-provider webhook delivery (Stripe's signature scheme in production)."""

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any] | None:
        """The event as a dict when ``signature`` is a valid signature of ``payload``, else None; raises
        ``ConfigError`` when no signing secret is configured."""
        ...
