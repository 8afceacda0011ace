"""Pub/Sub publisher (the emulator is used automatically when ``PUBSUB_EMULATOR_HOST`` is set)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from zapdoc.domain.errors import TransientError


class PubSubBus:
    """``MessageBus`` on Pub/Sub; the client is created on first publish and reused."""

    def __init__(self, project: str, *, timeout: float = 30.0) -> None:
        self._project = project
        self._timeout = timeout
        self._client: Any = None
        self._lock = threading.Lock()

    def _publisher(self) -> Any:
        with self._lock:
            if self._client is None:
                from google.cloud.pubsub_v1 import PublisherClient

                self._client = PublisherClient()
            return self._client

    def topic_path(self, topic: str) -> str:
        return f"projects/{self._project}/topics/{topic}"

    def publish(
        self, topic: str, data: Mapping[str, Any], *, attributes: Mapping[str, str] | None = None
    ) -> str:
        from google.api_core import exceptions as gexc

        payload = json.dumps(dict(data), separators=(",", ":")).encode("utf-8")
        try:
            future = self._publisher().publish(self.topic_path(topic), payload, **dict(attributes or {}))
            message_id: str = future.result(timeout=self._timeout)
        except (gexc.GoogleAPICallError, TimeoutError) as exc:
            raise TransientError(f"could not publish to {topic}: {exc}") from exc
        return message_id

    def publish_all(self, topic: str, messages: Sequence[Mapping[str, Any]]) -> list[str]:
        from google.api_core import exceptions as gexc

        publisher = self._publisher()
        path = self.topic_path(topic)
        futures = [
            publisher.publish(path, json.dumps(dict(m), separators=(",", ":")).encode()) for m in messages
        ]
        try:
            return [str(f.result(timeout=self._timeout)) for f in futures]
        except (gexc.GoogleAPICallError, TimeoutError) as exc:
            raise TransientError(f"could not publish to {topic}: {exc}") from exc
