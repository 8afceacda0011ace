"""Job webhooks for API users: a per-user signing secret and default URL, one event per job end,
delivered at least once by its own function (topic ``zapdoc-webhooks`` → ``deliver_webhook``), apart from
the mail, so a slow or failing receiver never holds up or repeats the email.

- ``queue_job_event`` (at a job's end): creates ``webhook_deliveries/<event id>`` once and publishes its
  id. A redelivered assemble finds the record and publishes nothing new.
- ``deliver`` (per message): POSTs the signed event; a 2xx marks it delivered (later copies of the message
  are acknowledged without a request), anything else raises so Pub/Sub retries with backoff; after
  ``WEBHOOK_MAX_AGE`` it gives up. Attempts and the last status are copied onto the job.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

from zapdoc.domain import job_model
from zapdoc.domain import webhooks as W
from zapdoc.domain.errors import PermanentError, TransientError, UsageError
from zapdoc.domain.records import AssemblyFields, DocFields, JobFields, WebhookFields
from zapdoc.logging import event
from zapdoc.ports.store import AlreadyExists, Conflict, Create, Order, Put, Query, Remove, Update, Where
from zapdoc.ports.webhooks import WebhookSender
from zapdoc.services.idempotency import Claim
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.webhooks")

WEBHOOK_MAX_AGE = dt.timedelta(days=1)
REDRIVE_AFTER = dt.timedelta(minutes=15)
"""A delivery not attempted for this long has lost its message (dead-lettered, or never published):
the sweep publishes it again. Pub/Sub's own retries come at most 10 minutes apart (terraform/pubsub.tf)."""
LINK_TTL = dt.timedelta(hours=1)
API_VERSION = "2026-12-01"
_NOT_OK = (job_model.DocStatus.FAILED, job_model.DocStatus.REJECTED)
_ON_JOB = ("state", "attempts", "last_status", "last_error", "delivered_at", "last_attempt_at")


def settings_path(user_id: str) -> str:
    return f"webhook_settings/{user_id}"


def delivery_path(event_id: str) -> str:
    return f"webhook_deliveries/{event_id}"


# --- per-user settings ---------------------------------------------------------------------------


def user_settings(rt: Runtime, user_id: str) -> dict[str, Any]:
    snap = rt.store.get(settings_path(user_id))
    return dict(snap.data) if snap else {}


def public_settings(rt: Runtime, user_id: str) -> dict[str, Any]:
    data = user_settings(rt, user_id)
    secret = str(data.get("secret") or "")
    return {
        "default_url": data.get("default_url") or None,
        "secret_set": bool(secret),
        "secret_hint": f"{secret[:10]}…" if secret else None,
        "secret_created_at": data.get("secret_created_at"),
    }


def rotate_secret(rt: Runtime, user_id: str) -> str:
    """A new signing secret (the old one stops working at once); returned here only, never again."""
    secret = W.new_secret()
    now = rt.clock()
    fields = {"secret": secret, "secret_created_at": now, "updated_at": now}
    rt.store.commit([Put(settings_path(user_id), fields, merge=True)])
    event(log, "webhook secret rotated", user_id=user_id)
    return secret


def ensure_secret(rt: Runtime, user_id: str) -> str | None:
    """Create the user's secret if there is none; the new secret, or None when one existed.

    Concurrent callers agree: only the one whose write lands (create, or a version-checked update of
    settings saved without a secret) gets the secret back."""
    for _ in range(5):
        snap = rt.store.get(settings_path(user_id))
        if snap is not None and snap.data.get("secret"):
            return None
        secret = W.new_secret()
        now = rt.clock()
        fields = {"secret": secret, "secret_created_at": now, "updated_at": now}
        try:
            if snap is None:
                rt.store.commit([Create(settings_path(user_id), fields)])
            else:
                rt.store.commit([Update(settings_path(user_id), fields, if_version=snap.version)])
        except Conflict:  # another request wrote first: read again
            continue
        event(log, "webhook secret created", user_id=user_id)
        return secret
    raise TransientError("the webhook settings keep changing; retry")


def set_default_url(rt: Runtime, user_id: str, url: str | None, *, allow_loopback: bool) -> str | None:
    """Validate and store (or with None, remove) the user's default webhook URL."""
    checked = W.check_url(url, allow_loopback=allow_loopback) if url is not None else None
    rt.store.commit(
        [Put(settings_path(user_id), {"default_url": checked, "updated_at": rt.clock()}, merge=True)]
    )
    return checked


