"""Port: sending one signed webhook request to a user's endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, address: str) -> int:
        """POST ``body`` to ``url`` over a connection to ``address`` (the IP the URL guard checked; the
        host is not resolved again, and TLS still verifies the certificate for the URL's host); the HTTP
        status, or raise ``TransientError`` for a network failure."""
        ...
