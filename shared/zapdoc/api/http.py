"""HTTP plumbing of the API on werkzeug (which functions-framework runs on): the route table as a
werkzeug ``Map``, request bodies and query strings read into pydantic models, JSON errors
``{"error": {"code", "message"}}`` and CORS.

A ``Route`` says everything about one operation once: its method and path, the models of its body,
query and answer, the statuses it can answer. ``dispatch`` in ``zapdoc.api.app`` serves them and
``zapdoc.dev.openapi`` describes them (``openapi/openapi.yaml``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from zapdoc.api import models as M

MAX_BODY_BYTES = 1024 * 1024
CORS_HEADERS = "Authorization, Content-Type, Idempotency-Key"
CORS_MAX_AGE = 600

# Every error code, by status: the description of each error response in the OpenAPI document.
ERROR_CODES: dict[int, dict[str, str]] = {
    400: {
        "invalid_request": "a member is missing, of the wrong type or out of range (the message names it)",
        "invalid_json": "the body is not JSON",
    },
    401: {"unauthorized": "missing, invalid, expired or revoked credentials (see WWW-Authenticate)"},
    402: {"insufficient_credits": "the balance does not cover the job: buy credits (POST /v1/checkout)"},
    403: {
        "email_not_verified": "verify your email address first: results are sent there",
        "forbidden": "only operators may do this",
    },
    404: {"not_found": "no such route or resource (another user's looks exactly like a missing one)"},
    405: {"method_not_allowed": "the path exists; the Allow header lists its methods"},
    409: {
        "cost_changed": "the job's quote is not the credits you sent",
        "not_awaiting_confirmation": "the job is not waiting for a confirmation",
        "too_late": "the job can no longer be cancelled",
        "not_ready": "the workbook is not ready yet",
        "limit_reached": "at the limit of API keys or saved templates: delete one first",
    },
    413: {"payload_too_large": f"the body is larger than {MAX_BODY_BYTES} bytes"},
    415: {"unsupported_media_type": "send JSON (Content-Type: application/json)"},
    429: {"too_many_open_jobs": "too many jobs are still open; retry after Retry-After seconds"},
    500: {"internal": "the server could not handle the request (logged; retrying will not help)"},
    503: {"unavailable": "a dependency (the database) is unavailable; retry after Retry-After seconds"},
}
ERROR_HEADERS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": 'Bearer realm="zapdoc"'},
    405: {"Allow": "The path's methods"},
    429: {"Retry-After": "Seconds"},
    503: {"Retry-After": "Seconds"},
}


class ApiError(Exception):
    """An error with its HTTP status and a stable machine-readable code."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return M.iso(value)
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    text = json.dumps(body, default=_default, separators=(",", ":"), ensure_ascii=False)
    return Response(text, status=status, mimetype="application/json", headers=dict(headers or {}))


def error_response(err: ApiError) -> Response:
    body = M.dump(M.Error, {"error": {"code": err.code, "message": err.message}})
    return json_response(body, err.status, err.headers)


def empty(status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    return Response(b"", status=status, headers=dict(headers or {}))


# ------------------------------------------------------------------------------------------ routes


@dataclass(frozen=True)
class Reply:
    """A handler's answer: the data of the route's response model, and headers."""

    data: Any
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it: who, the path parameters, the parsed body and query."""

    request: Request
    who: Any
    path: Mapping[str, str]
    body: Any = None
    query: Any = None

    def arg(self, name: str) -> str:
        return self.path[name]


@dataclass(frozen=True)
class Header:
    """A documented response header."""

    name: str
    description: str


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # OpenAPI form: /v1/jobs/{job_id}
    handler: Callable[[Any, Call], Response | Reply]
    operation_id: str
    tag: str
    summary: str
    description: str = ""
    status: int = 200
    response: type[BaseModel] | None = None  # None: no body (204, 302)
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()  # beyond what every route can answer (401, 500, 503)
    headers: tuple[Header, ...] = ()  # of the success response
    request_headers: tuple[tuple[str, str, int], ...] = ()  # (name, description, maxLength)

    def statuses(self) -> list[int]:
        found = {401, 500, 503, *self.errors}
        if self.body is not None:
            found |= {400, 413, 415}
        if self.query is not None:
            found.add(400)
        return sorted(found)


class IdConverter(BaseConverter):
    """Path identifiers: what job, template and key ids are made of."""

    regex = M.ID_PATTERN.strip("^$")


def rule_path(path: str) -> str:
    return path.replace("{", "<id:").replace("}", ">")


def build_map(routes: Sequence[Route]) -> Map:
    rules = [Rule(rule_path(r.path), methods=[r.method], endpoint=r) for r in routes]
    return Map(rules, converters={"id": IdConverter}, strict_slashes=False, merge_slashes=False)


def match(url_map: Map, path: str, method: str) -> tuple[Route, dict[str, str]]:
    """The route and path parameters for ``method path``; 404 or 405 (with Allow) otherwise.
    HEAD is not served (werkzeug would answer it from GET): it is not in the description."""
    adapter = url_map.bind("api", "/")
    try:
        if method == "HEAD":
            raise MethodNotAllowed(valid_methods=adapter.allowed_methods(path))
        route, args = adapter.match(path, method)
    except NotFound:
        raise not_found("route") from None
    except MethodNotAllowed:
        allow = ", ".join(allowed_methods(url_map, path))
        raise ApiError(405, "method_not_allowed", f"use one of {allow}", {"Allow": allow}) from None
    assert isinstance(route, Route)
    return route, {k: str(v) for k, v in args.items()}


def allowed_methods(url_map: Map, path: str) -> list[str]:
    """The methods served at ``path`` (with OPTIONS, the CORS preflight); empty for an unknown path."""
    found = set(url_map.bind("api", "/").allowed_methods(path)) - {"HEAD"}
    return sorted(found | {"OPTIONS"}) if found else []


# ----------------------------------------------------------------------------------- bodies, query


def read_json(request: Request) -> Any:
    """The request body as JSON (400/413/415 otherwise); no body reads as ``{}``."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"request body is larger than {MAX_BODY_BYTES} bytes")
    mimetype = request.mimetype or ""
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", "send JSON (Content-Type: application/json)")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "the request body is not valid JSON") from None


def parse(model: type[BaseModel], data: Any, context: Mapping[str, Any] | None = None) -> Any:
    """``data`` as ``model``, else 400 ``invalid_request`` naming the members that are wrong."""
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_request", "the request body must be a JSON object")
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        raise ApiError(400, "invalid_request", describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """The first few problems, deepest first: ``files[0].size: Input should be ...``."""
    errors = sorted(exc.errors(include_url=False), key=lambda e: -len(e["loc"]))
    parts: list[str] = []
    for error in errors:
        loc = ""
        for part in error["loc"]:
            if isinstance(part, int):
                loc += f"[{part}]"
            elif "[" in part or part in ("str", "list", "function-after"):
                continue  # the branch of a union, not a member
            else:
                loc += f".{part}" if loc else part
        text = f"{loc}: {error['msg']}" if loc else str(error["msg"])
        if text not in parts:
            parts.append(text)
    return "; ".join(parts[:3])


def query_of(model: type[BaseModel], request: Request) -> Any:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError(400, "invalid_request", describe(exc)) from None


def cors_headers(request: Request, allowed: Sequence[str], methods: str) -> dict[str, str]:
    """CORS headers when the request's Origin is allowed (exact match, or "*" for any)."""
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if not origin or not (origin in allowed or "*" in allowed):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": str(CORS_MAX_AGE),
        "Vary": "Origin",
    }
