"""V4 signed upload URLs for Cloud Storage, and a verifier of such requests for the local stack.

Each URL is a PUT bound to one object name, one content type and an ``x-goog-content-length-range``
(all three are signed, so changing any of them breaks the signature), expiring in minutes. It is signed
with a service-account key locally, or through IAM signBlob on Cloud Functions, where there is no key
(``service_account_email`` + an access token; the account needs Token Creator on itself).

The storage emulator checks none of this (see FACTS.md), so ``verify_v4_request`` re-derives Google's
canonical request and checks the RSA signature, the expiry and the size range; the local upload front
(``zapdoc.api.upload_front``) runs it before forwarding a PUT to the emulator.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from zapdoc.domain.errors import ConfigError

CONTENT_LENGTH_RANGE = "x-goog-content-length-range"
IF_GENERATION_MATCH = "x-goog-if-generation-match"
"""Signed with value 0: the PUT succeeds only if no object of that name exists yet, so an upload that
has arrived (and was counted and charged) can never be replaced through its URL."""
MAX_TTL = dt.timedelta(days=7)


@dataclass(frozen=True)
class SignedUpload:
    """What a client needs to upload one file: PUT ``url`` with exactly these ``headers``."""

    url: str
    method: str
    headers: dict[str, str]
    expires_at: dt.datetime


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ephemeral_key_info(email: str = "zapdoc-local@demo-zapdoc.iam.gserviceaccount.com") -> dict[str, str]:
    """A throw-away service-account key (RSA 2048) for signing URLs on the local stack only."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "demo-zapdoc",
        "private_key_id": hashlib.sha256(pem.encode()).hexdigest()[:40],
        "private_key": pem,
        "client_email": email,
        "client_id": "0",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def public_key_pem(key_info: Mapping[str, str]) -> bytes:
    """The PEM public key of a service-account key (what the local verifier checks against)."""
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(key_info["private_key"].encode(), password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class GcsUploadSigner:
    """Signs V4 PUT URLs with a key (``key_info``) or through IAM signBlob (``signer_email``)."""

    def __init__(
        self,
        *,
        key_info: Mapping[str, str] | None = None,
        signer_email: str = "",
        api_endpoint: str = "https://storage.googleapis.com",
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        if not key_info and not signer_email:
            raise ConfigError(
                "set ZAPDOC_SIGNER_EMAIL (IAM signBlob) or ZAPDOC_SIGNING_KEY_FILE to sign URLs"
            )
        self._key_info = dict(key_info) if key_info else None
        self._signer_email = signer_email
        self._endpoint = api_endpoint.rstrip("/")
        self._clock = clock
        self._lock = threading.Lock()
        self._credentials: Any = None

    @classmethod
    def from_key_file(cls, path: str | Path, **kwargs: Any) -> GcsUploadSigner:
        return cls(key_info=json.loads(Path(path).read_text()), **kwargs)

    def _signing_credentials(self) -> tuple[Any, dict[str, str]]:
        """Credentials to sign with, plus the IAM arguments when signing through signBlob."""
        with self._lock:
            if self._key_info is not None:
                if self._credentials is None:
                    from google.oauth2 import service_account

                    self._credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                        self._key_info
                    )
                return self._credentials, {}
            import google.auth
            import google.auth.transport.requests

            if self._credentials is None:
                self._credentials, _ = google.auth.default()
            if not self._credentials.valid:
                self._credentials.refresh(google.auth.transport.requests.Request())
            extra = {
                "service_account_email": self._signer_email,
                "access_token": self._credentials.token,
                # The private helper has no default: without it the IAM host is "iamcredentials.None".
                "universe_domain": getattr(self._credentials, "universe_domain", None) or "googleapis.com",
            }
            return self._credentials, extra

    def sign_upload(
        self, *, bucket: str, name: str, content_type: str, size: int, ttl: dt.timedelta
    ) -> SignedUpload:
        """A PUT URL for exactly ``bucket/name`` with this content type and exactly ``size`` bytes."""
        from google.cloud.storage._signing import generate_signed_url_v4

        ttl = min(ttl, MAX_TTL)
        now = self._clock()
        credentials, iam = self._signing_credentials()
        headers = {
            "Content-Type": content_type,
            CONTENT_LENGTH_RANGE: f"{size},{size}",
            IF_GENERATION_MATCH: "0",
        }
        url: str = generate_signed_url_v4(
            credentials,
            resource=f"/{bucket}/{quote(name, safe='/~')}",
            expiration=ttl,
            api_access_endpoint=self._endpoint,
            method="PUT",
            headers=dict(headers),
            _request_timestamp=now.strftime("%Y%m%dT%H%M%SZ"),
            **iam,
        )
        return SignedUpload(url, "PUT", headers, now + ttl)


# -------------------------------------------------------------------------------------- verifier


@dataclass(frozen=True)
class Rejection:
    status: int
    code: str
    message: str


def verify_v4_request(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body_length: int,
    public_key_pem: bytes,
    now: dt.datetime | None = None,
) -> Rejection | None:
    """None when the request is a valid, unexpired V4-signed request within its signed size range."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    pairs = [p for p in raw_query.split("&") if p]
    params: dict[str, str] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        params[key] = value
    required = ("X-Goog-Algorithm", "X-Goog-Credential", "X-Goog-Date", "X-Goog-Expires")
    if any(k not in params for k in (*required, "X-Goog-SignedHeaders", "X-Goog-Signature")):
        return Rejection(403, "AccessDenied", "not a V4 signed request")
    if params["X-Goog-Algorithm"] != "GOOG4-RSA-SHA256":
        return Rejection(403, "AccessDenied", "unsupported signing algorithm")
    try:
        issued = dt.datetime.strptime(params["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        expires = int(params["X-Goog-Expires"])
        signature = binascii.unhexlify(params["X-Goog-Signature"])
    except (ValueError, binascii.Error):
        return Rejection(400, "InvalidArgument", "malformed signature parameters")
    if (now or _utcnow()) > issued + dt.timedelta(seconds=expires):
        return Rejection(400, "ExpiredToken", "the signed URL has expired")
    lowered = {k.lower(): v for k, v in headers.items()}
    signed_names = _unquote(params["X-Goog-SignedHeaders"]).split(";")
    canonical_headers = "".join(
        f"{n}:{' '.join(lowered.get(n, '').split())}\n" for n in signed_names
    )  # a header the client left out canonicalises as empty and fails the signature
    query = "&".join(sorted(p for p in pairs if not p.startswith("X-Goog-Signature=")))
    payload = "UNSIGNED-PAYLOAD"
    if "x-goog-content-sha256" in signed_names:
        payload = lowered.get("x-goog-content-sha256", "")
    canonical = "\n".join(
        [method.upper(), raw_path, query, canonical_headers, ";".join(signed_names), payload]
    )
    scope = _unquote(params["X-Goog-Credential"]).split("/", 1)[-1]
    to_sign = "\n".join(
        ["GOOG4-RSA-SHA256", params["X-Goog-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    public_key = serialization.load_pem_public_key(public_key_pem)
    assert isinstance(public_key, rsa.RSAPublicKey)
    try:
        public_key.verify(signature, to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return Rejection(403, "SignatureDoesNotMatch", "the request does not match its signature")
    if CONTENT_LENGTH_RANGE in signed_names:
        low, _, high = lowered.get(CONTENT_LENGTH_RANGE, "").partition(",")
        try:
            in_range = int(low) <= body_length <= int(high)
        except ValueError:
            in_range = False
        if not in_range:
            return Rejection(400, "EntityTooLarge", "the upload size is outside the signed range")
    return None


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


def split_url(url: str) -> tuple[str, str]:
    """The raw (still percent-encoded) path and query of a URL."""
    parts = urlsplit(url)
    return parts.path, parts.query
