"""The one composition root: settings parsed once, then real adapters wired into what each entry point
needs — the pipeline ``Runtime`` (functions, dev stack, ``zapdoc dev submit``), the API's ``ApiContext``
and the CLI's extractor. Tests build the same objects from fakes and ``install`` them.

Nothing connects at import time: each client is created on first use and cached for the life of the
function instance.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from pydantic import SecretStr

from zapdoc.domain.errors import ConfigError
from zapdoc.ports.extractor import Extractor
from zapdoc.ports.mailer import Mail, Mailer
from zapdoc.ports.payments import EventVerifier
from zapdoc.ports.store import DocumentStore
from zapdoc.ports.webhooks import WebhookSender
from zapdoc.services.runtime import Runtime, no_crash
from zapdoc.settings import LlmSettings, MailSettings, Settings, check_live_emulator_setting, is_loopback

if TYPE_CHECKING:
    from zapdoc.api.app import ApiContext
    from zapdoc.llm.engine import LlmExtractor

# Intake parses untrusted PDFs in forked, bounded workers while other threads may be inside gRPC calls;
# gRPC's fork handlers then make the child abort (measured: SIGABRT under concurrent intakes). The
# workers never use gRPC, so its fork support is turned off before gRPC is first imported. (A setting
# of the gRPC library, written for it; not one of ours.)
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

_lock = threading.RLock()
_settings: list[Settings] = []
_runtime: list[Runtime] = []
_api: list[ApiContext] = []
_senders: list[WebhookSender] = []


# ------------------------------------------------------------------------------------- settings


def settings() -> Settings:
    """This process's settings, parsed from its environment on first call."""
    with _lock:
        if not _settings:
            _settings.append(Settings.from_env())
        return _settings[0]


def _resolve(given: Settings | Mapping[str, str] | None) -> Settings:
    if given is None:
        return settings()
    if isinstance(given, Settings):
        return given
    return Settings.from_env(given)


# ------------------------------------------------------------------------------------ extractor


def gemini_extractor(llm: LlmSettings) -> LlmExtractor:
    """The LLM engine on Gemini (Vertex AI), escalating to the stronger model when one is set."""
    from zapdoc.adapters.gemini import GeminiBackend, GeminiEscalation
    from zapdoc.llm.engine import LlmExtractor

    gemini = GeminiBackend(llm)
    stronger = llm.gemini_escalation_model
    escalation = GeminiEscalation(gemini, stronger) if stronger and stronger != gemini.model else None
    where = llm.gemini_base_url or f"Vertex AI {llm.gcp_location}"
    return LlmExtractor(
        "gemini",
        gemini,
        llm,
        escalation,
        where=f"{where} (project {llm.gcp_project})",
        ready=gemini.credentials,
    )


def openai_extractor(llm: LlmSettings) -> LlmExtractor:
    """The LLM engine on an OpenAI-compatible endpoint (the API key is checked when it is built)."""
    from zapdoc.adapters.openai_compat import OpenAIBackend
    from zapdoc.llm.engine import LlmExtractor

    stronger = llm.openai_escalation_model
    escalation = OpenAIBackend(llm, stronger) if stronger and stronger != llm.openai_model else None
    return LlmExtractor(
        "openai", OpenAIBackend(llm), llm, escalation, where=llm.openai_base_url or "api.openai.com"
    )


def _build_llm(name: str, llm: LlmSettings) -> LlmExtractor:
    extractor = gemini_extractor(llm) if name == "gemini" else openai_extractor(llm)
    extractor.check_ready()
    return extractor


def build_extractor(
    name: str | None = None,
    given: Settings | Mapping[str, str] | None = None,
    store: DocumentStore | None = None,
) -> tuple[Extractor, str]:
    """The extractor for ``name`` (or the configured default) and a line saying which one(s) it is.

    Default: ZAPDOC_LLM_PROVIDER, else ``gemini`` when a Google Cloud project is configured, else
    ``offline``; ``ZAPDOC_LLM_PROVIDERS`` (or a comma-separated ``name``) builds a fallback chain whose
    circuit breaker keeps its state in ``store`` (the functions pass their Firestore store so every
    instance sees the same state; without one, the CLI, an in-process store protects this run only).
    Raises ConfigError (naming the variable) when the chosen provider lacks a setting.
    """
    llm = _resolve(given).llm
    from zapdoc.llm.providers import choose_providers

    chosen = choose_providers(name, llm)
    if chosen == ("offline",):
        from zapdoc.extraction.offline import OfflineExtractor

        return OfflineExtractor(), "offline: deterministic extractor, no network"
    members = [_build_llm(p, llm) for p in chosen]
    if len(members) == 1 and not llm.providers and (name is None or "," not in name):
        return members[0], members[0].describe()
    from zapdoc.llm.breaker import CircuitBreaker
    from zapdoc.llm.chain import ProviderChain
    from zapdoc.llm.providers import breaker_policy

    if store is None:
        from zapdoc.adapters.memory import MemoryStore

        store = MemoryStore()
    chain = ProviderChain(members, CircuitBreaker(store, breaker_policy(llm)))
    return chain, chain.describe()


