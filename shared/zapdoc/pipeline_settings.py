"""Settings of the cloud pipeline (functions and local stack), read from the environment.

Explicit arguments beat the environment; a missing required value fails fast naming the variable.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

from zapdoc.domain.errors import ConfigError


def _str(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ConfigError(f"{name} is not set")
    return default


def _number(env: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def _allow_loopback(env: Mapping[str, str]) -> bool:
    """``ZAPDOC_WEBHOOK_ALLOW_LOOPBACK``: the local stack's receivers; refused on Cloud Functions (SSRF)."""
    allowed = env.get("ZAPDOC_WEBHOOK_ALLOW_LOOPBACK", "").strip().lower() in ("1", "true", "yes")
    if allowed and env.get("K_SERVICE"):
        raise ConfigError("ZAPDOC_WEBHOOK_ALLOW_LOOPBACK must not be set on Cloud Functions")
    return allowed


@dataclass(frozen=True)
class CloudSettings:
    """Everything the pipeline functions read from their environment."""

    project: str
    uploads_bucket: str
    results_bucket: str
    documents_topic: str = "documents"
    results_topic: str = "document-results"
    mail_from: str = "ZapDoc <no-reply@zapdoc.example>"
    sendgrid_api_key: str = ""
    sendgrid_base_url: str = ""
    public_url: str = ""  # the web app's base URL; mails link to <public_url>/#/jobs/<id> (CONVENTIONS.md)
    file_arrival_timeout: dt.timedelta = dt.timedelta(hours=1)
    document_max_age: dt.timedelta = dt.timedelta(hours=2)
    event_max_age: dt.timedelta = dt.timedelta(hours=6)
    max_attempts: int = 8
    lease: dt.timedelta = dt.timedelta(seconds=30)
    """Lease of a step's claim (intake of a file, extraction of a document, assembly of a job;
    ``ZAPDOC_LEASE_S``): renewed every third of it while the step works, so a crashed step is taken
    over by the first redelivery after one lease."""
    retention: dt.timedelta = dt.timedelta(0)
    attachment_limit_bytes: int = 20 * 1024 * 1024
    download_link_ttl: dt.timedelta = dt.timedelta(days=7)
    idempotency_ttl: dt.timedelta = dt.timedelta(days=2)
    inspect_timeout_s: float = 30.0
    inspect_memory_mb: int = 1024
    max_open_jobs: int = 10
    max_job_pages: int = 10_000
    """Pages one job may hold (``ZAPDOC_MAX_JOB_PAGES``); counting stops past it."""
    max_job_documents: int = 2_000
    """Documents one job may hold (``ZAPDOC_MAX_JOB_DOCUMENTS``): entries x pages stay bounded."""
    max_page_chars: int = 12_000
    """Text kept per page (``ZAPDOC_MAX_PAGE_CHARS``): a dense printed page has 3,000-6,000 characters;
    more is cut, with a note in the row, so one credit cannot buy an unbounded prompt."""
    max_document_tokens: int = 500_000
    """Prompt tokens (estimated at 4 characters a token) one document may cost
    (``ZAPDOC_MAX_DOCUMENT_TOKENS``); above it the document fails with a reason and is refunded."""
    """Jobs of one user not yet delivered, rejected or cancelled (``ZAPDOC_MAX_OPEN_JOBS``)."""
    analytics_topic: str = ""  # production: the topic a BigQuery subscription reads; "" = Firestore only
    webhooks_topic: str = "zapdoc-webhooks"  # webhook events, delivered by the deliver_webhook function
    webhook_allow_loopback: bool = False  # local stack: receivers on loopback
    overdue_grace: dt.timedelta = dt.timedelta(minutes=30)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> CloudSettings:
        """Read ``ZAPDOC_*`` variables (and ``GOOGLE_CLOUD_PROJECT``); ``overrides`` win."""
        e = os.environ if env is None else env
        project = _str(e, "GOOGLE_CLOUD_PROJECT", e.get("GCLOUD_PROJECT", "").strip() or None)
        values: dict[str, object] = {
            "project": project,
            "uploads_bucket": _str(e, "ZAPDOC_UPLOADS_BUCKET", f"{project}-uploads"),
            "results_bucket": _str(e, "ZAPDOC_RESULTS_BUCKET", f"{project}-results"),
            "documents_topic": _str(e, "ZAPDOC_DOCUMENTS_TOPIC", "documents"),
            "results_topic": _str(e, "ZAPDOC_RESULTS_TOPIC", "document-results"),
            "mail_from": _str(e, "ZAPDOC_MAIL_FROM", cls.mail_from),
            "sendgrid_api_key": e.get("SENDGRID_API_KEY", "").strip(),
            "sendgrid_base_url": e.get("ZAPDOC_SENDGRID_BASE_URL", "").strip(),
            "public_url": e.get("ZAPDOC_PUBLIC_URL", "").strip().rstrip("/"),
            "file_arrival_timeout": dt.timedelta(
                seconds=_number(e, "ZAPDOC_FILE_ARRIVAL_TIMEOUT_S", 3600, minimum=1)
            ),
            "document_max_age": dt.timedelta(
                seconds=_number(e, "ZAPDOC_DOCUMENT_MAX_AGE_S", 7200, minimum=1)
            ),
            "event_max_age": dt.timedelta(seconds=_number(e, "ZAPDOC_EVENT_MAX_AGE_S", 6 * 3600, minimum=1)),
            "max_attempts": int(_number(e, "ZAPDOC_MAX_ATTEMPTS", 8, minimum=1)),
            "lease": dt.timedelta(seconds=_number(e, "ZAPDOC_LEASE_S", 30, minimum=1)),
            "retention": dt.timedelta(seconds=_number(e, "ZAPDOC_RETENTION_S", 0)),
            "attachment_limit_bytes": int(_number(e, "ZAPDOC_ATTACHMENT_LIMIT_MB", 20) * 1024 * 1024),
            "download_link_ttl": dt.timedelta(
                seconds=_number(e, "ZAPDOC_DOWNLOAD_LINK_TTL_S", 7 * 86400, 60)
            ),
            "inspect_timeout_s": _number(e, "ZAPDOC_INSPECT_TIMEOUT_S", 30, minimum=1),
            "inspect_memory_mb": int(_number(e, "ZAPDOC_INSPECT_MEMORY_MB", 1024, minimum=64)),
            "max_open_jobs": int(_number(e, "ZAPDOC_MAX_OPEN_JOBS", 10, minimum=1)),
            "max_job_pages": int(_number(e, "ZAPDOC_MAX_JOB_PAGES", 10_000, minimum=1)),
            "max_job_documents": int(_number(e, "ZAPDOC_MAX_JOB_DOCUMENTS", 2_000, minimum=1)),
            "max_page_chars": int(_number(e, "ZAPDOC_MAX_PAGE_CHARS", 12_000, minimum=100)),
            "max_document_tokens": int(_number(e, "ZAPDOC_MAX_DOCUMENT_TOKENS", 500_000, minimum=1000)),
            "analytics_topic": e.get("ZAPDOC_ANALYTICS_TOPIC", "").strip(),
            "webhooks_topic": _str(e, "ZAPDOC_WEBHOOKS_TOPIC", "zapdoc-webhooks"),
            "webhook_allow_loopback": _allow_loopback(e),
            "overdue_grace": dt.timedelta(seconds=_number(e, "ZAPDOC_OVERDUE_GRACE_S", 1800, minimum=0)),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
