"""HTTP plumbing of the API: JSON errors ``{"error": {"code", "message"}}``, JSON bodies and CORS."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.wrappers import Request, Response

MAX_BODY_BYTES = 1024 * 1024


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
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    text = json.dumps(body, default=_default, separators=(",", ":"), ensure_ascii=False)
    return Response(text, status=status, mimetype="application/json", headers=dict(headers or {}))


def error_response(err: ApiError) -> Response:
    return json_response({"error": {"code": err.code, "message": err.message}}, err.status, err.headers)


def empty(status: int = 204) -> Response:
    return Response(b"", status=status)


def read_json(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (400/413/415 otherwise)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"request body is larger than {MAX_BODY_BYTES} bytes")
    mimetype = request.mimetype or ""
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", "send JSON (Content-Type: application/json)")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_request", "the request body must be a JSON object")
    return data


def cors_headers(request: Request, allowed: Sequence[str], methods: str) -> dict[str, str]:
    """CORS headers when the request's Origin is allowed (exact match, or "*" for any)."""
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if not origin or not (origin in allowed or "*" in allowed):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }
