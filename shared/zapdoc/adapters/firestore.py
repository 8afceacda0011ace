"""Firestore implementation of the document-store port (emulator or production).

Preconditions use ``last_update_time``: a compare-and-set that Firestore checks at commit time. It is
much faster than read-write transactions on the emulator under contention (see FACTS.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from zapdoc.domain.errors import TransientError
from zapdoc.ports.store import (
    DOCUMENT_ID,
    AlreadyExists,
    Conflict,
    Create,
    Increment,
    Put,
    Query,
    Remove,
    Snapshot,
    Update,
    Write,
)


def _field_path(dotted: str) -> str:
    """Quote each segment so keys with unusual characters stay single path elements."""
    from google.cloud.firestore_v1.field_path import FieldPath

    return FieldPath(*dotted.split(".")).to_api_repr()


def _value(value: Any) -> Any:
    if isinstance(value, Increment):
        from google.cloud.firestore_v1.transforms import Increment as FirestoreIncrement

        return FirestoreIncrement(value.amount)
    return value


DEFAULT_TIMEOUT_S = 30.0
"""The deadline of every store call, retries included (``ZAPDOC_STORE_TIMEOUT_S``, ``settings.cloud``)."""


class StoreUnavailable(TransientError):
    """The store did not answer within its deadline (the API answers 503 with Retry-After)."""


class FirestoreStore:
    """The ``DocumentStore`` port on a ``google.cloud.firestore.Client`` (created lazily by the caller).

    Every call has a deadline (``timeout`` seconds, the client's own retries included): a store that
    hangs becomes ``StoreUnavailable`` instead of a request that never ends."""

    def __init__(
        self, client: Any = None, *, factory: Callable[[], Any] | None = None, timeout: float | None = None
    ) -> None:
        self._client_value = client
        self._factory = factory
        self._lock = threading.Lock()
        self._timeout = DEFAULT_TIMEOUT_S if timeout is None else timeout

    def _deadline(self) -> dict[str, Any]:
        from google.api_core.retry import Retry

        retry = Retry(initial=0.1, maximum=1.0, multiplier=2.0, timeout=self._timeout)
        return {"retry": retry, "timeout": self._timeout}

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(f"the document store did not answer within {self._timeout:g} s ({exc})")

    @classmethod
    def lazy(
        cls, project: str, database: str | None = None, *, timeout: float | None = None
    ) -> FirestoreStore:
        """A store whose client is created on first use (never at import or construction)."""

        def make() -> Any:
            from google.cloud import firestore

            kwargs: dict[str, Any] = {"project": project}
            if database:
                kwargs["database"] = database
            return firestore.Client(**kwargs)

        return cls(factory=make, timeout=timeout)

    @property
    def _client(self) -> Any:
        with self._lock:
            if self._client_value is None:
                assert self._factory is not None, "FirestoreStore needs a client or a factory"
                self._client_value = self._factory()
            return self._client_value

    def get(self, path: str) -> Snapshot | None:
        from google.api_core import exceptions as gexc

        try:
            snap = self._client.document(path).get(**self._deadline())
        except (gexc.DeadlineExceeded, gexc.ServiceUnavailable, gexc.RetryError) as exc:
            raise self._unavailable(exc) from exc
        if not snap.exists:
            return None
        return Snapshot(path, snap.to_dict() or {}, snap.update_time)

    def query(self, query: Query) -> list[Snapshot]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        ref: Any = self._client.collection(query.collection)
        for clause in query.where:
            ref = ref.where(filter=FieldFilter(clause.field, clause.op, clause.value))
        for order in query.order_by:
            direction = "DESCENDING" if order.direction == "desc" else "ASCENDING"
            ref = ref.order_by(
                order.field if order.field == DOCUMENT_ID else _field_path(order.field), direction=direction
            )
        if query.start_after is not None:
            # a document-id value is the id; the SDK turns it into a reference of this collection
            ref = ref.start_after(list(query.start_after))
        if query.limit is not None:
            ref = ref.limit(query.limit)
        from google.api_core import exceptions as gexc

        try:
            return [
                Snapshot(s.reference.path, s.to_dict() or {}, s.update_time)
                for s in ref.stream(**self._deadline())
            ]
        except (gexc.DeadlineExceeded, gexc.ServiceUnavailable, gexc.RetryError) as exc:
            raise self._unavailable(exc) from exc

    def commit(self, writes: Sequence[Write]) -> None:
        from google.api_core import exceptions as gexc

        batch = self._client.batch()
        increments: list[tuple[int, list[Increment]]] = []  # (write index, its increments in order)
        for index, write in enumerate(writes):
            ref = self._client.document(write.path)
            if isinstance(write, Create):
                batch.create(ref, write.data)
            elif isinstance(write, Put):
                batch.set(ref, write.data, merge=write.merge)
            elif isinstance(write, Update):
                fields = {_field_path(k): _value(v) for k, v in write.fields.items()}
                mine = [v for v in write.fields.values() if isinstance(v, Increment)]
                if mine:
                    increments.append((index, mine))
                if write.if_version is not None:
                    option = self._client.write_option(last_update_time=write.if_version)
                    batch.update(ref, fields, option=option)
                else:
                    batch.update(ref, fields)
            elif isinstance(write, Remove):
                batch.delete(ref)
        try:
            results = batch.commit(**self._deadline())
        except (gexc.DeadlineExceeded, gexc.ServiceUnavailable, gexc.RetryError) as exc:
            raise self._unavailable(exc) from exc
        except gexc.AlreadyExists as exc:
            raise AlreadyExists(str(exc)) from exc
        except (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted) as exc:
            raise Conflict(str(exc)) from exc
        except gexc.Conflict as exc:  # 409 other than AlreadyExists
            raise Conflict(str(exc)) from exc
        if increments and len(results) == len(writes):  # one result per write, in order
            for index, mine in increments:
                values = list(results[index].transform_results)
                if len(values) == len(mine):
                    for increment, value in zip(mine, values, strict=True):
                        increment.after.append(int(value.integer_value))
