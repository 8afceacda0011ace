"""A local stand-in for Stripe Checkout, so the whole purchase loop runs on a laptop (local stack only).

It speaks the part of the Stripe API the server uses (``POST /v1/checkout/sessions`` from the real
``stripe`` SDK, whose API base points here) and serves the hosted page the buyer is sent to: the pack,
the amount and a Pay button. Paying sends a ``checkout.session.completed`` event signed with Stripe's
scheme (``Stripe-Signature: t=...,v1=HMAC-SHA256``) to the ``stripe_webhook`` function, ``deliveries``
times (Stripe delivers at least once), then redirects to the session's success URL; Cancel goes to
its cancel URL. ``python -m zapdoc.standins.checkout --port P --webhook URL --secret whsec_...``.
"""

from __future__ import annotations

import argparse
import html
import json
import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

StartResponse = Any
PAGE_CSS = """
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }
body { color: #111827; }
.card { border: 1px solid #d1d5db; border-radius: 10px; padding: 1.25rem; }
button { font: inherit; padding: .6rem 1rem; border-radius: 6px; cursor: pointer; }
.pay { background: #166534; color: #fff; border: 0; font-weight: 600; }
.cancel { background: #fff; border: 1px solid #4b5563; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.note { color: #4b5563; font-size: .9rem; }
"""


