"""The LLM circuit breaker on the Firestore emulator: two instances (two clients) share one state, the
compare-and-set counting loses no failure under concurrency, and the record carries its TTL field."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.llm.breaker import BreakerPolicy, CircuitBreaker

pytestmark = pytest.mark.emulators


def test_instances_share_the_open_circuit_through_firestore(firestore_client: Any) -> None:
    # GIVEN two function instances, each with its own breaker on the same Firestore
    provider = f"gemini-{uuid.uuid4().hex[:6]}"
    policy = BreakerPolicy(failures=3, cooldown=dt.timedelta(seconds=120), cache_s=0.0)
    a = CircuitBreaker(FirestoreStore(firestore_client), policy)
    b = CircuitBreaker(FirestoreStore(firestore_client), policy)
    # WHEN a counts two failures and b a third
    a.failure(provider, "429 RESOURCE_EXHAUSTED")
    a.failure(provider, "429 RESOURCE_EXHAUSTED")
    assert a.allow(provider) and b.allow(provider)
    b.failure(provider, "429 RESOURCE_EXHAUSTED")
    # THEN both stop sending, and the record says why and until when, with an expiry for the TTL policy
    assert not a.allow(provider) and not b.allow(provider)
    snap = FirestoreStore(firestore_client).get(CircuitBreaker.path(provider))
    assert snap is not None
    assert snap.data["failures"] == 3 and "429" in snap.data["reason"]
    assert snap.data["expires_at"] > snap.data["open_until"] > dt.datetime.now(dt.UTC)
    # AND a success after the cooldown (simulated by a clock past it) closes it for everybody
    late = CircuitBreaker(
        FirestoreStore(firestore_client),
        policy,
        clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3),
    )
    assert late.allow(provider)
    late.success(provider)
    assert a.allow(provider)


def test_concurrent_failures_from_many_instances_are_all_counted(firestore_client: Any) -> None:
    provider = f"openai-{uuid.uuid4().hex[:6]}"
    policy = BreakerPolicy(failures=1000, cache_s=0.0)
    breakers = [CircuitBreaker(FirestoreStore(firestore_client), policy) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: [breakers[i].failure(provider, "503") for _ in range(3)], range(4)))
    snap = FirestoreStore(firestore_client).get(CircuitBreaker.path(provider))
    assert snap is not None and snap.data["failures"] == 12
