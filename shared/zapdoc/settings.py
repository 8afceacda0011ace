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
from typing import Annotated, Any
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
from zapdoc.llm.prices import FREE, PRICES, Price

GOOGLE_PROJECT = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")
"""The standard variables naming the Google Cloud project, in order of precedence (one resolution)."""

DEFAULT_GEMINI_MODEL = "gemini-3.5-flash"
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
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Any:
        """This part alone, read from ``environ`` (tests and tools; the functions use ``Settings``)."""
        return _parse(cls, environ)


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
    assemble_lease: Duration = Field(
        dt.timedelta(minutes=10),
        ge=dt.timedelta(seconds=1),
        validation_alias=env("ZAPDOC_ASSEMBLE_LEASE_S", "assemble_lease"),
    )
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
    timeout_s: float = Field(60.0, gt=0, validation_alias=env("ZAPDOC_LLM_TIMEOUT_S", "timeout_s"))
    max_attempts: int = Field(5, ge=1, validation_alias=env("ZAPDOC_LLM_MAX_ATTEMPTS", "max_attempts"))
    """Attempts of one LLM request (backoff on 429/5xx/timeouts)."""
    max_retry_s: float = Field(120.0, ge=0, validation_alias=env("ZAPDOC_LLM_MAX_RETRY_S", "max_retry_s"))
    backoff_s: float = Field(1.0, ge=0, validation_alias=env("ZAPDOC_LLM_BACKOFF_S", "backoff_s"))
    chunk_tokens: int = Field(24_000, ge=1, validation_alias=env("ZAPDOC_LLM_CHUNK_TOKENS", "chunk_tokens"))
    chunk_pages: int = Field(15, ge=1, validation_alias=env("ZAPDOC_LLM_CHUNK_PAGES", "chunk_pages"))
    overlap_pages: int = Field(0, ge=0, validation_alias=env("ZAPDOC_LLM_OVERLAP_PAGES", "overlap_pages"))
    max_pdf_bytes: int = Field(
        18_000_000, ge=100_000, validation_alias=env("ZAPDOC_LLM_MAX_PDF_BYTES", "max_pdf_bytes")
    )
    max_output_tokens: int = Field(
        16_384, ge=256, validation_alias=env("ZAPDOC_LLM_MAX_OUTPUT_TOKENS", "max_output_tokens")
    )
    classify_chars: int = Field(
        4_000, ge=100, validation_alias=env("ZAPDOC_LLM_CLASSIFY_CHARS", "classify_chars")
    )
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

    @field_validator("gemini_thinking_level", mode="before")
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
    on_cloud_functions: bool = Field(False, validation_alias=env("K_SERVICE", "on_cloud_functions"))
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

    @field_validator("on_cloud_functions", mode="before")
    @classmethod
    def _present(cls, value: Any) -> Any:
        return bool(value) if isinstance(value, str) else value

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

    def credential(self) -> str:
        """The API key if set, else the ID token, else ""."""
        for secret in (self.api_key, self.token):
            if secret is not None and secret.get_secret_value():
                return secret.get_secret_value()
        return ""


class DevSettings(Part):
    """Local stack and test switches; never set in production (Terraform checks that)."""

    crash_at: Annotated[tuple[str, ...], BeforeValidator(_csv)] = Field(
        (), validation_alias=env("ZAPDOC_CRASH_AT", "crash_at")
    )
    """End-to-end crash tests: step boundaries at which the test-only wrapper kills the process once."""
    crash_markers: str = Field("", validation_alias=env("ZAPDOC_CRASH_MARKERS", "crash_markers"))


# ----------------------------------------------------------------------------------------- root

PARTS = ("cloud", "llm", "api", "mail", "payments", "client", "dev")


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


def _clean(environ: Mapping[str, str]) -> dict[str, str]:
    """Empty variables count as unset, and values are stripped."""
    return {k: v.strip() for k, v in environ.items() if isinstance(v, str) and v.strip()}


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
