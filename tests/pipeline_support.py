"""Test helpers for the pipeline: a scriptable extractor, an in-memory runtime and an event pump.

The pump plays Pub/Sub: it hands each published message to the service its topic triggers, optionally
twice (redelivery), and re-queues messages whose handler raised, as a push subscription would.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.pdfs import make_pdf
from zapdoc.adapters.memory import MemoryBlobs, MemoryBus, MemoryMailer, MemoryStore
from zapdoc.domain.documents import Classification, DocumentText, Evidence, Extraction, FieldValue, Usage
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.fields import FieldSpec, parse_fields
from zapdoc.ports.store import DocumentStore
from zapdoc.services import jobs
from zapdoc.services.assemble import assemble_job
from zapdoc.services.extract import classify_document, extract_document
from zapdoc.services.runtime import Runtime, SimulatedCrash
from zapdoc.settings import CloudSettings

FUNCTIONS = Path(__file__).resolve().parents[1] / "functions"


def function_client(name: str, signature: str = "cloudevent") -> Any:
    """A functions-framework test client of ``functions/<name>/main.py`` (signature: http or cloudevent)."""
    import functions_framework

    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target=name, source=str(FUNCTIONS / name / "main.py"), signature_type=signature
    )
    return app.test_client()


FIELDS = parse_fields("invoice_number, total:amount")


class ScriptedExtractor:
    """Reads ``Invoice number: X`` / ``Total: N`` lines; fails on documents whose text says so."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.transient_left: dict[str, int] = {}

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        self.calls.append(doc.name)
        if "PERMANENT-FAIL" in doc.text:
            raise PermanentError("the provider refused this document")
        if "TRANSIENT-FAIL" in doc.text:
            left = self.transient_left.setdefault(doc.name, 2)
            if left > 0:
                self.transient_left[doc.name] = left - 1
                raise TransientError("provider busy")
        values: dict[str, FieldValue] = {}
        for spec in fields:
            m = re.search(rf"{spec.name.replace('_', ' ')}:\s*(\S+)", doc.text, re.IGNORECASE)
            if m:
                raw = m.group(1)
                value: str | Decimal = Decimal(raw) if spec.type.value == "amount" else raw
                values[spec.name] = FieldValue(value, 0.9, Evidence(1, m.group(0)))
        return Extraction(values=values, usage=Usage(model="scripted", requests=1))

    def classify(self, doc: DocumentText) -> Classification:
        return Classification("invoice" if "invoice" in doc.text.lower() else "other", 0.9)


def invoice_pdf(number: str, total: str, pages: int = 1, extra: str = "") -> bytes:
    first = f"INVOICE\nInvoice number: {number}\nTotal: {total}\n{extra}"
    return make_pdf([first] + [f"page {i + 2}" for i in range(pages - 1)])


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


class Clock:
    """A settable clock for tests (starts now, moves only when told)."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


def settings(**overrides: object) -> CloudSettings:
    base: dict[str, object] = {
        "project": "demo-zapdoc",
        "uploads_bucket": "uploads",
        "results_bucket": "results",
        "lease": dt.timedelta(seconds=30),
    }
    base.update(overrides)
    return CloudSettings(**base)


@dataclass
class MemoryWorld:
    rt: Runtime
    store: DocumentStore
    blobs: MemoryBlobs
    bus: MemoryBus
    mailer: MemoryMailer
    extractor: ScriptedExtractor
    clock: Clock
    crash_points: set[str] = field(default_factory=set)
    parked: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # other topics (webhooks...)


def user_with_credits(world: MemoryWorld, credits: int) -> str:
    """A new user (random id) holding ``credits`` on the world's ledger."""
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    return user


def memory_world(store: DocumentStore | None = None, **setting_overrides: object) -> MemoryWorld:
    """Fakes for everything; pass ``store`` to run the same scenario on a real document store."""
    blobs, bus, mailer = MemoryBlobs(), MemoryBus(), MemoryMailer()
    store = store if store is not None else MemoryStore()
    extractor = ScriptedExtractor()
    clock = Clock()
    world_crashes: set[str] = set()

    def crash(point: str) -> None:
        if point in world_crashes:
            world_crashes.discard(point)  # crash once, as a dying process would
            raise SimulatedCrash(point)

    rt = Runtime(
        settings=settings(**setting_overrides),
        store=store,
        blobs=blobs,
        bus=bus,
        mailer=mailer,
        extractor_factory=lambda: extractor,
        clock=clock,
        crash=crash,
    )
    return MemoryWorld(rt, store, blobs, bus, mailer, extractor, clock, world_crashes)


def pump(world: MemoryWorld, *, duplicate: bool = False, max_rounds: int = 1000) -> int:
    """Deliver published messages until none are left; returns how many handler calls raised."""
    raised = 0
    for _ in range(max_rounds):
        batch = world.bus.drain()
        if not batch:
            return raised
        for topic, data, _attrs in batch:
            if topic not in (world.rt.settings.documents_topic, world.rt.settings.results_topic):
                world.parked.append((topic, data))
                continue
            for _copy in range(2 if duplicate else 1):
                try:
                    if topic == world.rt.settings.documents_topic:
                        extract_document(world.rt, data["job_id"], data["document_id"])
                        classify_document(world.rt, data["job_id"], data["document_id"])
                    else:
                        assemble_job(world.rt, data["job_id"])
                except (TransientError, SimulatedCrash):
                    raised += 1
                    world.clock.advance(seconds=world.rt.settings.lease.total_seconds() + 1)
                    world.bus.publish(topic, data)  # redelivered later, as Pub/Sub would
                    break
    raise AssertionError("the pipeline did not settle")
