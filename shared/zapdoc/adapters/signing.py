"""V4 signed upload URLs for Cloud Storage, and a verifier of such requests for the local stack.

Each URL is a PUT bound to one object name, one content type and an ``x-goog-content-length-range``
(all three are signed, so changing any of them breaks the signature), expiring in minutes. It is signed
with a service-account key locally, or through IAM signBlob on Cloud Functions, where there is no key
(``service_account_email`` + an access token; the account needs Token Creator on itself). Both go
through the SDK's public ``Blob.generate_signed_url(version="v4")``; the runtime's credentials are
cached and their token refreshed only near expiry (``RuntimeToken``, shared with download links).

The storage emulator checks none of this (see FACTS.md); the local-only verifier of such requests is
``zapdoc.dev.signed_requests`` (never deployed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from zapdoc.domain.errors import ConfigError
from zapdoc.ports.blobs import SignedUpload

CONTENT_LENGTH_RANGE = "x-goog-content-length-range"
IF_GENERATION_MATCH = "x-goog-if-generation-match"
"""Signed with value 0: the PUT succeeds only if no object of that name exists yet, so an upload that
has arrived (and was counted and charged) can never be replaced through its URL."""
MAX_TTL = dt.timedelta(days=7)


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


class RuntimeToken:
    """The runtime's Application Default Credentials and an access token for IAM signBlob.

    Loaded once; the token is refreshed only when google-auth reports it not fresh (``token_state``:
    missing, expired, or within its refresh threshold of expiry, 3 min 45 s), not for every URL.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credentials: Any = None
        self._project: str | None = None

    def _load(self) -> Any:
        if self._credentials is None:
            import google.auth

            self._credentials, self._project = google.auth.default()
        return self._credentials

    def credentials(self) -> tuple[Any, str | None]:
        """The credentials and their project (from ``google.auth.default``, loaded on first use)."""
        with self._lock:
            return self._load(), self._project

    def access_token(self) -> str:
        """A token valid for at least the refresh threshold (one refresh when it is not)."""
        from google.auth.credentials import TokenState

        with self._lock:
            credentials = self._load()
            if credentials.token_state != TokenState.FRESH:
                import google.auth.transport.requests

                credentials.refresh(google.auth.transport.requests.Request())
            token: str = credentials.token
            return token


def signing_client(credentials: Any, project: str | None) -> Any:
    """A storage client that only signs: its universe domain is the credentials' (the public
    ``Blob.generate_signed_url`` passes it on, e.g. for the IAM signBlob host). The project plays no
    part in signing; ``-`` (as in IAM resource names) spares the SDK a project lookup."""
    from google.cloud.storage import Client

    universe = getattr(credentials, "universe_domain", None) or "googleapis.com"
    options = {"universe_domain": universe}
    return Client(project=project or "-", credentials=credentials, client_options=options)


def signed_until(url: str) -> dt.datetime:
    """When a V4 signed URL expires: its ``X-Goog-Date`` plus ``X-Goog-Expires`` seconds."""
    query = parse_qs(urlsplit(url).query)
    issued = dt.datetime.strptime(query["X-Goog-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return issued + dt.timedelta(seconds=int(query["X-Goog-Expires"][0]))


class GcsUploadSigner:
    """Signs V4 PUT URLs with a key (``key_info``) or through IAM signBlob (``signer_email``), through
    the SDK's public ``Blob.generate_signed_url``."""

    def __init__(
        self,
        *,
        key_info: Mapping[str, str] | None = None,
        signer_email: str = "",
        api_endpoint: str = "https://storage.googleapis.com",
    ) -> None:
        if not key_info and not signer_email:
            raise ConfigError(
                "set ZAPDOC_SIGNER_EMAIL (IAM signBlob) or ZAPDOC_SIGNING_KEY_FILE to sign URLs"
            )
        self._key_info = dict(key_info) if key_info else None
        self._signer_email = signer_email
        self._endpoint = api_endpoint.rstrip("/")
        self._lock = threading.Lock()
        self._client: Any = None
        self._token = RuntimeToken()

    @classmethod
    def from_key_file(cls, path: str | Path, **kwargs: Any) -> GcsUploadSigner:
        return cls(key_info=json.loads(Path(path).read_text()), **kwargs)

    def _signing_client(self) -> Any:
        with self._lock:
            if self._client is None:
                if self._key_info is not None:
                    from google.oauth2 import service_account

                    credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                        self._key_info
                    )
                    project = self._key_info.get("project_id")
                else:
                    credentials, project = self._token.credentials()
                self._client = signing_client(credentials, project)
            return self._client

    def _iam(self) -> dict[str, str]:
        """The signBlob arguments when signing without a key (none with one)."""
        if self._key_info is not None:
            return {}
        return {"service_account_email": self._signer_email, "access_token": self._token.access_token()}

    def sign_upload(
        self, *, bucket: str, name: str, content_type: str, size: int, ttl: dt.timedelta
    ) -> SignedUpload:
        """A PUT URL for exactly ``bucket/name`` with this content type and exactly ``size`` bytes."""
        ttl = min(ttl, MAX_TTL)
        blob = self._signing_client().bucket(bucket).blob(name)
        signed_headers = {CONTENT_LENGTH_RANGE: f"{size},{size}", IF_GENERATION_MATCH: "0"}
        url: str = blob.generate_signed_url(
            version="v4",
            expiration=ttl,
            api_access_endpoint=self._endpoint,
            method="PUT",
            content_type=content_type,
            headers=dict(signed_headers),
            **self._iam(),
        )
        headers = {"Content-Type": content_type, **signed_headers}
        return SignedUpload(url, "PUT", headers, signed_until(url))
