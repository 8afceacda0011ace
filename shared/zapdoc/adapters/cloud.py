"""Composition root of the pipeline functions: a ``Runtime`` of real adapters built from the environment.

Nothing connects at import time; each client is created on first use and cached for the life of the
function instance.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from zapdoc.domain.errors import ConfigError
from zapdoc.llm.settings import is_loopback
from zapdoc.pipeline_settings import CloudSettings
from zapdoc.ports.extractor import Extractor
from zapdoc.ports.mailer import Mail, Mailer
from zapdoc.ports.store import DocumentStore
from zapdoc.ports.webhooks import WebhookSender
from zapdoc.services.runtime import Runtime, no_crash

# Intake parses untrusted PDFs in forked, bounded workers while other threads may be inside gRPC calls;
# gRPC's fork handlers then make the child abort (measured: SIGABRT under concurrent intakes). The
# workers never use gRPC, so its fork support is turned off before gRPC is first imported.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

_lock = threading.Lock()
_cache: dict[str, Runtime] = {}
_senders: dict[str, WebhookSender] = {}


class LazyMailer:
    """Builds the SendGrid mailer on the first send, so functions that never mail need no key."""

    def __init__(self, settings: CloudSettings) -> None:
        self._settings = settings
        self._mailer: Mailer | None = None

    def send(self, mail: Mail) -> None:
        if self._mailer is None:
            from zapdoc.adapters.sendgrid import SendGridMailer

            key = self._settings.sendgrid_api_key
            if not key and is_loopback(self._settings.sendgrid_base_url):
                key = "local-stand-in"
            if not key:
                raise ConfigError("SENDGRID_API_KEY is not set")
            self._mailer = SendGridMailer(
                key, self._settings.mail_from, host=self._settings.sendgrid_base_url
            )
        self._mailer.send(mail)


def crash_hook(env: Mapping[str, str]) -> Callable[[str], None]:
    """For end-to-end crash tests only: ``ZAPDOC_CRASH_AT=point,...`` kills the process at those step
    boundaries, once per point (remembered in ``ZAPDOC_CRASH_MARKERS``, a directory)."""
    points = {p.strip() for p in env.get("ZAPDOC_CRASH_AT", "").split(",") if p.strip()}
    markers = env.get("ZAPDOC_CRASH_MARKERS", "")
    if not points or not markers:
        return no_crash

    def crash(point: str) -> None:
        marker = Path(markers) / point
        if point in points and not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("crashed\n")
            os._exit(70)

    return crash


def _extractor_factory(env: Mapping[str, str], store: DocumentStore) -> Callable[[], Extractor]:
    def build() -> Extractor:
        from zapdoc.bootstrap import build_extractor

        extractor, _description = build_extractor(None, env, store)  # store: the chain's circuit breaker
        return extractor

    return build


def build_runtime(env: Mapping[str, str] | None = None) -> Runtime:
    """A fresh runtime of real adapters (Firestore, Cloud Storage, Pub/Sub, SendGrid, the provider)."""
    from zapdoc.adapters.firestore import FirestoreStore
    from zapdoc.adapters.gcs import GcsBlobs
    from zapdoc.adapters.pubsub import PubSubBus

    env = dict(os.environ if env is None else env)
    settings = CloudSettings.from_env(env)
    store = FirestoreStore.lazy(settings.project, env.get("ZAPDOC_FIRESTORE_DATABASE", "") or None)
    return Runtime(
        settings=settings,
        store=store,
        blobs=GcsBlobs(settings.project, signer_email=env.get("ZAPDOC_SIGNER_EMAIL", "")),
        bus=PubSubBus(settings.project),
        mailer=LazyMailer(settings),
        extractor_factory=_extractor_factory(env, store),
        crash=crash_hook(env),
    )


def webhook_sender() -> WebhookSender:
    """The per-instance HTTP sender of the ``webhooks`` function (built by the composition root)."""
    from zapdoc.bootstrap import build_webhook_sender

    with _lock:
        if "webhook_sender" not in _senders:
            _senders["webhook_sender"] = build_webhook_sender()
        return _senders["webhook_sender"]


def runtime() -> Runtime:
    """The per-instance runtime, built on first call from ``os.environ``."""
    with _lock:
        if "runtime" not in _cache:
            _cache["runtime"] = build_runtime()
        return _cache["runtime"]


def reset() -> None:
    """Forget the cached runtime (tests that change the environment)."""
    with _lock:
        _cache.clear()
        _senders.clear()


def install(rt: Runtime, sender: WebhookSender | None = None) -> None:
    """Use ``rt`` (and ``sender``) in this process (functional tests and in-process local runs)."""
    with _lock:
        _cache["runtime"] = rt
        if sender is not None:
            _senders["webhook_sender"] = sender


def preload(*, provider: bool = False) -> None:
    """Import the heavy client libraries at instance start (no client is created, nothing connects),
    so the first event does not pay for them."""
    import importlib

    modules = [
        "google.cloud.firestore",
        "google.cloud.storage",
        "google.cloud.pubsub_v1",
        "zapdoc.services.intake",
        "zapdoc.services.extract",
        "zapdoc.services.assemble",
    ]
    if provider:
        modules += [
            "zapdoc.bootstrap",
            "zapdoc.llm.providers",
            "zapdoc.adapters.gemini",
            "zapdoc.extraction.offline",
        ]
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:  # optional provider modules
            continue
