"""A verifying front for the storage emulator (local stack and tests only).

gcp-storage-emulator accepts any PUT; this WSGI app checks a V4 signed upload as Cloud Storage would
(signature over object name, content type and size range; expiry; body size) and only then forwards
it to the emulator. It also serves workbook downloads (``GET /download/storage/v1/...?alt=media``)
from the emulator, and answers CORS as a Cloud Storage bucket with a CORS configuration does (the
emulator answers ``OPTIONS`` with 501): a preflight whose origin, method and requested headers match
a rule gets ``Access-Control-Allow-*`` and ``Max-Age``; anything else gets no CORS headers, so the
browser refuses. ``python -m zapdoc.dev.upload_front --port P --storage URL --public-key PEM
[--cors-origin ORIGIN ...]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from zapdoc.adapters.signing import IF_GENERATION_MATCH
from zapdoc.dev.signed_requests import verify_v4_request

MAX_BODY = 256 * 1024 * 1024

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class CorsRule:
    """One entry of a bucket's CORS configuration, as in Cloud Storage (and Terraform's ``cors`` block)."""

    origins: tuple[str, ...]
    methods: tuple[str, ...] = ("GET", "HEAD", "PUT")
    response_headers: tuple[str, ...] = (
        "Content-Type", "x-goog-content-length-range", "x-goog-if-generation-match", "Content-Disposition"
    )  # fmt: skip
    max_age_seconds: int = 3600

    def matches(self, origin: str, method: str, headers: Iterable[str] = ()) -> bool:
        allowed = {h.lower() for h in self.response_headers}
        return (
            ("*" in self.origins or origin in self.origins)
            and method.upper() in self.methods
            and all(h.strip().lower() in allowed for h in headers if h.strip())
        )


def cors_for(
    rules: Sequence[CorsRule], origin: str, method: str, request_headers: str = "", *, preflight: bool
) -> list[tuple[str, str]]:
    """The CORS headers Cloud Storage would send for this request (none when no rule matches)."""
    if not origin:
        return []
    wanted = [h for h in request_headers.split(",") if h.strip()]
    for rule in rules:
        if rule.matches(origin, method, wanted if preflight else ()):
            out = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            if preflight:
                out += [
                    ("Access-Control-Allow-Methods", ", ".join(rule.methods)),
                    ("Access-Control-Max-Age", str(rule.max_age_seconds)),
                ]
                if wanted:
                    out.append(("Access-Control-Allow-Headers", ", ".join(h.strip() for h in wanted)))
            else:
                out.append(("Access-Control-Expose-Headers", ", ".join(rule.response_headers)))
            return out
    return []


class UploadFront:
    """WSGI: PUT ``/<bucket>/<object>?X-Goog-...`` verified, then forwarded to ``storage``; downloads
    from ``storage``; CORS answered as a bucket with ``cors`` rules does."""

    def __init__(
        self,
        storage_url: str,
        public_key_pem: bytes,
        cors: Sequence[CorsRule] = (),
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        """``clock``: the time expiry is checked against (default: now; tests move it forward)."""
        self._storage = storage_url.rstrip("/")
        self._clock = clock
        self._public_key = public_key_pem
        self._lock = threading.Lock()
        self._cors = tuple(cors)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        origin = str(environ.get("HTTP_ORIGIN", ""))
        if method == "OPTIONS":
            asked = str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", ""))
            headers = cors_for(
                self._cors, origin, asked, str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")),
                preflight=True,
            )  # fmt: skip
            start_response("200 OK", [("Content-Length", "0"), *headers])
            return [b""]
        extra = cors_for(self._cors, origin, method, preflight=False)

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, *extra], exc_info)

        if method in ("GET", "HEAD"):
            return self._download(environ, respond, method)
        return self._upload(environ, respond, method)

    def _download(
        self, environ: dict[str, Any], start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        import requests

        path = str(environ.get("PATH_INFO", ""))
        query = str(environ.get("QUERY_STRING", ""))
        if not path.startswith("/download/storage/v1/b/"):
            return _reply(start_response, 404, "NoSuchKey", "only object downloads are served here")
        raw_uri = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
        raw_path = raw_uri.split("?", 1)[0] or quote(path, safe="/~")
        resp = requests.request(method, f"{self._storage}{raw_path}?{query}", timeout=60)
        if resp.status_code >= 400:
            return _reply(start_response, resp.status_code, "NoSuchKey", "the object does not exist")
        keep = ("Content-Type", "Content-Disposition", "Content-Length", "ETag", "Last-Modified")
        headers = [(k, v) for k, v in resp.headers.items() if k.title() in keep or k in keep]
        headers.append(("Cache-Control", "private, max-age=0"))
        start_response(f"{resp.status_code} {resp.reason}", headers)
        return [b"" if method == "HEAD" else resp.content]

    def _upload(self, environ: dict[str, Any], start_response: StartResponse, method: str) -> Iterable[bytes]:

        raw_uri = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
        raw_path = raw_uri.split("?", 1)[0] or quote(str(environ.get("PATH_INFO", "")), safe="/~")
        raw_query = str(environ.get("QUERY_STRING", ""))
        if method != "PUT":
            return _reply(start_response, 405, "MethodNotAllowed", "only signed PUT uploads are accepted")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return _reply(start_response, 400, "InvalidArgument", "bad Content-Length")
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        rejection = verify_v4_request(
            method=method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body_length=length,
            public_key_pem=self._public_key,
            now=self._clock() if self._clock else None,
        )
        if rejection is not None:
            return _reply(start_response, rejection.status, rejection.code, rejection.message)
        body = environ["wsgi.input"].read(length) if length else b""
        if headers.get(IF_GENERATION_MATCH) == "0":
            # As Cloud Storage does: generation-match 0 means "only if the object does not exist yet".
            # The emulator ignores the header, so the front checks and writes under one lock.
            with self._lock:
                if self._exists(raw_path):
                    return _reply(
                        start_response, 412, "PreconditionFailed", "the object already exists (generation 0)"
                    )
                return self._forward(start_response, raw_path, raw_query, headers, body)
        return self._forward(start_response, raw_path, raw_query, headers, body)

    def _exists(self, raw_path: str) -> bool:
        import requests

        bucket, _, name = raw_path.lstrip("/").partition("/")
        url = f"{self._storage}/storage/v1/b/{bucket}/o/{quote(unquote(name), safe='')}"
        return requests.get(url, timeout=60).status_code == 200

    def _forward(
        self,
        start_response: StartResponse,
        raw_path: str,
        raw_query: str,
        headers: dict[str, str],
        body: bytes,
    ) -> Iterable[bytes]:
        import requests

        resp = requests.put(
            f"{self._storage}{raw_path}?{raw_query}",
            data=body,
            headers={"Content-Type": headers.get("content-type", "application/octet-stream")},
            timeout=60,
        )
        start_response(f"{resp.status_code} {resp.reason}", [("Content-Type", "application/json")])
        return [resp.content]


def _reply(start_response: StartResponse, status: int, code: str, message: str) -> list[bytes]:
    reasons = {
        400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        412: "Precondition Failed",
    }  # fmt: skip
    start_response(f"{status} {reasons.get(status, 'Error')}", [("Content-Type", "application/json")])
    return [json.dumps({"error": {"code": code, "message": message}}).encode()]


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--storage", required=True, help="URL of the storage emulator")
    parser.add_argument("--public-key", type=Path, required=True, help="PEM public key of the signer")
    parser.add_argument(
        "--cors-origin", action="append", default=[], help="an origin the buckets' CORS rule allows (repeat)"
    )
    args = parser.parse_args(argv)
    rules = [CorsRule(tuple(o.rstrip("/") for o in args.cors_origin))] if args.cors_origin else []
    app = UploadFront(args.storage, args.public_key.read_bytes(), rules)
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()
