"""Message bus port: publish one small JSON message to a topic (Pub/Sub in production)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class MessageBus(Protocol):
    def publish(
        self, topic: str, data: Mapping[str, Any], *, attributes: Mapping[str, str] | None = None
    ) -> str:
        """Publish and wait until the bus accepted the message; returns its message id."""
        ...

    def publish_all(self, topic: str, messages: Sequence[Mapping[str, Any]]) -> list[str]:
        """Publish several messages concurrently and wait until the bus accepted all of them."""
        ...
