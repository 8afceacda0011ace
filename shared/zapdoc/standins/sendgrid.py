"""A local SendGrid stand-in: accepts ``POST /v3/mail/send`` and writes each message as an .eml file.

Point the real client at it with ``ZAPDOC_SENDGRID_BASE_URL=http://127.0.0.1:PORT``; messages (with
their attachments) land in the outbox directory (``.outbox/`` in the local stack). Failures can be
scripted (``fail_next(429)``) to exercise the mailer's retry path.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import collections
import email.message
import email.policy
import email.utils
import json
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from zapdoc.standins._http import LoopbackServer


def message_from_request(body: dict[str, Any]) -> email.message.EmailMessage:
    """Turn a v3 mail/send body into the MIME message SendGrid would deliver."""
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    sender = body.get("from") or {}
    msg["From"] = (
        f"{sender.get('name')} <{sender.get('email')}>" if sender.get("name") else str(sender.get("email"))
    )
    tos = [t for p in body.get("personalizations") or [] for t in p.get("to") or []]
    msg["To"] = ", ".join(str(t.get("email")) for t in tos)
    subject = body.get("subject") or next(
        (p.get("subject") for p in body.get("personalizations") or [] if p.get("subject")), ""
    )
    msg["Subject"] = str(subject)
    custom = {str(k): str(v) for k, v in (body.get("headers") or {}).items()}
    for p in body.get("personalizations") or []:
        custom.update({str(k): str(v) for k, v in (p.get("headers") or {}).items()})
    # SendGrid stamps Date and Message-ID when the sender does not set them
    msg["Date"] = custom.pop("Date", "") or email.utils.formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = custom.pop("Message-ID", "") or f"<{uuid.uuid4().hex}@sendgrid.stand-in>"
    for name, value in custom.items():
        msg[name] = value
    key = (body.get("custom_args") or {}).get("zapdoc_key")
    if key:
        msg["X-Zapdoc-Key"] = str(key)
    contents = {c.get("type"): str(c.get("value") or "") for c in body.get("content") or []}
    msg.set_content(contents.get("text/plain", ""))
    if "text/html" in contents:
        msg.add_alternative(contents["text/html"], subtype="html")
    for att in body.get("attachments") or []:
        data = base64.b64decode(str(att.get("content") or ""), validate=True)
        maintype, _, subtype = str(att.get("type") or "application/octet-stream").partition("/")
        msg.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.get("filename")
        )
    return msg


class SendGridStandIn(LoopbackServer):
    """Threaded loopback server capturing mail as .eml files under ``outbox``."""

    def __init__(self, outbox: Path) -> None:
        super().__init__()
        self.outbox = Path(outbox)
        self.requests: list[dict[str, Any]] = []
        self._failures: collections.deque[int] = collections.deque()
        self._lock = threading.Lock()

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these HTTP statuses (e.g. 429, 500) before accepting again."""
        with self._lock:
            self._failures.extend(statuses)

    def messages(self) -> list[Path]:
        return sorted(self.outbox.glob("*.eml"))

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any] | None]:
        if path.rstrip("/") != "/v3/mail/send":
            return 404, {"errors": [{"message": f"no route {path}"}]}
        if not headers.get("authorization", "").startswith("Bearer "):
            return 401, {"errors": [{"message": "authorization required"}]}
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            return failure, {"errors": [{"message": f"scripted failure {failure}"}]}
        try:
            body = json.loads(raw)
            msg = message_from_request(body)
        except (ValueError, binascii.Error) as exc:
            return 400, {"errors": [{"message": f"bad request: {exc}"}]}
        if not msg["To"] or not msg["Subject"]:
            return 400, {"errors": [{"message": "to and subject are required"}]}
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.outbox / f".{name}.tmp"
        tmp.write_bytes(msg.as_bytes())
        tmp.rename(self.outbox / name)  # atomic: readers never see half a message
        with self._lock:
            self.requests.append(body)
        return 202, None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = standin._handle(self.path, headers, raw)
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                if status == 429:
                    self.send_header("X-RateLimit-Reset", str(int(time.time()) + 1))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self.send_response(200 if self.path == "/healthz" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler


def main() -> None:
    """``python -m zapdoc.standins.sendgrid --port P --outbox DIR``: serve until SIGTERM."""
    parser = argparse.ArgumentParser(description="Local SendGrid stand-in writing .eml files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--outbox", type=Path, default=Path(".outbox"))
    args = parser.parse_args()
    server = SendGridStandIn(args.outbox)
    print(server.start(port=args.port, host=args.host), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
