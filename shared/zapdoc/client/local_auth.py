"""ID tokens from the local Firebase Authentication emulator, for ``zapdoc submit`` on the local stack.

Signs the email up (or in, when it exists) with a password derived from the email, marks the address
verified through the emulator's admin endpoint, and returns a fresh ID token. Loopback hosts only: this
never talks to the real Firebase.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from zapdoc.domain.errors import PermanentError, TransientError, UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def local_token(auth_host: str, email: str, *, project: str = "demo-zapdoc", timeout: float = 30.0) -> str:
    """A verified-email ID token for ``email`` from the emulator at ``auth_host`` (``host:port``)."""
    if (urlsplit(f"//{auth_host}").hostname or "") not in LOOPBACK:
        raise UsageError("local tokens come only from a loopback Auth emulator (FIREBASE_AUTH_EMULATOR_HOST)")
    if "@" not in email:
        raise UsageError(f"{email!r} is not an email address")
    from zapdoc.client.login import AuthRefused, _post

    base = f"http://{auth_host}/identitytoolkit.googleapis.com/v1"
    creds = {
        "email": email,
        "password": "local-" + hashlib.sha256(email.lower().encode()).hexdigest()[:24],
        "returnSecureToken": True,
    }
    where = f"the Auth emulator at {auth_host}"
    try:
        try:
            _post(f"{base}/accounts:signUp?key=local", json=creds, email=email, timeout=timeout)
        except AuthRefused as exc:
            if exc.code != "EMAIL_EXISTS":
                raise
        try:
            signed_in = _post(
                f"{base}/accounts:signInWithPassword?key=local", json=creds, email=email, timeout=timeout
            )
        except AuthRefused as exc:
            if exc.code in ("INVALID_PASSWORD", "INVALID_LOGIN_CREDENTIALS"):
                raise PermanentError(
                    f"{email} already exists in {where} with a password local-token did not set (it "
                    "signed up through the web app or `zapdoc login --sign-up`): run "
                    f"`zapdoc login --email {email}` with that password, or use another address"
                ) from None
            raise
        _post(
            f"{base}/projects/{project}/accounts:update",
            headers={"Authorization": "Bearer owner"},
            json={"localId": signed_in["localId"], "emailVerified": True},
            email=email,
            timeout=timeout,
        )
        final = _post(
            f"{base}/accounts:signInWithPassword?key=local", json=creds, email=email, timeout=timeout
        )
        return str(final["idToken"])
    except AuthRefused as exc:
        raise PermanentError(f"{where} refused: {exc}") from exc
    except TransientError as exc:
        raise TransientError(
            f"{exc}; is the local stack running? (`zapdoc dev up`, or FIREBASE_AUTH_EMULATOR_HOST)"
        ) from exc
    except KeyError as exc:
        raise PermanentError(
            f"{where} answered without {exc}: is that address really the Auth emulator?"
        ) from exc
