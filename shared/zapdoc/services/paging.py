"""Pages of a store query: at most ``size`` documents in the query's order, and an opaque cursor for the
next page. Each page reads ``size + 1`` documents (the extra one says whether more follow), whatever
the size of the collection."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from zapdoc.domain.errors import UsageError
from zapdoc.ports.store import DOCUMENT_ID, DocumentStore, Query, Snapshot

MAX_PAGE = 100
"""The largest page a listing serves (``limit`` of the API's list endpoints)."""


@dataclass(frozen=True)
class Page:
    items: list[Snapshot]
    cursor: str | None
    """Where the next page starts (``None`` on the last page)."""


def fetch(store: DocumentStore, query: Query, size: int, cursor: str | None = None) -> Page:
    """The page of ``query`` (which needs ``order_by``) after ``cursor`` (from the previous page)."""
    if not 1 <= size <= MAX_PAGE:
        raise UsageError(f"limit must be an integer from 1 to {MAX_PAGE}")
    after = decode_cursor(cursor, len(query.order_by)) if cursor else None
    for order, value in zip(query.order_by, after or (), strict=False):
        # a document id of this collection (Firestore refuses anything else, and a 500 is not the answer)
        if order.field == DOCUMENT_ID and not (isinstance(value, str) and value and "/" not in value):
            raise UsageError("cursor is not valid")
    snaps = store.query(replace(query, limit=size + 1, start_after=after))
    items = snaps[:size]
    if len(snaps) <= size:
        return Page(items, None)
    last = items[-1]
    return Page(items, encode_cursor(tuple(_value(last, o.field) for o in query.order_by)))


def _value(snap: Snapshot, dotted: str) -> Any:
    if dotted == DOCUMENT_ID:
        return snap.id
    node: Any = snap.data
    for part in dotted.split("."):
        node = node[part]  # present: the query only returns documents that have every order field
    return node


def encode_cursor(values: tuple[Any, ...]) -> str:
    """An opaque, URL-safe token of the last document's order values (timestamps tagged)."""
    tagged = [{"t": v.isoformat()} if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps(tagged, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, fields: int) -> tuple[Any, ...]:
    """The values of ``encode_cursor``; a ``UsageError`` (400) for anything else."""
    invalid = UsageError("cursor is not valid")
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise invalid from None
    if not isinstance(value, list) or len(value) != fields:
        raise invalid
    out: list[Any] = []
    for item in value:
        if isinstance(item, dict):
            stamp = item.get("t")
            if set(item) != {"t"} or not isinstance(stamp, str):
                raise invalid
            try:
                when = dt.datetime.fromisoformat(stamp)
            except ValueError:
                raise invalid from None
            if when.tzinfo is None:
                raise invalid
            out.append(when)
        elif item is None or isinstance(item, str | int | float | bool):
            out.append(item)
        else:
            raise invalid
    return tuple(out)
