"""Retries for LLM calls: exponential backoff with full jitter, bounded in attempts and in total time.

Adapters translate SDK failures into the errors of ``zapdoc.ports.llm``: ``RetryableError`` (429, 500,
503, timeouts, dropped connections), ``ProviderError`` (401/403/404, safety blocks: this provider will
not do it, another may) or ``PermanentError`` (400: the request itself is bad); only the first are
retried here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from zapdoc.domain.errors import TransientError
from zapdoc.ports.llm import ProviderError, RetryableError

log = logging.getLogger(__name__)
T = TypeVar("T")


class UnusableAnswer(ProviderError):
    """The model answered, but not with anything that can be read (no JSON object after repair): a
    stronger model (escalation) or another provider may do better."""


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` calls within ``total_s`` seconds; delays grow as base * 2^n, capped."""

    attempts: int = 5
    base_s: float = 1.0
    max_delay_s: float = 30.0
    total_s: float = 120.0

    def delay(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^retry)] so concurrent clients spread out."""
        return rand() * min(self.max_delay_s, self.base_s * (2.0**retry))


def call_with_retry(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str = "the model call",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
) -> T:
    """Call ``fn``; on ``RetryableError`` wait and call again until the policy's bounds are reached.

    Raises ``TransientError`` naming the attempts and the last error once the bounds are reached;
    any other exception (``PermanentError`` included) passes through at once.
    """
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except RetryableError as exc:
            elapsed = clock() - started
            delay = policy.delay(attempt - 1, rand)
            if exc.retry_after is not None:
                delay = max(delay, min(exc.retry_after, policy.max_delay_s))
            if attempt >= policy.attempts or elapsed + delay > policy.total_s:
                raise TransientError(
                    f"{what} failed after {attempt} attempt{'s' if attempt > 1 else ''} "
                    f"in {elapsed:.1f} s: {exc}"
                ) from exc
            log.info("retrying %s in %.2f s after: %s", what, delay, exc)
            sleep(delay)
