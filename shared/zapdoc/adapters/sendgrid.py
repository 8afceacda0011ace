"""SendGrid mailer on the real ``sendgrid`` client; the API host is a setting so a local stand-in can
capture mail (``ZAPDOC_SENDGRID_BASE_URL``)."""

from __future__ import annotations

import base64
import threading
from typing import Any

from zapdoc.domain.errors import ConfigError, PermanentError, TransientError
from zapdoc.ports.mailer import Mail

DEFAULT_HOST = "https://api.sendgrid.com"


def _split_sender(sender: str) -> tuple[str, str | None]:
    """``"Name <a@b>"`` → (``a@b``, ``Name``); a bare address has no name."""
    if "<" in sender and sender.endswith(">"):
        name, _, addr = sender[:-1].partition("<")
        return addr.strip(), name.strip() or None
    return sender.strip(), None


def build_message(mail: Mail, sender: str) -> dict[str, Any]:
    """The v3 ``/mail/send`` JSON body for ``mail`` (built with the SDK's helpers)."""
    from sendgrid.helpers.mail import (
        Attachment,
        CustomArg,
        Disposition,
        FileContent,
        FileName,
        FileType,
        From,
        Header,
    )
    from sendgrid.helpers.mail import Mail as SgMail

    address, name = _split_sender(sender)
    message = SgMail(
        from_email=From(address, name),
        to_emails=mail.to,
        subject=mail.subject,
        plain_text_content=mail.text or None,
        html_content=mail.html,
    )
    for item in mail.attachments:
        message.add_attachment(
            Attachment(
                FileContent(base64.b64encode(item.content).decode("ascii")),
                FileName(item.filename),
                FileType(item.mime_type),
                Disposition("attachment"),
            )
        )
    if mail.key:
        message.add_custom_arg(CustomArg("zapdoc_key", mail.key))
    for name, value in mail.headers:
        message.add_header(Header(name, value))
    body: dict[str, Any] = message.get()
    return body


class SendGridMailer:
    """``Mailer`` on SendGrid's v3 API; 429/5xx become ``TransientError``, other refusals permanent."""

    def __init__(self, api_key: str, sender: str, *, host: str = "") -> None:
        if not api_key:
            raise ConfigError("SENDGRID_API_KEY is not set")
        self._api_key = api_key
        self._sender = sender
        self._host = (host or DEFAULT_HOST).rstrip("/")
        self._client: Any = None
        self._lock = threading.Lock()

    def _sg(self) -> Any:
        with self._lock:
            if self._client is None:
                import sendgrid

                self._client = sendgrid.SendGridAPIClient(api_key=self._api_key, host=self._host)
            return self._client

    def send(self, mail: Mail) -> None:
        from python_http_client import exceptions as http_exc

        try:
            response = self._sg().client.mail.send.post(request_body=build_message(mail, self._sender))
        except http_exc.HTTPError as exc:
            status = int(getattr(exc, "status_code", 0) or 0)
            detail = getattr(exc, "body", b"")
            if status == 429 or status >= 500:
                raise TransientError(f"SendGrid answered {status}; retry later") from exc
            raise PermanentError(f"SendGrid refused the mail ({status}): {detail!r:.300}") from exc
        except OSError as exc:  # connection refused/reset, DNS, timeouts
            raise TransientError(f"SendGrid is unreachable: {exc}") from exc
        status = int(getattr(response, "status_code", 0) or 0)
        if status >= 300:
            raise TransientError(f"SendGrid answered {status}")
