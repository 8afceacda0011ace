"""The web app's static files (built by ``make web`` from ``web/`` into ``zapdoc/webapp/``), served from
the API's own origin, plus ``/config.json`` (the Firebase web config the page signs in with).

Same origin as ``/v1`` means the page needs no CORS for the API and one deployable (the ``api``
function) carries the app. Hashed assets under ``/assets/`` are cached for a year; ``index.html`` and
``/config.json`` are revalidated. Pre-compressed ``.br``/``.gz`` files are sent when the browser takes them.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Request, Response

from zapdoc.settings import ApiSettings

ASSETS = Path(__file__).resolve().parent.parent / "webapp"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
_PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin-allow-popups",  # Google sign-in uses a popup
}


def is_web_path(path: str) -> bool:
    """Paths the web app owns: everything that is not the ``/v1`` API."""
    return path != "/v1" and not path.startswith("/v1/")


def web_config(settings: ApiSettings) -> dict[str, object]:
    """What the page needs to sign in: the Firebase web config and, locally, the Auth emulator."""
    return {
        "firebase": {
            "apiKey": settings.firebase_api_key,
            "authDomain": settings.firebase_auth_domain or f"{settings.firebase_project}.firebaseapp.com",
            "projectId": settings.firebase_project,
        },
        # Set only on the local stack (FIREBASE_AUTH_EMULATOR_HOST); never in production.
        "authEmulator": f"http://{settings.auth_emulator_host}" if settings.auth_emulator_host else None,
        "googleSignIn": not settings.auth_emulator_host,
    }


def serve(request: Request, settings: ApiSettings, root: Path | None = None) -> Response:
    """The static file for ``request.path`` (``/`` is ``index.html``), or a JSON 404/405."""
    from zapdoc.api import http as H

    root = root or ASSETS
    if request.method not in ("GET", "HEAD"):
        return H.error_response(H.ApiError(405, "method_not_allowed", "use GET", {"Allow": "GET, HEAD"}))
    path = "/" + request.path.strip("/")
    if path == "/config.json":
        resp = H.json_response(web_config(settings))
        resp.headers["Cache-Control"] = "no-cache"
        return resp
    name = "index.html" if path == "/" else path.lstrip("/")
    target = (root / name).resolve()
    if root.resolve() not in target.parents or not target.is_file() or target.suffix in (".gz", ".br"):
        if not (root / "index.html").is_file():
            message = "the web app is not built: run `make web` (npm ci and esbuild in web/)"
            return H.error_response(H.ApiError(404, "not_found", message))
        return H.error_response(H.not_found("page"))
    accepted = request.headers.get("Accept-Encoding", "")
    body_path, encoding = target, ""
    for suffix, enc in ((".br", "br"), (".gz", "gzip")):
        packed = target.with_name(target.name + suffix)
        if enc in accepted and packed.is_file():
            body_path, encoding = packed, enc
            break
    ctype = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    resp = Response(
        b"" if request.method == "HEAD" else body_path.read_bytes(), status=200, content_type=ctype
    )
    if request.method == "HEAD":
        resp.headers["Content-Length"] = str(body_path.stat().st_size)
    if encoding:
        resp.headers["Content-Encoding"] = encoding
    resp.headers["Vary"] = "Accept-Encoding"
    hashed = name.startswith("assets/")
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable" if hashed else "no-cache"
    for key, value in _PAGE_HEADERS.items():
        resp.headers[key] = value
    return resp


def manifest(root: Path | None = None) -> dict[str, object]:
    """The build's ``manifest.json`` (file names and sizes), for tests and the packaging check."""
    data: dict[str, object] = json.loads(((root or ASSETS) / "manifest.json").read_text())
    return data
