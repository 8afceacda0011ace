"""The Cloud Storage adapter and the finalize bridge against gcp-storage-emulator."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from zapdoc.adapters.gcs import GcsBlobs
from zapdoc.dev.bridge import FinalizeBridge
from zapdoc.dev.emulators import Emulator, wait_until
from zapdoc.ports.blobs import BlobNotFound


@pytest.fixture
def bucket(storage_emulator: Emulator) -> tuple[GcsBlobs, str]:
    blobs = GcsBlobs("demo-zapdoc", emulator=storage_emulator.env["STORAGE_EMULATOR_HOST"])
    name = f"b-{uuid.uuid4().hex[:10]}"
    blobs.client().create_bucket(name)
    return blobs, name


class Intake:
    """A stand-in intake endpoint: records CloudEvents, fails the first ``failures`` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self.failures = failures
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 500 if outer.failures > 0 else 204
                outer.failures -= 1
                if status == 204:
                    outer.events.append({"content_type": self.headers["Content-Type"], **body})
                self.send_response(status)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def intake() -> Iterator[Intake]:
    server = Intake(failures=1)
    yield server
    server.server.shutdown()


def test_blob_round_trip_listing_and_deletion(bucket: tuple[GcsBlobs, str]) -> None:
    blobs, name = bucket
    blobs.write(name, "jobs/j1/f000/a.pdf", b"%PDF-1.7 a", "application/pdf")
    blobs.write(name, "jobs/j2/f000/b.pdf", b"%PDF-1.7 b", "application/pdf")
    assert blobs.read(name, "jobs/j1/f000/a.pdf") == b"%PDF-1.7 a"
    assert blobs.list(name, "jobs/j1/") == ["jobs/j1/f000/a.pdf"]
    url = blobs.download_url(name, "jobs/j1/f000/a.pdf", dt.timedelta(hours=1))
    with urllib.request.urlopen(url) as resp:  # noqa: S310 (loopback emulator URL)
        assert resp.read() == b"%PDF-1.7 a"
    blobs.delete(name, "jobs/j1/f000/a.pdf")
    blobs.delete(name, "jobs/j1/f000/a.pdf")  # deleting twice is fine
    with pytest.raises(BlobNotFound):
        blobs.read(name, "jobs/j1/f000/a.pdf")


def test_bridge_delivers_one_finalize_event_per_generation_and_retries(
    storage_emulator: Emulator, bucket: tuple[GcsBlobs, str], intake: Intake
) -> None:
    blobs, name = bucket
    bridge = FinalizeBridge(storage_emulator.url, name, intake.url)
    # GIVEN an object written, then overwritten (a new generation)
    blobs.write(name, "jobs/j1/f000/a.pdf", b"one", "application/pdf")
    bridge.poll_once()
    bridge.poll_once()  # nothing new: no second event
    wait_until(lambda: len(intake.events) == 1, timeout=20, what="first event (after one failure)")
    blobs.write(name, "jobs/j1/f000/a.pdf", b"two", "application/pdf")
    bridge.poll_once()
    wait_until(lambda: len(intake.events) == 2, timeout=20, what="second generation")
    first, second = intake.events
    # THEN each is the CloudEvent Eventarc would send, with its own generation
    assert first["content_type"] == "application/cloudevents+json"
    assert first["type"] == "google.cloud.storage.object.v1.finalized"
    assert first["data"]["bucket"] == name and first["data"]["name"] == "jobs/j1/f000/a.pdf"
    assert first["data"]["generation"] != second["data"]["generation"]
    assert first["id"] != second["id"]
