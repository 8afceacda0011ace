"""A verifying front for the storage emulator (local stack and tests only).

gcp-storage-emulator accepts any PUT; this WSGI app checks a V4 signed upload as Cloud Storage would
(signature over object name, content type and size range; expiry; body size) and only then forwards
it to the emulator. ``python -m zapdoc.api.upload_front --port P --storage URL --public-key PEM``.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from zapdoc.adapters.signing import IF_GENERATION_MATCH, verify_v4_request

MAX_BODY = 256 * 1024 * 1024

StartResponse = Callable[..., Any]


class UploadFront:
    """WSGI: PUT ``/<bucket>/<object>?X-Goog-...`` verified, then forwarded to ``storage``."""

    def __init__(self, storage_url: str, public_key_pem: bytes) -> None:
        self._storage = storage_url.rstrip("/")
        self._public_key = public_key_pem
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:

        method = str(environ.get("REQUEST_METHOD", "GET"))
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
    reasons = {400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed", 412: "Precondition Failed"}
    start_response(f"{status} {reasons.get(status, 'Error')}", [("Content-Type", "application/json")])
    return [json.dumps({"error": {"code": code, "message": message}}).encode()]


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--storage", required=True, help="URL of the storage emulator")
    parser.add_argument("--public-key", type=Path, required=True, help="PEM public key of the signer")
    args = parser.parse_args(argv)
    app = UploadFront(args.storage, args.public_key.read_bytes())
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()