def job_webhook_url(rt: Runtime, user_id: str, requested: object, *, allow_loopback: bool) -> str | None:
    """The URL a new job reports to: the one asked for, else the user's default, else none."""
    if requested is not None:
        return W.check_url(requested, allow_loopback=allow_loopback)
    default = user_settings(rt, user_id).get("default_url")
    return str(default) if default else None


# --- events ----------------------------------------------------------------------------------------


def queue_job_event(rt: Runtime, job_id: str, job: Mapping[str, Any], status: str) -> bool:
    """Queue the job's end event once (no-op without a webhook URL); True when one is queued."""
    url = job.get(JobFields.WEBHOOK_URL)
    kind = W.EVENT_TYPES.get(status)
    if not url or kind is None:
        return False
    event_id = W.event_id(job_id, status)
    now = rt.clock()
    record = {
        "event_id": event_id, "type": kind, "job_id": job_id, "user_id": job.get(JobFields.USER_ID),
        "url": url, "state": "pending", "attempts": 0, "last_status": None, "created_at": now,
    }  # fmt: skip
    try:
        rt.store.commit(
            [
                Create(delivery_path(event_id), record),
                Update(
                    job_model.job_path(job_id),
                    {
                        JobFields.webhook(WebhookFields.EVENT_ID): event_id,
                        JobFields.webhook(WebhookFields.STATE): "pending",
                        JobFields.webhook(WebhookFields.ATTEMPTS): 0,
                    },
                ),
            ]
        )
    except AlreadyExists:
        snap = rt.store.get(delivery_path(event_id))
        if snap is not None and snap.data.get("published"):
            return True  # queued before (a redelivered assemble): nothing new
    rt.bus.publish(rt.settings.webhooks_topic, {"event_id": event_id})
    rt.store.commit([Update(delivery_path(event_id), {"published": True})])
    event(log, "webhook event queued", event_id=event_id, type=kind)
    return True


def job_link(rt: Runtime, job_id: str) -> str | None:
    base = rt.settings.public_url.rstrip("/")
    return f"{base}/#/jobs/{job_id}" if base else None


