"""Issue 9 on the Firebase Auth emulator: revoked sessions and disabled accounts lose access at once,
through ID tokens (``check_revoked``) and through their API keys."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.integration.test_api_emulators import Stack, stack  # noqa: F401 (fixture)

pytestmark = pytest.mark.emulators


def _admin(on: Stack, uid: str, **changes: Any) -> None:
    """What the Admin SDK / console does: update the account on the Auth emulator."""
    auth = on.auth
    requests.post(
        f"{auth.base}/projects/{auth.project}/accounts:update",
        headers={"Authorization": "Bearer owner"},
        json={"localId": uid, **changes},
        timeout=30,
    ).raise_for_status()


def test_a_disabled_account_loses_its_token_and_its_api_keys(stack: Stack) -> None:  # noqa: F811
    # GIVEN a user with a working token and an API key
    uid, token = stack.auth.sign_up()
    assert stack.call("GET", "/v1/me", token).status_code == 200
    key = stack.call("POST", "/v1/api-keys", token, json={"name": "script"}).json()["key"]
    assert stack.call("GET", "/v1/me", key).status_code == 200
    # WHEN an administrator disables the account
    _admin(stack, uid, disableUser=True)
    # THEN neither the token nor the key is accepted any more
    assert stack.call("GET", "/v1/me", token).status_code == 401
    assert stack.call("GET", "/v1/me", key).status_code == 401
    # and enabling it again restores access
    _admin(stack, uid, disableUser=False)
    assert stack.call("GET", "/v1/me", key).status_code == 200


def test_a_token_issued_before_a_revocation_is_refused(stack: Stack) -> None:  # noqa: F811
    # GIVEN a user with a working token
    uid, token = stack.auth.sign_up()
    assert stack.call("GET", "/v1/me", token).status_code == 200
    # WHEN their sessions are revoked (validSince moves past the token's issue time)
    time.sleep(1.1)  # validSince has one-second resolution; the token must be strictly older
    _admin(stack, uid, validSince=str(int(time.time())))
    # THEN the old token is refused
    assert stack.call("GET", "/v1/me", token).status_code == 401
