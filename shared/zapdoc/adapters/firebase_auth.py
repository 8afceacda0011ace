"""Firebase Authentication ID tokens verified with firebase-admin (issuer, audience, expiry, signature,
revocation and disabled accounts).

Emulator mode (the Auth emulator's unsigned tokens, accepted by firebase-admin whenever
``FIREBASE_AUTH_EMULATOR_HOST`` is set) is an explicit local-only setting: it needs
``ZAPDOC_AUTH_EMULATOR=1`` *and* a loopback ``FIREBASE_AUTH_EMULATOR_HOST``, and is refused on Cloud
Functions / Cloud Run (``K_SERVICE`` or ``K_REVISION`` set). A stray emulator host without the explicit
setting is a configuration error, never a silent switch that turns signature checks off; the ``api``
function checks this when it starts.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from zapdoc.domain.errors import ConfigError, PermanentError, TransientError
from zapdoc.domain.ids import check_user_id
from zapdoc.ports.auth import Identity, InvalidToken
from zapdoc.settings import check_emulator_setting, check_live_emulator_setting, is_loopback

__all__ = ["CLOCK_SKEW_S", "FirebaseTokenVerifier", "check_emulator_setting"]

CLOCK_SKEW_S = 5


class FirebaseTokenVerifier:
    """``TokenVerifier`` on firebase-admin; the app is initialised on first use, once per instance.

    ``emulator_host`` comes from the settings (``ApiSettings.emulator_host()``: explicit
    ``ZAPDOC_AUTH_EMULATOR=1``, loopback, never on Cloud Functions); firebase-admin itself reads the live
    environment, so that is checked again before each verification.
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

        check_live_emulator_setting()  # the SDK reads the live environment
        if not token or len(token) > 8192:
            raise InvalidToken("missing or oversized token")
        from firebase_admin import exceptions as fexc

        try:
            # check_revoked: a token issued before its user's sessions were revoked, or of a disabled or
            # deleted account, is refused (one lookup of the user per verification).
            claims = auth.verify_id_token(
                token, app=self._firebase(), check_revoked=True, clock_skew_seconds=CLOCK_SKEW_S
            )
        except auth.CertificateFetchError as exc:
            raise TransientError("could not fetch Firebase signing keys") from exc
        except (ValueError, auth.InvalidIdTokenError, auth.UserDisabledError, auth.UserNotFoundError) as exc:
            raise InvalidToken(str(exc)) from exc  # expired/revoked are InvalidIdTokenError subclasses
        except fexc.FirebaseError as exc:
            raise TransientError(f"could not check the account of the token: {exc}") from exc
        # firebase-admin skips the expiry check for emulator tokens; check it everywhere.
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp + CLOCK_SKEW_S < time.time():
            raise InvalidToken("the ID token has expired")
        uid = str(claims.get("uid") or claims.get("sub") or "")
        if not uid:
            raise InvalidToken("token without a subject")
        try:
            check_user_id(uid)  # the uid becomes a document path segment
        except PermanentError as exc:
            raise InvalidToken(str(exc)) from exc
        return Identity(
            uid, str(claims.get("email") or ""), bool(claims.get("email_verified")), claims=dict(claims)
        )

    def account_active(self, uid: str) -> bool:
        """False when the Firebase account is disabled or no longer exists (API keys then stop working)."""
        from firebase_admin import auth
        from firebase_admin import exceptions as fexc

        check_live_emulator_setting()
        try:
            user = auth.get_user(uid, app=self._firebase())
        except auth.UserNotFoundError:
            return False
        except (ValueError, fexc.InvalidArgumentError):
            return False
        except fexc.FirebaseError as exc:
            raise TransientError(f"could not look up the account: {exc}") from exc
        return not bool(user.disabled)
