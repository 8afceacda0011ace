"""Smaller pipeline parts: event decoding, idempotency records, settings, JSON logs, the in-memory store."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging

import pytest

from tests.pipeline_support import Clock
from zapdoc import logging as zlog
from zapdoc.adapters.memory import MemoryStore
from zapdoc.bootstrap import build_runtime
from zapdoc.domain import job_model
from zapdoc.domain.errors import ConfigError, PermanentError
from zapdoc.ports.store import AlreadyExists, Conflict, Create, Query, Update, Where
from zapdoc.services.events import MessagePublished, StorageObjectFinalized
from zapdoc.services.idempotency import Claim, Idempotency
from zapdoc.services.ledger import Ledger, Outcome
from zapdoc.settings import CloudSettings, Settings


def test_pubsub_cloudevent_decodes_to_its_json_message() -> None:
    data = {"message": {"data": base64.b64encode(b'{"job_id": "j1"}').decode(), "messageId": "42"}}
    message = MessagePublished.from_cloudevent({"id": "e1", "time": "2026-01-02T03:04:05Z"}, data)
    assert message.data == {"job_id": "j1"} and message.message_id == "42"
    assert message.published == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with pytest.raises(PermanentError, match="document_id"):
        message.require("job_id", "document_id")


@pytest.mark.parametrize(
    "data",
    [{}, {"message": {"data": "***"}}, {"message": {"data": base64.b64encode(b"[1, 2]").decode()}}],
)
def test_malformed_pubsub_events_are_permanent(data: dict[str, object]) -> None:
    with pytest.raises(PermanentError):
        MessagePublished.from_cloudevent({}, data)


def test_storage_event_keeps_bucket_name_and_generation() -> None:
    event = StorageObjectFinalized.from_cloudevent(
        {"id": "x"}, {"bucket": "b", "name": "jobs/j/f000/a.pdf", "generation": 17}
    )
    assert (event.bucket, event.name, event.generation) == ("b", "jobs/j/f000/a.pdf", "17")
    with pytest.raises(PermanentError):
        StorageObjectFinalized.from_cloudevent({}, {"bucket": "b"})


def test_upload_names_round_trip_and_foreign_names_are_refused() -> None:
    name = job_model.upload_object_name("job1", "f003", "../../etc/Invoice März.pdf")
    assert name == "jobs/job1/f003/Invoice März.pdf"
    assert job_model.parse_upload_name(name) == job_model.UploadName("job1", "f003", "Invoice März.pdf")
    for bad in ("other/x.pdf", "jobs/../f000/x.pdf", "jobs/j1/f000"):
        with pytest.raises(PermanentError):
            job_model.parse_upload_name(bad)


def test_idempotency_claim_complete_and_takeover_after_lease() -> None:
    clock = Clock()
    idem = Idempotency(MemoryStore(), clock, ttl=dt.timedelta(days=1))
    assert idem.claim("k", lease=dt.timedelta(seconds=30)) is Claim.CLAIMED
    assert idem.claim("k", lease=dt.timedelta(seconds=30)) is Claim.IN_PROGRESS
    clock.advance(seconds=31)  # the holder died: its lease ran out
    assert idem.claim("k", lease=dt.timedelta(seconds=30)) is Claim.CLAIMED
    idem.complete("k")
    assert idem.claim("k", lease=dt.timedelta(seconds=30)) is Claim.COMPLETED
    idem.release("other")  # releasing an unknown key is harmless
    assert idem.claim("other", lease=dt.timedelta(seconds=1)) is Claim.CLAIMED


def test_idempotency_records_carry_an_expiry() -> None:
    store, clock = MemoryStore(), Clock()
    Idempotency(store, clock, ttl=dt.timedelta(hours=5)).claim("k", lease=dt.timedelta(seconds=1))
    [record] = store.query(Query("idempotency"))
    assert record.data["expires_at"] == clock.now + dt.timedelta(hours=5)


def test_memory_store_commits_atomically_with_preconditions() -> None:
    store = MemoryStore()
    store.commit([Create("a/1", {"n": 1})])
    snap = store.get("a/1")
    assert snap is not None
    with pytest.raises(AlreadyExists):
        store.commit([Update("a/1", {"n": 2}), Create("a/1", {"n": 3})])
    assert store.get("a/1").data == {"n": 1}  # type: ignore[union-attr]  # nothing of the failed commit
    store.commit([Update("a/1", {"n": 2, "m.x": 5}, if_version=snap.version)])
    with pytest.raises(Conflict):
        store.commit([Update("a/1", {"n": 9}, if_version=snap.version)])
    assert store.get("a/1").data == {"n": 2, "m": {"x": 5}}  # type: ignore[union-attr]
    assert [s.id for s in store.query(Query("a", (Where("m.x", ">", 4),)))] == ["1"]


def test_ledger_refuses_overdraft_and_keeps_sum_equal_to_balance() -> None:
    ledger = Ledger(MemoryStore())
    ledger.ensure_user("u", email="u@example.com", initial_credits=5)
    ledger.ensure_user("u", email="u@example.com", initial_credits=500)  # second call changes nothing
    assert ledger.apply("u", "debit:a", -4).outcome is Outcome.APPLIED
    assert ledger.apply("u", "debit:b", -2).outcome is Outcome.INSUFFICIENT
    assert ledger.apply("u", "refund:a:d1", 1).outcome is Outcome.APPLIED
    assert ledger.apply("u", "refund:a:d1", 1).outcome is Outcome.ALREADY_APPLIED
    assert ledger.balance("u") == 2 == sum(e["delta"] for e in ledger.entries("u"))


def test_settings_from_env_with_defaults_overrides_and_errors() -> None:
    settings = CloudSettings.from_env({"GOOGLE_CLOUD_PROJECT": "p1", "ZAPDOC_ATTACHMENT_LIMIT_MB": "5"})
    assert settings.uploads_bucket == "p1-uploads" and settings.attachment_limit_bytes == 5 * 1024 * 1024
    env = {"GOOGLE_CLOUD_PROJECT": "p1", "ZAPDOC_DELIVERY_ATTEMPTS": "2"}
    assert Settings.from_env(env).cloud.delivery_attempts == 2
    with pytest.raises(ConfigError, match="GOOGLE_CLOUD_PROJECT"):
        build_runtime({})
    with pytest.raises(ConfigError, match="ZAPDOC_DOCUMENT_MAX_AGE_S"):
        Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "ZAPDOC_DOCUMENT_MAX_AGE_S": "soon"})


def test_json_logs_carry_bound_ids_only_inside_their_invocation() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(zlog.CloudJsonFormatter())
    logger = logging.getLogger("zapdoc.test-json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with zlog.invocation(function="extract"):
            zlog.bind(job_id="j1", document_id="d1")
            zlog.event(logger, "document extracted", state="done")
        logger.warning("between invocations")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["severity"] == "INFO" and first["message"] == "document extracted"
    assert (first["job_id"], first["document_id"], first["state"]) == ("j1", "d1", "done")
    assert first["logging.googleapis.com/labels"]["job_id"] == "j1"
    assert second["severity"] == "WARNING" and "job_id" not in second
