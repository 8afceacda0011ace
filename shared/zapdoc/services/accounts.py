"""Accounts: created on the first authenticated call with the free grant (granted once, by the ledger's
``grant:opening`` entry), and kept in step with what the identity provider says about the email."""

from __future__ import annotations

from typing import Any

from zapdoc.ports.store import Update
from zapdoc.services import jobs
from zapdoc.services.ledger import user_path
from zapdoc.services.runtime import Runtime


def ensure_account(
    rt: Runtime, user_id: str, *, email: str, email_verified: bool, free_credits: int
) -> dict[str, Any]:
    """The user's record, created with ``free_credits`` if new; email and its verification refreshed."""
    ledger = jobs.ledger(rt)
    ledger.ensure_user(user_id, email=email, initial_credits=free_credits)
    snap = rt.store.get(user_path(user_id))
    assert snap is not None
    data = dict(snap.data)
    changes: dict[str, Any] = {}
    if email and data.get("email") != email:
        changes["email"] = email
    if bool(data.get("email_verified")) != email_verified and email:
        changes["email_verified"] = email_verified
    if changes:
        # Not a compare-and-set: only identity fields change, never the balance.
        rt.store.commit([Update(snap.path, changes)])
        data.update(changes)
    return data


def get_account(rt: Runtime, user_id: str) -> dict[str, Any] | None:
    snap = rt.store.get(user_path(user_id))
    return dict(snap.data) if snap else None
