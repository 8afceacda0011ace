"""The ``api`` function under functions-framework on in-memory adapters: routes, auth, isolation, errors.

Identity and payments use fakes of their ports here (the real Firebase emulator and the Stripe SDK are
exercised in tests/integration); jobs run through the real pipeline services on the in-memory store.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api_support import FakeGateway, api_context, fake_token
from tests.pipeline_support import MemoryWorld, function_client, invoice_pdf, memory_world, pump
from zapdoc import bootstrap
from zapdoc.ports.store import Query
from zapdoc.services import jobs
from zapdoc.services.intake import handle_upload


@pytest.fixture
def world() -> Iterator[MemoryWorld]:
    w = memory_world()
    bootstrap.install(w.rt)
    bootstrap.install(api=api_context(w.rt, allowed_origins=("https://app.zapdoc.example",)))
    yield w
    bootstrap.reset()


@pytest.fixture
def client(world: MemoryWorld) -> Any:
    return function_client("api", "http")


def auth(uid: str, *, verified: bool = True) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake_token(uid, verified=verified)}"}


def new_uid() -> str:
    return "u" + uuid.uuid4().hex[:12]


def job_body(*sizes: int, template: str = "invoice") -> dict[str, Any]:
    files = [
        {"name": f"inv-{i}.pdf", "size": s, "content_type": "application/pdf"} for i, s in enumerate(sizes)
    ]
    return {"template": template, "files": files}


def test_first_call_creates_the_user_with_the_free_grant_once(client: Any) -> None:
    uid = new_uid()
    first = client.get("/v1/me", headers=auth(uid))
    second = client.get("/v1/me", headers=auth(uid))
    assert first.status_code == 200
    assert first.get_json()["balance"] == 20
    assert second.get_json()["balance"] == 20
    assert [e["key"] for e in second.get_json()["ledger"]] == ["grant:opening"]
    assert second.get_json()["email"] == f"{uid}@example.com"


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not-a-token", "Bearer zd_0123_bad"])
def test_missing_or_bad_credentials_are_401_with_an_error_body(client: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    resp = client.get("/v1/me", headers=headers)
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_route_and_wrong_method(client: Any) -> None:
    assert client.get("/v2/nothing", headers=auth(new_uid())).get_json()["error"]["code"] == "not_found"
    resp = client.delete("/v1/me", headers=auth(new_uid()))
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"


def test_create_job_returns_one_bound_signed_put_per_file(client: Any, world: MemoryWorld) -> None:
    # GIVEN a verified user WHEN they create a job for two PDFs
    uid = new_uid()
    resp = client.post("/v1/jobs", json=job_body(1234, 99), headers=auth(uid))
    # THEN each file has a V4 signed PUT bound to a server-made name, its type and its exact size
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["status"] == "awaiting_files"
    assert resp.headers["Location"] == f"/v1/jobs/{body['id']}"
    for entry, size in zip(body["files"], (1234, 99), strict=True):
        upload = entry["upload"]
        assert upload["method"] == "PUT"
        assert f"/uploads/jobs/{body['id']}/{entry['file_id']}/" in upload["url"]
        assert "X-Goog-Algorithm=GOOG4-RSA-SHA256" in upload["url"]
        assert "X-Goog-SignedHeaders=content-type%3Bhost%3Bx-goog-content-length-range" in upload["url"]
        assert "X-Goog-Expires=900" in upload["url"]
        assert upload["headers"] == {
            "Content-Type": "application/pdf",
            "x-goog-content-length-range": f"{size},{size}",
            "x-goog-if-generation-match": "0",  # issue 9: an arrived file cannot be replaced
        }
    # AND the job is the pipeline's job record, owned by the user
    job = jobs.get_job(world.rt, body["id"])
    assert job is not None
    assert job.data["user_id"] == uid
    assert job.data["email"] == f"{uid}@example.com"


def test_another_user_gets_404_for_the_job_and_its_download(client: Any) -> None:
    owner, other = new_uid(), new_uid()
    job_id = client.post("/v1/jobs", json=job_body(10), headers=auth(owner)).get_json()["id"]
    assert client.get(f"/v1/jobs/{job_id}", headers=auth(owner)).status_code == 200
    for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/download"):
        resp = client.get(path, headers=auth(other))
        assert resp.status_code == 404
        assert resp.get_json()["error"]["code"] == "not_found"


def test_a_delivered_job_shows_progress_credits_and_a_download_link(client: Any, world: MemoryWorld) -> None:
    # GIVEN a job created through the API whose file is then uploaded and processed by the pipeline
    uid = new_uid()
    request = {"fields": "invoice_number, total:amount", "files": job_body(1)["files"]}
    body = client.post("/v1/jobs", json=request, headers=auth(uid)).get_json()
    job = jobs.get_job(world.rt, body["id"])
    assert job is not None
    name = job.data["files"]["f000"]["object"]
    world.blobs.write("uploads", name, invoice_pdf("INV-7", "12.50", pages=2), "application/pdf")
    handle_upload(world.rt, bucket="uploads", name=name, generation="1")
    pump(world)
    # WHEN the owner reads it
    view = client.get(f"/v1/jobs/{body['id']}", headers=auth(uid)).get_json()
    # THEN it is delivered, 2 pages charged, with a download link; the balance dropped by 2
    assert view["status"] == "delivered"
    assert view["credits"] == {"charged": 2, "refunded": 0}
    assert view["progress"]["pages"] == 2
    assert view["documents"][0]["status"] == "done"
    assert view["download"]["url"].startswith("memory://results/results/")
    redirect = client.get(f"/v1/jobs/{body['id']}/download", headers=auth(uid))
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == view["download"]["url"]
    assert client.get("/v1/me", headers=auth(uid)).get_json()["balance"] == 18


def test_jobs_are_listed_newest_first_with_a_cursor(client: Any, world: MemoryWorld) -> None:
    uid = new_uid()
    ids = []
    for _ in range(3):
        ids.append(client.post("/v1/jobs", json=job_body(5), headers=auth(uid)).get_json()["id"])
        world.clock.now += dt.timedelta(seconds=1)
    client.post("/v1/jobs", json=job_body(5), headers=auth(new_uid()))  # someone else's
    first = client.get("/v1/jobs?limit=2", headers=auth(uid)).get_json()
    rest = client.get(f"/v1/jobs?limit=2&cursor={first['next_cursor']}", headers=auth(uid)).get_json()
    assert [j["id"] for j in first["jobs"] + rest["jobs"]] == ids[::-1]
    assert rest["next_cursor"] is None
    assert client.get("/v1/jobs?limit=0", headers=auth(uid)).status_code == 400
    assert client.get("/v1/jobs?cursor=!!", headers=auth(uid)).status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"template": "invoice", "files": []}, "files"),
        ({"template": "invoice"}, "files"),
        ({"files": [{"name": "a.pdf", "size": 1, "content_type": "application/pdf"}]}, "exactly one"),
        ({**job_body(1), "fields": "a"}, "exactly one"),
        (job_body(0), "size"),
        (job_body(101 * 1024 * 1024), "size"),
        (
            {"template": "invoice", "files": [{"name": "a.exe", "size": 1, "content_type": "text/html"}]},
            "type",
        ),
        ({"fields": [{"name": "t", "type": "table"}], "files": job_body(1)["files"]}, "needs columns"),
        ({"template": "invoice", "files": job_body(1)["files"] * 51}, "at most 50"),
        ({**job_body(1), "options": []}, "options"),
    ],
)
def test_invalid_job_requests_are_400(client: Any, body: dict[str, Any], message: str) -> None:
    resp = client.post("/v1/jobs", json=body, headers=auth(new_uid()))
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert message in error["message"]


def test_a_template_that_does_not_exist_is_404(client: Any) -> None:
    # a schema-valid job naming a template nobody has: the template is the missing resource
    resp = client.post(
        "/v1/jobs", json={"template": "nope", "files": job_body(1)["files"]}, headers=auth(new_uid())
    )
    assert resp.status_code == 404
    error = resp.get_json()["error"]
    assert error["code"] == "not_found"
    assert "unknown template" in error["message"]


def test_malformed_bodies(client: Any) -> None:
    uid = new_uid()
    bad_json = client.post("/v1/jobs", data="{", headers={**auth(uid), "Content-Type": "application/json"})
    assert bad_json.get_json()["error"]["code"] == "invalid_json"
    not_json = client.post("/v1/jobs", data="x", headers={**auth(uid), "Content-Type": "text/plain"})
    assert not_json.status_code == 415
    array = client.post("/v1/jobs", json=[1], headers=auth(uid))
    assert array.status_code == 400


def test_unverified_email_cannot_create_jobs(client: Any, world: MemoryWorld) -> None:
    resp = client.post("/v1/jobs", json=job_body(5), headers=auth(new_uid(), verified=False))
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "email_not_verified"
    assert world.store.query(Query("jobs")) == []


def test_too_few_credits_is_refused_without_a_charge(client: Any, world: MemoryWorld) -> None:
    uid = new_uid()
    client.get("/v1/me", headers=auth(uid))
    jobs.ledger(world.rt).apply(uid, "debit:elsewhere", -20)
    resp = client.post("/v1/jobs", json=job_body(5), headers=auth(uid))
    assert resp.status_code == 402
    assert resp.get_json()["error"]["code"] == "insufficient_credits"
    assert jobs.ledger(world.rt).balance(uid) == 0


def test_saved_templates_crud_and_use_in_a_job(client: Any) -> None:
    uid, other = new_uid(), new_uid()
    fields = [{"name": "po_number"}, {"name": "amount", "type": "amount"}]
    created = client.post("/v1/templates", json={"name": "POs", "fields": fields}, headers=auth(uid))
    assert created.status_code == 201
    tid = created.get_json()["id"]
    listing = client.get("/v1/templates", headers=auth(uid)).get_json()
    assert [t["id"] for t in listing["saved"]] == [tid]
    assert "invoice" in [t["name"] for t in listing["builtin"]]
    replaced = client.put(
        f"/v1/templates/{tid}", json={"name": "PO v2", "fields": fields[:1]}, headers=auth(uid)
    )
    assert replaced.get_json()["fields"] == [{"name": "po_number", "type": "text"}]
    job = client.post("/v1/jobs", json=job_body(5, template=tid), headers=auth(uid))
    assert job.status_code == 201
    # another user can neither see, change, delete nor use it
    assert client.get(f"/v1/templates/{tid}", headers=auth(other)).status_code == 404
    assert (
        client.put(
            f"/v1/templates/{tid}", json={"name": "x", "fields": fields}, headers=auth(other)
        ).status_code
        == 404
    )
    assert client.delete(f"/v1/templates/{tid}", headers=auth(other)).status_code == 404
    assert client.post("/v1/jobs", json=job_body(5, template=tid), headers=auth(other)).status_code == 404
    assert client.delete(f"/v1/templates/{tid}", headers=auth(uid)).status_code == 204
    assert client.get(f"/v1/templates/{tid}", headers=auth(uid)).status_code == 404


def test_api_keys_work_once_shown_and_stop_when_revoked(client: Any, world: MemoryWorld) -> None:
    # GIVEN a user who creates an API key
    uid = new_uid()
    created = client.post("/v1/api-keys", json={"name": "ci"}, headers=auth(uid))
    assert created.status_code == 201
    key = created.get_json()["key"]
    key_id = created.get_json()["id"]
    # THEN the key authenticates as the user and its use is recorded
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == uid
    listed = client.get("/v1/api-keys", headers=auth(uid)).get_json()["api_keys"]
    assert [k["id"] for k in listed] == [key_id]
    assert listed[0]["last_used_at"] is not None
    assert "key" not in listed[0]
    assert "hash" not in listed[0]
    # AND only a hash is stored
    stored = world.store.get(f"api_keys/{key_id}")
    assert stored is not None
    assert key not in str(stored.data)
    assert len(stored.data["hash"]) == 64
    # WHEN another user tries to revoke it THEN 404; WHEN the owner revokes it THEN it gets 401
    assert client.delete(f"/v1/api-keys/{key_id}", headers=auth(new_uid())).status_code == 404
    assert client.delete(f"/v1/api-keys/{key_id}", headers=auth(uid)).status_code == 204
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    tampered = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


def test_checkout_creates_a_session_for_a_pack(client: Any) -> None:
    uid = new_uid()
    resp = client.post("/v1/checkout", json={"pack": "starter"}, headers=auth(uid))
    assert resp.status_code == 201
    assert resp.get_json()["url"].startswith("https://checkout.stripe.test/pay/")
    gateway = bootstrap.api_context().gateway
    assert isinstance(gateway, FakeGateway)
    call = gateway.calls[-1]
    assert (call["user_id"], call["pack"].credits) == (uid, 100)
    unknown = client.post("/v1/checkout", json={"pack": "nope"}, headers=auth(uid))
    assert unknown.status_code == 404
    assert "starter" in unknown.get_json()["error"]["message"]
    assert client.get("/v1/packs", headers=auth(uid)).get_json()["packs"][0]["id"] == "starter"


def test_cors_allows_only_configured_origins(client: Any) -> None:
    allowed = {"Origin": "https://app.zapdoc.example", "Access-Control-Request-Method": "POST"}
    pre = client.options("/v1/jobs", headers=allowed)
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "https://app.zapdoc.example"
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    other = client.options("/v1/jobs", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    got = client.get("/v1/me", headers={**auth(new_uid()), "Origin": "https://app.zapdoc.example"})
    assert got.headers["Access-Control-Allow-Origin"] == "https://app.zapdoc.example"
