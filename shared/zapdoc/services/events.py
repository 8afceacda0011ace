"""Typed events at the function boundary, and the ack/retry decision every entry point shares.

A handler returns normally to acknowledge and raises to have the event redelivered: ``TransientError``
and unexpected errors are raised (retry); ``PermanentError`` and events older than the maximum age are
logged and acknowledged (retrying cannot help).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from zapdoc import logging as zlog
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.services.runtime import Runtime

if TYPE_CHECKING:
    from zapdoc.ports.webhooks import WebhookSender

log = logging.getLogger("zapdoc.events")

T = TypeVar("T")


@dataclass(frozen=True)
class StorageObjectFinalized:
    """``google.cloud.storage.object.v1.finalized``: which object generation was written."""

    event_id: str
    bucket: str
    name: str
    generation: str
    time: dt.datetime | None

    @classmethod
    def from_cloudevent(cls, attributes: Mapping[str, Any], data: Any) -> StorageObjectFinalized:
        if not isinstance(data, Mapping) or not data.get("bucket") or not data.get("name"):
            raise PermanentError("storage event without bucket/name")
        return cls(
            event_id=str(attributes.get("id", "")),
            bucket=str(data["bucket"]),
            name=str(data["name"]),
            generation=str(data.get("generation") or ""),
            time=_parse_time(attributes.get("time")),
        )


@dataclass(frozen=True)
class MessagePublished:
    """``google.cloud.pubsub.topic.v1.messagePublished``: a JSON message from one of our topics."""

    message_id: str
    data: dict[str, Any]
    attributes: dict[str, str]
    published: dt.datetime | None

    @classmethod
    def from_cloudevent(cls, attributes: Mapping[str, Any], data: Any) -> MessagePublished:
        message = data.get("message") if isinstance(data, Mapping) else None
        if not isinstance(message, Mapping):
            raise PermanentError("Pub/Sub event without a message")
        try:
            payload = json.loads(base64.b64decode(str(message.get("data") or "")).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PermanentError(f"message data is not base64 JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise PermanentError("message data is not a JSON object")
        return cls(
            message_id=str(message.get("messageId") or message.get("message_id") or attributes.get("id", "")),
            data=payload,
            attributes={str(k): str(v) for k, v in (message.get("attributes") or {}).items()},
            published=_parse_time(message.get("publishTime") or attributes.get("time")),
        )

    def require(self, *keys: str) -> tuple[str, ...]:
        values = tuple(str(self.data.get(k) or "") for k in keys)
        if not all(values[: len(keys)]):
            missing = [k for k, v in zip(keys, values, strict=True) if not v]
            raise PermanentError(f"message lacks {', '.join(missing)}")
        return values


def _parse_time(raw: Any) -> dt.datetime | None:
    if not raw:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class EventTooOld(PermanentError):
    """The event waited longer than the maximum age: give up instead of retrying for a day."""


def check_age(rt: Runtime, when: dt.datetime | None) -> None:
    if when is not None and rt.clock() - when > rt.settings.event_max_age:
        raise EventTooOld(f"event from {when.isoformat()} is older than the maximum age")


def on_upload(rt: Runtime, attributes: Mapping[str, Any], data: Any) -> object:
    """Storage finalize → intake."""
    from zapdoc.services.intake import handle_upload

    obj = StorageObjectFinalized.from_cloudevent(attributes, data)
    zlog.bind(event_id=obj.event_id)
    check_age(rt, obj.time)
    return handle_upload(rt, bucket=obj.bucket, name=obj.name, generation=obj.generation)


def on_document(rt: Runtime, step: str, attributes: Mapping[str, Any], data: Any) -> object:
    """A ``documents`` message → extract or classify."""
    from zapdoc.services.extract import classify_document, extract_document

    message = MessagePublished.from_cloudevent(attributes, data)
    job_id, document_id = message.require("job_id", "document_id")
    zlog.bind(job_id=job_id, document_id=document_id, message_id=message.message_id)
    check_age(rt, message.published)
    handler = extract_document if step == "extract" else classify_document
    return handler(rt, job_id, document_id)


def on_result(rt: Runtime, attributes: Mapping[str, Any], data: Any) -> object:
    """A ``document-results`` message → assemble."""
    from zapdoc.services.assemble import assemble_job

    message = MessagePublished.from_cloudevent(attributes, data)
    (job_id,) = message.require("job_id")
    zlog.bind(job_id=job_id, message_id=message.message_id)
    check_age(rt, message.published)
    return assemble_job(rt, job_id)


def on_webhook(rt: Runtime, sender: WebhookSender, attributes: Mapping[str, Any], data: Any) -> object:
    """A ``zapdoc-webhooks`` message → one delivery attempt. No maximum event age here: the delivery
    record itself says when to give up (a day, ``services.webhooks.WEBHOOK_MAX_AGE``)."""
    from zapdoc.services.webhooks import deliver

    message = MessagePublished.from_cloudevent(attributes, data)
    (event_id,) = message.require("event_id")
    zlog.bind(webhook_event_id=event_id, message_id=message.message_id)
    return deliver(rt, event_id, sender)


def run(name: str, handler: Callable[[], T]) -> T | None:
    """Run one invocation with fresh log ids; decide ack (return) or retry (raise)."""
    with zlog.invocation(function=name):
        started = time.monotonic()
        try:
            result = handler()
        except PermanentError as exc:
            zlog.event(log, f"permanent failure, event acknowledged: {exc}", logging.ERROR)
            return None
        except TransientError as exc:
            zlog.event(log, f"transient failure, event will be redelivered: {exc}", logging.WARNING)
            raise
        except Exception:
            log.exception("unexpected failure, event will be redelivered")
            raise
        zlog.event(log, "handled", outcome=str(result), seconds=round(time.monotonic() - started, 3))
        return result
