"""In-memory adapters for unit tests and quick local runs: same ports, same semantics, no network."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from zapdoc.ports.blobs import BlobNotFound
from zapdoc.ports.mailer import Mail
from zapdoc.ports.store import (
    AlreadyExists,
    Conflict,
    Create,
    Increment,
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


def _get_path(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _matches(data: Mapping[str, Any], clause: Where) -> bool:
    value = _get_path(data, clause.field)
    if clause.op == "==":
        return bool(value == clause.value)
    if clause.op == "in":
        return value in clause.value
    if value is None:
        return False
    if clause.op == "<":
        return bool(value < clause.value)
    if clause.op == "<=":
        return bool(value <= clause.value)
    if clause.op == ">":
        return bool(value > clause.value)
    return bool(value >= clause.value)


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
        with self._lock:
            out = [
                Snapshot(path, copy.deepcopy(data), version)
                for path, (data, version) in sorted(self._docs.items())
                if path.startswith(query.collection + "/")
                and path.count("/") == depth
                and all(_matches(data, w) for w in query.where)
            ]
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
                            total = int(_get_path(data, key) or 0) + value.amount
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
