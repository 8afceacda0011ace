"""Stripe through the official SDK: Checkout sessions (the API base URL is a setting so tests can point
the same code path at a local stand-in, ``ZAPDOC_STRIPE_API_BASE``) and webhook signatures."""

from __future__ import annotations

import json
import threading
from typing import Any

from zapdoc.domain.errors import ConfigError, PermanentError, TransientError
from zapdoc.domain.packs import Pack
from zapdoc.ports.payments import CheckoutSession


class StripeCheckoutGateway:
    """``CheckoutGateway`` on ``stripe.StripeClient`` (created on first use, never at import)."""

    def __init__(self, api_key: str, *, api_base: str = "", max_network_retries: int = 2) -> None:
        self._api_key = api_key
        self._api_base = api_base.rstrip("/")
        self._retries = max_network_retries
        self._client: Any = None
        self._lock = threading.Lock()

    def _stripe(self) -> Any:
        with self._lock:
            if self._client is None:
                if not self._api_key:
                    raise ConfigError("STRIPE_SECRET_KEY is not set")
                import stripe

                kwargs: dict[str, Any] = {"max_network_retries": self._retries}
                if self._api_base:
                    kwargs["base_addresses"] = {"api": self._api_base}
                self._client = stripe.StripeClient(self._api_key, **kwargs)
            return self._client

    def create_session(
        self,
        *,
        pack: Pack,
        user_id: str,
        email: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> CheckoutSession:
        import stripe

        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": user_id,
            "customer_email": email,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": {"credits": str(pack.credits), "pack": pack.id, "user_id": user_id},
            "payment_intent_data": {"metadata": {"credits": str(pack.credits), "user_id": user_id}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": pack.currency,
                        "unit_amount": pack.amount,
                        "product_data": {"name": f"ZapDoc credits: {pack.credits} pages"},
                    },
                }
            ],
        }
        try:
            session = self._stripe().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise TransientError(f"Stripe is unavailable: {exc}") from exc
        except stripe.StripeError as exc:
            raise PermanentError(f"Stripe refused the checkout session: {exc}") from exc
        return CheckoutSession(str(session.id), str(session.url))


class StripeEventVerifier:
    """``EventVerifier`` on Stripe's webhook signature scheme (``stripe.WebhookSignature.verify_header``
    with Stripe's default tolerance, 300 s), then the body parsed here: ``construct_event`` would also
    build a Stripe event object, which crashes on a signed body that is JSON but not an object."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any] | None:
        import stripe

        if not self._secret:
            raise ConfigError("STRIPE_WEBHOOK_SECRET is not set")
        if not signature:
            return None
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, self._secret, stripe.Webhook.DEFAULT_TOLERANCE
            )
        except (stripe.SignatureVerificationError, ValueError):
            return None
        try:
            data = json.loads(payload)
        except ValueError:  # signed but not JSON (or a huge-integer literal): not an event
            return None
        return data if isinstance(data, dict) else None
