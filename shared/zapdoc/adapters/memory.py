"""In-memory adapters for unit tests and quick local runs: same ports, same semantics, no network."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from zapdoc.ports.blobs import BlobNotFound
from zapdoc.ports.mailer import Mail
from zapdoc.ports.store import (
    DOCUMENT_ID,
    AlreadyExists,
    Conflict,
    Create,
    Increment,
    Order,
    Put,
    Query,
    Remove,
    Snapshot,
    Update,
    Where,
    Write,
)


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


_MISSING = object()
_INEQUALITIES = {"<", "<=", ">", ">="}


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    """The value at ``dotted``, or ``_MISSING`` when the document has no such field (null is a value)."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _type_rank(value: Any) -> int:
    """Firestore's order of value types: null, booleans, numbers, timestamps, strings, bytes, arrays, maps."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return 2
    if isinstance(value, dt.datetime):
        return 3
    if isinstance(value, str):
        return 4
    if isinstance(value, bytes):
        return 5
    if isinstance(value, list | tuple):
        return 8
    return 9


def _compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 in Firestore's value order (strings by code point = by UTF-8 bytes, as Firestore)."""
    ra, rb = _type_rank(a), _type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 8:
        for x, y in zip(a, b, strict=False):
            if c := _compare(x, y):
                return c
        return _compare(len(a), len(b))
    if ra == 9:
        return _compare([[k, a[k]] for k in sorted(a)], [[k, b[k]] for k in sorted(b)])
    if ra == 0 or a == b:
        return 0
    return -1 if a < b else 1


def _effective_orders(query: Query) -> tuple[Order, ...]:
    """The explicit orders, then the inequality fields not ordered yet, then the document id, the
    implicit ones in the direction of the last explicit order (Firestore's rule)."""
    orders = list(query.order_by)
    last = orders[-1].direction if orders else "asc"
    named = {o.field for o in orders}
    for name in sorted({w.field for w in query.where if w.op in _INEQUALITIES} - named):
        orders.append(Order(name, last))
    if DOCUMENT_ID not in named:
        orders.append(Order(DOCUMENT_ID, last))
    return tuple(orders)


def _order_values(path: str, data: Mapping[str, Any], orders: Sequence[Order]) -> list[Any] | None:
    """The document's value for each order field; None when it lacks one (Firestore leaves it out)."""
    values = []
    for order in orders:
        value = path.rsplit("/", 1)[-1] if order.field == DOCUMENT_ID else _lookup(data, order.field)
        if value is _MISSING:
            return None
        values.append(value)
    return values


def _compare_rows(a: Sequence[Any], b: Sequence[Any], orders: Sequence[Order]) -> int:
    for x, y, order in zip(a, b, orders, strict=False):
        if c := _compare(x, y):
            return -c if order.direction == "desc" else c
    return 0


def _matches(data: Mapping[str, Any], clause: Where) -> bool:
    """Firestore's filter semantics: a missing field matches nothing, and a range filter matches only
    values of the type it compares with (a number is never ``< "x"``)."""
    value = _lookup(data, clause.field)
    if value is _MISSING:
        return False
    if clause.op == "==":
        return _type_rank(value) == _type_rank(clause.value) and _compare(value, clause.value) == 0
    if clause.op == "in":
        return any(_type_rank(value) == _type_rank(v) and _compare(value, v) == 0 for v in clause.value)
    if value is None or _type_rank(value) != _type_rank(clause.value):
        return False
    c = _compare(value, clause.value)
    if clause.op == "<":
        return c < 0
    if clause.op == "<=":
        return c <= 0
    if clause.op == ">":
        return c > 0
    return c >= 0


