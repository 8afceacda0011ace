"""The OpenAPI 3.1 description of the API, built from its route table and pydantic models.

``openapi/openapi.yaml`` is this document (``make openapi`` writes it; a unit test fails when the file
differs). Nothing here is written by hand twice: paths, parameters, bodies and limits come from
``zapdoc.api.app.ROUTES`` and ``zapdoc.api.models``; statuses from each route, error codes and their
headers from ``zapdoc.api.http``. Dev-only: no function ships or runs it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from zapdoc.api import http as H
from zapdoc.api import models as M
from zapdoc.api.app import ROUTES

REF = "#/components/schemas/{model}"
TAGS = ("jobs", "account", "templates", "api-keys", "payments", "admin", "webhooks")

INFO = {
    "title": "ZapDoc API",
    "version": "1.0.0",
    "summary": "Turn PDFs (or zips of PDFs) into a typed Excel workbook.",
    "description": """\
Create a job with the fields to extract (or a template) and the list of files; upload each file
with its signed PUT URL (exactly the headers returned, exactly the declared size); poll the job
until it is `delivered` and download the workbook. Pages are paid with credits (1 credit = 1 page),
debited once all files have arrived; pages of documents that fail are refunded.

Authentication: `Authorization: Bearer <token>` with a Firebase Authentication ID token, or an
API key (`zd_...`) created with `POST /v1/api-keys`. Another user's job, template or key answers
404, exactly like a missing one.

Errors are `{"error": {"code", "message"}}` with the codes listed at each response. Bodies are JSON
(`Content-Type: application/json`, at most 1 MiB); members not described are refused (400). A
method a path does not serve answers 405 with `Allow`; `OPTIONS` on any path answers 204 with
`Allow` (the CORS preflight: with an allowed `Origin` it carries `Access-Control-Allow-Origin`,
`-Methods`, `-Headers: Authorization, Content-Type, Idempotency-Key` and `-Max-Age: 600`; allowed
origins are ZAPDOC_ALLOWED_ORIGINS). Every answer to an allowed `Origin` carries
`Access-Control-Allow-Origin` and `Vary: Origin`.