# -------------------------------------------------------------------------------------- runtime


class LazyMailer:
    """Builds the SendGrid mailer on the first send, so functions that never mail need no key."""

    def __init__(self, mail: MailSettings) -> None:
        self._settings = mail
        self._mailer: Mailer | None = None

    def send(self, mail: Mail) -> None:
        if self._mailer is None:
            from zapdoc.adapters.sendgrid import SendGridMailer

            key = _secret(self._settings.sendgrid_api_key)
            if not key and is_loopback(self._settings.sendgrid_base_url):
                key = "local-stand-in"
            if not key:
                raise ConfigError("SENDGRID_API_KEY is not set")
            self._mailer = SendGridMailer(
                key, self._settings.mail_from, host=self._settings.sendgrid_base_url
            )
        self._mailer.send(mail)


def build_runtime(
    given: Settings | Mapping[str, str] | None = None, *, crash: Callable[[str], None] = no_crash
) -> Runtime:
    """A fresh runtime of real adapters (Firestore, Cloud Storage, Pub/Sub, SendGrid, the provider).

    ``crash`` is the step-boundary hook; only the test-only wrapper (``zapdoc.dev.crashpoints``) passes one.
    """
    from zapdoc.adapters.firestore import FirestoreStore
    from zapdoc.adapters.gcs import GcsBlobs
    from zapdoc.adapters.pubsub import PubSubBus

    s = _resolve(given)
    cloud = s.cloud
    project = cloud.require_project()
    store = FirestoreStore.lazy(project, cloud.firestore_database, timeout=cloud.store_timeout_s)
    return Runtime(
        settings=cloud,
        store=store,
        blobs=GcsBlobs(
            project,
            signer_email=cloud.signer_email,
            emulator=cloud.storage_emulator_host,
            public_url=s.api.storage_public_url,
        ),
        bus=PubSubBus(project),
        mailer=LazyMailer(s.mail),
        extractor_factory=lambda: build_extractor(None, s, store)[0],  # store: the chain's breaker
        crash=crash,
    )


def client_runtime(env: Mapping[str, str]) -> Runtime:
    """A runtime on the local stack's emulators for a client (``zapdoc dev submit``, ``zapdoc admin stats``,
    tests): ``env`` is the stack's client environment (``client_env`` in its state file). The Google
    clients read the emulator hosts from the process environment, so they are set there first."""
    os.environ.update(env)
    return build_runtime(dict(os.environ))


def runtime() -> Runtime:
    """The per-instance runtime, built on first call from this process's settings."""
    with _lock:
        if not _runtime:
            _runtime.append(build_runtime())
        return _runtime[0]


# ------------------------------------------------------------------------------------- webhooks


def build_webhook_sender() -> WebhookSender:
    """The HTTP client of the ``webhooks`` function (the URL guard runs before each POST, in the service,
    and the sender connects to the address the guard checked)."""
    from zapdoc.adapters.webhook_http import PinnedWebhookSender

    return PinnedWebhookSender()


def webhook_sender() -> WebhookSender:
    """The per-instance HTTP sender of the ``webhooks`` function."""
    with _lock:
        if not _senders:
            _senders.append(build_webhook_sender())
        return _senders[0]


# ------------------------------------------------------------------------------------------ api


