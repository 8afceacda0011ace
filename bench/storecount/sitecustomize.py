"""Bench-only: count the Firestore operations of every function process of the local stack.

``bench/pipeline.py`` puts this directory first on PYTHONPATH (with ``BENCH_STORE_COUNTS`` naming an
output directory) for the processes the local stack spawns. Python imports ``sitecustomize`` at start;
this one wraps ``zapdoc.adapters.firestore.FirestoreStore`` when that module is first imported, so the
same counting runs on any checkout (the baseline's and this one's) without a line of product code.

Counted as Firestore bills them: ``get`` is one read (a missing document too), a query one read per
document returned (at least one), a commit one write per write in it. Each process writes its totals
to ``<dir>/<function>-<pid>.json`` every 0.2 s and at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.abc
import importlib.util
import json
import os
import sys
import threading
from typing import Any

_OUT = os.environ.get("BENCH_STORE_COUNTS", "")
_TARGET = "zapdoc.adapters.firestore"
_counts: dict[str, int] = {"reads": 0, "writes": 0, "gets": 0, "queries": 0, "commits": 0, "conflicts": 0}
_lock = threading.Lock()


def _add(where: str = "", **delta: int) -> None:
    with _lock:
        for key, value in delta.items():
            _counts[key] = _counts.get(key, 0) + value
            if where and key in ("reads", "writes"):  # e.g. "reads jobs/documents"
                name = f"{key} {where}"
                _counts[name] = _counts.get(name, 0) + value


def _kind(path: str) -> str:
    """The collection names of a path: ``jobs/x/documents/y`` -> ``jobs/documents``."""
    parts = path.split("/")
    return "/".join(parts[0::2])


def _patch(cls: Any) -> None:
    get, query, commit = cls.get, cls.query, cls.commit

    def counted_get(self: Any, path: str) -> Any:
        _add(_kind(path), reads=1, gets=1)
        return get(self, path)

    def counted_query(self: Any, q: Any) -> Any:
        found = query(self, q)
        _add(_kind(q.collection + "/x"), reads=max(1, len(found)), queries=1)
        return found

    def counted_commit(self: Any, writes: Any) -> Any:
        writes = list(writes)
        _add(commits=1)
        for write in writes:
            _add(_kind(write.path), writes=1)
        try:
            return commit(self, writes)
        except Exception:
            _add(conflicts=1)
            raise

    cls.get, cls.query, cls.commit = counted_get, counted_query, counted_commit


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != _TARGET:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: Any) -> None:
            original(module)
            _patch(module.FirestoreStore)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _name() -> str:
    argv = list(sys.argv)
    if "--target" in argv and argv.index("--target") + 1 < len(argv):
        return argv[argv.index("--target") + 1]
    return os.path.basename(argv[0]).removesuffix(".py") if argv and argv[0] else "python"


def _flush() -> None:
    with _lock:
        data = dict(_counts)
    if not any(data.values()):
        return
    path = os.path.join(_OUT, f"{_name()}-{os.getpid()}.json")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def _loop() -> None:
    stop = threading.Event()
    while not stop.wait(0.2):
        with contextlib.suppress(OSError):
            _flush()


def _start() -> None:
    threading.Thread(target=_loop, name="bench-store-counts", daemon=True).start()


def _forked() -> None:  # a server that forks its workers (gunicorn): each worker counts its own
    _lock._at_fork_reinit()  # type: ignore[attr-defined]  # held by another thread at the fork?
    _counts.clear()
    _start()


if _OUT:
    sys.meta_path.insert(0, _Finder())
    _start()
    os.register_at_fork(after_in_child=_forked)
    atexit.register(_flush)