Credits: a new account gets a free grant once. `POST /v1/checkout` returns a Stripe Checkout URL
for a pack; the credits arrive once per Checkout Session when Stripe reports the payment to the
`stripe_webhook` function (`POST /stripe_webhook`, below): `checkout.session.completed` with
`payment_status=paid`, or `async_payment_succeeded`. Refunds (`charge.refunded`) revoke the refunded
share of the pack, rounded down, from credits not yet spent (the balance never goes below zero).
""",
}

STRIPE_PATH = "/stripe_webhook"
STRIPE_DESCRIPTION = """\
The `stripe_webhook` function's endpoint, called by Stripe (not by API clients): its own URL, no
bearer token. The raw body must carry a valid `Stripe-Signature` for the endpoint's signing secret
(STRIPE_WEBHOOK_SECRET) within Stripe's 300 s tolerance; nothing is read or written before that.
Each event is applied once however often Stripe delivers it. Another method answers 405."""


def _error_response(status: int) -> dict[str, Any]:
    codes = H.ERROR_CODES[status]
    lines = "; ".join(f"`{code}`: {text}" for code, text in codes.items())
    out: dict[str, Any] = {
        "description": lines,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }
    if status in H.ERROR_HEADERS:
        out["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in H.ERROR_HEADERS[status].items()
        }
    return out


def _clean(schema: Any) -> Any:
    """Pydantic's schema without its titles and the ``default: null`` of members that are not
    nullable (absent is the default there)."""
    if isinstance(schema, dict):
        out = {k: _clean(v) for k, v in schema.items() if k != "title" or not isinstance(v, str)}
        if out.get("default", 0) is None and "anyOf" not in out and out.get("type") != "null":
            out.pop("default")
        return out
    if isinstance(schema, list):
        return [_clean(v) for v in schema]
    return schema


def _schemas() -> tuple[dict[tuple[type[BaseModel], str], Any], dict[str, Any]]:
    models: list[tuple[type[BaseModel], Any]] = []
    for route in ROUTES:
        if route.body is not None:
            models.append((route.body, "validation"))
        if route.response is not None:
            models.append((route.response, "serialization"))
    models += [(M.Error, "serialization"), (M.JobEvent, "serialization")]
    models += [(M.StripeEvent, "validation"), (M.StripeReceipt, "serialization")]
    refs, defs = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    return dict(refs), _clean(defs.get("$defs", {}))  # type: ignore[arg-type]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = _clean(model.model_json_schema())
    params = []
    for name, raw in schema["properties"].items():
        prop = dict(raw)
        description = prop.pop("description", None)
        if prop.get("default", 0) is None:  # an optional parameter is absent, never null
            prop.pop("default")
            prop = next(p for p in prop.pop("anyOf") if p.get("type") != "null") | prop
        param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": M.ID_PATTERN}}
        for name in re.findall(r"\{([a-z_]+)\}", path)
    ]


def _operation(route: H.Route, refs: dict[tuple[type[BaseModel], str], Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"tags": [route.tag], "operationId": route.operation_id, "summary": route.summary}
    if route.description:
        op["description"] = route.description
    params = [*_path_parameters(route.path)]
    if route.query is not None:
        params += _query_parameters(route.query)
    for name, text, max_length in route.request_headers:
        params.append(
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": text,
                "schema": {"type": "string", "maxLength": max_length},
            }
        )
    if params:
        op["parameters"] = params
    if route.body is not None:
        op["requestBody"] = {
            "required": route.body_required,
            "content": {"application/json": {"schema": refs[(route.body, "validation")]}},
        }
    ok: dict[str, Any] = {"description": route.summary}
    if route.headers:
        ok["headers"] = {
            h.name: {"description": h.description, "schema": {"type": "string"}} for h in route.headers
        }
    if route.response is not None:
        ok["content"] = {"application/json": {"schema": refs[(route.response, "serialization")]}}
    responses: dict[str, Any] = {str(route.status): ok}
    for status in route.statuses():
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    op["responses"] = responses
    return op


def _stripe_path(refs: dict[tuple[type[BaseModel], str], Any]) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
    return {
        "servers": [
            {
                "url": "{stripe_webhook_url}",
                "description": "The stripe_webhook function (terraform output stripe_webhook_url)",
                "variables": {"stripe_webhook_url": {"default": "https://stripe-webhook.example"}},
            }
        ],
        "post": {
            "tags": ["payments"],
            "operationId": "stripeWebhook",
            "summary": "Stripe events: credit purchases, mail failed payments, revoke refunds",
            "description": STRIPE_DESCRIPTION,
            "security": [],
            "parameters": [
                {
                    "name": "Stripe-Signature",
                    "in": "header",
                    "required": True,
                    "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`',
                    "schema": {"type": "string"},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": refs[(M.StripeEvent, "validation")]}},
            },
            "responses": {
                "200": {
                    "description": "Applied, or already applied, or ignored (an event type not handled)",
                    "content": {"application/json": {"schema": refs[(M.StripeReceipt, "serialization")]}},
                },
                "400": {
                    "description": "`bad_signature`: missing or invalid Stripe-Signature (nothing read or "
                    "written); `malformed_event`: signed but impossible (nothing written; Stripe's retry "
                    "cannot help)",
                    **error,
                },
                "405": {"description": "Only POST"},
                "500": {
                    "description": "STRIPE_WEBHOOK_SECRET is not set, or an unexpected failure: Stripe "
                    "retries",
                },
                "503": {
                    "description": "`unavailable`: the database is unavailable; Stripe retries",
                    **error,
                },
            },
        },
    }


JOB_ENDED = """\
Sent at least once per job, retried with backoff (10 s up to 10 min) for a day until the endpoint
answers 2xx; act on each event `id` once. Verify `ZapDoc-Signature` over the raw body:
`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, and refuse timestamps more than
5 minutes away from your clock (replays). Attempts and the last status show on
`GET /v1/jobs/{job_id}`."""


def document() -> dict[str, Any]:
    """The OpenAPI document as a dict (what ``openapi/openapi.yaml`` holds)."""
    refs, schemas = _schemas()
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    paths[STRIPE_PATH] = _stripe_path(refs)
    statuses = sorted({s for r in ROUTES for s in r.statuses()} | {405})
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [{"name": t} for t in TAGS],
        "paths": paths,
        "webhooks": {
            "jobEnded": {
                "post": {
                    "tags": ["webhooks"],
                    "operationId": "jobEnded",
                    "summary": "A job ended (delivered, rejected or cancelled); sent to the job's "
                    "`webhook_url`",
                    "description": JOB_ENDED,
                    "security": [],
                    "parameters": [
                        {
                            "name": "ZapDoc-Signature",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"},
                        },
                        {
                            "name": "ZapDoc-Event-Id",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": refs[(M.JobEvent, "serialization")]}},
                    },
                    "responses": {
                        "2XX": {
                            "description": "Received; anything else (or no answer within 10 s) is retried"
                        }
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Firebase Authentication ID token, or a ZapDoc API key (zd_...)",
                }
            },
            "responses": {f"E{s}": _error_response(s) for s in statuses},
            "schemas": schemas,
        },
    }


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
    """Multi-line text as YAML literal blocks, so the file reads like the docstrings it came from;
    no anchors (every reference is a plain ``$ref``)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render() -> str:
    """``openapi/openapi.yaml``'s text."""
    header = (
        "# Generated by `make openapi` (zapdoc.dev.openapi) from the API's routes and models: do not edit.\n"
    )
    body = yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + str(body)
