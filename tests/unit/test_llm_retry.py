"""Bounded exponential backoff with jitter: what is retried, how long we wait, when we give up."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.llm.retry import RetryPolicy, call_with_retry
from zapdoc.ports.llm import RetryableError


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def flaky(failures: list[Exception]) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    return calls, fn


def test_retryable_errors_are_retried_until_success() -> None:
    clock = FakeClock()
    calls, fn = flaky([RetryableError("429", status=429), RetryableError("503", status=503)])
    result = call_with_retry(
        fn, RetryPolicy(attempts=5, base_s=1.0), sleep=clock.sleep, clock=clock, rand=lambda: 1.0
    )
    assert result == "ok"
    assert len(calls) == 3
    assert clock.sleeps == [1.0, 2.0]  # exponential, at the jitter maximum


def test_jitter_spreads_delays_below_the_cap() -> None:
    policy = RetryPolicy(base_s=1.0, max_delay_s=5.0)
    assert policy.delay(10, lambda: 1.0) == 5.0
    assert policy.delay(2, lambda: 0.5) == 2.0
    assert policy.delay(0, lambda: 0.0) == 0.0


def test_gives_up_after_the_attempt_bound_with_a_clear_message() -> None:
    clock = FakeClock()
    calls, fn = flaky([RetryableError("Gemini answered 500", status=500) for _ in range(10)])
    with pytest.raises(TransientError, match=r"failed after 3 attempts.*Gemini answered 500"):
        call_with_retry(fn, RetryPolicy(attempts=3), sleep=clock.sleep, clock=clock, rand=lambda: 0.5)
    assert len(calls) == 3


def test_gives_up_when_the_total_time_would_be_exceeded() -> None:
    clock = FakeClock()
    calls, fn = flaky([RetryableError("slow", status=503) for _ in range(50)])
    policy = RetryPolicy(attempts=50, base_s=4.0, max_delay_s=8.0, total_s=20.0)
    with pytest.raises(TransientError):
        call_with_retry(fn, policy, sleep=clock.sleep, clock=clock, rand=lambda: 1.0)
    assert clock.now <= 20.0
    assert len(calls) < 50


def test_permanent_errors_are_not_retried() -> None:
    calls, fn = flaky([PermanentError("400 bad request")])
    with pytest.raises(PermanentError, match="400"):
        call_with_retry(fn, RetryPolicy(attempts=5), sleep=lambda s: None)
    assert len(calls) == 1


def test_retry_after_is_honoured_within_the_cap() -> None:
    clock = FakeClock()
    calls, fn = flaky([RetryableError("429", status=429, retry_after=7.0)])
    call_with_retry(
        fn, RetryPolicy(base_s=0.1, max_delay_s=30.0), sleep=clock.sleep, clock=clock, rand=lambda: 1.0
    )
    assert clock.sleeps == [7.0]
    assert len(calls) == 2
