"""``GET /v1/admin/stats`` under functions-framework: operators named by an allow-list of uids or by a
custom claim (both ways), everyone else 403; the report is the same the CLI prints."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_support import api_context, fake_token
from tests.pipeline_support import MemoryWorld, function_client, memory_world
from zapdoc import bootstrap

OPERATOR = "op-" + uuid.uuid4().hex[:8]


@pytest.fixture
def world() -> Iterator[MemoryWorld]:
    w = memory_world()
    bootstrap.install(w.rt)
    bootstrap.install(api=api_context(w.rt, admin_uids=frozenset({OPERATOR}), admin_claim="admin"))
    yield w
    bootstrap.reset()


@pytest.fixture
def client(world: MemoryWorld) -> Any:
    return function_client("api", "http")


def _get(client: Any, token: str, since: str = "7d") -> Any:
    return client.get(f"/v1/admin/stats?since={since}", headers={"Authorization": f"Bearer {token}"})


def test_an_operator_named_in_the_uid_allow_list_reads_the_report(client: Any) -> None:
    resp = _get(client, fake_token(OPERATOR))
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"since", "until", "totals", "days"}
    assert set(body["totals"]) == {"types", "llm", "credits"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_an_operator_named_by_the_custom_claim_reads_the_report(client: Any) -> None:
    token = fake_token("u-" + uuid.uuid4().hex[:8]) + ":admin"
    assert _get(client, token).status_code == 200


def test_a_non_admin_gets_403(client: Any) -> None:
    # GIVEN a signed-in user who is neither in the allow-list nor carries the claim
    resp = _get(client, fake_token("u-" + uuid.uuid4().hex[:8]))
    # THEN 403 with an error body
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"


def test_another_claim_is_not_the_admin_claim(client: Any) -> None:
    token = fake_token("u-" + uuid.uuid4().hex[:8]) + ":beta,staff"
    assert _get(client, token).status_code == 403


def test_a_bad_since_is_400(client: Any) -> None:
    resp = _get(client, fake_token(OPERATOR), since="forever")
    assert resp.status_code == 400


def test_without_admin_settings_nobody_is_admin(world: MemoryWorld) -> None:
    from zapdoc.api.app import Principal, is_admin

    ctx = api_context(world.rt)
    assert not is_admin(ctx.settings, Principal(OPERATOR, "", True, "token", {"admin": True}))
    assert not is_admin(ctx.settings, Principal(OPERATOR, "", True, "api_key"))
