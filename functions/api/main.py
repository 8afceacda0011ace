"""Cloud Function ``api`` (HTTP): the public ``/v1`` API."""

from __future__ import annotations

import flask
import functions_framework
from werkzeug.exceptions import HTTPException

from zapdoc import logging as zlog
from zapdoc.api.app import dispatch
from zapdoc.api.http import ApiError, error_response
from zapdoc.bootstrap import api_context, check_auth_emulator, preload

zlog.setup()
preload("api")
check_auth_emulator()  # refuse to start with emulator auth on a deployed function (or without the switch)


@functions_framework.http
def api(request: flask.Request) -> flask.Response:
    with zlog.invocation(function="api"):
        return dispatch(api_context(), request)  # type: ignore[return-value]


def framework_errors(exc: HTTPException) -> flask.Response:
    """Requests the framework refuses before routing (e.g. unroutable paths) still get JSON errors."""
    status = exc.code or 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(
        status, "bad_request" if status < 500 else "internal"
    )
    return error_response(ApiError(status, code, exc.description or "request refused"))  # type: ignore[return-value]


functions_framework.errorhandler(HTTPException)(framework_errors)
