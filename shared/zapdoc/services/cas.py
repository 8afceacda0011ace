"""Compare-and-set on one document of the store port: read it, decide from the snapshot, commit the
decision with the snapshot's version as precondition, and on a ``Conflict`` read again and decide anew.

The decision (``step``) only reads and computes: it returns ``Commit`` (fields for the document, other
writes for the same commit, and the result to return once committed) or ``Stop`` (a result, nothing
written). Whatever must happen once the commit landed (log events, notifications, reading the values
an ``Increment`` reports in ``after``) the caller does with the result, never inside ``step``, which
may run several times. After ``MAX_ATTEMPTS`` conflicts ``exhausted`` decides (``give_up`` raises a
``TransientError``, so the message is redelivered).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, TypeVar

from zapdoc.domain.errors import TransientError
from zapdoc.ports.store import Conflict, DocumentStore, Snapshot, Update, Write

MAX_ATTEMPTS = 20
"""Commits tried before giving up: each conflict means another writer changed the document since read."""

T = TypeVar("T")


@dataclass(frozen=True)
class Commit(Generic[T]):
    """Write ``fields`` to the document as read (``if_version``), then ``also``, in one commit."""

    fields: dict[str, Any]
    result: T
    also: Sequence[Write] = field(default=())


@dataclass(frozen=True)
class Stop(Generic[T]):
    """Write nothing and return ``result``."""

    result: T


def give_up(message: str) -> Callable[[], NoReturn]:
    """An ``exhausted`` that raises ``TransientError(message)``."""

    def raise_transient() -> NoReturn:
        raise TransientError(message)

    return raise_transient


def compare_and_set(
    store: DocumentStore,
    path: str,
    step: Callable[[Snapshot | None], Commit[T] | Stop[T]],
    *,
    exhausted: Callable[[], T],
    snapshot: Snapshot | None = None,
) -> T:
    """Run ``step`` on the document at ``path`` (``snapshot``: as the caller just read it, else read
    here; None when it does not exist) and commit its decision, re-reading after each conflict."""
    snap = snapshot if snapshot is not None else store.get(path)
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            snap = store.get(path)
        decided = step(snap)
        if isinstance(decided, Stop):
            return decided.result
        if snap is None:
            raise ValueError(f"compare_and_set: cannot commit fields to {path}, which does not exist")
        try:
            store.commit([Update(path, decided.fields, if_version=snap.version), *decided.also])
        except Conflict:
            continue
        return decided.result
    return exhausted()
