"""Issue 9 through the ``api`` function (functions-framework test client, in-memory adapters)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.test_api_function import auth, client, new_uid, world  # noqa: F401 (fixtures)
from tests.pipeline_support import MemoryWorld
from zapdoc.ports.store import Query


@pytest.mark.parametrize("name", [".", "..", "x/..", "x/.", "dir/", "a\\.."])
def test_file_names_that_cannot_be_objects_are_400_and_create_nothing(
    client: Any,  # noqa: F811
    world: MemoryWorld,  # noqa: F811
    name: str,
) -> None:
    # GIVEN a user WHEN they declare a file whose object path would not round-trip
    body = {"template": "invoice", "files": [{"name": name, "size": 10, "content_type": "application/pdf"}]}
    resp = client.post("/v1/jobs", json=body, headers=auth(new_uid()))
    # THEN the API answers 400 with a reason, and no job or signed URL exists
    assert resp.status_code == 400, resp.get_json()
    assert "file name" in resp.get_json()["error"]["message"]
    assert world.rt.store.query(Query("jobs")) == []


def test_a_normal_name_still_gets_its_signed_url(client: Any) -> None:  # noqa: F811
    body = {
        "template": "invoice",
        "files": [{"name": "dir/a.pdf", "size": 10, "content_type": "application/pdf"}],
    }
    resp = client.post("/v1/jobs", json=body, headers=auth(new_uid()))
    assert resp.status_code == 201
    [f] = resp.get_json()["files"]
    assert f["name"] == "a.pdf" and "/f000/a.pdf?" in f["upload"]["url"]


def test_the_open_job_quota_answers_429(client: Any, world: MemoryWorld) -> None:  # noqa: F811
    # GIVEN a user at the default limit of open jobs (each job waits for its files)
    uid = new_uid()
    body = {
        "template": "invoice",
        "files": [{"name": "a.pdf", "size": 10, "content_type": "application/pdf"}],
    }
    limit = world.rt.settings.max_open_jobs
    for _ in range(limit):
        assert client.post("/v1/jobs", json=body, headers=auth(uid)).status_code == 201
    # WHEN one more is created THEN it is refused with 429 and a Retry-After
    resp = client.post("/v1/jobs", json=body, headers=auth(uid))
    assert resp.status_code == 429
    assert resp.get_json()["error"]["code"] == "too_many_open_jobs"
    assert int(resp.headers["Retry-After"]) > 0
    assert len(world.rt.store.query(Query("jobs"))) == limit