def build_api(rt: Runtime, given: Settings | Mapping[str, str] | None = None) -> ApiContext:
    """The API's context on ``rt``: Firebase token verification, upload signing, Stripe Checkout."""
    from zapdoc.adapters.firebase_auth import FirebaseTokenVerifier
    from zapdoc.adapters.signing import GcsUploadSigner, ephemeral_key_info
    from zapdoc.adapters.stripe_gateway import StripeCheckoutGateway
    from zapdoc.api.app import ApiContext
    from zapdoc.ports.blobs import UploadSigner

    s = _resolve(given)
    api = s.api
    if not api.firebase_project:
        raise ConfigError("GOOGLE_CLOUD_PROJECT (or ZAPDOC_FIREBASE_PROJECT) is not set")
    emulator = s.cloud.storage_emulator_host.rstrip("/")
    endpoint = api.storage_public_url or emulator or "https://storage.googleapis.com"
    signer: UploadSigner
    if s.cloud.signer_email:
        signer = GcsUploadSigner(signer_email=s.cloud.signer_email, api_endpoint=endpoint)
    elif api.signing_key_file:
        signer = GcsUploadSigner.from_key_file(api.signing_key_file, api_endpoint=endpoint)
    elif emulator:
        signer = GcsUploadSigner(key_info=ephemeral_key_info(), api_endpoint=endpoint)
    else:
        raise ConfigError("set ZAPDOC_SIGNER_EMAIL (on Cloud Functions) or ZAPDOC_SIGNING_KEY_FILE")
    return ApiContext(
        rt=rt,
        settings=api,
        payments=s.payments,
        verifier=FirebaseTokenVerifier(
            api.firebase_project, emulator_host=api.emulator_host(), on_cloud=api.on_cloud_functions
        ),
        signer=signer,
        gateway=StripeCheckoutGateway(
            _secret(s.payments.stripe_secret_key),
            api_base=s.payments.stripe_api_base,
        ),
    )


def event_verifier(given: Settings | Mapping[str, str] | None = None) -> EventVerifier:
    """The ``stripe_webhook`` function's check of Stripe's signature (the secret from the settings; a
    delivery to a function without one is a ConfigError naming ``STRIPE_WEBHOOK_SECRET``)."""
    from zapdoc.adapters.stripe_gateway import StripeEventVerifier

    return StripeEventVerifier(_secret(_resolve(given).payments.stripe_webhook_secret))


def check_auth_emulator(given: Settings | Mapping[str, str] | None = None) -> str:
    """The Auth emulator host when emulator auth is explicitly on and safe, "" when off; ConfigError when
    ``FIREBASE_AUTH_EMULATOR_HOST`` is set without ``ZAPDOC_AUTH_EMULATOR=1``, on Cloud Functions, or
    not on loopback (the ``api`` function calls it when it starts, on its live environment: the one
    firebase-admin reads)."""
    if given is None:
        return check_live_emulator_setting()
    return _resolve(given).api.emulator_host()


def api_context() -> ApiContext:
    """The per-instance API context, built on first request."""
    with _lock:
        if not _api:
            _api.append(build_api(runtime()))
        return _api[0]


# -------------------------------------------------------------------------------------- preload

_STORE, _BLOBS, _BUS = "google.cloud.firestore", "google.cloud.storage", "google.cloud.pubsub_v1"
SDKS: dict[str, tuple[str, ...]] = {
    "intake": (_STORE, _BLOBS, _BUS, "pypdf", "pypdfium2"),
    "extract": (_STORE, _BLOBS, _BUS, "pypdf", "pypdfium2"),  # a document's text is read from its PDF
    "classify": (_STORE, _BLOBS, _BUS, "pypdf", "pypdfium2"),
    "assemble": (_STORE, _BLOBS, "openpyxl", "sendgrid"),
    "sweep": (_STORE, _BLOBS, "openpyxl", "sendgrid"),
    "api": (_STORE, _BLOBS, "firebase_admin", "stripe"),
    "stripe_webhook": (_STORE, "stripe"),
    "webhooks": (_STORE, _BUS, "urllib3", "certifi"),
}
"""The client libraries each function uses; imported at instance start so the first event does not
pay for them (``tests/unit/test_coldstart.py`` checks each function loads these and no other SDK)."""

