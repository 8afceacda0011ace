"""Issue 9: every Firestore call has a deadline. A store that accepts connections and never answers (a
paused emulator) turns into StoreUnavailable within the deadline, and the API answers 503 with
Retry-After instead of hanging."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_support import api_context, fake_token
from tests.pipeline_support import function_client, memory_world
from zapdoc import bootstrap
from zapdoc.adapters.firestore import FirestoreStore, StoreUnavailable
from zapdoc.ports.store import Create, Query


@pytest.fixture
def black_hole(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A loopback port that accepts connections and never sends a byte, as a paused emulator does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", host)
    yield host
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def _store() -> FirestoreStore:
    from google.cloud import firestore

    return FirestoreStore(firestore.Client(project="demo-deadline"), timeout=1.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get("users/u1"),
        lambda s: s.query(Query("jobs")),
        lambda s: s.commit([Create("users/u1", {"credits": 1})]),
    ],
)
def test_every_store_call_ends_within_its_deadline(black_hole: str, call: Any) -> None:
    store = _store()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"did not answer within 1\.5 s"):
        call(store)
    assert time.monotonic() - started < 30  # bounded, not a hang (the deadline is 1.5 s)


def test_the_api_answers_503_with_retry_after_when_the_store_hangs(black_hole: str) -> None:
    world = memory_world(store=_store())
    bootstrap.install(world.rt)
    bootstrap.install(api=api_context(world.rt))
    try:
        resp = function_client("api", "http").get(
            "/v1/me", headers={"Authorization": f"Bearer {fake_token('u1')}"}
        )
    finally:
        bootstrap.reset()
    assert resp.status_code == 503
    assert int(resp.headers["Retry-After"]) > 0
    assert resp.get_json()["error"]["code"] == "unavailable"
