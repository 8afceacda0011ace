"""Narrow interfaces the API depends on: ID-token verification and upload-URL signing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from zapdoc.adapters.signing import SignedUpload


@dataclass(frozen=True)
class Identity:
    """A verified caller: the Firebase uid and what the token says about the email address."""

    uid: str
    email: str
    email_verified: bool
    claims: Mapping[str, Any] = field(default_factory=dict)  # custom claims (e.g. admin)


class InvalidToken(Exception):
    """The bearer token is not a valid, unexpired ID token for this project."""


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Identity:
        """The identity in ``token``; raises ``InvalidToken`` for anything not properly verified."""
        ...

    def account_active(self, uid: str) -> bool:
        """False when the account is disabled or deleted (checked for API keys on every request)."""
        ...


class UploadSigner(Protocol):
    def sign_upload(
        self, *, bucket: str, name: str, content_type: str, size: int, ttl: dt.timedelta
    ) -> SignedUpload: ...
