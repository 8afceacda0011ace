"""Signing through IAM signBlob (Cloud Functions have no key file): the real google-cloud-storage code path
calls the IAM Credentials API; here a transport adapter answers for IAM by signing with a local key, and the
resulting URL must verify against that key's public half like a key-signed one."""

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
from google.oauth2.credentials import Credentials

from tests.api_support import SIGNING_KEY
from zapdoc.adapters.signing import GcsUploadSigner, public_key_pem
from zapdoc.dev.signed_requests import split_url, verify_v4_request

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