def _nested(form: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in form:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt: Any = value if last else ([] if parts[i + 1].isdigit() else {})
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if node[index] is None or last:
                    node[index] = nxt
                node = node[index]
            else:
                if part not in node or last:
                    node[part] = nxt
                node = node[part]
    return root


def _stripe_error(status: int, message: str) -> Response:
    body = {"error": {"type": "invalid_request_error", "message": message}}
    return Response(json.dumps(body), status, content_type="application/json")


class CheckoutStandIn:
    """WSGI app: the Stripe API part (``/v1/...``) and the hosted page (``/pay/<id>``)."""

    def __init__(self, webhook_url: str, secret: str, *, public_url: str = "", deliveries: int = 1) -> None:
        self.webhook_url = webhook_url
        self.secret = secret
        self.public_url = public_url.rstrip("/")
        self.deliveries = max(1, deliveries)
        self.sessions: dict[str, dict[str, Any]] = {}
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()
        self.delivered: list[tuple[str, int]] = []  # (event id, webhook status) for tests and logs

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/v1/checkout/sessions" and request.method == "POST":
            return self.create_session(request)
        if path.startswith("/v1/checkout/sessions/") and request.method == "GET":
            found = self.sessions.get(path.rsplit("/", 1)[1])
            if found is None:
                return _stripe_error(404, "No such checkout.session")
            return Response(json.dumps(found), content_type="application/json")
        if path.startswith("/pay/"):
            session = self.sessions.get(path.split("/")[2])
            if session is None:
                return Response("This checkout session does not exist or has expired.", 404)
            if request.method == "GET":
                return self.page(session)
            if request.method == "POST":
                return self.pay(session) if request.form.get("action") == "pay" else self.cancel(session)
        if path == "" and request.method == "GET":
            return Response("ZapDoc local Checkout stand-in\n", content_type="text/plain")
        return _stripe_error(404, f"Unrecognized request URL ({request.method}: {request.path})")

    # ------------------------------------------------------------------------------ Stripe API

    def create_session(self, request: Request) -> Response:
        if not request.headers.get("Authorization", "").startswith("Bearer sk_"):
            return _stripe_error(401, "Invalid API Key provided")
        params = _nested(request.form.items(multi=True))
        items = params.get("line_items") or []
        price = (items[0] or {}).get("price_data", {}) if items else {}
        amount = str(price.get("unit_amount", ""))
        if params.get("mode") != "payment" or not amount.isdigit() or not params.get("success_url"):
            return _stripe_error(400, "mode=payment, line_items[0][price_data] and success_url are required")
        key = request.headers.get("Idempotency-Key", "")
        with self._lock:
            if key and key in self._by_key:
                return Response(json.dumps(self.sessions[self._by_key[key]]), content_type="application/json")
            sid = "cs_test_" + secrets.token_hex(12)
            base = self.public_url or request.host_url.rstrip("/")
            session = {
                "id": sid,
                "object": "checkout.session",
                "mode": "payment",
                "status": "open",
                "payment_status": "unpaid",
                "url": f"{base}/pay/{sid}",
                "success_url": params["success_url"],
                "cancel_url": params.get("cancel_url", params["success_url"]),
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "metadata": params.get("metadata") or {},
                "amount_total": int(amount) * int((items[0] or {}).get("quantity", 1) or 1),
                "currency": str(price.get("currency", "eur")),
                "payment_intent": None,
                "product": str((price.get("product_data") or {}).get("name", "")),
                "created": int(time.time()),
                "livemode": False,
            }
            self.sessions[sid] = session
            if key:
                self._by_key[key] = sid
        return Response(json.dumps(session), content_type="application/json")

    # ---------------------------------------------------------------------------- hosted page

    def page(self, session: dict[str, Any]) -> Response:
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        done = session["status"] == "complete"
        esc = html.escape
        body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay ZapDoc — Checkout (local stand-in)</title><style>{PAGE_CSS}</style></head>
<body><main class="card"><h1>ZapDoc</h1>
<p>{esc(session["product"] or "ZapDoc credits")}</p>
<p><strong>Total: <span id="amount">{esc(amount)}</span></strong></p>
<p>Billed to {esc(str(session.get("customer_email") or ""))}</p>
{"<p>This session is already paid.</p>" if done else ""}
<form method="post"><input type="hidden" name="action" value="pay">
<button class="pay" type="submit" {"disabled" if done else ""}>Pay {esc(amount)}</button></form>
<form method="post"><input type="hidden" name="action" value="cancel">
<p><button class="cancel" type="submit">Cancel and go back</button></p></form>
<p class="note">Local Checkout stand-in: no card is charged. Paying sends a signed
checkout.session.completed event to ZapDoc's webhook, as Stripe does.</p></main></body></html>"""
        return Response(body, content_type="text/html; charset=utf-8")

    def pay(self, session: dict[str, Any]) -> Response:
        with self._lock:
            first = session["status"] != "complete"
            if first:
                session.update(status="complete", payment_status="paid")
                session["payment_intent"] = "pi_test_" + secrets.token_hex(12)
        if first:
            self.send_event("checkout.session.completed", session)
        target = str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
        return Response("", 303, headers={"Location": target})

    def cancel(self, session: dict[str, Any]) -> Response:
        target = str(session["cancel_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
        return Response("", 303, headers={"Location": target})

    def send_event(self, kind: str, obj: dict[str, Any]) -> None:
        """Deliver ``kind`` signed with Stripe's scheme, ``deliveries`` times, retrying failures a little."""
        import requests
        import stripe

        event = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "type": kind,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
        body = json.dumps(event, separators=(",", ":"))
        for _ in range(self.deliveries):
            status = 0
            for attempt in range(5):
                header = stripe.WebhookSignature.generate_signature_header(body, self.secret)
                try:
                    resp = requests.post(
                        self.webhook_url, data=body.encode(),
                        headers={"Stripe-Signature": header, "Content-Type": "application/json"}, timeout=30,
                    )  # fmt: skip
                    status = resp.status_code
                except requests.RequestException:
                    status = 0
                if 200 <= status < 300:
                    break
                time.sleep(0.5 * 2**attempt)  # Stripe retries failed deliveries with backoff
            self.delivered.append((str(event["id"]), status))
            print(f"checkout stand-in: delivered {kind} {event['id']} -> {status}", flush=True)


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description="Local Stripe Checkout stand-in")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--webhook", required=True, help="URL of the stripe_webhook function")
    parser.add_argument("--secret", required=True, help="the webhook signing secret (whsec_...)")
    parser.add_argument("--deliveries", type=int, default=1, help="send every event this many times")
    args = parser.parse_args(argv)
    app = CheckoutStandIn(args.webhook, args.secret, deliveries=args.deliveries)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
