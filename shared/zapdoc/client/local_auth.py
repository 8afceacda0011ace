"""ID tokens from the local Firebase Authentication emulator, for ``zapdoc submit`` on the local stack.

Signs the email up (or in, when it exists) with a password derived from the email, marks the address
verified through the emulator's admin endpoint, and returns a fresh ID token. Loopback hosts only: this
never talks to the real Firebase.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from zapdoc.domain.errors import PermanentError, UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def local_token(auth_host: str, email: str, *, project: str = "demo-zapdoc", timeout: float = 30.0) -> str:
    """A verified-email ID token for ``email`` from the emulator at ``auth_host`` (``host:port``)."""
    import requests

    if (urlsplit(f"//{auth_host}").hostname or "") not in LOOPBACK:
        raise UsageError("local tokens come only from a loopback Auth emulator (FIREBASE_AUTH_EMULATOR_HOST)")
    if "@" not in email:
        raise UsageError(f"{email!r} is not an email address")
    base = f"http://{auth_host}/identitytoolkit.googleapis.com/v1"
    creds = {
        "email": email,
        "password": "local-" + hashlib.sha256(email.lower().encode()).hexdigest()[:24],
        "returnSecureToken": True,
    }
    try:
        resp = requests.post(f"{base}/accounts:signUp?key=local", json=creds, timeout=timeout)
        if resp.status_code != 200 and "EMAIL_EXISTS" not in resp.text:
            raise PermanentError(f"the Auth emulator refused the sign-up: {resp.text[:200]}")
        signed_in = requests.post(
            f"{base}/accounts:signInWithPassword?key=local", json=creds, timeout=timeout
        )
        uid = signed_in.json()["localId"]
        requests.post(
            f"{base}/projects/{project}/accounts:update",
            headers={"Authorization": "Bearer owner"},
            json={"localId": uid, "emailVerified": True},
            timeout=timeout,
        ).raise_for_status()
        final = requests.post(f"{base}/accounts:signInWithPassword?key=local", json=creds, timeout=timeout)
        token = str(final.json()["idToken"])
    except (requests.RequestException, KeyError, ValueError) as exc:
        raise PermanentError(f"cannot get a token from the Auth emulator at {auth_host}: {exc}") from exc
    return token
