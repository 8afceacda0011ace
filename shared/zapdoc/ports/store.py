"""A narrow document-store port: read, query, and atomic multi-document commits with preconditions.

Services build money, jobs and idempotency on these few operations, so the same logic runs on
Firestore (adapters.firestore) and on the in-memory fake (adapters.memory) used by unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Op = Literal["==", "<", "<=", ">", ">=", "in"]


class Conflict(Exception):
    """A commit precondition failed (the document changed since it was read, or does not exist)."""


class AlreadyExists(Conflict):
    """A ``Create`` targeted a document that already exists: the write was applied before."""


@dataclass(frozen=True)
class Snapshot:
    """A document as read: its path, data and an opaque version used as a write precondition."""

    path: str
    data: dict[str, Any]
    version: Any

    @property
    def id(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Create:
    """Create a document; the whole commit fails with ``AlreadyExists`` if it exists."""

    path: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Put:
    """Write a whole document (``merge=True`` keeps fields not named in ``data``)."""

    path: str
    data: dict[str, Any]
    merge: bool = False


@dataclass(frozen=True)
class Increment:
    """A field value in ``Update.fields``: add ``amount`` to the stored number (0 when unset) at commit
    time, on the server — no read before, no conflict with other increments of the same field.

    After the commit, ``after`` holds the field's value as this commit left it (when the store reports
    it; Firestore and the in-memory store do): of many concurrent increments, exactly one sees each
    value, e.g. the one that brought a counter to zero."""

    amount: int
    after: list[int] = field(default_factory=list, compare=False, hash=False)


@dataclass(frozen=True)
class Update:
    """Update fields of an existing document; keys may be dotted paths into maps.

    With ``if_version`` the commit fails with ``Conflict`` unless the document is unchanged since read.
    """

    path: str
    fields: dict[str, Any]
    if_version: Any = None


@dataclass(frozen=True)
class Remove:
    """Delete a document (no error if it does not exist)."""

    path: str


Write = Create | Put | Update | Remove


@dataclass(frozen=True)
class Where:
    field: str
    op: Op
    value: Any


DOCUMENT_ID = "__name__"
"""The order field that sorts by document id (Firestore's ``__name__``); its cursor value is the id."""

Direction = Literal["asc", "desc"]


@dataclass(frozen=True)
class Order:
    field: str
    direction: Direction = "asc"


@dataclass(frozen=True)
class Query:
    """Documents of one collection matching every ``where`` clause, in ``order_by`` order, from after
    the ``start_after`` cursor, at most ``limit`` of them — Firestore's query semantics:

    - a document that lacks a field named in ``order_by`` is not returned;
    - ties are broken by document id, in the direction of the last order (``DOCUMENT_ID`` may also be
      named explicitly); without ``order_by`` documents come by id, or by the inequality fields first;
    - ``start_after`` holds the values of the last document read, one per order field in order (a
      prefix is allowed), and needs ``order_by``.

    Every query with ``order_by`` on one field plus an equality or an other field needs a composite
    index in production: terraform/firestore.tf declares each, and tests/unit/test_firestore_indexes.py
    checks that they match the queries in the code."""

    collection: str
    where: tuple[Where, ...] = field(default=())
    limit: int | None = None
    order_by: tuple[Order, ...] = field(default=())
    start_after: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError("a query limit must be at least 1")
        if self.start_after is not None:
            if not self.order_by:
                raise ValueError("a query cursor needs order_by")
            if not 1 <= len(self.start_after) <= len(self.order_by):
                raise ValueError("a query cursor has one value per order field (a prefix is allowed)")


class DocumentStore(Protocol):
    """The persistence operations the pipeline needs, nothing more."""

    def get(self, path: str) -> Snapshot | None: ...

    def query(self, query: Query) -> list[Snapshot]: ...

    def commit(self, writes: Sequence[Write]) -> None:
        """Apply every write atomically, or none (raises ``Conflict`` / ``AlreadyExists``)."""
        ...
