"""Cloud Storage blobs (gcp-storage-emulator when ``cloud.storage_emulator_host`` is set)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from urllib.parse import quote

from zapdoc.adapters.signing import RuntimeToken
from zapdoc.ports.blobs import BlobNotFound


class GcsBlobs:
    """``BlobStore`` on google-cloud-storage; download links are V4 signed URLs (IAM signBlob on
    Cloud Functions, where there is no private key), or plain emulator URLs locally."""

    def __init__(
        self, project: str, *, signer_email: str = "", emulator: str = "", public_url: str = ""
    ) -> None:
        """``public_url``: where browsers reach the local storage front (``ZAPDOC_STORAGE_PUBLIC_URL``)."""
        self._project = project
        self._public_url = public_url.rstrip("/")
        self._signer_email = signer_email
        self._emulator = emulator.rstrip("/")
        self._client: Any = None
        self._lock = threading.Lock()
        self._token = RuntimeToken()  # refreshed near expiry only, not per link

    @property
    def emulator(self) -> str:
        """The storage emulator's URL (``STORAGE_EMULATOR_HOST``; the SDK routes to it by itself)."""
        return self._emulator

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                from google.cloud.storage import Client

                if self.emulator:
                    from google.auth.credentials import AnonymousCredentials

                    self._client = Client(project=self._project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
                else:
                    self._client = Client(project=self._project)
            return self._client

    def read(self, bucket: str, name: str, generation: str | None = None) -> bytes:
        from google.api_core import exceptions as gexc

        pinned = int(generation) if generation and generation.isdigit() else None
        try:
            blob = self.client().bucket(bucket).blob(name, generation=pinned)
            data: bytes = blob.download_as_bytes()
        except gexc.NotFound as exc:
            raise BlobNotFound(f"gs://{bucket}/{name}") from exc
        return data

    def write(self, bucket: str, name: str, data: bytes, content_type: str) -> None:
        self.client().bucket(bucket).blob(name).upload_from_string(data, content_type=content_type)

    def delete(self, bucket: str, name: str) -> None:
        from google.api_core import exceptions as gexc

        try:
            self.client().bucket(bucket).blob(name).delete()
        except gexc.NotFound:
            return

    def list(self, bucket: str, prefix: str) -> list[str]:
        return sorted(b.name for b in self.client().list_blobs(bucket, prefix=prefix))

    def download_url(self, bucket: str, name: str, expires: dt.timedelta) -> str:
        if self.emulator:  # locally through the storage front (it answers CORS), else the emulator
            base = self._public_url or self.emulator
            return f"{base}/download/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media"
        blob = self.client().bucket(bucket).blob(name)
        if self._signer_email:  # IAM signBlob: no key on Cloud Functions
            url: str = blob.generate_signed_url(
                version="v4",
                expiration=expires,
                method="GET",
                service_account_email=self._signer_email,
                access_token=self._token.access_token(),
            )
            return url
        signed: str = blob.generate_signed_url(version="v4", expiration=expires, method="GET")
        return signed
