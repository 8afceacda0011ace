"""The one settings model: every ``ZAPDOC_*`` (and standard Google, Stripe, SendGrid, OpenAI) variable,
parsed once per process into a frozen ``Settings`` with nested parts.

- ``Settings.from_env(env)`` reads a mapping (``os.environ`` by default); ``bootstrap.settings()`` caches
  the process's own. Nothing else in the package reads the environment.
- Parts: ``cloud`` (pipeline functions), ``llm`` (providers), ``api`` (the public API), ``mail``
  (SendGrid), ``payments`` (Stripe), ``client`` (the CLI's API client), ``dev`` (local stack and tests).
- Each field names its variable (``validation_alias``); a part can also be built by field name in tests.
  An empty variable counts as unset. A bad value fails fast with a ``ConfigError`` naming the variable.
- Secrets are ``SecretStr``: they never show in a repr or a log line; adapters unwrap them.

Add a setting: one field on the part that uses it, with ``env("ZAPDOC_THING")`` as its alias and bounds
(``ge``/``le``), then read it from ``settings.<part>.<field>`` where it is built in ``bootstrap``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Mapping
from typing import Annotated, Any, Self
from urllib.parse import urlparse

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from zapdoc.domain.errors import ConfigError
from zapdoc.domain.packs import DEFAULT_PACKS, Pack, parse_packs
from zapdoc.domain.prices import FREE, PRICES, Price

GOOGLE_PROJECT = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")
"""The standard variables naming the Google Cloud project, in order of precedence (one resolution)."""

DEFAULT_GEMINI_MODEL = "gemini-3.1-flash-lite"
"""Chosen for cost: the Flash-Lite class reads a text page near the raw model cost ($0.25/M input). A
document whose answer fails validation or carries low-confidence values is re-asked of
``DEFAULT_ESCALATION_MODEL`` (``ZAPDOC_GEMINI_ESCALATION_MODEL``; empty turns escalation off)."""
DEFAULT_ESCALATION_MODEL = "gemini-3.5-flash"
"""GA Flash-class model on Vertex AI (released May 2026, no shutdown date announced as of Nov 2026)."""
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_LOCATION = "global"
"""Gemini 3.x on Vertex AI is served from the global endpoint (fewer 429s); set ZAPDOC_GEMINI_LOCATION
to a region (e.g. europe-west4) when processing must stay in one place."""
PLACEHOLDER_DOMAIN = "zapdoc.example"
"""Defaults that must be replaced in production (mail sender, checkout URLs) use this domain."""
MIB = 1024 * 1024


def is_loopback(url: str | None) -> bool:
    """True for URLs (or ``host:port``) on 127.0.0.0/8, ::1 or localhost: local stand-ins and emulators."""
    if not url:
        return False
    host = (urlparse(url if "//" in url else f"//{url}").hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


AUTH_EMULATOR = "ZAPDOC_AUTH_EMULATOR"
DEPLOYED_MARKERS = ("K_SERVICE", "K_REVISION")
"""Set by Cloud Functions gen2 / Cloud Run: local-only switches are refused where either is set."""
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_emulator_setting(environ: Mapping[str, str]) -> str:
    """The Auth emulator host when emulator auth is explicitly on and safe, "" when it is off.

    ConfigError when ``FIREBASE_AUTH_EMULATOR_HOST`` is set without ``ZAPDOC_AUTH_EMULATOR=1``, when
    either is set on a deployed function, or when the host is not loopback (firebase-admin accepts
    unsigned tokens when the emulator host is set)."""
    host = environ.get("FIREBASE_AUTH_EMULATOR_HOST", "").strip()
    explicit = environ.get(AUTH_EMULATOR, "").strip()
    if explicit not in ("", "0", "1"):
        raise ConfigError(f"{AUTH_EMULATOR} must be 1 (local Auth emulator) or unset")
    deployed = [name for name in DEPLOYED_MARKERS if environ.get(name)]
    if deployed and (host or explicit == "1"):
        raise ConfigError(
            f"FIREBASE_AUTH_EMULATOR_HOST / {AUTH_EMULATOR} must not be set on Cloud Functions"
            f" ({deployed[0]} is set): emulator tokens are unsigned"
        )
    if not host:
        if explicit == "1":
            raise ConfigError(f"{AUTH_EMULATOR}=1 needs FIREBASE_AUTH_EMULATOR_HOST (host:port)")
        return ""
    if explicit != "1":
        raise ConfigError(
            f"FIREBASE_AUTH_EMULATOR_HOST is set but {AUTH_EMULATOR} is not 1: firebase-admin would"
            " accept unsigned tokens; set both for the local emulator, neither anywhere else"
        )
    hostname = urlparse(f"//{host}").hostname or ""
    if hostname not in _LOOPBACK_HOSTS:
        raise ConfigError("FIREBASE_AUTH_EMULATOR_HOST must point at a loopback emulator")
    return host


def check_live_emulator_setting() -> str:
    """``check_emulator_setting`` on the live process environment, which firebase-admin itself reads:
    the token verifier re-checks it before each verification."""
    return check_emulator_setting(os.environ)


def _flag(value: Any) -> Any:
    """``1``/``true``/``yes`` (any case) is on; anything else given is off."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]