_A = "zapdoc.adapters."
SERVICES: dict[str, tuple[str, ...]] = {
    "intake": ("zapdoc.services.intake", _A + "firestore", _A + "gcs", _A + "pubsub"),
    "extract": ("zapdoc.services.extract", _A + "firestore", _A + "gcs", _A + "pubsub"),
    "classify": ("zapdoc.services.extract", _A + "firestore", _A + "gcs", _A + "pubsub"),
    "assemble": ("zapdoc.services.assemble", _A + "firestore", _A + "gcs", _A + "sendgrid"),
    "sweep": ("zapdoc.services.sweep", _A + "firestore", _A + "gcs", _A + "sendgrid"),
    "api": (
        "zapdoc.api.app",
        _A + "firestore",
        _A + "gcs",
        _A + "signing",
        _A + "firebase_auth",
        _A + "stripe_gateway",
    ),
    "stripe_webhook": (
        "zapdoc.api.webhook",
        "zapdoc.services.payments",
        _A + "firestore",
        _A + "stripe_gateway",
    ),
    "webhooks": ("zapdoc.services.webhooks", _A + "firestore", _A + "pubsub", _A + "webhook_http"),
}
"""Our own modules each function runs, imported at start for the same reason."""
PROVIDER_MODULES: dict[str, tuple[str, ...]] = {
    "gemini": ("google.genai", "zapdoc.adapters.gemini"),
    "openai": ("openai", "zapdoc.adapters.openai_compat"),
    "offline": ("zapdoc.extraction.offline",),
}
USES_PROVIDER = frozenset({"extract", "classify"})


def preload_modules(function: str, given: Settings | Mapping[str, str] | None = None) -> tuple[str, ...]:
    """What ``function`` imports at start: its SDKs and services, plus the configured provider's SDK."""
    modules = SDKS[function] + SERVICES[function]
    if function in USES_PROVIDER:
        from zapdoc.llm.providers import choose_provider  # the LLM functions only

        try:
            provider = choose_provider(None, _resolve(given).llm)
        except ConfigError:  # reported on the first event, with the variable named
            provider = "offline"
        modules += PROVIDER_MODULES[provider]
    return modules


def preload(function: str) -> None:
    """Import the client libraries ``function`` uses at instance start (no client is created, nothing
    connects), so the first event does not pay for them."""
    import importlib

    for name in preload_modules(function):
        importlib.import_module(name)


# ---------------------------------------------------------------------------------- readiness

MAIL_SENDERS = frozenset({"intake", "assemble", "sweep", "stripe_webhook"})
PARTS_USED: dict[str, tuple[str, ...]] = {
    "intake": ("cloud", "mail"),
    "extract": ("cloud", "llm"),
    "classify": ("cloud", "llm"),
    "assemble": ("cloud", "mail"),
    "sweep": ("cloud", "mail"),
    "api": ("cloud", "api", "payments"),
    "stripe_webhook": ("cloud", "mail"),  # and payments.stripe_webhook_secret (check_ready)
    "webhooks": ("cloud",),
}
"""The settings parts each function reads (deploy checks look for placeholders in these)."""


def check_ready(function: str, given: Settings | Mapping[str, str] | None = None) -> None:
    """Raise ConfigError naming what ``function`` lacks in these settings, building what it builds
    (lazily: nothing connects). The Terraform checks run it with each function's deployed environment."""
    s = _resolve(given)
    rt = build_runtime(s)
    if function in USES_PROVIDER:
        from zapdoc.llm.providers import choose_provider

        choose_provider(None, s.llm)
    if function == "api":
        build_api(rt, s)
    if function == "stripe_webhook" and not _secret(s.payments.stripe_webhook_secret):
        raise ConfigError("STRIPE_WEBHOOK_SECRET is not set")
    if function in MAIL_SENDERS and not (
        _secret(s.mail.sendgrid_api_key) or is_loopback(s.mail.sendgrid_base_url)
    ):
        raise ConfigError("SENDGRID_API_KEY is not set")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


# ---------------------------------------------------------------------------------------- tests


def install(
    rt: Runtime | None = None, sender: WebhookSender | None = None, *, api: ApiContext | None = None
) -> None:
    """Use ``rt`` (``sender``, ``api``) as this process's runtime, webhook sender and API context (tests,
    in-process runs)."""
    with _lock:
        if rt is not None:
            _runtime[:] = [rt]
        if sender is not None:
            _senders[:] = [sender]
        if api is not None:
            _api[:] = [api]


def reset(*, settings_only: bool = False) -> None:
    """Forget the cached settings, runtime and API context (tests that change the environment);
    ``settings_only`` keeps an installed runtime and API context."""
    with _lock:
        _settings.clear()
        if settings_only:
            return
        _runtime.clear()
        _api.clear()
        _senders.clear()
