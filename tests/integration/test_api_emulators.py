"""The API over real HTTP on the emulators: Firebase Auth emulator tokens, Firestore, the storage
emulator behind the verifying upload front. Proves isolation of jobs and what signed URLs bind."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import functions_framework
import pytest
import requests
from werkzeug.serving import make_server

from tests.api_support import SIGNING_KEY, AuthEmulator, FakeGateway, auth_emulator
from tests.pdfs import make_pdf
from tests.pipeline_support import memory_world
from zapdoc import bootstrap
from zapdoc.adapters.firebase_auth import FirebaseTokenVerifier
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.adapters.gcs import GcsBlobs
from zapdoc.adapters.signing import GcsUploadSigner, public_key_pem
from zapdoc.api import app as api_app
from zapdoc.dev import emulators
from zapdoc.dev.upload_front import UploadFront
from zapdoc.services import jobs
from zapdoc.settings import ApiSettings

pytestmark = pytest.mark.emulators
ROOT = Path(__file__).resolve().parents[2]


class Served:
    """A WSGI app on a loopback port in a background thread."""

    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@dataclass
class Stack:
    api: str
    front: str
    auth: AuthEmulator
    blobs: GcsBlobs
    rt: Any

    def call(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.request(method, self.api + path, headers=headers, timeout=60, **kwargs)


@pytest.fixture
def stack(
    firestore_client: Any,
    storage_emulator: emulators.Emulator,
    project_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Stack]:
    auth = auth_emulator()
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", auth.host)
    monkeypatch.setenv("ZAPDOC_AUTH_EMULATOR", "1")
    world = memory_world(store=FirestoreStore(firestore_client))
    blobs = GcsBlobs(project_id, emulator=storage_emulator.env["STORAGE_EMULATOR_HOST"])
    world.rt.blobs = blobs
    uploads, results = f"{project_id}-uploads", f"{project_id}-results"
    world.rt.settings = world.rt.settings.__class__(
        project=project_id, uploads_bucket=uploads, results_bucket=results
    )
    for bucket in (uploads, results):
        blobs.client().create_bucket(bucket)
    front = Served(UploadFront(storage_emulator.url, public_key_pem(SIGNING_KEY)))
    ctx = api_app.ApiContext(
        rt=world.rt,
        settings=ApiSettings(firebase_project=auth.project, free_credits=20),
        verifier=FirebaseTokenVerifier(auth.project, emulator_host=auth.host),
        signer=GcsUploadSigner(key_info=SIGNING_KEY, api_endpoint=front.url),
        gateway=FakeGateway(),
    )
    bootstrap.install(world.rt)
    bootstrap.install(api=ctx)
    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target="api", source=str(ROOT / "functions/api/main.py"), signature_type="http"
    )
    api = Served(app)
    try:
        yield Stack(api.url, front.url, auth, blobs, world.rt)
    finally:
        api.stop()
        front.stop()
        bootstrap.reset()


def pdf_job(stack: Stack, token: str, data: bytes) -> dict[str, Any]:
    body = {
        "template": "invoice",
        "files": [{"name": "inv.pdf", "size": len(data), "content_type": "application/pdf"}],
    }
    resp = stack.call("POST", "/v1/jobs", token, json=body)
    assert resp.status_code == 201, resp.text
    job: dict[str, Any] = resp.json()
    return job


def put(url: str, headers: dict[str, str], data: bytes) -> requests.Response:
    return requests.put(url, data=data, headers=headers, timeout=60)


def test_first_calls_grant_the_free_credits_once_even_concurrently(stack: Stack) -> None:
    _, token = stack.auth.sign_up()
    with ThreadPoolExecutor(8) as pool:
        balances = list(pool.map(lambda _: stack.call("GET", "/v1/me", token).json()["balance"], range(8)))
    assert balances == [20] * 8
    ledger = stack.call("GET", "/v1/me", token).json()["ledger"]
    assert [e["key"] for e in ledger] == ["grant:opening"]


def test_tokens_are_verified(stack: Stack) -> None:
    uid, token = stack.auth.sign_up(verified=False)
    assert stack.call("GET", "/v1/me", token).json()["id"] == uid
    tampered = token.rsplit(".", 2)[0] + ".e30."  # claims replaced by {}
    assert stack.call("GET", "/v1/me", tampered).status_code == 401
    assert stack.call("GET", "/v1/me", "garbage").status_code == 401
    # an unverified email cannot create jobs (results only go to a verified address)
    assert pdf_job_status(stack, token) == 403


def pdf_job_status(stack: Stack, token: str) -> int:
    body = {
        "template": "invoice",
        "files": [{"name": "a.pdf", "size": 10, "content_type": "application/pdf"}],
    }
    return stack.call("POST", "/v1/jobs", token, json=body).status_code


def test_signed_url_uploads_exactly_its_object_type_and_size(stack: Stack) -> None:
    # GIVEN a verified user with a job for one PDF
    _, token = stack.auth.sign_up()
    data = make_pdf(["Invoice number: INV-1\nTotal: 10.00"])
    job = pdf_job(stack, token, data)
    upload = job["files"][0]["upload"]
    url, headers = upload["url"], upload["headers"]
    object_name = jobs.get_job(stack.rt, job["id"]).data["files"]["f000"]["object"]  # type: ignore[union-attr]
    uploads = stack.rt.settings.uploads_bucket
    # WHEN the URL is used for another object, another content type, or another size
    other_object = url.replace("/f000/", "/f001/", 1)
    assert put(other_object, headers, data).status_code == 403
    assert put(url, {**headers, "Content-Type": "application/zip"}, data).status_code == 403
    assert put(url, headers, data + b"x").status_code == 400
    assert put(url, headers, data[:-1]).status_code == 400
    # THEN nothing was stored
    assert stack.blobs.list(uploads, f"jobs/{job['id']}/") == []
    # WHEN it is used as issued THEN the object is stored under the server-chosen name
    assert put(url, headers, data).status_code == 200
    assert stack.blobs.list(uploads, f"jobs/{job['id']}/") == [object_name]
    assert stack.blobs.read(uploads, object_name) == data


def test_an_expired_signed_url_fails(storage_emulator: emulators.Emulator) -> None:
    # GIVEN a front whose clock is 20 minutes ahead (URLs are signed at the SDK's "now")
    later = Served(
        UploadFront(
            storage_emulator.url,
            public_key_pem(SIGNING_KEY),
            clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20),
        )
    )
    try:
        signer = GcsUploadSigner(key_info=SIGNING_KEY, api_endpoint=later.url)
        name = f"jobs/{uuid.uuid4().hex[:12]}/f000/a.pdf"
        upload = signer.sign_upload(
            bucket="uploads", name=name, content_type="application/pdf", size=3,
            ttl=dt.timedelta(minutes=15),
        )  # fmt: skip
        # WHEN a 15-minute URL is used there THEN it has expired (refused before reaching the emulator)
        resp = put(upload.url, upload.headers, b"abc")
    finally:
        later.stop()
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "ExpiredToken"


def test_another_user_gets_404_for_the_job_and_its_download(stack: Stack) -> None:
    _, alice = stack.auth.sign_up()
    _, bob = stack.auth.sign_up()
    job = pdf_job(stack, alice, b"%PDF-1.4 tiny")
    assert stack.call("GET", f"/v1/jobs/{job['id']}", alice).status_code == 200
    assert stack.call("GET", f"/v1/jobs/{job['id']}", bob).status_code == 404
    resp = stack.call("GET", f"/v1/jobs/{job['id']}/download", bob, allow_redirects=False)
    assert resp.status_code == 404
    assert [j["id"] for j in stack.call("GET", "/v1/jobs", bob).json()["jobs"]] == []


def test_api_keys_on_firestore(stack: Stack) -> None:
    uid, token = stack.auth.sign_up()
    created = stack.call("POST", "/v1/api-keys", token, json={"name": "script"}).json()
    key = created["key"]
    assert stack.call("GET", "/v1/me", key).json()["id"] == uid
    stored = stack.rt.store.get(f"api_keys/{created['id']}")
    assert stored is not None
    assert key not in str(stored.data)
    assert stored.data["last_used_at"] is not None
    assert stack.call("DELETE", f"/v1/api-keys/{created['id']}", token).status_code == 204
    assert stack.call("GET", "/v1/me", key).status_code == 401


def test_saved_templates_and_job_pages_on_firestore(stack: Stack) -> None:
    _, token = stack.auth.sign_up()
    fields = [{"name": "po_number"}, {"name": "lines", "type": "table", "columns": [{"name": "sku"}]}]
    created = stack.call("POST", "/v1/templates", token, json={"name": "Purchase orders", "fields": fields})
    assert created.status_code == 201
    tid = created.json()["id"]
    assert [t["id"] for t in stack.call("GET", "/v1/templates", token).json()["saved"]] == [tid]
    ids = []
    for _ in range(3):
        body = {"template": tid, "files": [{"name": "po.pdf", "size": 10, "content_type": "application/pdf"}]}
        resp = stack.call("POST", "/v1/jobs", token, json=body)
        assert resp.status_code == 201
        ids.append(resp.json()["id"])
    first = stack.call("GET", "/v1/jobs?limit=2", token).json()
    rest = stack.call("GET", "/v1/jobs", token, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    listed = first["jobs"] + rest["jobs"]
    # every job exactly once across the pages, newest first (jobs created in the same instant may tie)
    assert sorted(j["id"] for j in listed) == sorted(ids)
    assert len(first["jobs"]) == 2
    stamps = [str(j["created_at"]) for j in listed]
    assert stamps == sorted(stamps, reverse=True)
    assert rest["next_cursor"] is None
    job = jobs.get_job(stack.rt, ids[0])
    assert job is not None
    assert job.data["fields"][1]["columns"] == [{"name": "sku", "type": "text"}]
    assert stack.call("DELETE", f"/v1/templates/{tid}", token).status_code == 204
    assert stack.call("GET", "/v1/templates", token).json()["saved"] == []
