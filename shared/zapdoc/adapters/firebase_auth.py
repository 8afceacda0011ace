"""Firebase Authentication ID tokens verified with firebase-admin (issuer, audience, expiry, signature).

With ``FIREBASE_AUTH_EMULATOR_HOST`` set, firebase-admin accepts the emulator's unsigned tokens; that is
allowed only for a loopback emulator and never on Cloud Functions (``K_SERVICE`` set), so a stray
variable cannot turn off signature checks in production.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from zapdoc.api.ports import Identity, InvalidToken
from zapdoc.domain.errors import ConfigError, TransientError
from zapdoc.settings import is_loopback

CLOCK_SKEW_S = 5


class FirebaseTokenVerifier:
    """``TokenVerifier`` on firebase-admin; the app is initialised on first use, once per instance.

    ``emulator_host`` comes from the settings, which refuse a non-loopback emulator and any emulator on
    Cloud Functions (``ApiSettings``); firebase-admin itself reads the same variable.
    """

    def __init__(
        self, project_id: str, *, emulator_host: str = "", on_cloud: bool = False, credential: Any = None
    ) -> None:
        if emulator_host and (on_cloud or not is_loopback(emulator_host)):
            raise ConfigError(
                "FIREBASE_AUTH_EMULATOR_HOST must be a loopback emulator, never on Cloud Functions"
            )
        self._project = project_id
        self._credential = credential  # None: Application Default Credentials
        self.emulator_host = emulator_host
        self._app: Any = None
        self._lock = threading.Lock()

    def _firebase(self) -> Any:
        with self._lock:
            if self._app is None:
                import firebase_admin

                name = f"zapdoc-{self._project}"
                try:
                    self._app = firebase_admin.get_app(name)
                except ValueError:
                    self._app = firebase_admin.initialize_app(
                        self._credential, options={"projectId": self._project}, name=name
                    )
            return self._app

    def verify(self, token: str) -> Identity:
        from firebase_admin import auth

        if not token or len(token) > 8192:
            raise InvalidToken("missing or oversized token")
        try:
            claims = auth.verify_id_token(token, app=self._firebase(), clock_skew_seconds=CLOCK_SKEW_S)
        except auth.CertificateFetchError as exc:
            raise TransientError("could not fetch Firebase signing keys") from exc
        except (ValueError, auth.InvalidIdTokenError) as exc:  # expired/revoked are subclasses
            raise InvalidToken(str(exc)) from exc
        # firebase-admin skips the expiry check for emulator tokens; check it everywhere.
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp + CLOCK_SKEW_S < time.time():
            raise InvalidToken("the ID token has expired")
        uid = str(claims.get("uid") or claims.get("sub") or "")
        if not uid:
            raise InvalidToken("token without a subject")
        return Identity(uid, str(claims.get("email") or ""), bool(claims.get("email_verified")))
