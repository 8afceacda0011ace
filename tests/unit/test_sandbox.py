"""BoundedPool, inspect_bounded: hung, memory-hungry or crashing tasks become TaskFailed; the pool goes on."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections.abc import Iterator

import pytest

from tests.badinputs import good_pdf, password_pdf
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.errors import InputError
from zapdoc.inputs.sandbox import BoundedPool, TaskFailed, failure_as_input_error, inspect_bounded

# Tasks are top-level functions so they pickle by reference. The item says what to do.
SPIN, ALLOCATE_4GB, SEGFAULT, BAD_INPUT, BUG = "spin", "allocate", "segfault", "bad-input", "bug"


def task(item: int | str) -> int:
    """Double an int; misbehave as the item says."""
    if item == SPIN:
        while True:  # an infinite loop, as pypdf has had
            pass
    if item == ALLOCATE_4GB:
        return len(bytearray(4 * 1024**3))
    if item == SEGFAULT:
        os.kill(os.getpid(), signal.SIGSEGV)
    if item == BAD_INPUT:
        raise InputError("the PDF has no pages")
    if item == BUG:
        raise ValueError("unexpected value")
    assert isinstance(item, int)
    return item * 2


def _items(*items: int | str) -> list[int | str]:
    return list(items)


def pid_of(_: object) -> int:
    return os.getpid()


def test_results_come_back_in_input_order() -> None:
    # GIVEN a pool of 2 WHEN 20 items are mapped THEN every result is in its input's place
    with BoundedPool(2, timeout=30) as pool:
        assert list(pool.map(task, range(20))) == [i * 2 for i in range(20)]


def test_an_infinite_loop_is_killed_at_the_timeout_and_the_next_items_run() -> None:
    # GIVEN a task that never returns between two good ones, and a 1 s timeout
    with BoundedPool(1, timeout=1.0) as pool:
        # WHEN mapped
        results = list(pool.map(task, _items(1, SPIN, 3)))
    # THEN the loop becomes a timeout failure at its index; the items around it succeed
    assert results == [2, TaskFailed(1, "took longer than 1 s", "timeout"), 6]


def test_memory_limit_turns_a_huge_allocation_into_a_failure_and_the_pool_still_works() -> None:
    # GIVEN a task that allocates 4 GB under a 256 MB limit
    with BoundedPool(1, timeout=30, memory_mb=256) as pool:
        # WHEN mapped between good items, and the pool used again afterwards
        results = list(pool.map(task, _items(1, ALLOCATE_4GB, 3)))
        again = list(pool.map(task, [4]))
    # THEN that task failed for memory, the others and the next map succeed
    assert results == [2, TaskFailed(1, "ran out of memory (limit 256 MB)", "memory"), 6]
    assert again == [8]


def test_an_input_too_big_for_the_memory_limit_fails_for_memory() -> None:
    # GIVEN a 200 MB item and a 64 MB limit: the worker cannot even receive it
    big = bytes(200 * 1024**2)
    with BoundedPool(1, timeout=30, memory_mb=64) as pool:
        # WHEN mapped between small items
        results = list(pool.map(len, [b"ab", big, b"abc"]))
    # THEN that item is a memory failure and the pool carries on
    assert results == [2, TaskFailed(1, "ran out of memory (limit 64 MB)", "memory"), 3]


def test_a_crashing_worker_is_replaced() -> None:
    with BoundedPool(1, timeout=30) as pool:
        results = list(pool.map(task, _items(SEGFAULT, 5)))
    assert results == [TaskFailed(0, "crashed (SIGSEGV)", "crash"), 10]


def test_input_errors_keep_their_message_and_bugs_name_their_type() -> None:
    with BoundedPool(2, timeout=30) as pool:
        results = list(pool.map(task, _items(BAD_INPUT, BUG, 1)))
    assert results == [
        TaskFailed(0, "the PDF has no pages", "error"),
        TaskFailed(1, "crashed (ValueError: unexpected value)", "crash"),
        2,
    ]


def test_tasks_run_in_other_processes_and_workers_are_reused() -> None:
    with BoundedPool(1, timeout=30) as pool:
        pids = list(pool.map(pid_of, range(5)))
    assert os.getpid() not in pids
    assert len(set(pids)) == 1


def test_input_is_consumed_lazily() -> None:
    # GIVEN an endless input that counts how many items were taken
    taken = 0

    def endless() -> Iterator[int]:
        nonlocal taken
        while True:
            taken += 1
            yield taken

    with BoundedPool(2, timeout=30, read_ahead=2) as pool:
        results = pool.map(task, endless())
        # WHEN the first result is read
        first = next(results)
        # THEN only the workers plus the read-ahead were taken, not the endless rest
        assert first == 2
        assert taken <= 2 + 2 + 1
        results.close()


def test_an_abandoned_map_does_not_leak_results_into_the_next() -> None:
    with BoundedPool(2, timeout=30) as pool:
        abandoned = pool.map(task, [1, 2, 3, 4, 5, 6])
        assert next(abandoned) == 2
        abandoned.close()
        assert list(pool.map(task, [10, 20, 30])) == [20, 40, 60]


def test_close_stops_every_worker_and_refuses_new_work() -> None:
    # GIVEN a pool that ran some work
    pool = BoundedPool(2, timeout=30)
    assert list(pool.map(task, [1, 2, 3])) == [2, 4, 6]
    # WHEN closed (twice: harmless)
    pool.close()
    pool.close()
    # THEN no worker process is left and new work is refused
    assert not [p for p in multiprocessing.active_children() if p.name == "zapdoc-bounded-worker"]
    with pytest.raises(RuntimeError):
        pool.map(task, [1])


def test_an_unpicklable_function_is_refused_in_the_caller() -> None:
    with BoundedPool(1, timeout=30) as pool, pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        list(pool.map(lambda x: x, [1]))


def test_inspect_bounded_returns_the_document_text() -> None:
    name, data = good_pdf(pages=2)
    doc = inspect_bounded(Source(name, data), timeout=30, memory_mb=512)
    assert isinstance(doc, DocumentText)
    assert doc.page_count == 2
    assert "INV-2024-001" in doc.pages[0]


def test_inspect_bounded_raises_the_input_error_of_a_bad_pdf() -> None:
    name, data = password_pdf()
    with pytest.raises(InputError, match="password-protected"):
        inspect_bounded(Source(name, data), timeout=30)


@pytest.mark.parametrize(
    ("failed", "message"),
    [
        (
            TaskFailed(0, "took longer than 30 s", "timeout"),
            "the PDF took longer than 30 s to read; it may be malformed",
        ),
        (
            TaskFailed(0, "ran out of memory (limit 2048 MB)", "memory"),
            "reading the PDF ran out of memory (limit 2048 MB); it may be malformed",
        ),
        (
            TaskFailed(0, "crashed (SIGSEGV)", "crash"),
            "reading the PDF crashed (SIGSEGV); it may be malformed",
        ),
        (TaskFailed(0, "the PDF has no pages", "error"), "the PDF has no pages"),
    ],
)
def test_failures_read_as_user_facing_input_errors(failed: TaskFailed, message: str) -> None:
    assert str(failure_as_input_error(failed)) == message
