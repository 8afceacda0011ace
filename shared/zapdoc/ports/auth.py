"""Identity port: ID-token verification (Firebase Auth in production, a fake in unit tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


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