def env(*names: str) -> AliasChoices:
    """The variables a field is read from, first present wins (the field name works too, for tests)."""
    return AliasChoices(*names)


def _seconds(value: Any) -> Any:
    """Durations are given in seconds in the environment (``ZAPDOC_*_S``)."""
    if isinstance(value, str):
        try:
            return dt.timedelta(seconds=float(value))
        except ValueError:
            return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.timedelta(seconds=value)
    return value


Duration = Annotated[dt.timedelta, BeforeValidator(_seconds)]


def _names(value: Any) -> Any:
    """A comma-separated list of lower-case names (``gemini,openai``)."""
    if isinstance(value, str):
        return tuple(v.strip().lower() for v in value.split(",") if v.strip())
    return value


def _set(value: Any) -> Any:
    if isinstance(value, str):
        return frozenset(v.strip() for v in value.split(",") if v.strip())
    return value


def _csv(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(v.strip().rstrip("/") for v in value.split(",") if v.strip())
    return value


class Part(BaseModel):
    """A frozen group of settings; unknown variables are ignored."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", validate_by_name=True, validate_by_alias=True, str_strip_whitespace=True
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """This part alone, read from ``environ`` (tests and tools; the functions use ``Settings``)."""
        part: Self = _parse(cls, environ)
        return part


def _scaled(data: Any, units: Mapping[str, tuple[str, float]]) -> Any:
    """Variables given in other units (``ZAPDOC_*_MB``) become the field's unit (bytes)."""
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    for variable, (field_name, factor) in units.items():
        raw = out.pop(variable, None)
        if raw is not None and field_name not in out:
            try:
                out[field_name] = int(float(raw) * factor)
            except (TypeError, ValueError):
                out[field_name] = raw
    return out


# ---------------------------------------------------------------------------------------- parts


class CloudSettings(Part):
    """The pipeline functions: project, buckets, topics, time limits and bounds."""

    project: str = Field("", validation_alias=env(*GOOGLE_PROJECT, "project"))
    uploads_bucket: str = Field("", validation_alias=env("ZAPDOC_UPLOADS_BUCKET", "uploads_bucket"))
    results_bucket: str = Field("", validation_alias=env("ZAPDOC_RESULTS_BUCKET", "results_bucket"))
    documents_topic: str = Field(
        "documents", validation_alias=env("ZAPDOC_DOCUMENTS_TOPIC", "documents_topic")
    )
    results_topic: str = Field(
        "document-results", validation_alias=env("ZAPDOC_RESULTS_TOPIC", "results_topic")
    )
    firestore_database: str | None = Field(
        None, validation_alias=env("ZAPDOC_FIRESTORE_DATABASE", "firestore_database")
    )
    signer_email: str = Field("", validation_alias=env("ZAPDOC_SIGNER_EMAIL", "signer_email"))
    """Service account that signs URLs through IAM signBlob (on Cloud Functions there is no key)."""
    storage_emulator_host: str = Field(
        "", validation_alias=env("STORAGE_EMULATOR_HOST", "storage_emulator_host")
    )
    file_arrival_timeout: Duration = Field(
        dt.timedelta(hours=1),
        ge=dt.timedelta(seconds=1),
        validation_alias=env("ZAPDOC_FILE_ARRIVAL_TIMEOUT_S", "file_arrival_timeout"),
    )
    document_max_age: Duration = Field(
        dt.timedelta(hours=2),
        ge=dt.timedelta(seconds=1),
        validation_alias=env("ZAPDOC_DOCUMENT_MAX_AGE_S", "document_max_age"),
    )
    event_max_age: Duration = Field(
        dt.timedelta(hours=6),
        ge=dt.timedelta(seconds=1),
        validation_alias=env("ZAPDOC_EVENT_MAX_AGE_S", "event_max_age"),
    )
    delivery_attempts: int = Field(
        8, ge=1, le=100, validation_alias=env("ZAPDOC_DELIVERY_ATTEMPTS", "delivery_attempts")
    )
    """Deliveries of one document message before the code records it failed (the LLM's own retries
    per request are ``llm.max_attempts``); below the subscription's dead-letter limit."""
    lease: Duration = Field(
        dt.timedelta(seconds=30),
        gt=dt.timedelta(0),
        validation_alias=env("ZAPDOC_LEASE_S", "lease"),
    )
    """Lease of a step's claim (intake of a file, extraction of a document, assembly of a job):
    renewed every third of it while the step works, so a crashed step is taken over by the first
    redelivery after one lease."""
    retention: Duration = Field(
        dt.timedelta(0), ge=dt.timedelta(0), validation_alias=env("ZAPDOC_RETENTION_S", "retention")
    )
    attachment_limit_bytes: int = Field(
        20 * MIB, ge=0, validation_alias=env("ZAPDOC_ATTACHMENT_LIMIT_MB", "attachment_limit_bytes")
    )
    """``ZAPDOC_ATTACHMENT_LIMIT_MB``: above it the mail carries a download link instead."""
    download_link_ttl: Duration = Field(
        dt.timedelta(days=7),
        ge=dt.timedelta(seconds=60),
        le=dt.timedelta(days=7),
        validation_alias=env("ZAPDOC_DOWNLOAD_LINK_TTL_S", "download_link_ttl"),
    )
    idempotency_ttl: Duration = Field(
        dt.timedelta(days=2),
        ge=dt.timedelta(minutes=1),
        validation_alias=env("ZAPDOC_IDEMPOTENCY_TTL_S", "idempotency_ttl"),
    )
    inspect_timeout_s: float = Field(
        30.0, ge=1, validation_alias=env("ZAPDOC_INSPECT_TIMEOUT_S", "inspect_timeout_s")
    )
    inspect_memory_mb: int = Field(
        1024, ge=64, validation_alias=env("ZAPDOC_INSPECT_MEMORY_MB", "inspect_memory_mb")
    )
    mail_from: str = Field(
        f"ZapDoc <no-reply@{PLACEHOLDER_DOMAIN}>", validation_alias=env("ZAPDOC_MAIL_FROM", "mail_from")
    )
    """The sender the pipeline's mails name (the same variable as ``mail.mail_from``)."""
    public_url: str = Field("", validation_alias=env("ZAPDOC_PUBLIC_URL", "public_url"))
    """The web app's base URL; mails and webhooks link to ``<public_url>/#/jobs/<id>``."""
    max_open_jobs: int = Field(10, ge=1, validation_alias=env("ZAPDOC_MAX_OPEN_JOBS", "max_open_jobs"))
    """Jobs of one user not yet delivered, rejected or cancelled."""
    max_job_pages: int = Field(10_000, ge=1, validation_alias=env("ZAPDOC_MAX_JOB_PAGES", "max_job_pages"))
    """Pages one job may hold; counting stops past it."""
    max_job_documents: int = Field(
        2_000, ge=1, validation_alias=env("ZAPDOC_MAX_JOB_DOCUMENTS", "max_job_documents")
    )
    """Documents one job may hold: entries x pages stay bounded."""
    max_page_chars: int = Field(
        12_000, ge=100, validation_alias=env("ZAPDOC_MAX_PAGE_CHARS", "max_page_chars")
    )
    """Text kept per page: a dense printed page has 3,000-6,000 characters; more is cut, with a note in
    the row, so one credit cannot buy an unbounded prompt."""
    max_document_tokens: int = Field(
        500_000, ge=1000, validation_alias=env("ZAPDOC_MAX_DOCUMENT_TOKENS", "max_document_tokens")
    )
    """Prompt tokens (estimated at 4 characters a token) one document may cost; above it the document
    fails with a reason and is refunded."""
    store_timeout_s: float = Field(
        30.0, gt=0, validation_alias=env("ZAPDOC_STORE_TIMEOUT_S", "store_timeout_s")
    )
    """Deadline of one Firestore call; past it the API answers 503 with Retry-After."""
    analytics_topic: str = Field("", validation_alias=env("ZAPDOC_ANALYTICS_TOPIC", "analytics_topic"))
    """Production: the topic a BigQuery subscription reads; "" = Firestore only."""
    webhooks_topic: str = Field(
        "zapdoc-webhooks", validation_alias=env("ZAPDOC_WEBHOOKS_TOPIC", "webhooks_topic")
    )
    """Webhook events, delivered by the deliver_webhook function."""
    webhook_allow_loopback: Flag = Field(
        False, validation_alias=env("ZAPDOC_WEBHOOK_ALLOW_LOOPBACK", "webhook_allow_loopback")
    )
    """The local stack's receivers on loopback; refused on Cloud Functions (SSRF)."""
    overdue_grace: Duration = Field(
        dt.timedelta(minutes=30),
        ge=dt.timedelta(0),
        validation_alias=env("ZAPDOC_OVERDUE_GRACE_S", "overdue_grace"),
    )
    sweep_batch: int = Field(200, ge=1, le=2000, validation_alias=env("ZAPDOC_SWEEP_BATCH", "sweep_batch"))
    """The most jobs (or webhook deliveries) one sweep pass reads per query, oldest due first: a pass
    reads a bounded number of documents whatever the history holds; the next pass takes the rest."""
    on_cloud_functions: bool = Field(
        False, validation_alias=env(*DEPLOYED_MARKERS, "on_cloud_functions"), exclude=True
    )

    @field_validator("on_cloud_functions", mode="before")
    @classmethod
    def _present(cls, value: Any) -> Any:
        return bool(value) if isinstance(value, str) else value

    @field_validator("public_url", mode="after")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _local_only(self) -> CloudSettings:
        if self.webhook_allow_loopback and self.on_cloud_functions:
            raise ValueError("ZAPDOC_WEBHOOK_ALLOW_LOOPBACK must not be set on Cloud Functions")
        return self

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        data = _scaled(data, {"ZAPDOC_ATTACHMENT_LIMIT_MB": ("attachment_limit_bytes", MIB)})
        if not isinstance(data, dict):
            return data
        project = next((data[k] for k in (*GOOGLE_PROJECT, "project") if data.get(k)), "")
        for name, variable, suffix in (
            ("uploads_bucket", "ZAPDOC_UPLOADS_BUCKET", "uploads"),
            ("results_bucket", "ZAPDOC_RESULTS_BUCKET", "results"),
        ):
            if project and not data.get(name) and not data.get(variable):
                data[name] = f"{project}-{suffix}"
        return data

    def require_project(self) -> str:
        """The project, or a ConfigError naming the variable (the functions cannot run without it)."""
        if not self.project:
            raise ConfigError("GOOGLE_CLOUD_PROJECT is not set")
        return self.project


class LlmSettings(Part):
    """Everything the LLM providers need; explicit construction beats the environment in tests."""

    provider: str | None = Field(None, validation_alias=env("ZAPDOC_LLM_PROVIDER", "provider"))
    providers: Annotated[tuple[str, ...], BeforeValidator(_names)] = Field(
        (), validation_alias=env("ZAPDOC_LLM_PROVIDERS", "providers")
    )
    """``ZAPDOC_LLM_PROVIDERS=gemini,openai``: a fallback chain, tried in order per document."""
    gcp_project: str | None = Field(
        None, validation_alias=env("ZAPDOC_GCP_PROJECT", *GOOGLE_PROJECT, "gcp_project")
    )
    gcp_location: str = Field(
        DEFAULT_LOCATION,
        validation_alias=env("ZAPDOC_GEMINI_LOCATION", "GOOGLE_CLOUD_LOCATION", "gcp_location"),
    )
    gemini_model: str = Field(
        DEFAULT_GEMINI_MODEL, validation_alias=env("ZAPDOC_GEMINI_MODEL", "gemini_model")
    )
    gemini_escalation_model: str | None = Field(
        DEFAULT_ESCALATION_MODEL,
        validation_alias=env("ZAPDOC_GEMINI_ESCALATION_MODEL", "gemini_escalation_model"),
    )
    """A document whose answer fails validation or has low-confidence values is re-asked of this model;
    an empty ``ZAPDOC_GEMINI_ESCALATION_MODEL`` turns escalation off."""
    gemini_base_url: str | None = Field(
        None, validation_alias=env("ZAPDOC_GEMINI_BASE_URL", "gemini_base_url")
    )
    gemini_thinking_level: str | None = Field(
        "low", validation_alias=env("ZAPDOC_GEMINI_THINKING_LEVEL", "gemini_thinking_level")
    )
    """``none`` (or ``off``) sends no thinking configuration."""
    openai_base_url: str | None = Field(
        None, validation_alias=env("ZAPDOC_OPENAI_BASE_URL", "openai_base_url")
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=env("ZAPDOC_OPENAI_API_KEY", "OPENAI_API_KEY", "openai_api_key")
    )
    openai_model: str = Field(
        DEFAULT_OPENAI_MODEL, validation_alias=env("ZAPDOC_OPENAI_MODEL", "openai_model")
    )
    openai_escalation_model: str | None = Field(
        None, validation_alias=env("ZAPDOC_OPENAI_ESCALATION_MODEL", "openai_escalation_model")
    )
    escalate_below: float = Field(
        0.6, ge=0, validation_alias=env("ZAPDOC_LLM_ESCALATE_BELOW", "escalate_below")
    )
    """Escalate when a value the model gave is below this confidence (its quote is not in the text)
    or did not validate; 0 turns escalation off."""
    breaker_failures: int = Field(
        5, ge=1, validation_alias=env("ZAPDOC_LLM_BREAKER_FAILURES", "breaker_failures")
    )
    breaker_window_s: float = Field(
        60.0, gt=0, validation_alias=env("ZAPDOC_LLM_BREAKER_WINDOW_S", "breaker_window_s")
    )
    breaker_cooldown_s: float = Field(
        60.0, gt=0, validation_alias=env("ZAPDOC_LLM_BREAKER_COOLDOWN_S", "breaker_cooldown_s")
    )
    timeout_s: float = Field(60.0, gt=0, validation_alias=env("ZAPDOC_LLM_TIMEOUT_S", "timeout_s"))
    max_attempts: int = Field(5, ge=1, validation_alias=env("ZAPDOC_LLM_MAX_ATTEMPTS", "max_attempts"))
    """Attempts of one LLM request (backoff on 429/5xx/timeouts)."""
    max_retry_s: float = Field(120.0, ge=0, validation_alias=env("ZAPDOC_LLM_MAX_RETRY_S", "max_retry_s"))
    backoff_s: float = Field(1.0, ge=0, validation_alias=env("ZAPDOC_LLM_BACKOFF_S", "backoff_s"))
    chunk_tokens: int = Field(24_000, ge=1, validation_alias=env("ZAPDOC_LLM_CHUNK_TOKENS", "chunk_tokens"))
    chunk_pages: int = Field(15, ge=1, validation_alias=env("ZAPDOC_LLM_CHUNK_PAGES", "chunk_pages"))
    overlap_pages: int = Field(0, ge=0, validation_alias=env("ZAPDOC_LLM_OVERLAP_PAGES", "overlap_pages"))
    max_pdf_bytes: int = Field(
        18_000_000, ge=1, validation_alias=env("ZAPDOC_LLM_MAX_PDF_BYTES", "max_pdf_bytes")
    )
    max_output_tokens: int = Field(
        16_384, ge=256, validation_alias=env("ZAPDOC_LLM_MAX_OUTPUT_TOKENS", "max_output_tokens")
    )
    classify_chars: int = Field(
        440, ge=100, validation_alias=env("ZAPDOC_LLM_CLASSIFY_CHARS", "classify_chars")
    )
    """Prefix of the text sent when a classification request is needed at all (the extraction answer
    normally carries the type): the whole request stays under 200 prompt tokens."""
    dayfirst: bool | None = Field(None, validation_alias=env("ZAPDOC_DAYFIRST", "dayfirst"))
    """``true``/``false`` forces day-first dates; unset or ``auto`` reads them by the document's language."""
    price_input: float | None = Field(
        None, ge=0, validation_alias=env("ZAPDOC_LLM_PRICE_INPUT", "price_input")
    )
    price_output: float | None = Field(
        None, ge=0, validation_alias=env("ZAPDOC_LLM_PRICE_OUTPUT", "price_output")
    )
    prices: Mapping[str, Price] = Field(default_factory=lambda: dict(PRICES))

    @field_validator("dayfirst", mode="before")
    @classmethod
    def _dayfirst(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            return None if text in ("", "auto") else text in ("1", "true", "yes")
        return value

    @field_validator(
        "gemini_thinking_level", "gemini_escalation_model", "openai_escalation_model", mode="before"
    )
    @classmethod
    def _thinking(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("none", "off"):
            return None
        return value

    def price(self, model: str) -> Price:
        """Price of ``model``: explicit overrides first, then the table (longest matching prefix), else 0."""
        base = self.prices.get(model)
        if base is None:
            matches = [k for k in self.prices if model.startswith(k)]
            base = self.prices[max(matches, key=len)] if matches else FREE
        return Price(
            self.price_input if self.price_input is not None else base.input_per_mtok,
            self.price_output if self.price_output is not None else base.output_per_mtok,
        )


class ApiSettings(Part):
    """The public API: identity, limits, URL lifetimes, CORS and the web app's address."""

    firebase_project: str = Field(
        "", validation_alias=env("ZAPDOC_FIREBASE_PROJECT", *GOOGLE_PROJECT, "firebase_project")
    )
    auth_emulator_host: str = Field(
        "", validation_alias=env("FIREBASE_AUTH_EMULATOR_HOST", "auth_emulator_host")
    )
    on_cloud_functions: bool = Field(False, validation_alias=env(*DEPLOYED_MARKERS, "on_cloud_functions"))
    """True on Cloud Functions (``K_SERVICE`` is set there): local-only switches are refused."""
    free_credits: int = Field(
        20, ge=0, le=1_000_000, validation_alias=env("ZAPDOC_FREE_CREDITS", "free_credits")
    )
    allowed_origins: Annotated[tuple[str, ...], BeforeValidator(_csv)] = Field(
        (), validation_alias=env("ZAPDOC_ALLOWED_ORIGINS", "allowed_origins")
    )
    """Browser origins allowed to call the API (CORS), comma-separated; the web app's own is always."""
    public_url: str = Field("", validation_alias=env("ZAPDOC_PUBLIC_URL", "public_url"))
    """Where the web app lives (``<public_url>/#/jobs/<id>``); locally the API's own base URL."""
    max_file_bytes: int = Field(
        100 * MIB, ge=1, le=5 * 1024 * MIB, validation_alias=env("ZAPDOC_MAX_UPLOAD_MB", "max_file_bytes")
    )
    """``ZAPDOC_MAX_UPLOAD_MB`` (1 to 5,120)."""
    upload_url_ttl: Duration = Field(
        dt.timedelta(minutes=15),
        ge=dt.timedelta(seconds=60),
        le=dt.timedelta(days=7),
        validation_alias=env("ZAPDOC_UPLOAD_URL_TTL_S", "upload_url_ttl"),
    )
    download_url_ttl: Duration = Field(
        dt.timedelta(minutes=10),
        ge=dt.timedelta(seconds=60),
        le=dt.timedelta(days=7),
        validation_alias=env("ZAPDOC_API_DOWNLOAD_TTL_S", "download_url_ttl"),
    )
    signing_key_file: str = Field("", validation_alias=env("ZAPDOC_SIGNING_KEY_FILE", "signing_key_file"))
    """A service-account key file for signing (local stack); on Cloud Functions use ``signer_email``."""
    storage_public_url: str = Field(
        "", validation_alias=env("ZAPDOC_STORAGE_PUBLIC_URL", "storage_public_url")
    )
    max_api_keys: int = Field(20, ge=1, le=1000, validation_alias=env("ZAPDOC_MAX_API_KEYS", "max_api_keys"))
    admin_uids: Annotated[frozenset[str], BeforeValidator(_set)] = Field(
        frozenset(), validation_alias=env("ZAPDOC_ADMIN_UIDS", "admin_uids")
    )
    """Operators by Firebase uid, comma-separated."""
    admin_claim: str = Field("", validation_alias=env("ZAPDOC_ADMIN_CLAIM", "admin_claim"))
    """A custom claim that makes a token an operator's."""
    firebase_api_key: str = Field(
        "local-dev-key", validation_alias=env("ZAPDOC_FIREBASE_API_KEY", "firebase_api_key")
    )
    """The web app's Firebase web config (a public value)."""
    firebase_auth_domain: str = Field(
        "", validation_alias=env("ZAPDOC_FIREBASE_AUTH_DOMAIN", "firebase_auth_domain")
    )
    auth_emulator: bool = Field(False, validation_alias=env(AUTH_EMULATOR, "auth_emulator"))
    """``ZAPDOC_AUTH_EMULATOR=1``: the explicit local-only switch that lets the API trust the Auth
    emulator at ``FIREBASE_AUTH_EMULATOR_HOST`` (its tokens are unsigned)."""

    @field_validator("on_cloud_functions", mode="before")
    @classmethod
    def _present(cls, value: Any) -> Any:
        return bool(value) if isinstance(value, str) else value

    @field_validator("auth_emulator", mode="before")
    @classmethod
    def _explicit(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip() not in ("0", "1"):
                raise ValueError("must be 1 (local Auth emulator) or unset")
            return value.strip() == "1"
        return value

    def emulator_host(self) -> str:
        """The Auth emulator host when emulator auth is explicitly on and safe, "" when it is off;
        ConfigError otherwise (``check_emulator_setting`` on these settings). The API checks it when it
        builds its token verifier, so a stray emulator host never switches signature checks off."""
        return check_emulator_setting(
            {
                "FIREBASE_AUTH_EMULATOR_HOST": self.auth_emulator_host,
                AUTH_EMULATOR: "1" if self.auth_emulator else "",
                "K_SERVICE": "set" if self.on_cloud_functions else "",
            }
        )

    @model_validator(mode="before")
    @classmethod
    def _units(cls, data: Any) -> Any:
        return _scaled(data, {"ZAPDOC_MAX_UPLOAD_MB": ("max_file_bytes", MIB)})

    @model_validator(mode="after")
    def _safe_emulator(self) -> ApiSettings:
        if self.auth_emulator_host:
            if not is_loopback(self.auth_emulator_host):
                raise ValueError("FIREBASE_AUTH_EMULATOR_HOST must point at a loopback emulator")
            if self.on_cloud_functions:
                raise ValueError("FIREBASE_AUTH_EMULATOR_HOST must not be set on Cloud Functions")
        if self.auth_emulator and self.on_cloud_functions:
            raise ValueError(f"{AUTH_EMULATOR} must not be set on Cloud Functions")
        return self


class MailSettings(Part):
    """SendGrid: the verified sender, the key, and the API host (a local stand-in on the dev stack)."""

    mail_from: str = Field(
        f"ZapDoc <no-reply@{PLACEHOLDER_DOMAIN}>", validation_alias=env("ZAPDOC_MAIL_FROM", "mail_from")
    )
    sendgrid_api_key: SecretStr | None = Field(
        None, validation_alias=env("SENDGRID_API_KEY", "sendgrid_api_key")
    )
    sendgrid_base_url: str = Field("", validation_alias=env("ZAPDOC_SENDGRID_BASE_URL", "sendgrid_base_url"))


class PaymentSettings(Part):
    """Stripe: credit packs for sale, keys, the Checkout return pages and the webhook secret."""

    packs: dict[str, Pack] = Field(
        default_factory=lambda: parse_packs(DEFAULT_PACKS),
        validation_alias=env("ZAPDOC_CREDIT_PACKS", "packs"),
    )
    stripe_secret_key: SecretStr | None = Field(
        None, validation_alias=env("STRIPE_SECRET_KEY", "stripe_secret_key")
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None, validation_alias=env("STRIPE_WEBHOOK_SECRET", "stripe_webhook_secret")
    )
    stripe_api_base: str = Field("", validation_alias=env("ZAPDOC_STRIPE_API_BASE", "stripe_api_base"))
    checkout_success_url: str = Field(
        f"https://{PLACEHOLDER_DOMAIN}/credits?checkout=success",
        validation_alias=env("ZAPDOC_CHECKOUT_SUCCESS_URL", "checkout_success_url"),
    )
    checkout_cancel_url: str = Field(
        f"https://{PLACEHOLDER_DOMAIN}/credits?checkout=cancelled",
        validation_alias=env("ZAPDOC_CHECKOUT_CANCEL_URL", "checkout_cancel_url"),
    )

    @field_validator("packs", mode="before")
    @classmethod
    def _packs(cls, value: Any) -> Any:
        return parse_packs(value) if isinstance(value, str) else value


class ClientSettings(Part):
    """The CLI's API client (``zapdoc submit``, ``zapdoc credits``, ``zapdoc local-token``)."""

    api_url: str = Field("", validation_alias=env("ZAPDOC_API_URL", "api_url"))
    api_key: SecretStr | None = Field(None, validation_alias=env("ZAPDOC_API_KEY", "api_key"))
    token: SecretStr | None = Field(None, validation_alias=env("ZAPDOC_TOKEN", "token"))
    auth_emulator_host: str = Field(
        "", validation_alias=env("FIREBASE_AUTH_EMULATOR_HOST", "auth_emulator_host")
    )
    project: str = Field("", validation_alias=env(*GOOGLE_PROJECT, "project"))
    firebase_api_key: str = Field("", validation_alias=env("ZAPDOC_FIREBASE_API_KEY", "firebase_api_key"))
    """The Firebase web API key ``zapdoc login`` signs in with (not needed for the emulator)."""
    config_home: str = Field("", validation_alias=env("XDG_CONFIG_HOME", "config_home"))
    """Where ``zapdoc login`` keeps its credentials (``$XDG_CONFIG_HOME/zapdoc``, else ~/.config)."""

    def credential(self) -> str:
        """The API key if set, else the ID token, else ""."""
        for secret in (self.api_key, self.token):
            if secret is not None and secret.get_secret_value():
                return secret.get_secret_value()
        return ""


class ExtractionSettings(Part):
    """The offline extractor: OCR of scans and e-invoice XML (read by ``zapdoc.extraction`` itself)."""

    ocr: bool = Field(True, validation_alias=env("ZAPDOC_OCR", "ocr"))
    """``ZAPDOC_OCR=0`` (false/no/off) turns offline OCR off (on when Tesseract is installed)."""
    ocr_budget_s: float | None = Field(None, validation_alias=env("ZAPDOC_OCR_BUDGET_S", "ocr_budget_s"))
    """Seconds of OCR per document; unset: ``zapdoc.extraction.ocr.DEFAULT_BUDGET_S``."""
    ocr_max_pages: float | None = Field(None, validation_alias=env("ZAPDOC_OCR_MAX_PAGES", "ocr_max_pages"))
    """Pages OCR'd per document; unset: ``zapdoc.extraction.ocr.DEFAULT_MAX_PAGES``."""
    ignore_einvoice: Flag = Field(False, validation_alias=env("ZAPDOC_IGNORE_EINVOICE", "ignore_einvoice"))
    """When true, e-invoice XML is not read and every value comes from the text (to measure it)."""

    @field_validator("ocr", mode="before")
    @classmethod
    def _on_unless_off(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() not in ("0", "false", "no", "off")
        return value

    @field_validator("ocr_budget_s", "ocr_max_pages", mode="before")
    @classmethod
    def _number_or_default(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return None
        return value


class DevSettings(Part):
    """Local stack and test switches; never set in production (Terraform checks that)."""

    crash_at: Annotated[tuple[str, ...], BeforeValidator(_csv)] = Field(
        (), validation_alias=env("ZAPDOC_CRASH_AT", "crash_at")
    )
    """End-to-end crash tests: step boundaries at which the test-only wrapper kills the process once."""
    crash_markers: str = Field("", validation_alias=env("ZAPDOC_CRASH_MARKERS", "crash_markers"))
    port_base: int | None = Field(None, validation_alias=env("ZAPDOC_DEV_PORT_BASE", "port_base"))
    """The local stack's fixed ports start here (unset: ``zapdoc.dev.tcp_ports.DEFAULT_BASE``)."""


# ----------------------------------------------------------------------------------------- root

PARTS = ("cloud", "llm", "api", "mail", "payments", "client", "extraction", "dev")


def known_variables() -> frozenset[str]:
    """Every environment variable some setting reads (deploy checks refuse unknown ``ZAPDOC_*`` names)."""
    names: set[str] = set()
    for name in PARTS:
        annotation = Settings.model_fields[name].annotation
        assert isinstance(annotation, type)
        assert issubclass(annotation, BaseModel)
        for field in annotation.model_fields.values():
            if isinstance(field.validation_alias, AliasChoices):
                names.update(c for c in field.validation_alias.choices if isinstance(c, str) and c.isupper())
    return frozenset(names)


EMPTY_MEANS_OFF = ("ZAPDOC_GEMINI_ESCALATION_MODEL", "ZAPDOC_GEMINI_THINKING_LEVEL")
"""Variables whose empty value turns a feature off (instead of meaning "unset")."""


def _clean(environ: Mapping[str, str]) -> dict[str, str]:
    """Empty variables count as unset (except ``EMPTY_MEANS_OFF``: ``none``), and values are stripped."""
    out = {k: v.strip() for k, v in environ.items() if isinstance(v, str) and v.strip()}
    for name in EMPTY_MEANS_OFF:
        if isinstance(environ.get(name), str) and name not in out:
            out[name] = "none"
    return out


def _variable(model: type[BaseModel], loc: tuple[int | str, ...], given: Mapping[str, str]) -> str:
    """The environment variable an error is about (the one given, else the field's first variable)."""
    name = str(loc[-1]) if loc else ""
    field = model.model_fields.get(name)
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        choices = [c for c in field.validation_alias.choices if isinstance(c, str)]
        present = [c for c in choices if c in given]
        return (present or choices or [name])[0]
    return name


def _config_error(model: type[BaseModel], exc: ValidationError, given: Mapping[str, str]) -> ConfigError:
    problems = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        part = model
        if loc and isinstance(loc[0], str) and loc[0] in PARTS and model is Settings:
            annotation = Settings.model_fields[loc[0]].annotation
            part = annotation if isinstance(annotation, type) else model
            loc = loc[1:]
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        if not loc:  # a check across fields: its message names the variables
            problems.append(message)
            continue
        variable = _variable(part, loc, given)
        value = error.get("input")
        secret = any(word in variable for word in ("SECRET", "KEY", "TOKEN"))
        shown = "" if secret or not isinstance(value, str | int | float) else f", got {value!r}"
        problems.append(f"{variable}: {message}{shown}")
    return ConfigError("; ".join(problems))


def _parse(model: type[Part], environ: Mapping[str, str] | None) -> Any:
    given = _clean(os.environ if environ is None else environ)
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise _config_error(model, exc, given) from None


class _FlatEnvironment(PydanticBaseSettingsSource):
    """Every part reads the same flat mapping of variables (its fields pick their own names)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str] | None) -> None:
        super().__init__(settings_cls)
        self._environ = environ

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        flat = _clean(os.environ if self._environ is None else self._environ)
        return dict.fromkeys(PARTS, flat)


class Settings(BaseSettings):
    """Every setting of the process, parsed once (``Settings.from_env``)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    cloud: CloudSettings = Field(default_factory=CloudSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    client: ClientSettings = Field(default_factory=ClientSettings)
    extraction: ExtractionSettings = Field(default_factory=ExtractionSettings)
    dev: DevSettings = Field(default_factory=DevSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Parts given explicitly win; the rest come from the process environment."""
        return init_settings, _FlatEnvironment(settings_cls, None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **parts: Part) -> Settings:
        """All settings from ``environ`` (default: the process environment); ``parts`` replace whole parts.

        Raises ConfigError naming every variable that is not valid.
        """
        given = _clean(os.environ if environ is None else environ)
        values: dict[str, Any] = dict.fromkeys(PARTS, given)
        values.update(parts)
        try:
            return cls.model_validate(values)  # not __init__: no other source may mix in
        except ValidationError as exc:
            raise _config_error(cls, exc, given) from None
