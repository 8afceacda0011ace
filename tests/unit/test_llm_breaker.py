"""The shared circuit breaker on the in-memory store: opens after failures in a window, stays open for
the cooldown, half-opens, closes on success, and never loses a failure to a concurrent writer."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from zapdoc.adapters.memory import MemoryStore
from zapdoc.llm.breaker import BreakerPolicy, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


POLICY = BreakerPolicy(
    failures=3, window=dt.timedelta(seconds=60), cooldown=dt.timedelta(seconds=30), cache_s=0.0
)


def breaker(store: MemoryStore, clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(store, POLICY, clock=clock)


def test_opens_after_the_threshold_and_is_shared_through_the_store() -> None:
    # GIVEN two instances of a function sharing one store
    store, clock = MemoryStore(), Clock()
    a, b = breaker(store, clock), breaker(store, clock)
    # WHEN instance a sees two failures and instance b a third within the window
    a.failure("gemini", "429")
    a.failure("gemini", "429")
    assert b.allow("gemini")
    b.failure("gemini", "429 quota")
    # THEN both instances stop sending to gemini, and openai is unaffected
    assert not a.allow("gemini")
    assert not b.allow("gemini")
    assert a.allow("openai")
    record = store.get("llm_breakers/gemini")
    assert record is not None
    assert record.data["failures"] == 3
    assert record.data["open_until"] == clock.now + dt.timedelta(seconds=30)
    assert record.data["expires_at"] > record.data["open_until"]  # the TTL field outlives the state


def test_failures_outside_the_window_do_not_add_up() -> None:
    store, clock = MemoryStore(), Clock()
    cb = breaker(store, clock)
    cb.failure("gemini", "500")
    cb.failure("gemini", "500")
    clock.advance(61)
    cb.failure("gemini", "500")
    assert cb.allow("gemini")


def test_half_open_after_cooldown_reopens_on_one_failure_and_closes_on_success() -> None:
    store, clock = MemoryStore(), Clock()
    cb = breaker(store, clock)
    for _ in range(3):
        cb.failure("gemini", "503")
    assert not cb.allow("gemini")
    # WHEN the cooldown has passed THEN requests may go again (half-open)
    clock.advance(31)
    assert cb.allow("gemini")
    # AND a single failure opens it again at once
    cb.failure("gemini", "503")
    assert not cb.allow("gemini")
    clock.advance(31)
    # AND a success closes it: failures start from zero
    cb.success("gemini")
    cb.failure("gemini", "503")
    assert cb.allow("gemini")
    record = store.get("llm_breakers/gemini")
    assert record is not None and record.data["failures"] == 1 and record.data["open_until"] is None


def test_success_without_failures_writes_nothing() -> None:
    store, clock = MemoryStore(), Clock()
    cb = breaker(store, clock)
    before = store.commits
    for _ in range(5):
        cb.success("openai")
    assert store.commits == before
    assert store.get("llm_breakers/openai") is None


def test_concurrent_failures_are_all_counted() -> None:
    # GIVEN a high threshold and 8 instances failing at once
    store, clock = MemoryStore(), Clock()
    policy = BreakerPolicy(failures=1000, cache_s=0.0)
    instances = [CircuitBreaker(store, policy, clock=clock) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: [instances[i % 8].failure("gemini", "x") for _ in range(5)], range(8)))
    record = store.get("llm_breakers/gemini")
    assert record is not None and record.data["failures"] == 40


def test_reads_are_cached_per_instance() -> None:
    store, clock = MemoryStore(), Clock()
    ticks = [0.0]
    cb = CircuitBreaker(store, BreakerPolicy(cache_s=5.0), clock=clock, monotonic=lambda: ticks[0])
    reads = 0
    real_get = store.get

    def counting_get(path: str):  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        return real_get(path)

    store.get = counting_get  # type: ignore[method-assign]
    for _ in range(10):
        cb.allow("gemini")
    assert reads == 1
    ticks[0] = 6.0
    cb.allow("gemini")
    assert reads == 2
