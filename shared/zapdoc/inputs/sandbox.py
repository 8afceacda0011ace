"""Run parsers of untrusted files in worker processes with a time limit and a memory limit.

PDF libraries have had infinite loops and can be driven to allocate without bound; a worker process
can be killed where a thread cannot. ``BoundedPool.map`` keeps results in order, consumes its input
lazily (bounded memory), and turns a hung, exhausted or crashed worker into a ``TaskFailed`` row
while a fresh worker takes its place.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import multiprocessing
import multiprocessing.connection as mpc
import os
import pickle
import resource
import signal
import sys
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Literal, TypeVar

from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.errors import InputError, ZapdocError
from zapdoc.inputs.pdf import inspect_pdf

T = TypeVar("T")
R = TypeVar("R")

FailureKind = Literal["timeout", "memory", "crash", "error"]
_MB = 1024 * 1024


@dataclass(frozen=True)
class TaskFailed:
    """A task that produced no result: its position in the input and why.

    ``kind`` tells a timeout, memory exhaustion and a crash from an error the task raised on purpose
    (a ``ZapdocError``, whose message is then the reason, already fit for a user).
    """

    index: int
    reason: str
    kind: FailureKind = "error"


class BoundedPool:
    """A pool of worker processes; each task gets ``timeout`` seconds and ``memory_mb`` of memory.

    ``memory_mb`` is address space (RLIMIT_AS) on top of what a worker starts with: a forked worker
    inherits the parent's mappings, which are not the task's to pay for.
    """

    def __init__(
        self, workers: int, *, timeout: float = 60.0, memory_mb: int = 2048, read_ahead: int | None = None
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.read_ahead = workers if read_ahead is None else max(0, read_ahead)
        # fork: workers start in milliseconds and need nothing pickled to start (Linux only).
        self._ctx: BaseContext = multiprocessing.get_context(
            "fork" if sys.platform.startswith("linux") else "spawn"
        )
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._mapping = False
        self._closed = False

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Generator[R | TaskFailed, None, None]:
        """Results of ``fn(item)`` in input order; ``TaskFailed`` in place of those that did not finish."""
        if self._closed:
            raise RuntimeError("the pool is closed")
        return self._map(fn, items)

    def close(self) -> None:
        """Stop every worker (idle ones are asked, the rest killed). Safe to call twice."""
        self._closed = True
        for worker in self._idle:
            worker.ask_to_stop()
        for worker in list(self._all):
            worker.stop(graceful=worker in self._idle)
        self._idle.clear()
        self._all.clear()

    def __enter__(self) -> BoundedPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------------

    def _map(self, fn: Callable[[T], R], items: Iterable[T]) -> Generator[R | TaskFailed, None, None]:
        if self._mapping:
            raise RuntimeError("one map at a time per pool")
        self._mapping = True
        source = iter(items)
        window = self.workers + self.read_ahead
        busy: dict[int, _Worker] = {}
        done: dict[int, Any] = {}
        next_in = next_out = 0
        exhausted = False
        try:
            while True:
                if busy:
                    self._collect(busy, done, block=False)  # free workers that finished meanwhile
                while not exhausted and len(busy) < self.workers and next_in < next_out + window:
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    self._dispatch(fn, item, next_in, busy, done)
                    del item  # the worker has its copy; keep memory bounded
                    next_in += 1
                if next_out in done:
                    result = done.pop(next_out)
                    next_out += 1
                    yield result
                    continue
                if not busy:
                    return  # input exhausted and every result handed out
                self._collect(busy, done, block=True)
        finally:
            # An abandoned map: results of tasks still running are nobody's; stop those workers.
            for worker in busy.values():
                self._discard(worker)
            self._mapping = False

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.memory_mb, inherited=[w.conn for w in self._all])
        self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.stop()
        self._all.discard(worker)

    def _dispatch(
        self, fn: Callable[[T], R], item: T, index: int, busy: dict[int, _Worker], done: dict[int, Any]
    ) -> None:
        if self._closed:
            raise RuntimeError("the pool was closed while a map was still running")
        payload = pickle.dumps((fn, item), protocol=pickle.HIGHEST_PROTOCOL)  # fails early if unpicklable
        for _attempt in range(2):
            worker = self._idle.pop() if self._idle else self._spawn()
            try:
                worker.conn.send_bytes(payload)
            except OSError:
                if worker.conn.poll(0):  # it said why before hanging up (the input did not fit in memory)
                    done[index] = self._receive(worker, index)
                    return
                self._discard(worker)  # died while idle (killed from outside): replace it, try once more
                continue
            worker.deadline = time.monotonic() + self.timeout
            busy[index] = worker
            return
        done[index] = TaskFailed(index, "crashed (no worker process could take the task)", "crash")

    def _collect(self, busy: dict[int, _Worker], done: dict[int, Any], *, block: bool) -> None:
        """Settle finished, dead and overdue tasks; with ``block``, first wait for one or a deadline."""
        by_handle: dict[Any, int] = {}
        for index, worker in busy.items():
            by_handle[worker.conn] = index
            by_handle[worker.process.sentinel] = index
        wait_for = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic()) if block else 0.0
        for handle in mpc.wait(list(by_handle), timeout=wait_for):
            index = by_handle[handle]
            if index in busy:
                done[index] = self._receive(busy.pop(index), index)
        now = time.monotonic()
        for index, worker in list(busy.items()):
            if worker.deadline > now:
                continue
            del busy[index]
            if worker.conn.poll(0):  # finished just in time (or while the consumer was busy)
                done[index] = self._receive(worker, index)
            else:
                self._discard(worker)
                done[index] = TaskFailed(index, f"took longer than {self.timeout:g} s", "timeout")

    def _receive(self, worker: _Worker, index: int) -> Any:
        try:
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=5)
            reason, kind = _death_reason(worker.process.exitcode)
            self._discard(worker)
            return TaskFailed(index, reason, kind)
        if status == "memory":
            self._discard(worker)  # a fresh worker is cheaper than trusting a heap after MemoryError
            return TaskFailed(index, f"ran out of memory (limit {self.memory_mb} MB)", "memory")
        self._idle.append(worker)
        if status == "ok":
            return payload
        if status == "error":
            return TaskFailed(index, str(payload), "error")
        return TaskFailed(index, f"crashed ({payload})", "crash")


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: BaseContext, memory_mb: int, *, inherited: list[mpc.Connection]) -> None:
        parent_end, child_end = ctx.Pipe(duplex=True)
        forked = ctx.get_start_method() == "fork"
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child_end, memory_mb, inherited if forked else []),
            daemon=True,
            name="zapdoc-bounded-worker",
        )
        self.process.start()
        child_end.close()
        self.conn = parent_end
        self.deadline = 0.0

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)

    def stop(self, *, graceful: bool = False) -> None:
        """End the process: wait briefly when it was asked to stop, else kill it at once."""
        if graceful:
            self.process.join(timeout=1.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _worker_main(conn: mpc.Connection, memory_mb: int, inherited: list[mpc.Connection]) -> None:
    """Worker loop: receive (fn, item), run it, send back ("ok", result) or why it failed."""
    for other in inherited:  # other workers' pipes, copied by fork: keep them from seeing EOF late
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a crash here is reported as TaskFailed; an inherited dump is only noise
    _limit_memory(memory_mb)
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        except MemoryError:  # the task's input alone does not fit in the limit
            conn.send(("memory", None))
            return
        out = _run(raw)
        del raw
        if out is None:
            return
        try:
            conn.send(out)
        except MemoryError:
            out = ("memory", None)
            conn.send(out)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send(("crash", f"its result could not be sent back ({exc})"))
        if out[0] == "memory":
            return


def _run(raw: bytes) -> tuple[str, Any] | None:
    """Unpickle and run one task; None for the stop message. Locals die on return, freeing memory."""
    try:
        task = pickle.loads(raw)  # noqa: S301 - written by our own parent process
        if task is None:
            return None
        fn, item = task
        return ("ok", fn(item))
    except MemoryError:
        return ("memory", None)
    except ZapdocError as exc:
        return ("error", str(exc))
    except Exception as exc:
        return ("crash", f"{type(exc).__name__}: {exc}")


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at its current size plus ``memory_mb``."""
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = 0
    limit = current + memory_mb * _MB
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):  # not enforceable everywhere (macOS): time still is
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _death_reason(exitcode: int | None) -> tuple[str, FailureKind]:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return "ran out of memory (the worker was killed)", "memory"
        return f"crashed ({name})", "crash"
    if exitcode:
        return f"crashed (exit code {exitcode})", "crash"
    return "crashed", "crash"


def failure_as_input_error(failed: TaskFailed, what: str = "the PDF") -> InputError:
    """A user-facing ``InputError`` for a document whose inspection failed in the pool."""
    if failed.kind == "error":
        return InputError(failed.reason)
    if failed.kind == "timeout":
        return InputError(f"{what} {failed.reason} to read; it may be malformed")
    return InputError(f"reading {what} {failed.reason}; it may be malformed")


def inspect_bounded(
    source: Source, *, timeout: float = 30.0, memory_mb: int = 2048, with_text: bool = True
) -> DocumentText:
    """``inspect_pdf`` in a child process with a time and memory bound (one-off, for the functions)."""
    with BoundedPool(1, timeout=timeout, memory_mb=memory_mb, read_ahead=0) as pool:
        result = next(pool.map(functools.partial(inspect_pdf, with_text=with_text), [source]))
    if isinstance(result, TaskFailed):
        raise failure_as_input_error(result)
    return result
