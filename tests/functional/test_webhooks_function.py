"""Job webhooks on in-memory adapters: the API's settings and checks, the event queued once per job end,
and the ``webhooks`` function under functions-framework posting signed events with retries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.api_support import api_context, fake_token
from tests.functional.test_pipeline_functions import post, pubsub_event
from tests.pipeline_support import FIELDS, MemoryWorld, function_client, invoice_pdf, memory_world, pump
from zapdoc import bootstrap
from zapdoc.domain import webhooks as W
from zapdoc.domain.errors import TransientError
from zapdoc.services import jobs, webhooks
from zapdoc.services.intake import handle_upload
from zapdoc.services.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
HOOK = "http://127.0.0.1:9/hook"  # never contacted: the fake sender answers


class ScriptedSender:
    """Answers the scripted statuses in order, then 200; remembers every request."""

    def __init__(self, *statuses: int | None) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []
        self.addresses: list[str] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, address: str) -> int:
        self.requests.append((url, body, dict(headers)))
        self.addresses.append(address)
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            raise TransientError("connection refused")
        return status


@pytest.fixture
def world() -> Iterator[MemoryWorld]:
    w = memory_world(webhook_allow_loopback=True)
    bootstrap.install(w.rt)
    bootstrap.install(api=api_context(w.rt))
    yield w
    bootstrap.reset()


def app_client(name: str, signature: str) -> Any:
    return function_client(name, signature)


def auth(uid: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake_token(uid)}"}


def job_request(**extra: Any) -> dict[str, Any]:
    return {"fields": "invoice_number, total:amount",
            "files": [{"name": "a.pdf", "size": 10, "content_type": "application/pdf"}], **extra}  # fmt: skip


def run_job(world: MemoryWorld, api: Any, uid: str, **extra: Any) -> str:
    created = api.post("/v1/jobs", json=job_request(**extra), headers=auth(uid))
    assert created.status_code == 201, created.get_json()
    job_id = str(created.get_json()["id"])
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    name = snap.data["files"]["f000"]["object"]
    world.blobs.write("uploads", name, invoice_pdf("W-1", "9.00"), "application/pdf")
    handle_upload(world.rt, bucket="uploads", name=name, generation="1")
    pump(world, duplicate=True)  # every message twice: assemble runs again on a delivered job
    return job_id


def assert_matches_openapi(instance: object, schema: str) -> None:
    import jsonschema  # type: ignore[import-untyped]
    import yaml  # type: ignore[import-untyped]

    doc = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text())
    root = {"components": doc["components"], "$ref": f"#/components/schemas/{schema}"}
    jsonschema.Draft202012Validator(root).validate(instance)


def webhook_messages(world: MemoryWorld) -> list[dict[str, object]]:
    return [data for topic, data in world.parked if topic == world.rt.settings.webhooks_topic]


def test_default_url_and_secret_are_set_once_and_the_secret_is_never_shown_again(world: MemoryWorld) -> None:
    api, uid = app_client("api", "http"), f"u{uuid.uuid4().hex[:8]}"
    # GIVEN a user without webhook settings WHEN they set a default URL
    first = api.put("/v1/webhook", json={"url": HOOK}, headers=auth(uid))
    # THEN the signing secret is shown in that answer only
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    secret = first.get_json()["secret"]
    assert secret.startswith("whsec_") and first.get_json()["default_url"] == HOOK
    again = api.put("/v1/webhook", json={"url": HOOK + "2"}, headers=auth(uid)).get_json()
    shown = api.get("/v1/webhook", headers=auth(uid)).get_json()
    assert "secret" not in again and "secret" not in shown
    assert shown["secret_set"] is True and shown["default_url"] == HOOK + "2"
    assert secret not in json.dumps(shown) and shown["secret_hint"] == secret[:10] + "…"
    # WHEN they rotate it THEN a new one is shown once and signs from now on
    rotated = api.post("/v1/webhook/secret", headers=auth(uid))
    assert rotated.status_code == 201 and rotated.get_json()["secret"] not in (secret, None)
    assert webhooks.user_settings(world.rt, uid)["secret"] == rotated.get_json()["secret"]
    # AND null removes the default
    assert api.put("/v1/webhook", json={"url": None}, headers=auth(uid)).get_json()["default_url"] is None
    assert api.put("/v1/webhook", json={}, headers=auth(uid)).status_code == 400


@pytest.mark.parametrize(
    "url",
    ["https://10.0.0.5/hook", "https://192.168.0.10/", "https://169.254.169.254/computeMetadata/v1/",
     "https://127.0.0.1/hook", "http://127.0.0.1:8080/hook", "https://localhost/hook", "https://[::1]/",
     "https://[fd00::1]/", "ftp://example.com/", "not a url", 42],
)  # fmt: skip
def test_private_loopback_and_metadata_urls_are_refused_in_production_settings(url: object) -> None:
    # GIVEN the API with production settings (no loopback receivers)
    prod = memory_world()
    assert prod.rt.settings.webhook_allow_loopback is False
    bootstrap.install(prod.rt)
    bootstrap.install(api=api_context(prod.rt))
    try:
        api, uid = app_client("api", "http"), f"u{uuid.uuid4().hex[:8]}"
        # WHEN a job or the default names such a URL THEN it is refused with 400 and nothing is created
        created = api.post("/v1/jobs", json=job_request(webhook_url=url), headers=auth(uid))
        assert created.status_code == 400, created.get_json()
        assert "webhook_url" in created.get_json()["error"]["message"]
        assert api.put("/v1/webhook", json={"url": url}, headers=auth(uid)).status_code == 400
        assert api.get("/v1/jobs", headers=auth(uid)).get_json()["jobs"] == []
    finally:
        bootstrap.reset()


def test_one_signed_event_per_job_even_after_two_500s_and_redelivered_messages(world: MemoryWorld) -> None:
    api, uid = app_client("api", "http"), f"u{uuid.uuid4().hex[:8]}"
    # GIVEN a job created with a webhook_url (the account's first secret comes back with it)
    created = api.post("/v1/jobs", json=job_request(webhook_url=HOOK), headers=auth(uid)).get_json()
    secret = created["webhook"]["secret"]
    assert created["webhook"]["url"] == HOOK
    job_id = created["id"]
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    name = snap.data["files"]["f000"]["object"]
    world.blobs.write("uploads", name, invoice_pdf("W-1", "9.00"), "application/pdf")
    handle_upload(world.rt, bucket="uploads", name=name, generation="1")
    # WHEN the pipeline runs with every message delivered twice (assemble redelivered on a delivered job)
    pump(world, duplicate=True)
    assert len(world.mailer.sent) == 1
    # THEN exactly one webhook event was queued
    [message] = webhook_messages(world)
    assert message == {"event_id": f"evt_{job_id}_delivered"}
    # WHEN the webhooks function gets it while the receiver answers 500 twice
    sender = ScriptedSender(500, 500)
    bootstrap.install(world.rt, sender)
    fn = app_client("webhooks", "cloudevent")
    statuses = [post(fn, pubsub_event("zapdoc-webhooks", message)) for _ in range(4)]
    # THEN the first two attempts answer 5xx (Pub/Sub redelivers), the third delivers, the copy is acked
    assert statuses[:2] == [500, 500] and statuses[2:] == [200, 200]
    assert len(sender.requests) == 3
    assert sender.addresses == ["127.0.0.1"] * 3  # the address the guard checked, passed to the sender
    url, body, headers = sender.requests[-1]
    assert url == HOOK and headers[W.EVENT_ID_HEADER] == message["event_id"]
    assert W.verify(secret, body, headers[W.SIGNATURE_HEADER], now=world.clock().timestamp())
    event = json.loads(body)
    assert event["type"] == "job.delivered" and event["id"] == message["event_id"]
    assert event["data"]["job"]["id"] == job_id and event["data"]["job"]["status"] == "delivered"
    assert event["data"]["job"]["download"]["url"].startswith("memory://results/")
    assert event["data"]["job"]["credits"] == {"charged": 1, "refunded": 0}
    assert_matches_openapi(event, "JobEvent")  # the event is what openapi.yaml's `webhooks` describes
    # AND the job shows the attempts and the last status; the mail went out once, unchanged
    view = api.get(f"/v1/jobs/{job_id}", headers=auth(uid)).get_json()["webhook"]
    assert view["state"] == "delivered" and view["attempts"] == 3 and view["last_status"] == 200
    assert view["event_id"] == message["event_id"] and view["delivered_at"]
    assert len(world.mailer.sent) == 1


def test_the_default_url_applies_to_jobs_without_one_and_null_opts_out(world: MemoryWorld) -> None:
    api, uid = app_client("api", "http"), f"u{uuid.uuid4().hex[:8]}"
    api.put("/v1/webhook", json={"url": HOOK}, headers=auth(uid))
    with_default = run_job(world, api, uid)
    opted_out = run_job(world, api, uid, webhook_url=None)
    assert webhook_messages(world) == [{"event_id": f"evt_{with_default}_delivered"}]
    view = api.get(f"/v1/jobs/{opted_out}", headers=auth(uid)).get_json()
    assert view["webhook"] is None and view["status"] == "delivered"


def test_a_rejected_job_sends_job_rejected_and_a_receiver_down_for_a_day_is_given_up(
    world: MemoryWorld,
) -> None:
    api, uid = app_client("api", "http"), f"u{uuid.uuid4().hex[:8]}"
    # GIVEN a job of 3 pages for a user with 1 credit, reporting to a webhook
    jobs.ledger(world.rt).ensure_user(uid, email=f"{uid}@example.com", initial_credits=1)
    webhooks.ensure_secret(world.rt, uid)
    created = jobs.create_job(world.rt, user_id=uid, email=f"{uid}@example.com", filenames=["a.pdf"],
                              fields=FIELDS, webhook_url=HOOK)  # fmt: skip
    name = created.files[0].object_name
    world.blobs.write("uploads", name, invoice_pdf("W-2", "1.00", pages=3), "application/pdf")
    handle_upload(world.rt, bucket="uploads", name=name, generation="1")
    pump(world)
    job_id = created.job_id
    assert jobs.get_job(world.rt, job_id).data["status"] == "rejected"  # type: ignore[union-attr]
    [message] = webhook_messages(world)
    assert message["event_id"] == f"evt_{job_id}_rejected"
    sender = ScriptedSender(None, 503)
    for _ in range(2):
        with pytest.raises(TransientError):
            webhooks.deliver(world.rt, str(message["event_id"]), sender)
    body = json.loads(sender.requests[0][1])
    assert body["type"] == "job.rejected" and body["data"]["job"]["download"] is None
    assert body["data"]["job"]["reason"]
    view = api.get(f"/v1/jobs/{job_id}", headers=auth(uid)).get_json()["webhook"]
    assert view["state"] == "retrying" and view["attempts"] == 2 and view["last_status"] == 503
    # WHEN its message was lost (dead-lettered) THEN the sweep publishes it again after 15 minutes
    world.parked.clear()
    world.clock.advance(minutes=16)
    assert sweep(world.rt).webhooks == [message["event_id"]]
    # AND after a day the delivery gives up without another request
    world.clock.advance(days=1)
    assert webhooks.deliver(world.rt, str(message["event_id"]), sender) == "gave_up"
    assert len(sender.requests) == 2
    assert webhooks.deliver(world.rt, str(message["event_id"]), sender) == "already"
    assert sweep(world.rt).webhooks == []
    assert api.get(f"/v1/jobs/{job_id}", headers=auth(uid)).get_json()["webhook"]["state"] == "failed"


def test_a_delivery_for_an_unknown_event_is_acknowledged(world: MemoryWorld) -> None:
    bootstrap.install(world.rt, ScriptedSender())
    fn = app_client("webhooks", "cloudevent")
    assert post(fn, pubsub_event("zapdoc-webhooks", {"event_id": "evt_nope_delivered"})) == 200
    assert post(fn, pubsub_event("zapdoc-webhooks", {"nothing": 1})) == 200


def test_concurrent_first_webhooks_create_one_secret_and_show_it_to_one_caller(world: MemoryWorld) -> None:
    from concurrent.futures import ThreadPoolExecutor

    uid = f"u{uuid.uuid4().hex[:8]}"
    webhooks.set_default_url(world.rt, uid, HOOK, allow_loopback=True)  # settings exist, no secret yet
    with ThreadPoolExecutor(max_workers=8) as pool:
        shown = [s for s in pool.map(lambda _: webhooks.ensure_secret(world.rt, uid), range(16)) if s]
    assert len(shown) == 1 and webhooks.user_settings(world.rt, uid)["secret"] == shown[0]


def test_a_copy_that_read_the_record_before_another_attempt_still_counts_every_attempt(
    world: MemoryWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a queued event whose receiver answers 500 to the first attempt
    uid = f"u{uuid.uuid4().hex[:8]}"
    webhooks.ensure_secret(world.rt, uid)
    created = jobs.create_job(world.rt, user_id=uid, email=f"{uid}@example.com", filenames=["a.pdf"],
                              fields=FIELDS, webhook_url=HOOK)  # fmt: skip
    job = jobs.get_job(world.rt, created.job_id)
    assert job is not None
    webhooks.queue_job_event(world.rt, created.job_id, job.data, "cancelled")
    event_id = f"evt_{created.job_id}_cancelled"
    sender = ScriptedSender(500)
    real = jobs.idempotency(world.rt)

    class OtherCopyFirst:
        """While this copy waits for its claim, another copy makes (and fails) one whole attempt."""

        def __init__(self) -> None:
            self.raced = False

        def claim(self, key: str, lease: Any) -> Any:
            if not self.raced:
                self.raced = True
                monkeypatch.setattr(jobs, "idempotency", lambda rt: real)
                with pytest.raises(TransientError):
                    webhooks.deliver(world.rt, event_id, sender)
                monkeypatch.setattr(jobs, "idempotency", lambda rt: self)
            return real.claim(key, lease=lease)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(jobs, "idempotency", lambda rt: OtherCopyFirst())
    # WHEN this copy then delivers THEN the job counts two attempts, not one
    assert webhooks.deliver(world.rt, event_id, sender) == "delivered"
    assert len(sender.requests) == 2
    view = jobs.get_job(world.rt, created.job_id)
    assert view is not None and view.data["webhook"]["attempts"] == 2
