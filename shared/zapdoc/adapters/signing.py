"""V4 signed upload URLs for Cloud Storage, and a verifier of such requests for the local stack.

Each URL is a PUT bound to one object name, one content type and an ``x-goog-content-length-range``
(all three are signed, so changing any of them breaks the signature), expiring in minutes. It is signed
with a service-account key locally, or through IAM signBlob on Cloud Functions, where there is no key
(``service_account_email`` + an access token; the account needs Token Creator on itself).

The storage emulator checks none of this (see FACTS.md); the local-only verifier of such requests is
``zapdoc.dev.signed_requests`` (never deployed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zapdoc.domain.errors import ConfigError
from zapdoc.ports.blobs import SignedUpload

CONTENT_LENGTH_RANGE = "x-goog-content-length-range"
IF_GENERATION_MATCH = "x-goog-if-generation-match"
"""Signed with value 0: the PUT succeeds only if no object of that name exists yet, so an upload that
has arrived (and was counted and charged) can never be replaced through its URL."""
MAX_TTL = dt.timedelta(days=7)


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
