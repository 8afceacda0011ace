"""Object storage port (Cloud Storage in production, gcp-storage-emulator locally, a dict in unit tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class BlobNotFound(Exception):
    """The object does not exist (deleted after delivery, or never uploaded)."""


class BlobStore(Protocol):
    def read(self, bucket: str, name: str, generation: str | None = None) -> bytes:
        """The object's bytes; with ``generation``, that generation only (``BlobNotFound`` if it was
        replaced): what intake inspected is what extraction reads."""
        ...

    def write(self, bucket: str, name: str, data: bytes, content_type: str) -> None: ...

    def delete(self, bucket: str, name: str) -> None:
        """Delete the object; deleting a missing object is not an error."""
        ...

    def list(self, bucket: str, prefix: str) -> list[str]: ...

    def download_url(self, bucket: str, name: str, expires: dt.timedelta) -> str:
        """A time-limited GET link to the object (V4 signed URL in production)."""
        ...


@dataclass(frozen=True)
class SignedUpload:
    """What a client needs to upload one file: PUT ``url`` with exactly these ``headers``."""

    url: str
    method: str
    headers: dict[str, str]
    expires_at: dt.datetime


class UploadSigner(Protocol):
    """Issues V4 signed upload URLs (Cloud Storage signing in production)."""

    def sign_upload(
        self, *, bucket: str, name: str, content_type: str, size: int, ttl: dt.timedelta
    ) -> SignedUpload: ...
