"""Composition root: builds providers and clients from settings, lazily.

The extractor is chosen here for the CLI and for the functions. The functions' ``Runtime`` (Firestore,
Cloud Storage, Pub/Sub, SendGrid, this extractor) is built by ``zapdoc.adapters.cloud.build_runtime``, and
the API adds its auth, signing and Stripe clients on top of it in ``zapdoc.api.app.build_context``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from zapdoc.llm.providers import make_extractor
from zapdoc.ports.extractor import Extractor
from zapdoc.ports.store import DocumentStore
from zapdoc.ports.webhooks import WebhookSender


def build_extractor(
    name: str | None = None, env: Mapping[str, str] | None = None, store: DocumentStore | None = None
) -> tuple[Extractor, str]:
    """Return the extractor for ``name`` (or the configured default) and a line saying which one it is.

    Default: ZAPDOC_LLM_PROVIDER, else ``gemini`` when a Google Cloud project is configured, else
    ``offline``; ``ZAPDOC_LLM_PROVIDERS`` (or a comma-separated ``name``) builds a fallback chain whose
    circuit breaker keeps its state in ``store``. Raises ConfigError (naming the variable) when the
    chosen provider lacks a setting.
    """
    return make_extractor(name, os.environ if env is None else env, store=store)


def build_webhook_sender() -> WebhookSender:
    """The HTTP client of the ``webhooks`` function (the URL guard runs before each POST, in the service)."""
    from zapdoc.adapters.webhook_http import RequestsWebhookSender

    return RequestsWebhookSender()