def event_body(rt: Runtime, record: Mapping[str, Any], job: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON event: the job's public fields, its page and (delivered) a short-lived download link."""
    from zapdoc.services import jobs

    job_id = str(record["job_id"])
    docs = jobs.list_documents(rt, job_id)
    download = None
    if job.get(JobFields.STATUS) == job_model.JobStatus.DELIVERED:
        name = str(
            (job.get(JobFields.ASSEMBLY) or {}).get(AssemblyFields.WORKBOOK)
            or job_model.results_object_name(job_id)
        )
        download = {
            "url": rt.blobs.download_url(rt.settings.results_bucket, name, LINK_TTL),
            "expires_at": _iso(rt.clock() + LINK_TTL),
        }
    public = {
        "id": job_id,
        "status": job.get(JobFields.STATUS),
        "template": job.get(JobFields.TEMPLATE),
        "created_at": _iso(job.get(JobFields.CREATED_AT)),
        "updated_at": _iso(job.get(JobFields.UPDATED_AT)),
        "credits": {
            "charged": int(job.get(JobFields.CHARGED) or 0),
            "refunded": int(job.get(JobFields.REFUNDED) or 0),
        },
        "reason": job.get(JobFields.REASON) or None,
        "documents": {
            "total": len(docs),
            "ok": sum(1 for d in docs if d.data.get(DocFields.STATUS) == job_model.DocStatus.DONE),
            "failed": sum(1 for d in docs if d.data.get(DocFields.STATUS) in _NOT_OK),
        },
        "url": job_link(rt, job_id),
        "download": download,
    }
    created = record.get("created_at")
    return {
        "id": record["event_id"],
        "type": record["type"],
        "api_version": API_VERSION,
        "created": int(created.timestamp()) if isinstance(created, dt.datetime) else None,
        "data": {"job": public},
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime) else None


def deliver(rt: Runtime, event_id: str, sender: WebhookSender) -> str:
    """One delivery attempt of ``event_id``: "delivered", "already" (nothing sent), "gave_up"; raises
    ``TransientError`` after a failed attempt so the message is redelivered with backoff."""
    from zapdoc.services import jobs

    snap = rt.store.get(delivery_path(event_id))
    if snap is None:
        raise PermanentError(f"unknown webhook event {event_id}")
    record = snap.data
    if record.get("state") in ("delivered", "failed"):
        return "already"
    now = rt.clock()
    created = record.get("created_at")
    job_id = str(record["job_id"])
    if isinstance(created, dt.datetime) and now - created > WEBHOOK_MAX_AGE:
        _record(rt, event_id, job_id, {"state": "failed", "gave_up_at": now})
        event(log, "webhook given up", logging.WARNING, event_id=event_id, attempts=record.get("attempts"))
        return "gave_up"
    idem = jobs.idempotency(rt)
    key = f"webhook:{event_id}"
    claim = idem.claim(key, lease=dt.timedelta(minutes=2))
    if claim is Claim.IN_PROGRESS:
        raise TransientError("this webhook event is being delivered by another invocation")
    if claim is Claim.COMPLETED:
        return "already"
    fresh = rt.store.get(delivery_path(event_id))  # read again under the claim: another copy may have
    record = fresh.data if fresh is not None else record  # counted an attempt since the first read
    if record.get("state") in ("delivered", "failed"):
        idem.complete(key)
        return "already"
    try:
        status, error = _attempt(rt, record, sender)
    except BaseException:
        idem.release(key)
        raise
    attempts = int(record.get("attempts") or 0) + 1
    fields: dict[str, Any] = {"attempts": attempts, "last_status": status, "last_error": error,
                              "last_attempt_at": now}  # fmt: skip
    if status is not None and 200 <= status < 300:
        fields.update(state="delivered", delivered_at=now)
        _record(rt, event_id, job_id, fields)
        idem.complete(key)
        event(log, "webhook delivered", event_id=event_id, attempts=attempts, status=status)
        return "delivered"
    fields["state"] = "retrying"
    _record(rt, event_id, job_id, fields)
    idem.release(key)
    event(log, "webhook attempt failed", logging.WARNING, event_id=event_id, attempts=attempts,
          status=status, error=error)  # fmt: skip
    raise TransientError(f"webhook receiver answered {status if status is not None else error}")


def redrive_stale(rt: Runtime) -> list[str]:
    """Publish again the deliveries still pending or retrying whose last attempt is older than
    ``REDRIVE_AFTER`` (the sweep's safety net; a copy too many is acknowledged without a request)."""
    now = rt.clock()
    redriven = []
    # only deliveries idle long enough, oldest first, at most sweep_batch per state (a bounded read)
    for state, since in (("pending", "created_at"), ("retrying", "last_attempt_at")):
        stale = (Where("state", "==", state), Where(since, "<=", now - REDRIVE_AFTER))
        query = Query("webhook_deliveries", stale, order_by=(Order(since),), limit=rt.settings.sweep_batch)
        for snap in rt.store.query(query):
            last = snap.data.get("last_attempt_at") or snap.data.get("created_at")
            if isinstance(last, dt.datetime) and now - last < REDRIVE_AFTER:
                continue
            rt.bus.publish(rt.settings.webhooks_topic, {"event_id": snap.id})
            redriven.append(snap.id)
    if redriven:
        event(log, "webhook events re-driven", count=len(redriven))
    return redriven


def _attempt(rt: Runtime, record: Mapping[str, Any], sender: WebhookSender) -> tuple[int | None, str | None]:
    from zapdoc.services import jobs

    user_id = str(record.get("user_id") or "")
    secret = str(user_settings(rt, user_id).get("secret") or "")
    if not secret:
        return None, "the account has no webhook secret"
    job = jobs.get_job(rt, str(record["job_id"]))
    if job is None:
        return None, "the job no longer exists"
    try:
        target = W.check_target(record.get("url"), allow_loopback=rt.settings.webhook_allow_loopback)
    except UsageError as exc:  # e.g. the host now resolves to a private address (DNS rebinding)
        return None, str(exc)
    body = json.dumps(event_body(rt, record, job.data), separators=(",", ":"), default=str).encode()
    timestamp = int(rt.clock().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ZapDoc-Webhooks/1",
        W.SIGNATURE_HEADER: W.sign(secret, body, timestamp),
        W.EVENT_ID_HEADER: str(record["event_id"]),
    }
    try:
        return sender.post(target.url, body, headers, address=target.address), None  # no second lookup
    except TransientError as exc:
        return None, str(exc)


def _record(rt: Runtime, event_id: str, job_id: str, fields: Mapping[str, Any]) -> None:
    job_fields = {f"webhook.{k}": v for k, v in fields.items() if k in _ON_JOB}
    writes: list[Update | Remove] = [Update(delivery_path(event_id), dict(fields))]
    if rt.store.get(job_model.job_path(job_id)) is not None:
        writes.append(Update(job_model.job_path(job_id), job_fields))
    rt.store.commit(writes)
