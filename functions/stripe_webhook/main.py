"""Cloud Function ``stripe_webhook`` (HTTP): Stripe events, verified on the raw body, applied once."""

from __future__ import annotations

import flask
import functions_framework

from zapdoc import logging as zlog
from zapdoc.api.webhook import process
from zapdoc.bootstrap import preload, runtime, settings

zlog.setup()
preload("stripe_webhook")


@functions_framework.http
def stripe_webhook(request: flask.Request) -> flask.Response:
    if request.method != "POST":
        return flask.Response("use POST\n", status=405)
    secret = settings().payments.stripe_webhook_secret
    with zlog.invocation(function="stripe_webhook"):
        status, body = process(
            runtime(),
            payload=request.get_data(cache=False),
            signature=request.headers.get("Stripe-Signature"),
            secret=secret.get_secret_value() if secret is not None else "",
        )
    return flask.Response(flask.json.dumps(body), status=status, mimetype="application/json")
