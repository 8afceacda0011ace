"""``zapdoc login``: sign in with email and password through Firebase Authentication's REST API (no
browser), store the ID token with its refresh token, and hand out a fresh ID token when it expires.

The same calls reach the real service (``identitytoolkit.googleapis.com`` / ``securetoken.googleapis.com``
with the project's public web API key) and the Firebase Auth emulator of the local stack
(``http://HOST:PORT/identitytoolkit.googleapis.com/...``). Credentials live in
``$XDG_CONFIG_HOME/zapdoc/credentials.json`` (``~/.config/zapdoc``), readable by the user only.

Every error code the Auth service (or its emulator) answers becomes a sentence saying what to do.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from zapdoc.domain.errors import PermanentError, TransientError, UsageError

IDENTITY = "https://identitytoolkit.googleapis.com"
SECURETOKEN = "https://securetoken.googleapis.com"
REFRESH_MARGIN_S = 120.0

# Firebase Auth REST error codes (the part of ``error.message`` before " : ") and what to tell a person.
AUTH_ERRORS: dict[str, str] = {
    "EMAIL_NOT_FOUND": "there is no account for {email}: sign up in the web app, or with --sign-up",
    "INVALID_PASSWORD": "wrong password for {email}",
    "INVALID_LOGIN_CREDENTIALS": "wrong email or password for {email}",
    "USER_DISABLED": "the account {email} is disabled: contact support",
    "USER_NOT_FOUND": "the account {email} no longer exists: sign in again or sign up",
    "TOO_MANY_ATTEMPTS_TRY_LATER": "too many attempts for {email}: wait a few minutes and try again",
    "EMAIL_EXISTS": "{email} already has an account: sign in without --sign-up",
    "OPERATION_NOT_ALLOWED": "email/password sign-in is not enabled for this Firebase project",
    "PASSWORD_LOGIN_DISABLED": "email/password sign-in is not enabled for this Firebase project",
    "WEAK_PASSWORD": "the password is too weak: use at least 6 characters",
    "INVALID_EMAIL": "{email!r} is not a valid email address",
    "MISSING_EMAIL": "give an email address with --email",
    "MISSING_PASSWORD": "give a password (you are prompted for it, or pipe it with --password-stdin)",
    "INVALID_ID_TOKEN": "the stored sign-in is no longer valid: run `zapdoc login` again",
    "TOKEN_EXPIRED": "the stored sign-in has expired: run `zapdoc login` again",
    "CREDENTIAL_TOO_OLD_LOGIN_AGAIN": "the stored sign-in is too old: run `zapdoc login` again",
    "INVALID_REFRESH_TOKEN": "the stored sign-in was revoked: run `zapdoc login` again",
    "MISSING_REFRESH_TOKEN": "no stored sign-in: run `zapdoc login`",
    "INVALID_GRANT_TYPE": "the token refresh was malformed (a ZapDoc bug): run `zapdoc login` again",
    "USER_MISMATCH": "the stored sign-in belongs to another user: run `zapdoc login` again",
    "PROJECT_NOT_FOUND": "the Firebase project of this API key does not exist: check ZAPDOC_FIREBASE_API_KEY",
    "API_KEY_INVALID": "the Firebase web API key is not valid: check ZAPDOC_FIREBASE_API_KEY",
    "INVALID_API_KEY": "the Firebase web API key is not valid: check ZAPDOC_FIREBASE_API_KEY",
    "MISSING_API_KEY": "no Firebase web API key: set ZAPDOC_FIREBASE_API_KEY (the web app's apiKey)",
    "QUOTA_EXCEEDED": "the sign-in service is over its quota: try again later",
    "INTERNAL_ERROR": "the sign-in service failed: try again later",
}


def explain(code_message: str, email: str = "") -> str:
    """The sentence for a Firebase Auth error message such as ``WEAK_PASSWORD : Password should...``."""
    code, _, detail = code_message.partition(" : ")
    code = code.strip()
    if code.startswith("API key not valid"):
        code = "API_KEY_INVALID"
    template = AUTH_ERRORS.get(code)
    if template is None:
        return f"the sign-in service refused: {code_message}"
    text = template.format(email=email)
    if code == "WEAK_PASSWORD" and detail:
        text = f"the password is too weak: {detail.strip()}"
    return text


class AuthRefused(PermanentError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class StoredLogin:
    email: str
    user_id: str
    id_token: str
    refresh_token: str
    expires_at: float
    identity_url: str
    securetoken_url: str
    api_key: str


def credentials_path() -> Path:
    from zapdoc.settings import ClientSettings

    config_home: str = ClientSettings.from_env().config_home  # read now: tests and shells change it
    base = config_home or str(Path.home() / ".config")
    return Path(base) / "zapdoc" / "credentials.json"


def endpoints(emulator_host: str) -> tuple[str, str]:
    """(identity toolkit base, secure token base): Google's, or the emulator's at ``host:port``."""
    if emulator_host:
        return (
            f"http://{emulator_host}/identitytoolkit.googleapis.com",
            f"http://{emulator_host}/securetoken.googleapis.com",
        )
    return IDENTITY, SECURETOKEN


def _post(url: str, *, email: str, timeout: float, **kwargs: Any) -> dict[str, Any]:
    import requests

    try:
        resp = requests.post(url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        service = url.split("/v1", maxsplit=1)[0]
        raise TransientError(f"cannot reach the sign-in service at {service}: {exc}") from exc
    try:
        data: dict[str, Any] = resp.json()
    except ValueError:
        raise PermanentError(f"the sign-in service answered {resp.status_code} without JSON") from None
    if resp.status_code >= 400:
        message = str((data.get("error") or {}).get("message") or resp.status_code)
        raise AuthRefused(message.partition(" : ")[0].strip(), explain(message, email))
    return data


def sign_in(
    email: str,
    password: str,
    *,
    emulator_host: str = "",
    api_key: str = "",
    sign_up: bool = False,
    project: str = "demo-zapdoc",
    timeout: float = 30.0,
) -> StoredLogin:
    """Sign in (or up) with email and password; on the emulator a new account's email is verified."""
    if not email or "@" not in email:
        raise UsageError(f"{email!r} is not an email address: give --email you@example.com")
    if not password:
        raise UsageError(AUTH_ERRORS["MISSING_PASSWORD"])
    if not api_key:
        if not emulator_host:
            raise UsageError(AUTH_ERRORS["MISSING_API_KEY"])
        api_key = "local"  # the emulator accepts any key
    identity, securetoken = endpoints(emulator_host)
    creds = {"email": email, "password": password, "returnSecureToken": True}
    if sign_up:
        data = _post(f"{identity}/v1/accounts:signUp?key={api_key}", json=creds, email=email, timeout=timeout)
        if emulator_host:  # no mail goes out locally: mark the address verified as a click would
            _post(
                f"{identity}/v1/projects/{project}/accounts:update",
                json={"localId": data["localId"], "emailVerified": True},
                headers={"Authorization": "Bearer owner"},
                email=email,
                timeout=timeout,
            )
    data = _post(
        f"{identity}/v1/accounts:signInWithPassword?key={api_key}", json=creds, email=email, timeout=timeout
    )
    return StoredLogin(
        email=str(data.get("email") or email),
        user_id=str(data["localId"]),
        id_token=str(data["idToken"]),
        refresh_token=str(data["refreshToken"]),
        expires_at=time.time() + float(data.get("expiresIn") or 3600),
        identity_url=identity,
        securetoken_url=securetoken,
        api_key=api_key,
    )


def save(login: StoredLogin, path: Path | None = None) -> Path:
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(asdict(login), f, indent=2)
    os.replace(tmp, path)
    return path


def load(path: Path | None = None) -> StoredLogin | None:
    path = path or credentials_path()
    try:
        data = json.loads(path.read_text())
        return StoredLogin(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{path} is damaged ({exc}): run `zapdoc login` again") from None


def logout(path: Path | None = None) -> bool:
    path = path or credentials_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def fresh_token(path: Path | None = None, *, timeout: float = 30.0) -> str:
    """The stored ID token, refreshed (and stored again) when it expires within two minutes; "" if
    nobody is signed in."""
    login = load(path)
    if login is None:
        return ""
    if login.expires_at - time.time() > REFRESH_MARGIN_S:
        return login.id_token
    data = _post(
        f"{login.securetoken_url}/v1/token?key={login.api_key}",
        data={"grant_type": "refresh_token", "refresh_token": login.refresh_token},
        email=login.email,
        timeout=timeout,
    )
    login.id_token = str(data["id_token"])
    login.refresh_token = str(data.get("refresh_token") or login.refresh_token)
    login.expires_at = time.time() + float(data.get("expires_in") or 3600)
    save(login, path)
    return login.id_token
