"""Per-user limits enforced atomically: a fixed set of numbered slot documents per limit.

Creating a limited thing (an API key, a saved template, an open job) ``Create``s one free slot
document in the same commit as the thing itself. ``Create`` succeeds for exactly one writer per slot,
so however many requests race, at most ``limit`` slots (and things) exist; releasing the thing removes
its slot in the same commit. Racing writers try the free slots in random order so they rarely collide.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zapdoc.domain.errors import UsageError
from zapdoc.ports.store import AlreadyExists, Create, DocumentStore, Query, Remove, Write

_rng = random.SystemRandom()


class QuotaExceeded(Exception):
    """Every slot is taken."""


class LimitReached(UsageError):
    """A user's count limit (API keys, saved templates) is reached: delete one first (the API
    answers 409)."""


@dataclass(frozen=True)
class Slots:
    """``limit`` slots under ``collection`` (e.g. ``users/<uid>/quota_api_keys``)."""

    store: DocumentStore
    collection: str
    limit: int

    def path(self, slot: int) -> str:
        return f"{self.collection}/s{slot:04d}"

    def taken(self) -> set[int]:
        return {int(s.id[1:]) for s in self.store.query(Query(self.collection)) if s.id[1:].isdigit()}

    def claim(self, holder: str, writes: Callable[[int], Sequence[Write]]) -> int:
        """Commit ``writes(slot)`` together with a free slot held by ``holder``; the slot number.

        Raises ``QuotaExceeded`` when all ``limit`` slots are held (checked against the store, not a
        count read earlier)."""
        tried: set[int] = set()
        while True:
            taken = self.taken() | tried
            free = [n for n in range(self.limit) if n not in taken]
            if not free:
                raise QuotaExceeded(self.collection)
            slot = _rng.choice(free)
            try:
                self.store.commit([Create(self.path(slot), {"holder": holder}), *writes(slot)])
            except AlreadyExists:
                tried.add(slot)  # someone else took it (or the thing itself exists): try another
                continue
            return slot

    def release(self, slot: object) -> list[Write]:
        """The write that frees ``slot`` (to commit with the change that ends the holder)."""
        if isinstance(slot, int) and not isinstance(slot, bool) and 0 <= slot < 10_000:
            return [Remove(self.path(slot))]
        return []
