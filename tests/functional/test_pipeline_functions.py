"""Each pipeline function, loaded by functions-framework, receiving real CloudEvent JSON.

The functions run on in-memory adapters (installed as the process runtime), so these tests check the
entry points: decoding, ack (2xx) versus retry (5xx), and that they call the right service.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.pipeline_support import FIELDS, MemoryWorld, function_client, invoice_pdf, memory_world
from zapdoc import bootstrap
from zapdoc.logging import CloudJsonFormatter
from zapdoc.services import jobs


def client(name: str, signature: str = "cloudevent") -> Any:
    return function_client(name, signature)


@pytest.fixture
def world() -> Iterator[MemoryWorld]:
    w = memory_world()
    bootstrap.install(w.rt)
    yield w
    bootstrap.reset()


def storage_event(
    bucket: str, name: str, generation: str = "1", when: dt.datetime | None = None
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": uuid.uuid4().hex,
        "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        "type": "google.cloud.storage.object.v1.finalized",
        "subject": f"objects/{name}",
        "time": (when or dt.datetime.now(dt.UTC)).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": {"bucket": bucket, "name": name, "generation": generation, "contentType": "application/pdf"},
    }


def pubsub_event(topic: str, payload: Any, *, raw: bytes | None = None) -> dict[str, Any]:
    data = raw if raw is not None else json.dumps(payload).encode()
    now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    return {
        "specversion": "1.0",
        "id": uuid.uuid4().hex,
        "source": f"//pubsub.googleapis.com/projects/demo-zapdoc/topics/{topic}",
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "time": now,
        "datacontenttype": "application/json",
        "data": {
            "message": {
                "data": base64.b64encode(data).decode(),
                "messageId": uuid.uuid4().hex,
                "publishTime": now,
            },
            "subscription": f"projects/demo-zapdoc/subscriptions/{topic}-sub",
        },
    }


def post(c: Any, event: dict[str, Any]) -> int:
    response = c.post("/", data=json.dumps(event), headers={"Content-Type": "application/cloudevents+json"})
    return int(response.status_code)


def _job(world: MemoryWorld, pdf: bytes | None = None) -> tuple[str, str]:
    user = f"u-{uuid.uuid4().hex[:6]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=10)
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=["a.pdf"], fields=FIELDS
    )
    obj = created.files[0].object_name
    world.blobs.write("uploads", obj, pdf or invoice_pdf("FN-1", "4.00", pages=2), "application/pdf")
    return created.job_id, obj


def test_chain_of_functions_delivers_a_job(world: MemoryWorld) -> None:
    # GIVEN a job whose only file was uploaded
    job_id, obj = _job(world)
    # WHEN intake receives the finalize event
    assert post(client("intake"), storage_event("uploads", obj)) == 200
    # THEN one documents message was published; extract and classify accept it
    [(topic, message, _)] = world.bus.drain()
    assert topic == "documents" and message["job_id"] == job_id
    assert post(client("extract"), pubsub_event("documents", message)) == 200
    assert post(client("classify"), pubsub_event("documents", message)) == 200
    results = world.bus.drain()
    # AND only the step that finished the job's last document told assemble (one message, not one per step)
    assert [t for t, _, _ in results] == ["document-results"]
    # AND assemble delivers once, however often it is told
    for _, data, _ in results * 2:
        assert post(client("assemble"), pubsub_event("document-results", data)) == 200
    assert len(world.mailer.sent) == 1
    assert jobs.ledger(world.rt).balance(world.rt.store.get(f"jobs/{job_id}").data["user_id"]) == 8  # type: ignore[union-attr]


def test_malformed_message_is_acknowledged_not_retried(world: MemoryWorld) -> None:
    assert post(client("extract"), pubsub_event("documents", None, raw=b"\xff not json")) == 200
    assert post(client("assemble"), pubsub_event("document-results", {"nothing": 1})) == 200


def test_upload_outside_the_naming_scheme_is_acknowledged(world: MemoryWorld) -> None:
    assert post(client("intake"), storage_event("uploads", "elsewhere/x.pdf")) == 200
    assert world.bus.messages == []


def test_event_older_than_the_maximum_age_is_dropped(world: MemoryWorld) -> None:
    job_id, obj = _job(world)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    assert post(client("intake"), storage_event("uploads", obj, when=old)) == 200
    snap = world.rt.store.get(f"jobs/{job_id}")
    assert snap is not None and snap.data["files"]["f000"]["arrived"] is False


def test_transient_failure_answers_5xx_so_the_event_is_redelivered(world: MemoryWorld) -> None:
    # GIVEN a document whose provider call fails temporarily, once
    job_id, obj = _job(world, invoice_pdf("FN-2", "1.00", extra="TRANSIENT-FAIL"))
    world.extractor.transient_left["a.pdf"] = 1
    post(client("intake"), storage_event("uploads", obj))
    [(_, message, _)] = world.bus.drain()
    extract = client("extract")
    # THEN the first delivery answers 500 and the redelivery succeeds
    assert post(extract, pubsub_event("documents", message)) == 500
    assert post(extract, pubsub_event("documents", message)) == 200
    doc = world.rt.store.get(f"jobs/{job_id}/documents/{message['document_id']}")
    assert doc is not None and doc.data["status"] == "done"


def test_sweep_answers_with_its_report(world: MemoryWorld) -> None:
    c = client("sweep", "http")
    assert c.get("/").status_code == 405
    response = c.post("/")
    assert response.status_code == 200
    assert set(response.get_json()) >= {"cancelled", "delivered", "failed_documents"}


def test_log_lines_carry_ids_of_their_own_invocation_only(world: MemoryWorld) -> None:
    # GIVEN JSON logs captured from the root logger
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(CloudJsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        first_job, first_obj = _job(world)
        second_job, second_obj = _job(world)
        # WHEN two intake invocations run one after the other
        post(client("intake"), storage_event("uploads", first_obj))
        post(client("intake"), storage_event("uploads", second_obj))
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    # THEN each invocation's lines carry its own job id, never the previous one's
    intake_lines = [ln for ln in lines if ln.get("function") == "intake"]
    assert {ln["job_id"] for ln in intake_lines} == {first_job, second_job}
    events = [ln["event_id"] for ln in intake_lines]
    by_event = {e: {ln["job_id"] for ln in intake_lines if ln["event_id"] == e} for e in events}
    assert all(len(ids) == 1 for ids in by_event.values()) and len(by_event) == 2
    assert all(ln["severity"] in {"INFO", "WARNING", "ERROR"} and ln["message"] for ln in lines)
    assert any(ln.get("state") == "running" for ln in intake_lines)  # a line per state change
