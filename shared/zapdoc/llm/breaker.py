"""A circuit breaker per LLM provider, shared by every instance of a function through the document store.

State lives in ``llm_breakers/{provider}`` (Firestore in the cloud, the in-memory fake in unit tests):
failures counted in a sliding window; ``failures`` provider-side failures within ``window`` open the
circuit for ``cooldown``; while open, nobody sends to that provider. After the cooldown the circuit is
half-open: requests go through again, the first failure re-opens it at once and a success closes it.
Each record carries ``expires_at`` (a Firestore TTL field), so records of providers no longer failing
disappear by themselves.

Reads are cached per instance for ``cache_s`` seconds, so a busy instance reads one record a few times a
minute rather than once per document; writes happen only on failures and on the first success after
failures. Counting is compare-and-set (concurrent instances never lose a failure).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zapdoc.domain.clock import utcnow
from zapdoc.ports.store import AlreadyExists, Conflict, Create, DocumentStore, Snapshot, Update

log = logging.getLogger("zapdoc.llm.breaker")

COLLECTION = "llm_breakers"


@dataclass(frozen=True)
class BreakerPolicy:
    failures: int = 5
    window: dt.timedelta = dt.timedelta(seconds=60)
    cooldown: dt.timedelta = dt.timedelta(seconds=60)
    cache_s: float = 2.0
    keep: dt.timedelta = dt.timedelta(hours=1)
    """How long a record outlives its last change before the TTL policy may delete it."""


@dataclass(frozen=True)
class BreakerState:
    failures: int = 0
    window_start: dt.datetime | None = None
    open_until: dt.datetime | None = None
    reason: str = ""

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> BreakerState:
        if not data:
            return cls()
        return cls(
            failures=int(data.get("failures") or 0),
            window_start=data.get("window_start"),
            open_until=data.get("open_until"),
            reason=str(data.get("reason") or ""),
        )

    def is_open(self, now: dt.datetime) -> bool:
        return self.open_until is not None and now < self.open_until

    def tripped(self) -> bool:
        """Opened at some point and not closed by a success since (open or half-open)."""
        return self.open_until is not None


class CircuitBreaker:
    """``allow(provider)`` before sending; ``failure``/``success`` after. Thread-safe."""

    def __init__(
        self,
        store: DocumentStore,
        policy: BreakerPolicy | None = None,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.policy = policy or BreakerPolicy()
        self.clock = clock
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, BreakerState]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def path(provider: str) -> str:
        return f"{COLLECTION}/{provider}"

    def state(self, provider: str, *, fresh: bool = False) -> BreakerState:
        now = self.monotonic()
        with self._lock:
            cached = self._cache.get(provider)
        if cached is not None and not fresh and now - cached[0] < self.policy.cache_s:
            return cached[1]
        snap = self.store.get(self.path(provider))
        state = BreakerState.of(snap.data if snap else None)
        self._remember(provider, state)
        return state

    def _remember(self, provider: str, state: BreakerState) -> None:
        with self._lock:
            self._cache[provider] = (self.monotonic(), state)

    def allow(self, provider: str) -> bool:
        """False while the provider's circuit is open."""
        return not self.state(provider).is_open(self.clock())

    def open_until(self, provider: str) -> dt.datetime | None:
        state = self.state(provider)
        return state.open_until if state.is_open(self.clock()) else None

    def failure(self, provider: str, reason: str) -> BreakerState:
        """Count one provider-side failure (after the request's own retries); may open the circuit."""
        policy = self.policy
        for _ in range(10):
            now = self.clock()
            snap = self.store.get(self.path(provider))
            old = BreakerState.of(snap.data if snap else None)
            if old.is_open(now):
                self._remember(provider, old)
                return old  # already open: nothing to add
            in_window = old.window_start is not None and now - old.window_start < policy.window
            failures = old.failures + 1 if in_window else 1
            window_start = old.window_start if in_window else now
            half_open = old.tripped()
            opens = half_open or failures >= policy.failures
            new = BreakerState(
                failures=failures,
                window_start=window_start,
                open_until=now + policy.cooldown if opens else None,
                reason=reason[:300],
            )
            if self._write(provider, snap, new, now):
                if opens:
                    log.warning(
                        "circuit for %s open until %s after %d failure(s): %s",
                        provider,
                        new.open_until,
                        failures,
                        reason,
                        extra={"provider": provider, "state": "open"},
                    )
                return new
        return self.state(provider, fresh=True)

    def success(self, provider: str) -> None:
        """Close a tripped circuit / clear counted failures; no write when there is nothing to clear."""
        if self.state(provider) == BreakerState():
            return
        for _ in range(10):
            snap = self.store.get(self.path(provider))
            old = BreakerState.of(snap.data if snap else None)
            if old == BreakerState():
                self._remember(provider, old)
                return
            if old.is_open(self.clock()):
                return  # another instance just opened it: its evidence is newer than our success
            if self._write(provider, snap, BreakerState(), self.clock()):
                if old.tripped():
                    log.info("circuit for %s closed", provider, extra={"provider": provider})
                return

    def _write(self, provider: str, snap: Snapshot | None, state: BreakerState, now: dt.datetime) -> bool:
        data: dict[str, Any] = {
            "provider": provider,
            "failures": state.failures,
            "window_start": state.window_start,
            "open_until": state.open_until,
            "reason": state.reason,
            "updated_at": now,
            "expires_at": (state.open_until or now) + self.policy.keep,
        }
        try:
            if snap is None:
                self.store.commit([Create(self.path(provider), data)])
            else:
                self.store.commit([Update(snap.path, data, if_version=snap.version)])
        except (AlreadyExists, Conflict):
            return False
        self._remember(provider, state)
        return True
