"""Listings page in the store: API keys with a cursor, the ledger's newest entries in GET /v1/me (the
``api`` function under functions-framework on the in-memory store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_support import api_context, fake_token
from tests.pipeline_support import MemoryWorld, function_client, memory_world
from zapdoc import bootstrap
from zapdoc.services import jobs


@pytest.fixture
def world() -> Iterator[MemoryWorld]:
    w = memory_world()
    bootstrap.install(w.rt)
    bootstrap.install(api=api_context(w.rt))
    yield w
    bootstrap.reset()


@pytest.fixture
def client(world: MemoryWorld) -> Any:
    return function_client("api", "http")


def test_api_keys_page_newest_first_revoked_ones_included(client: Any, world: MemoryWorld) -> None:
    # GIVEN 25 keys made one minute apart, the first 15 revoked (at most 20 may be active)
    headers = {"Authorization": f"Bearer {fake_token('pager')}"}
    made = []
    for i in range(25):
        resp = client.post("/v1/api-keys", json={"name": f"k{i}"}, headers=headers)
        assert resp.status_code == 201
        made.append(resp.get_json()["id"])
        if i < 15:
            assert client.delete(f"/v1/api-keys/{made[-1]}", headers=headers).status_code == 204
        world.clock.advance(minutes=1)
    # WHEN listed 10 at a time following next_cursor
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "/v1/api-keys?limit=10" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(query, headers=headers).get_json()
        seen += [k["id"] for k in body["api_keys"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # THEN every key comes once, newest first, in three pages
    assert seen == made[::-1]
    assert pages == 3
    # AND the default page is 20, a bad cursor or limit is a 400
    assert len(client.get("/v1/api-keys", headers=headers).get_json()["api_keys"]) == 20
    assert client.get("/v1/api-keys?cursor=!!", headers=headers).status_code == 400
    assert client.get("/v1/api-keys?limit=101", headers=headers).status_code == 400


def test_me_shows_the_twenty_newest_ledger_entries(client: Any, world: MemoryWorld) -> None:
    # GIVEN a user with 30 grants one minute apart after the opening one
    headers = {"Authorization": f"Bearer {fake_token('spender')}"}
    assert client.get("/v1/me", headers=headers).status_code == 200
    ledger = jobs.ledger(world.rt)
    for i in range(30):
        world.clock.advance(minutes=1)
        ledger.apply("spender", f"grant:test-{i}", 1, meta={"reason": "test"})
    # WHEN the account is read
    body = client.get("/v1/me", headers=headers).get_json()
    # THEN the ledger shows the 20 newest, newest first, and the balance all of them
    assert [e["key"] for e in body["ledger"]] == [f"grant:test-{i}" for i in range(29, 9, -1)]
    stamps = [dt.datetime.fromisoformat(e["at"]) for e in body["ledger"]]
    assert stamps == sorted(stamps, reverse=True)
    assert body["balance"] == 20 + 30
