"""Checkout sessions through the real Stripe SDK, pointed at a tiny local stand-in of the Stripe API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from zapdoc.adapters.stripe_gateway import StripeCheckoutGateway
from zapdoc.domain.errors import ConfigError, PermanentError
from zapdoc.domain.packs import Pack


class StripeStandIn:
    """Answers ``POST /v1/checkout/sessions`` like Stripe does, recording each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, str]]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append((dict(request.form), dict(request.headers)))
        if request.path != "/v1/checkout/sessions" or request.method != "POST":
            resp = Response('{"error": {"message": "no such route", "type": "invalid_request_error"}}', 404)
        elif request.form.get("metadata[credits]") == "0":
            resp = Response('{"error": {"message": "bad amount", "type": "invalid_request_error"}}', 400)
        else:
            sid = f"cs_test_{len(self.requests)}"
            body = f'{{"id": "{sid}", "object": "checkout.session", "url": "https://checkout.stripe.test/{sid}"}}'
            resp = Response(body, 200)
        resp.headers["Content-Type"] = "application/json"
        resp.headers["Request-Id"] = "req_standin"
        return resp(environ, start_response)


@pytest.fixture
def standin() -> Iterator[tuple[StripeStandIn, str]]:
    app = StripeStandIn()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_a_session_carries_the_user_the_credits_and_an_idempotency_key(
    standin: tuple[StripeStandIn, str],
) -> None:
    app, url = standin
    gateway = StripeCheckoutGateway("sk_test_local", api_base=url, max_network_retries=0)
    session = gateway.create_session(
        pack=Pack("starter", 100, 500, "eur"), user_id="user-1", email="u@example.com",
        success_url="https://app/ok", cancel_url="https://app/no", idempotency_key="checkout:user-1:r1",
    )  # fmt: skip
    assert session.id == "cs_test_1"
    assert session.url == "https://checkout.stripe.test/cs_test_1"
    form, headers = app.requests[0]
    assert form["client_reference_id"] == "user-1"
    assert form["metadata[credits]"] == "100"
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "500"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert headers["Idempotency-Key"] == "checkout:user-1:r1"
    assert headers["Authorization"] == "Bearer sk_test_local"


def test_a_refusal_is_a_permanent_error(standin: tuple[StripeStandIn, str]) -> None:
    _, url = standin
    gateway = StripeCheckoutGateway("sk_test_local", api_base=url, max_network_retries=0)
    with pytest.raises(PermanentError, match="refused"):
        gateway.create_session(
            pack=Pack("free", 0, 500, "eur"), user_id="u", email="e", success_url="s", cancel_url="c",
            idempotency_key="k",
        )  # fmt: skip


def test_a_missing_secret_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="STRIPE_SECRET_KEY"):
        StripeCheckoutGateway("").create_session(
            pack=Pack("p", 1, 1, "eur"),
            user_id="u",
            email="e",
            success_url="s",
            cancel_url="c",
            idempotency_key="k",
        )
