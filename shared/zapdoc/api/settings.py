"""Settings of the public API and the Stripe webhook, read from the environment (``ZAPDOC_*``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from zapdoc.domain.errors import ConfigError
from zapdoc.services.payments import DEFAULT_PACKS, Pack, parse_packs


def _int(
    env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


@dataclass(frozen=True)
class ApiSettings:
    """What the API reads from its environment; every value has a safe default except secrets."""

    firebase_project: str
    free_credits: int = 20
    allowed_origins: tuple[str, ...] = ()
    max_file_bytes: int = 100 * 1024 * 1024
    upload_url_ttl: dt.timedelta = dt.timedelta(minutes=15)
    download_url_ttl: dt.timedelta = dt.timedelta(minutes=10)
    packs: dict[str, Pack] = field(default_factory=lambda: parse_packs(DEFAULT_PACKS))
    stripe_secret_key: str = ""
    stripe_api_base: str = ""
    checkout_success_url: str = "https://zapdoc.example/credits?checkout=success"
    checkout_cancel_url: str = "https://zapdoc.example/credits?checkout=cancelled"
    signer_email: str = ""
    signing_key_file: str = ""
    storage_public_url: str = ""
    max_api_keys: int = 20
    admin_uids: frozenset[str] = frozenset()  # ZAPDOC_ADMIN_UIDS: operators by Firebase uid
    admin_claim: str = ""  # ZAPDOC_ADMIN_CLAIM: a custom claim that makes a token an operator's
    # The web app's Firebase web config (public values) and, on the local stack only, the Auth emulator.
    firebase_api_key: str = "local-dev-key"
    firebase_auth_domain: str = ""
    auth_emulator_host: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ApiSettings:
        e = os.environ if env is None else env
        project = (
            e.get("ZAPDOC_FIREBASE_PROJECT", "").strip()
            or e.get("GOOGLE_CLOUD_PROJECT", "").strip()
            or e.get("GCLOUD_PROJECT", "").strip()
        )
        if not project:
            raise ConfigError("GOOGLE_CLOUD_PROJECT (or ZAPDOC_FIREBASE_PROJECT) is not set")
        origins = tuple(
            o.strip().rstrip("/") for o in e.get("ZAPDOC_ALLOWED_ORIGINS", "").split(",") if o.strip()
        )
        values: dict[str, object] = {
            "firebase_project": project,
            "free_credits": _int(e, "ZAPDOC_FREE_CREDITS", cls.free_credits),
            "allowed_origins": origins,
            "max_file_bytes": _int(e, "ZAPDOC_MAX_UPLOAD_MB", 100, minimum=1, maximum=5 * 1024) * 1024 * 1024,
            "upload_url_ttl": dt.timedelta(
                seconds=_int(e, "ZAPDOC_UPLOAD_URL_TTL_S", 900, minimum=60, maximum=7 * 86400)
            ),
            "download_url_ttl": dt.timedelta(
                seconds=_int(e, "ZAPDOC_API_DOWNLOAD_TTL_S", 600, minimum=60, maximum=7 * 86400)
            ),
            "packs": parse_packs(e.get("ZAPDOC_CREDIT_PACKS", "").strip() or DEFAULT_PACKS),
            "stripe_secret_key": e.get("STRIPE_SECRET_KEY", "").strip(),
            "stripe_api_base": e.get("ZAPDOC_STRIPE_API_BASE", "").strip(),
            "checkout_success_url": e.get("ZAPDOC_CHECKOUT_SUCCESS_URL", "").strip()
            or cls.checkout_success_url,
            "checkout_cancel_url": e.get("ZAPDOC_CHECKOUT_CANCEL_URL", "").strip() or cls.checkout_cancel_url,
            "signer_email": e.get("ZAPDOC_SIGNER_EMAIL", "").strip(),
            "signing_key_file": e.get("ZAPDOC_SIGNING_KEY_FILE", "").strip(),
            "storage_public_url": e.get("ZAPDOC_STORAGE_PUBLIC_URL", "").strip(),
            "max_api_keys": _int(e, "ZAPDOC_MAX_API_KEYS", 20, minimum=1),
            "admin_uids": frozenset(
                u.strip() for u in e.get("ZAPDOC_ADMIN_UIDS", "").split(",") if u.strip()
            ),
            "admin_claim": e.get("ZAPDOC_ADMIN_CLAIM", "").strip(),
            "firebase_api_key": e.get("ZAPDOC_FIREBASE_API_KEY", "").strip() or cls.firebase_api_key,
            "firebase_auth_domain": e.get("ZAPDOC_FIREBASE_AUTH_DOMAIN", "").strip(),
            "auth_emulator_host": e.get("FIREBASE_AUTH_EMULATOR_HOST", "").strip(),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
