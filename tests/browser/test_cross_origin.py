"""CORS in a real browser: a page served from another origin that the setting allows calls the API, PUTs
to the signed URL and fetch()es the workbook; an origin not allowed gets no CORS headers anywhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.browser.conftest import WebStack
from tests.browser.support import id_token, invoice_pdf, verified_user
from zapdoc.dev.emulators import free_port

pytestmark = [pytest.mark.emulators, pytest.mark.slow]

PAGE = (
    b"<!doctype html><html lang='en'><head><title>third party</title></head><body>other origin</body></html>"
)

# Runs in the third-party page: the whole client flow with fetch(), as a browser app on another origin would.
CLIENT = """async ([api, token, b64]) => {
  const auth = { Authorization: `Bearer ${token}` };
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const created = await fetch(`${api}/v1/jobs`, {
    method: "POST", headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({
      template: "invoice",
      files: [{ name: "x.pdf", size: bytes.length, content_type: "application/pdf" }],
    }),
  });
  const job = await created.json();
  const up = job.files[0].upload;
  const put = await fetch(up.url, { method: up.method, headers: up.headers, body: bytes });
  let view = null;
  for (let i = 0; i < 240; i++) {
    view = await (await fetch(`${api}/v1/jobs/${job.id}`, { headers: auth })).json();
    if (view.download || ["rejected", "cancelled"].includes(view.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const got = await fetch(view.download.url);
  const head = new Uint8Array(await got.arrayBuffer()).slice(0, 2);
  return { created: created.status, location: created.headers.get("Location"), put: put.status,
           status: view.status, download: got.status, magic: String.fromCharCode(...head) };
}"""

REFUSED = """async ([api, token]) => {
  try { await fetch(`${api}/v1/me`, { headers: { Authorization: `Bearer ${token}` } }); return "answered"; }
  catch (e) { return `refused: ${e.name}`; }
}"""


def serve_page(port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def origins(web_stack: WebStack) -> Iterator[tuple[str, str]]:
    allowed, other = serve_page(web_stack.other_origin_port), serve_page(free_port())
    yield (f"http://127.0.0.1:{allowed.server_port}", f"http://127.0.0.1:{other.server_port}")
    for server in (allowed, other):
        server.shutdown()
        server.server_close()


def test_an_allowed_origin_calls_the_api_uploads_and_downloads(
    web_stack: WebStack, page: Any, origins: tuple[str, str]
) -> None:
    import base64

    # GIVEN a page on an origin the setting allows and a user's token
    allowed, _ = origins
    user = verified_user(web_stack.auth, web_stack.project)
    token = id_token(web_stack.auth, user)
    page.goto(allowed + "/")
    # WHEN its script creates a job, PUTs the file to the signed URL and fetch()es the workbook
    data = base64.b64encode(invoice_pdf(31)).decode()
    out = page.evaluate(CLIENT, [web_stack.urls["api"], token, data])
    # THEN every step succeeds across origins, and exposed headers are readable
    assert out["created"] == 201 and out["put"] == 200, out
    assert out["status"] == "delivered" and out["download"] == 200 and out["magic"] == "PK", out


def test_an_origin_not_allowed_gets_no_cors_headers(
    web_stack: WebStack, page: Any, origins: tuple[str, str]
) -> None:
    allowed, stranger = origins
    user = verified_user(web_stack.auth, web_stack.project)
    token = id_token(web_stack.auth, user)
    # WHEN a page on another origin calls the API THEN the browser refuses it
    page.goto(stranger + "/")
    assert page.evaluate(REFUSED, [web_stack.urls["api"], token]).startswith("refused")
    # AND no endpoint answers that origin with CORS headers, while the allowed one gets them (cached)
    api_pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    put_pre = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
    cases = [
        ("OPTIONS", web_stack.urls["api"] + "/v1/jobs", api_pre),
        ("OPTIONS", web_stack.urls["uploads"] + "/bucket/jobs/x/f000/a.pdf", put_pre),
        (
            "GET",
            web_stack.urls["uploads"]
            + f"/download/storage/v1/b/{web_stack.stack.results_bucket}/o/none?alt=media",
            {},
        ),
    ]
    for method, url, extra in cases:
        theirs = requests.request(method, url, headers={"Origin": stranger, **extra}, timeout=30)
        assert "Access-Control-Allow-Origin" not in theirs.headers, (url, dict(theirs.headers))
        ours = requests.request(method, url, headers={"Origin": allowed, **extra}, timeout=30)
        assert ours.headers.get("Access-Control-Allow-Origin") == allowed, (url, dict(ours.headers))
        if method == "OPTIONS":
            assert int(ours.headers["Access-Control-Max-Age"]) > 0
