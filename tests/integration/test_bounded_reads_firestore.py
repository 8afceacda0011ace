"""Reads stay bounded by the page, not the history (issue 12, acceptance 3), on the Firestore emulator.

A user with 5,000 delivered jobs and 5,000 ledger entries and a user with 50 of each, each in a project
of its own: ``GET /v1/jobs``, ``GET /v1/me`` and a sweep run through the real entry points (the ``api``
and ``sweep`` functions under functions-framework), on a counting wrapper around the Firestore store
installed through ``bootstrap``. Both histories must cost the same reads, and few. The Firestore adapter
is also checked against the in-memory fake on the same data (order, limit, cursor, ties, missing fields).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from tests.api_support import api_context, fake_token
from tests.pipeline_support import function_client, memory_world
from zapdoc import bootstrap
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain import job_model
from zapdoc.ports.store import DOCUMENT_ID, Order, Put, Query, Snapshot, Where, Write
from zapdoc.services.ledger import entry_path, user_path

pytestmark = pytest.mark.emulators

PAGE = 20  # the default page of GET /v1/jobs and the ledger entries GET /v1/me shows
SMALL_CONSTANT = 5  # the caller's account and balance documents, and the like


class CountingStore:
    """The ``DocumentStore`` port around another one, counting documents read (a get is one read, a query
    reads what it returns; ``billed`` adds Firestore's minimum of one read per query)."""

    def __init__(self, inner: FirestoreStore) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self.reads = 0
        self.billed = 0
        self.queries: list[Query] = []

    def reset(self) -> None:
        with self._lock:
            self.reads = self.billed = 0
            self.queries = []

    def get(self, path: str) -> Snapshot | None:
        with self._lock:
            self.reads += 1
            self.billed += 1
        return self.inner.get(path)

    def query(self, query: Query) -> list[Snapshot]:
        found = self.inner.query(query)
        with self._lock:
            self.reads += len(found)
            self.billed += max(1, len(found))
            self.queries.append(query)
        return found

    def commit(self, writes: Sequence[Write]) -> None:
        self.inner.commit(writes)


@dataclass
class Measured:
    history: int
    reads: dict[str, int] = field(default_factory=dict)
    billed: dict[str, int] = field(default_factory=dict)


def _job(user_id: str, now: dt.datetime, i: int, *, purged: bool) -> dict[str, Any]:
    created = now - dt.timedelta(days=4) + dt.timedelta(minutes=i)  # 5,000 minutes: the last 3.5 days
    delivered = created + dt.timedelta(minutes=2)
    return {
        "user_id": user_id,
        "email": f"{user_id}@example.com",
        "status": job_model.JobStatus.DELIVERED.value,
        "fields": [{"name": "total", "type": "number"}],
        "template": "invoice",
        "files": {"f0": {"name": f"inv-{i}.pdf", "object": f"jobs/x/{i}.pdf", "arrived": True, "pages": 1}},
        "declared": 1,
        "created_at": created,
        "updated_at": delivered,
        "deadline_at": created + dt.timedelta(hours=1),
        "delivered_at": delivered,
        "charged": 1,
        "published": True,
        # the older ones purged already; the newer ones inside their 30-day retention
        "purged": purged,
        "purge_after": delivered + dt.timedelta(days=30),
        "end_done": True,
        "assembly": {"mailed_at": delivered},
        "webhook_url": None,
    }


def _seed(store: FirestoreStore, user_id: str, now: dt.datetime, history: int) -> None:
    """``history`` delivered jobs and ``history`` ledger entries for one user, in batches of 500."""
    writes: list[Write] = [
        Put(
            user_path(user_id),
            {"email": f"{user_id}@example.com", "credits": history, "created_at": now, "updated_at": now},
        )
    ]
    for i in range(history):
        job_id = f"job-{i:05d}-{uuid.uuid4().hex[:6]}"
        writes.append(Put(job_model.job_path(job_id), _job(user_id, now, i, purged=i < history // 2)))
        entry = {
            "key": f"grant:seed-{i}",
            "delta": 1,
            "balance_after": i + 1,
            "at": now - dt.timedelta(days=4) + dt.timedelta(minutes=i),
            "reason": "seed",
        }
        writes.append(Put(entry_path(user_id, f"grant:seed-{i}"), entry))
    batches = [writes[start : start + 500] for start in range(0, len(writes), 500)]
    with ThreadPoolExecutor(4) as pool:  # independent batches: the emulator takes them side by side
        list(pool.map(store.commit, batches))


def _due_work(store: FirestoreStore, now: dt.datetime) -> list[str]:
    """The same few jobs in both projects that a sweep must act on: three delivered jobs whose retention
    has passed (two documents each) and one whose files never arrived before the deadline."""
    writes: list[Write] = []
    due = []
    for i in range(3):
        job_id = f"due-{i}-{uuid.uuid4().hex[:6]}"
        job = _job("u-other", now - dt.timedelta(days=31), i, purged=False)
        writes.append(Put(job_model.job_path(job_id), job))
        for d in range(2):
            doc = {"status": "done", "pages": 1, "result": {"total": "1"}, "text": "x", "file_id": "f0"}
            writes.append(Put(job_model.document_path(job_id, f"d{d}"), doc))
        due.append(job_id)
    late = f"late-{uuid.uuid4().hex[:6]}"
    files = {"f0": {"name": "a.pdf", "object": f"jobs/{late}/f0/a.pdf", "arrived": False}}
    writes.append(
        Put(
            job_model.job_path(late),
            {
                "user_id": "u-other",
                "email": "u-other@example.com",
                "status": job_model.JobStatus.AWAITING_FILES.value,
                "fields": [{"name": "total", "type": "number"}],
                "template": "invoice",
                "files": files,
                "declared": 1,
                "created_at": now - dt.timedelta(hours=2),
                "updated_at": now - dt.timedelta(hours=2),
                "deadline_at": now - dt.timedelta(hours=1),
                "charged": None,
                "published": False,
                "purged": False,
                "assembly": {},
                "webhook_url": None,
            },
        )
    )
    store.commit(writes)
    return [*due, late]


def _app(target: str) -> Any:
    return function_client(target, "http")


def measure(firestore_client: Any, history: int) -> Measured:
    inner = FirestoreStore(firestore_client)
    counting = CountingStore(inner)
    world = memory_world(store=counting, retention=dt.timedelta(days=30))
    now = world.rt.clock()
    user_id = f"u{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    _seed(inner, user_id, now, history)
    due = _due_work(inner, now)
    print(f"\nseeded {history} jobs + {history} entries in {time.monotonic() - started:.1f} s")
    # the history is really there (read around the counter)
    jobs_of_user = firestore_client.collection("jobs").where(filter=FieldFilter("user_id", "==", user_id))
    assert jobs_of_user.count().get()[0][0].value == history
    assert firestore_client.collection(f"users/{user_id}/ledger").count().get()[0][0].value == history

    bootstrap.install(world.rt)
    bootstrap.install(api=api_context(world.rt))
    api, sweep = _app("api"), _app("sweep")
    headers = {"Authorization": f"Bearer {fake_token(user_id)}"}
    out = Measured(history)

    def counted(name: str, call: Any) -> Any:
        counting.reset()
        result = call()
        out.reads[name], out.billed[name] = counting.reads, counting.billed
        return result

    first = counted("GET /v1/jobs", lambda: api.get("/v1/jobs", headers=headers))
    assert first.status_code == 200, first.get_data(as_text=True)
    page = first.get_json()
    assert len(page["jobs"]) == PAGE and page["next_cursor"]
    newest = sorted((_job(user_id, now, i, purged=False)["created_at"] for i in range(history)), reverse=True)
    assert [dt.datetime.fromisoformat(j["created_at"]) for j in page["jobs"]] == newest[:PAGE]

    cursor = page["next_cursor"]
    second = counted("GET /v1/jobs?cursor", lambda: api.get(f"/v1/jobs?cursor={cursor}", headers=headers))
    assert second.status_code == 200
    listed = [dt.datetime.fromisoformat(j["created_at"]) for j in second.get_json()["jobs"]]
    assert listed == newest[PAGE : 2 * PAGE]

    me = counted("GET /v1/me", lambda: api.get("/v1/me", headers=headers))
    assert me.status_code == 200, me.get_data(as_text=True)
    body = me.get_json()
    assert body["balance"] == history
    assert [e["key"] for e in body["ledger"]] == [
        f"grant:seed-{i}" for i in range(history - 1, history - 21, -1)
    ]

    ran = counted("sweep", lambda: sweep.post("/"))
    assert ran.status_code == 200, ran.get_data(as_text=True)
    report = ran.get_json()
    assert sorted(report["purged"]) == sorted(due[:3])
    assert report["cancelled"] == [due[3]]
    bootstrap.reset()
    return out


@pytest.fixture
def second_client(firestore_client: Any) -> Any:
    from google.cloud import firestore

    return firestore.Client(project=f"demo-{uuid.uuid4().hex[:12]}")


def test_reads_do_not_grow_with_the_history(firestore_client: Any, second_client: Any) -> None:
    # GIVEN a user with 5,000 delivered jobs and 5,000 ledger entries, and one with 50 of each
    big = measure(firestore_client, 5000)
    small = measure(second_client, 50)
    print(f"\ndocuments read (billed) per call: 5,000-history {big.reads} ({big.billed}); "
          f"50-history {small.reads} ({small.billed})")  # fmt: skip
    # THEN each call reads the same number of documents for both histories
    assert big.reads == small.reads
    # AND that number is the page plus a few documents, not the history
    assert big.reads["GET /v1/jobs"] <= PAGE + 1 + SMALL_CONSTANT
    assert big.reads["GET /v1/jobs?cursor"] <= PAGE + 1 + SMALL_CONSTANT
    assert big.reads["GET /v1/me"] <= PAGE + SMALL_CONSTANT
    # the sweep reads the few jobs that need it (3 to purge with 2 documents each, 1 to cancel) and their
    # own records, nothing of the 5,000 delivered jobs (2,500 of them unpurged inside their retention)
    assert big.reads["sweep"] <= 60


@pytest.fixture
def parity_data() -> dict[str, dict[str, Any]]:
    rng = random.Random(11)
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    docs: dict[str, dict[str, Any]] = {}
    for i in range(60):
        data: dict[str, Any] = {"user_id": rng.choice(["a", "b"]), "state": rng.choice(["x", "y"])}
        if i % 7:  # some lack the timestamp altogether
            data["at"] = t0 + dt.timedelta(minutes=rng.randrange(8))  # many ties
        if i % 5 == 0:
            data["n"] = None
        elif i % 3:
            data["n"] = rng.randrange(5)
        data["m"] = {"k": rng.randrange(3)} if i % 4 else {}
        docs[f"d{rng.randrange(10**6):06d}-{i}"] = data
    return docs


def test_firestore_adapter_orders_limits_and_pages_like_the_fake(
    firestore_client: Any, parity_data: dict[str, dict[str, Any]]
) -> None:
    # GIVEN the same documents in the emulator and in the in-memory fake
    collection = f"parity-{uuid.uuid4().hex[:8]}"
    real, fake = FirestoreStore(firestore_client), MemoryStore()
    writes: list[Write] = [Put(f"{collection}/{k}", v) for k, v in parity_data.items()]
    real.commit(writes)
    fake.commit(writes)
    newest = (Order("at", "desc"), Order(DOCUMENT_ID, "desc"))
    queries = [
        Query(collection, order_by=(Order("at"),)),
        Query(collection, order_by=(Order("at", "desc"),), limit=9),
        Query(collection, (Where("user_id", "==", "a"),), order_by=newest, limit=7),
        Query(collection, order_by=(Order("n"),)),
        Query(collection, order_by=(Order("n", "desc"), Order("at"))),
        Query(collection, order_by=(Order("m.k"),), limit=15),
        Query(
            collection,
            (Where("state", "==", "x"), Where("at", "<", dt.datetime(2026, 3, 1, 0, 4, tzinfo=dt.UTC))),
        ),
        Query(collection, (Where("n", ">=", 2),), order_by=(Order("n"),)),
        Query(collection, (Where("n", "==", None),)),
        Query(
            collection, order_by=(Order("at"),), start_after=(dt.datetime(2026, 3, 1, 0, 3, tzinfo=dt.UTC),)
        ),
    ]
    for query in queries:
        # WHEN each query runs on both THEN the same documents come in the same order
        assert [s.id for s in real.query(query)] == [s.id for s in fake.query(query)], query
    # AND paging the newest-first order with cursors walks the same documents on both
    for store in (real, fake):
        seen: list[str] = []
        after: tuple[Any, ...] | None = None
        while True:
            page = store.query(Query(collection, order_by=newest, limit=8, start_after=after))
            seen += [s.id for s in page]
            if len(page) < 8:
                break
            after = (page[-1].data["at"], page[-1].id)
        assert seen == [s.id for s in fake.query(Query(collection, order_by=newest))]
        assert len(seen) == sum(1 for d in parity_data.values() if "at" in d)
