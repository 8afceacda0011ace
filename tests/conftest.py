"""Session-scoped emulator fixtures: Firestore, Pub/Sub and Cloud Storage on free loopback ports.

Each emulator starts once per test session, only when a test asks for it, and is stopped at the end.
Tests that need gcloud/java are skipped with a clear message only when those tools are absent.
Every test gets its own Firestore/Pub/Sub project id, so tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zapdoc.dev import emulators

PROJECT = "demo-zapdoc"


def _skip_without_gcloud() -> None:
    missing = emulators.missing_tools()
    if missing:
        pytest.skip(
            f"emulator tests need {', '.join(missing)} (google-cloud-cli with its emulator packages and a "
            "Java runtime); run scripts/install-emulators.sh"
        )


@pytest.fixture(scope="session")
def emulator_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("emulator-logs")


@pytest.fixture(scope="session")
def firestore_emulator(emulator_logs: Path) -> Iterator[emulators.Emulator]:
    """The Firestore emulator; sets FIRESTORE_EMULATOR_HOST for the session."""
    _skip_without_gcloud()
    emu = emulators.start_firestore(log_dir=emulator_logs)
    old = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ.update(emu.env)
    try:
        yield emu
    finally:
        emu.stop()
        _restore("FIRESTORE_EMULATOR_HOST", old)


@pytest.fixture(scope="session")
def pubsub_emulator(emulator_logs: Path) -> Iterator[emulators.Emulator]:
    """The Pub/Sub emulator; sets PUBSUB_EMULATOR_HOST for the session."""
    _skip_without_gcloud()
    emu = emulators.start_pubsub(project=PROJECT, log_dir=emulator_logs)
    old = os.environ.get("PUBSUB_EMULATOR_HOST")
    os.environ.update(emu.env)
    try:
        yield emu
    finally:
        emu.stop()
        _restore("PUBSUB_EMULATOR_HOST", old)


@pytest.fixture(scope="session")
def storage_emulator(emulator_logs: Path) -> Iterator[emulators.Emulator]:
    """gcp-storage-emulator (in memory); sets STORAGE_EMULATOR_HOST for the session."""
    emu = emulators.start_storage(log_dir=emulator_logs)
    old = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ.update(emu.env)
    try:
        yield emu
    finally:
        emu.stop()
        _restore("STORAGE_EMULATOR_HOST", old)


def _restore(name: str, old: str | None) -> None:
    if old is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = old


@pytest.fixture
def project_id() -> str:
    """A project id of its own for each test: emulator data is partitioned by project."""
    return f"demo-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def firestore_client(firestore_emulator: emulators.Emulator, project_id: str) -> Any:
    from google.cloud import firestore

    return firestore.Client(project=project_id)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """Each test leaves ``os.environ`` as it found it: code under test that exports a stack's variables
    (``bootstrap.client_runtime`` puts its project and emulator hosts there for the Google clients)
    must not change what later tests read. Session fixtures set their variables before this snapshot."""
    saved = dict(os.environ)
    yield
    changed = set(os.environ) != set(saved) or any(os.environ[k] != v for k, v in saved.items())
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value
    if changed:  # settings parsed from the changed environment are cached by the composition root
        from zapdoc import bootstrap

        bootstrap.reset(settings_only=True)  # a module fixture may have installed a runtime
