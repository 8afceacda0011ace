"""Mail port: send one message with optional attachments (SendGrid in production)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    html: str
    text: str = ""
    attachments: tuple[Attachment, ...] = field(default=())
    # Correlates retries of the same logical mail (custom arg / header); not a dedupe guarantee.
    key: str = ""
    # Extra MIME headers, e.g. ("Date", ...), ("Message-ID", ...) (see zapdoc.mails).
    headers: tuple[tuple[str, str], ...] = field(default=())


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Send or raise (``TransientError`` when a retry may help, ``PermanentError`` otherwise)."""
        ...
