"""V4 signed upload URLs: what they bind (object, content type, size range, expiry), checked by
re-deriving Google's canonical request and verifying the RSA signature."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api_support import SIGNING_KEY
from zapdoc.adapters.signing import GcsUploadSigner, public_key_pem
from zapdoc.dev.signed_requests import split_url, verify_v4_request
from zapdoc.domain.errors import ConfigError
from zapdoc.ports.blobs import SignedUpload

ENDPOINT = "http://127.0.0.1:4443"
PUBLIC = public_key_pem(SIGNING_KEY)


def signed(size: int = 2048, ttl: dt.timedelta = dt.timedelta(minutes=15)) -> SignedUpload:
    signer = GcsUploadSigner(key_info=SIGNING_KEY, api_endpoint=ENDPOINT)
    return signer.sign_upload(
        bucket="uploads",
        name="jobs/j1/f000/Report 2024.pdf",
        content_type="application/pdf",
        size=size,
        ttl=ttl,
    )


def attempt(
    upload: SignedUpload,
    *,
    path: str | None = None,
    headers: dict[str, str] | None = None,
    length: int = 2048,
    now: dt.datetime | None = None,
    method: str = "PUT",
) -> str | None:
    raw_path, query = split_url(upload.url)
    sent = {"Host": "127.0.0.1:4443", **upload.headers, **(headers or {})}
    rejection = verify_v4_request(
        method=method,
        raw_path=path or raw_path,
        raw_query=query,
        headers=sent,
        body_length=length,
        public_key_pem=PUBLIC,
        now=now,
    )
    return rejection.code if rejection else None


def test_the_url_as_issued_is_accepted() -> None:
    assert attempt(signed()) is None


def test_the_url_signs_type_host_and_size_range_and_expires_in_minutes() -> None:
    upload = signed(ttl=dt.timedelta(minutes=10))
    query = parse_qs(urlsplit(upload.url).query)
    assert query["X-Goog-SignedHeaders"] == [
        "content-type;host;x-goog-content-length-range;x-goog-if-generation-match"
    ]
    assert query["X-Goog-Expires"] == ["600"]
    assert upload.headers["x-goog-content-length-range"] == "2048,2048"
    assert upload.headers["x-goog-if-generation-match"] == "0"  # an arrived file cannot be replaced
    assert urlsplit(upload.url).path == "/uploads/jobs/j1/f000/Report%202024.pdf"


def test_another_object_name_is_refused() -> None:
    assert attempt(signed(), path="/uploads/jobs/j2/f000/Report%202024.pdf") == "SignatureDoesNotMatch"
    assert attempt(signed(), path="/results/jobs/j1/f000/Report%202024.pdf") == "SignatureDoesNotMatch"


def test_another_content_type_is_refused() -> None:
    assert attempt(signed(), headers={"Content-Type": "text/html"}) == "SignatureDoesNotMatch"


def test_a_size_outside_the_signed_range_is_refused() -> None:
    assert attempt(signed(), length=2049) == "EntityTooLarge"
    assert attempt(signed(), length=10) == "EntityTooLarge"


def test_a_widened_range_header_breaks_the_signature() -> None:
    widened = {"x-goog-content-length-range": "0,999999999"}
    assert attempt(signed(), headers=widened, length=5000) == "SignatureDoesNotMatch"


def test_another_method_is_refused() -> None:
    assert attempt(signed(), method="GET") == "SignatureDoesNotMatch"


def test_an_expired_url_is_refused() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert attempt(signed(), now=later) == "ExpiredToken"


def test_a_url_signed_by_another_key_is_refused() -> None:
    from zapdoc.adapters.signing import ephemeral_key_info

    other = GcsUploadSigner(key_info=ephemeral_key_info(), api_endpoint=ENDPOINT)
    upload = other.sign_upload(
        bucket="uploads", name="jobs/j1/f000/Report 2024.pdf", content_type="application/pdf", size=2048,
        ttl=dt.timedelta(minutes=5),
    )  # fmt: skip
    assert attempt(upload) == "SignatureDoesNotMatch"


def test_unsigned_requests_are_refused() -> None:
    rejection = verify_v4_request(
        method="PUT", raw_path="/uploads/x", raw_query="", headers={}, body_length=1, public_key_pem=PUBLIC
    )
    assert rejection is not None
    assert rejection.status == 403


def test_a_signer_needs_a_key_or_an_iam_identity() -> None:
    with pytest.raises(ConfigError, match="ZAPDOC_SIGNER_EMAIL"):
        GcsUploadSigner()


def test_ttl_is_capped_at_seven_days() -> None:
    upload = signed(ttl=dt.timedelta(days=30))
    assert parse_qs(urlsplit(upload.url).query)["X-Goog-Expires"] == [str(7 * 86400)]


def test_dropping_the_generation_match_header_breaks_the_signature() -> None:
    upload = signed()
    for value in ("", "1"):  # left out (canonicalised as empty) or changed to allow an overwrite
        assert attempt(upload, headers={"x-goog-if-generation-match": value}) == "SignatureDoesNotMatch"
