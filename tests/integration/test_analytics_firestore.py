"""The analytics report on the Firestore emulator: the records completed at job end are found by the
report's time-range queries with Firestore's types (timestamps come back as DatetimeWithNanoseconds)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.pipeline_support import MemoryWorld, memory_world
from tests.unit.test_analytics import TypedUsage, _three
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.services import analytics

pytestmark = pytest.mark.emulators


@pytest.fixture
def world(firestore_client: Any) -> MemoryWorld:
    w = memory_world(FirestoreStore(firestore_client))
    typed = TypedUsage(w)
    w.rt.extractor_factory = lambda: typed  # type: ignore[assignment,return-value]
    return w


def test_report_reads_the_records_of_an_ended_job_from_firestore(world: MemoryWorld) -> None:
    # GIVEN a delivered job of three documents on the Firestore emulator
    _three(world)
    # WHEN the report runs over the last day
    report = analytics.usage_report(world.rt, dt.timedelta(days=1))
    # THEN it finds every document with its type
    types = {t["doc_type"]: t["documents"] for t in report["totals"]["types"]}
    assert types == {"invoice": 2, "receipt": 1}
    assert report["totals"]["credits"]["spent"] == 3