class MemoryStore:
    """A thread-safe dict of documents with versioned, atomic commits (mirrors Firestore semantics)."""

    def __init__(self) -> None:
        self._docs: dict[str, tuple[dict[str, Any], int]] = {}
        self._lock = threading.Lock()
        self._versions = itertools.count(1)
        self.commits = 0

    def get(self, path: str) -> Snapshot | None:
        with self._lock:
            found = self._docs.get(path)
            if found is None:
                return None
            return Snapshot(path, copy.deepcopy(found[0]), found[1])

    def query(self, query: Query) -> list[Snapshot]:
        depth = query.collection.count("/") + 1
        orders = _effective_orders(query)
        rows: list[tuple[list[Any], Snapshot]] = []
        with self._lock:
            for path, (data, version) in self._docs.items():
                if not path.startswith(query.collection + "/") or path.count("/") != depth:
                    continue
                if not all(_matches(data, w) for w in query.where):
                    continue
                values = _order_values(path, data, orders)
                if values is None:
                    continue
                rows.append((values, Snapshot(path, copy.deepcopy(data), version)))
        Row = tuple[list[Any], Snapshot]

        def by_order(a: Row, b: Row) -> int:
            return _compare_rows(a[0], b[0], orders)

        rows.sort(key=functools.cmp_to_key(by_order))
        if query.start_after is not None:
            cursor = list(query.start_after)
            rows = [r for r in rows if _compare_rows(r[0][: len(cursor)], cursor, orders) > 0]
        out = [snap for _, snap in rows]
        return out[: query.limit] if query.limit is not None else out

    def commit(self, writes: Sequence[Write]) -> None:
        increments: list[tuple[Increment, int]] = []
        with self._lock:
            staged = {path: (copy.deepcopy(d), v) for path, (d, v) in self._docs.items()}
            for write in writes:
                current = staged.get(write.path)
                version = next(self._versions)
                if isinstance(write, Create):
                    if current is not None:
                        raise AlreadyExists(write.path)
                    staged[write.path] = (copy.deepcopy(write.data), version)
                elif isinstance(write, Put):
                    base = copy.deepcopy(current[0]) if (current is not None and write.merge) else {}
                    for key, value in write.data.items():
                        base[key] = copy.deepcopy(value)
                    staged[write.path] = (base, version)
                elif isinstance(write, Update):
                    if current is None:
                        raise Conflict(f"{write.path} does not exist")
                    if write.if_version is not None and write.if_version != current[1]:
                        raise Conflict(f"{write.path} changed since it was read")
                    data = copy.deepcopy(current[0])
                    for key, value in write.fields.items():
                        if isinstance(value, Increment):  # added at commit time, as Firestore does
                            current = _lookup(data, key)
                            total = int(0 if current is _MISSING else current or 0) + value.amount
                            _set_path(data, key, total)
                            increments.append((value, total))
                        else:
                            _set_path(data, key, copy.deepcopy(value))
                    staged[write.path] = (data, version)
                elif isinstance(write, Remove):
                    staged.pop(write.path, None)
            self._docs = staged
            self.commits += 1
        for increment, total in increments:  # reported once the commit is applied
            increment.after.append(total)

    def paths(self, prefix: str = "") -> list[str]:
        with self._lock:
            return sorted(p for p in self._docs if p.startswith(prefix))


class MemoryBlobs:
    """Buckets as dicts; download URLs are fake ``memory://`` links."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def read(self, bucket: str, name: str, generation: str | None = None) -> bytes:
        # One version per object here; services check the content hash of what they re-read.
        with self._lock:
            found = self.objects.get((bucket, name))
        if found is None:
            raise BlobNotFound(f"gs://{bucket}/{name}")
        return found[0]

    def write(self, bucket: str, name: str, data: bytes, content_type: str) -> None:
        with self._lock:
            self.objects[(bucket, name)] = (bytes(data), content_type)

    def delete(self, bucket: str, name: str) -> None:
        with self._lock:
            self.objects.pop((bucket, name), None)

    def list(self, bucket: str, prefix: str) -> list[str]:
        with self._lock:
            return sorted(n for (b, n) in self.objects if b == bucket and n.startswith(prefix))

    def download_url(self, bucket: str, name: str, expires: dt.timedelta) -> str:
        return f"memory://{bucket}/{name}?expires={int(expires.total_seconds())}"


class MemoryBus:
    """Records published messages per topic, in order."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self._lock = threading.Lock()

    def publish(
        self, topic: str, data: Mapping[str, Any], *, attributes: Mapping[str, str] | None = None
    ) -> str:
        with self._lock:
            self.messages.append((topic, dict(data), dict(attributes or {})))
        return uuid.uuid4().hex

    def publish_all(self, topic: str, messages: Sequence[Mapping[str, Any]]) -> list[str]:
        return [self.publish(topic, m) for m in messages]

    def on(self, topic: str) -> list[dict[str, Any]]:
        with self._lock:
            return [data for t, data, _ in self.messages if t == topic]

    def drain(self) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
        """Return and forget every message published so far."""
        with self._lock:
            out, self.messages = self.messages, []
        return out


class MemoryMailer:
    """Keeps sent mail in a list."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)
