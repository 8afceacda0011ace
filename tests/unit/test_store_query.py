"""The store port's query semantics on the in-memory fake: order, limit, cursor, ties and missing fields
as Firestore has them (tests/integration/test_bounded_reads_firestore.py runs the same queries on the
emulator and compares), and the paging helper the listings use."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain.errors import UsageError
from zapdoc.ports.store import DOCUMENT_ID, Order, Put, Query, Where
from zapdoc.services import paging

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def store_with(docs: dict[str, dict[str, object]]) -> MemoryStore:
    store = MemoryStore()
    items = list(docs.items())
    random.Random(7).shuffle(items)  # insertion order must not matter
    store.commit([Put(f"c/{doc_id}", data) for doc_id, data in items])
    return store


def ids(store: MemoryStore, query: Query) -> list[str]:
    return [s.id for s in store.query(query)]


def test_order_by_one_field_both_directions_ties_by_id_in_the_last_direction() -> None:
    # GIVEN documents with a tie on "n"
    store = store_with({"a": {"n": 2}, "b": {"n": 1}, "c": {"n": 2}, "d": {"n": 3}})
    # WHEN ordered ascending and descending THEN ties come by id, in the direction of the order
    assert ids(store, Query("c", order_by=(Order("n"),))) == ["b", "a", "c", "d"]
    assert ids(store, Query("c", order_by=(Order("n", "desc"),))) == ["d", "c", "a", "b"]
    assert ids(store, Query("c", order_by=(Order("n", "desc"), Order(DOCUMENT_ID)))) == ["d", "a", "c", "b"]


def test_documents_lacking_an_order_field_are_left_out_but_null_is_a_value() -> None:
    # GIVEN one document without "n" and one with n = null
    store = store_with({"a": {"n": 1}, "b": {}, "c": {"n": None}, "d": {"m": 5}})
    # WHEN ordered by n THEN the missing ones are not returned and null sorts first
    assert ids(store, Query("c", order_by=(Order("n"),))) == ["c", "a"]
    # AND without an order every document comes, by id
    assert ids(store, Query("c")) == ["a", "b", "c", "d"]


def test_values_of_different_types_sort_in_firestore_type_order() -> None:
    store = store_with(
        {"s": {"v": "x"}, "t": {"v": T0}, "n": {"v": 3}, "f": {"v": 2.5}, "b": {"v": True}, "z": {"v": None}}
    )
    assert ids(store, Query("c", order_by=(Order("v"),))) == ["z", "b", "f", "n", "t", "s"]


def test_nested_order_fields_and_equality_filters() -> None:
    store = store_with(
        {
            "a": {"u": "x", "m": {"at": T0 + dt.timedelta(hours=2)}},
            "b": {"u": "y", "m": {"at": T0 + dt.timedelta(hours=3)}},
            "c": {"u": "x", "m": {"at": T0 + dt.timedelta(hours=1)}},
            "d": {"u": "x", "m": {}},
        }
    )
    query = Query("c", (Where("u", "==", "x"),), order_by=(Order("m.at", "desc"),))
    assert ids(store, query) == ["a", "c"]


def test_range_filters_match_only_values_of_their_type_and_missing_fields_match_nothing() -> None:
    store = store_with({"a": {"n": 1}, "b": {"n": "1"}, "c": {}, "d": {"n": 5}, "e": {"n": None}})
    assert ids(store, Query("c", (Where("n", "<", 3),))) == ["a"]
    assert ids(store, Query("c", (Where("n", "==", None),))) == ["e"]
    assert ids(store, Query("c", (Where("n", ">=", 1),), order_by=(Order("n", "desc"),))) == ["d", "a"]


def test_an_inequality_without_an_order_sorts_by_that_field_first() -> None:
    store = store_with({"a": {"n": 3}, "b": {"n": 1}, "c": {"n": 2}})
    assert ids(store, Query("c", (Where("n", ">", 0),))) == ["b", "c", "a"]


def test_limit_and_cursor_walk_every_document_exactly_once_with_ties() -> None:
    # GIVEN 57 documents with many equal timestamps
    rng = random.Random(3)
    docs: dict[str, dict[str, object]] = {
        f"j{i:03d}": {"at": T0 + dt.timedelta(minutes=rng.randrange(10))} for i in range(57)
    }
    store = store_with(docs)
    order = (Order("at", "desc"), Order(DOCUMENT_ID, "desc"))
    # WHEN paged 10 at a time with start_after = the last document's order values
    seen: list[str] = []
    after: tuple[object, ...] | None = None
    while True:
        page = store.query(Query("c", order_by=order, limit=10, start_after=after))
        seen += [s.id for s in page]
        if len(page) < 10:
            break
        after = (page[-1].data["at"], page[-1].id)
    # THEN the pages are the full ordering, each document once
    expected = sorted(docs, key=lambda d: (docs[d]["at"], d), reverse=True)
    assert seen == expected


def test_a_cursor_prefix_skips_every_tie_of_the_value() -> None:
    store = store_with({"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 2}, "d": {"n": 3}})
    assert ids(store, Query("c", order_by=(Order("n"),), start_after=(2,))) == ["d"]
    by_n_then_id = (Order("n"), Order(DOCUMENT_ID))
    assert ids(store, Query("c", order_by=by_n_then_id, start_after=(2, "b"))) == ["c", "d"]


def test_queries_with_bad_cursor_or_limit_are_refused() -> None:
    with pytest.raises(ValueError, match="needs order_by"):
        Query("c", start_after=(1,))
    with pytest.raises(ValueError, match="one value per order field"):
        Query("c", order_by=(Order("n"),), start_after=(1, "a", "x"))
    with pytest.raises(ValueError, match="at least 1"):
        Query("c", limit=0)


def test_paging_helper_reads_one_more_than_the_page_and_hands_an_opaque_cursor() -> None:
    # GIVEN 25 documents
    store = store_with({f"d{i:02d}": {"at": T0 + dt.timedelta(seconds=i)} for i in range(25)})
    query = Query("c", order_by=(Order("at", "desc"), Order(DOCUMENT_ID, "desc")))
    # WHEN paged by 10
    first = paging.fetch(store, query, 10)
    second = paging.fetch(store, query, 10, first.cursor)
    third = paging.fetch(store, query, 10, second.cursor)
    # THEN three pages, newest first, the last without a cursor
    assert [s.id for s in first.items] == [f"d{i:02d}" for i in range(24, 14, -1)]
    assert [s.id for s in third.items] == [f"d{i:02d}" for i in range(4, -1, -1)]
    assert first.cursor and second.cursor and third.cursor is None
    # AND a page exactly at the end says so
    assert paging.fetch(store, query, 5, paging.fetch(store, query, 20).cursor).cursor is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!",
        "bm90IGpzb24",
        paging.encode_cursor(("x",)),
        "W3sidCI6IngifSwiYSJd",
        paging.encode_cursor((T0, True)),  # a document id that is not one
        paging.encode_cursor((T0, "jobs/x")),
        paging.encode_cursor((T0, "")),
    ],
)
def test_a_tampered_cursor_is_a_400(token: str) -> None:
    query = Query("c", order_by=(Order("at"), Order(DOCUMENT_ID)))
    with pytest.raises(UsageError):
        paging.fetch(MemoryStore(), query, 10, token or "e30")


def test_cursor_round_trips_timestamps_and_ids() -> None:
    values = (T0 + dt.timedelta(microseconds=7), "job-1", 3, None)
    assert paging.decode_cursor(paging.encode_cursor(values), 4) == values
