"""Composition root: builds providers and clients from settings, lazily, in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping

from zapdoc.llm.providers import make_extractor
from zapdoc.ports.extractor import Extractor


def build_extractor(name: str | None = None, env: Mapping[str, str] | None = None) -> tuple[Extractor, str]:
    """Return the extractor for ``name`` (or the configured default) and a line saying which one it is.

    Default: ZAPDOC_LLM_PROVIDER, else ``gemini`` when a Google Cloud project is configured, else
    ``offline``. Raises ConfigError (naming the variable) when the chosen provider lacks a setting.
    """
    return make_extractor(name, os.environ if env is None else env)
