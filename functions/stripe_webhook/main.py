"""Cloud Function ``stripe_webhook`` (HTTP): Stripe events, verified on the raw body, applied once."""

from __future__ import annotations

import flask
import functions_framework

from zapdoc import logging as zlog
from zapdoc.api.webhook import process
from zapdoc.bootstrap import event_verifier, preload, runtime

zlog.setup()
preload("stripe_webhook")


@functions_framework.http
def stripe_webhook(request: flask.Request) -> flask.Response:
    if request.method != "POST":
        return flask.Response("use POST\n", status=405, headers={"Allow": "POST"})
    with zlog.invocation(function="stripe_webhook"):
        status, body = process(
            runtime(),
            payload=request.get_data(cache=False),
            signature=request.headers.get("Stripe-Signature"),
            verifier=event_verifier(),
        )
    return flask.Response(flask.json.dumps(body), status=status, mimetype="application/json")
