"""Keep CLI tests hermetic: emulator fixtures set GOOGLE_CLOUD_PROJECT, which would select Gemini."""

from __future__ import annotations

import pytest

PROVIDER_VARIABLES = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "ZAPDOC_GCP_PROJECT", "ZAPDOC_LLM_PROVIDER")


@pytest.fixture(autouse=True)
def offline_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider settings: the CLI's default is then the offline extractor."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
