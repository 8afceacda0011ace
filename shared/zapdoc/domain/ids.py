"""Ids that become document path segments, validated where they enter (tokens, API keys, Stripe)."""

from __future__ import annotations

import re

from zapdoc.domain.errors import PermanentError

_USER_ID = re.compile(r"^[A-Za-z0-9_.@:-]{1,128}$")


def check_user_id(user_id: str) -> str:
    """A user id as it may appear in a document path; ``PermanentError`` for anything else.

    Ids come from Firebase (28 characters of [A-Za-z0-9]), API keys and local tooling; a "/" would
    address another document, "." and ".." are not valid document ids."""
    if not isinstance(user_id, str) or not _USER_ID.match(user_id) or user_id in (".", ".."):
        raise PermanentError(f"invalid user id {str(user_id)[:40]!r}")
    if user_id.startswith("__") and user_id.endswith("__"):  # reserved by Firestore
        raise PermanentError(f"invalid user id {user_id[:40]!r}")
    return user_id
