"""Cloud Function ``sweep`` (HTTP, called by Cloud Scheduler): the pipeline's safety net."""

from __future__ import annotations

import flask
import functions_framework

from zapdoc import logging as zlog
from zapdoc.bootstrap import preload, runtime
from zapdoc.services.sweep import sweep as run_sweep

zlog.setup()
preload("sweep")


@functions_framework.http
def sweep(request: flask.Request) -> flask.Response:
    if request.method != "POST":
        return flask.Response("use POST\n", status=405)
    with zlog.invocation(function="sweep"):
        report = run_sweep(runtime())
    status = 500 if report.errors else 200
    return flask.jsonify(report.to_dict()), status  # type: ignore[return-value]
