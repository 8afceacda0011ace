"""Port: sending one signed webhook request to a user's endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body``; the HTTP status, or raise ``TransientError`` for a network failure."""
        ...
