"""Signing through IAM signBlob (Cloud Functions have no key file): the real google-cloud-storage code path
calls the IAM Credentials API; here a transport adapter answers for IAM by signing with a local key, and the
resulting URL must verify against that key's public half like a key-signed one. Upload and download URLs
go through the SDK's public ``Blob.generate_signed_url``; the token is refreshed only near expiry."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import google.auth
import google.auth.transport.requests as google_requests
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.cloud.storage.blob import Blob
from google.oauth2.credentials import Credentials

from tests.api_support import SIGNING_KEY
from zapdoc.adapters.gcs import GcsBlobs
from zapdoc.adapters.signing import GcsUploadSigner, public_key_pem, signed_until
from zapdoc.dev.signed_requests import split_url, verify_v4_request
from zapdoc.ports.blobs import SignedUpload

SIGNER = "api-fn@demo-zapdoc.iam.gserviceaccount.com"
IAM_HOST = "https://iamcredentials.googleapis.com"
ENDPOINT = "http://127.0.0.1:4443"


class IamSignBlob(requests.adapters.BaseAdapter):
    """Answers ``projects/-/serviceAccounts/<email>:signBlob`` as IAM does: RSA-SHA256 over the payload."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []
        key = serialization.load_pem_private_key(SIGNING_KEY["private_key"].encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self.key = key

    def send(  # type: ignore[override]  # the adapter ignores transport options
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        self.calls.append((str(request.url), str(request.headers.get("Authorization"))))
        body = json.loads(request.body or b"{}")
        payload = base64.b64decode(body["payload"])
        signature = self.key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        response = requests.Response()
        response.status_code = 200
        response.url = str(request.url)
        response._content = json.dumps(
            {"keyId": "k1", "signedBlob": base64.b64encode(signature).decode()}
        ).encode()
        response.request = request
        return response

    def close(self) -> None:
        return None


class _RequestsWithSession:
    """Stands in for the ``requests`` module google-auth uses, with Session replaced."""

    def __init__(self, session: type[requests.Session]) -> None:
        self.Session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> IamSignBlob:
    # as on Cloud Functions: no emulator. The storage SDK reads STORAGE_EMULATOR_HOST itself and would
    # sign for the emulator's host (the session's emulator fixtures set it when the whole suite runs)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    adapter = IamSignBlob()

    class Session(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            self.mount(IAM_HOST, adapter)

    # Application Default Credentials as on Cloud Functions (a metadata-server token), and IAM's answer.
    runtime_credentials = Credentials(token="metadata-token")  # type: ignore[no-untyped-call]
    monkeypatch.setattr(google_requests, "requests", _RequestsWithSession(Session))
    monkeypatch.setattr(google.auth, "default", lambda *a, **k: (runtime_credentials, "p"))
    return adapter


def _verify(url: str, headers: Mapping[str, str], length: int) -> str | None:
    raw_path, query = split_url(url)
    rejection = verify_v4_request(
        method="PUT",
        raw_path=raw_path,
        raw_query=query,
        headers={"Host": "127.0.0.1:4443", **headers},
        body_length=length,
        public_key_pem=public_key_pem(SIGNING_KEY),
    )
    return rejection.code if rejection else None


def test_a_url_signed_through_iam_sign_blob_verifies_and_binds_the_upload(iam: IamSignBlob) -> None:
    # GIVEN a signer with no key, only the service account it may sign as
    signer = GcsUploadSigner(signer_email=SIGNER, api_endpoint=ENDPOINT)
    # WHEN it signs an upload
    upload = signer.sign_upload(
        bucket="uploads",
        name="jobs/j1/f000/a.pdf",
        content_type="application/pdf",
        size=100,
        ttl=_minutes(10),
    )
    # THEN IAM was asked to sign as that account with the runtime's token, and the URL is valid V4
    assert iam.calls == [
        (f"{IAM_HOST}/v1/projects/-/serviceAccounts/{SIGNER}:signBlob?alt=json", "Bearer metadata-token")
    ]
    credential = unquote(parse_qs(urlsplit(upload.url).query)["X-Goog-Credential"][0])
    assert credential.startswith(f"{SIGNER}/")
    assert _verify(upload.url, upload.headers, 100) is None
    # and it stays bound to its content type and size
    assert _verify(upload.url, {**upload.headers, "Content-Type": "text/html"}, 100) is not None
    assert _verify(upload.url, upload.headers, 101) is not None


def _minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


class CountingCredentials(Credentials):
    """Runtime credentials whose every refresh is counted; each refresh issues a one-hour token."""

    def __init__(self) -> None:
        super().__init__(token=None)  # type: ignore[no-untyped-call]
        self.refreshes = 0

    def refresh(self, request: Any) -> None:
        self.refreshes += 1
        self.token = f"token-{self.refreshes}"
        self.expiry = _naive_utcnow() + dt.timedelta(hours=1)


@pytest.fixture
def counting(iam: IamSignBlob, monkeypatch: pytest.MonkeyPatch) -> CountingCredentials:
    credentials = CountingCredentials()
    monkeypatch.setattr(google.auth, "default", lambda *a, **k: (credentials, "p"))
    return credentials


@pytest.fixture
def public_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of the SDK's public ``Blob.generate_signed_url`` (passed through to it)."""
    calls: list[dict[str, Any]] = []
    original = Blob.generate_signed_url

    def spy(self: Blob, *args: Any, **kwargs: Any) -> Any:
        calls.append({"bucket": self.bucket.name, "name": self.name, **kwargs})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Blob, "generate_signed_url", spy)
    return calls


def test_uploads_sign_through_the_public_sdk_call_and_refresh_the_token_only_near_expiry(
    iam: IamSignBlob, counting: CountingCredentials, public_calls: list[dict[str, Any]]
) -> None:
    # GIVEN an IAM signer on runtime credentials that have no token yet
    signer = GcsUploadSigner(signer_email=SIGNER, api_endpoint=ENDPOINT)
    # WHEN it signs three uploads
    uploads = [_upload(signer, f"jobs/j1/f00{i}/a.pdf", 100) for i in range(3)]
    # THEN each went through Blob.generate_signed_url (V4, PUT, signBlob as the account) and verifies
    assert [(c["version"], c["method"], c["service_account_email"]) for c in public_calls] == [
        ("v4", "PUT", SIGNER)
    ] * 3
    assert all(_verify(u.url, u.headers, 100) is None for u in uploads)
    # and the credentials were refreshed once, not per URL, and IAM saw that one token
    assert counting.refreshes == 1
    assert {auth for _, auth in iam.calls} == {"Bearer token-1"}
    # WHEN the token comes within google-auth's refresh threshold of expiry THEN the next URL refreshes it
    counting.expiry = _naive_utcnow() + dt.timedelta(minutes=1)
    _upload(signer, "jobs/j2/f000/b.pdf", 1)
    assert counting.refreshes == 2
    assert iam.calls[-1][1] == "Bearer token-2"


def test_download_links_sign_through_the_public_sdk_call_and_refresh_the_token_only_near_expiry(
    iam: IamSignBlob, counting: CountingCredentials, public_calls: list[dict[str, Any]]
) -> None:
    # GIVEN the blob store as on Cloud Functions (no key, IAM signBlob as the account)
    blobs = GcsBlobs("p", signer_email=SIGNER)
    # WHEN it issues three download links
    urls = [blobs.download_url("results", f"jobs/j{i}/out.xlsx", _minutes(30)) for i in range(3)]
    # THEN each is a V4 GET signed through Blob.generate_signed_url, valid for the object
    assert [(c["version"], c["method"], c["name"]) for c in public_calls] == [
        ("v4", "GET", f"jobs/j{i}/out.xlsx") for i in range(3)
    ]
    for url in urls:
        raw_path, query = split_url(url)
        rejection = verify_v4_request(
            method="GET", raw_path=raw_path, raw_query=query, headers={"Host": "storage.googleapis.com"},
            body_length=0, public_key_pem=public_key_pem(SIGNING_KEY),
        )  # fmt: skip
        assert rejection is None
    # and the credentials were refreshed once for the three links (they were refreshed per link before)
    assert counting.refreshes == 1
    assert {auth for _, auth in iam.calls} == {"Bearer token-1"}
    counting.expiry = _naive_utcnow() - dt.timedelta(seconds=1)  # expired
    blobs.download_url("results", "jobs/j9/out.xlsx", _minutes(30))
    assert counting.refreshes == 2


def test_the_url_expiry_is_read_from_the_signed_url(iam: IamSignBlob) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    upload = GcsUploadSigner(signer_email=SIGNER, api_endpoint=ENDPOINT).sign_upload(
        bucket="uploads", name="a.pdf", content_type="application/pdf", size=1, ttl=_minutes(10)
    )
    after = dt.datetime.now(dt.UTC)
    assert upload.expires_at == signed_until(upload.url)
    assert before + _minutes(10) <= upload.expires_at <= after + _minutes(10)


def _upload(signer: GcsUploadSigner, name: str, size: int) -> SignedUpload:
    return signer.sign_upload(
        bucket="uploads", name=name, content_type="application/pdf", size=size, ttl=_minutes(10)
    )


def _naive_utcnow() -> dt.datetime:
    """google-auth keeps ``expiry`` as naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
