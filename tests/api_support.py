"""Helpers for API and Stripe tests: Stripe-signed events, fake identity/payment adapters, and the
Firebase Authentication emulator (started once per test process)."""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import stripe

from zapdoc.adapters.signing import GcsUploadSigner, ephemeral_key_info
from zapdoc.api.app import ApiContext
from zapdoc.ports.auth import Identity, InvalidToken
from zapdoc.ports.payments import CheckoutSession
from zapdoc.services.runtime import Runtime
from zapdoc.settings import ApiSettings

ROOT = Path(__file__).resolve().parents[1]

WEBHOOK_SECRET = "whsec_test_" + "k" * 24


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def session_object(
    *,
    user_id: str,
    credits: int = 100,
    payment_status: str = "paid",
    session_id: str | None = None,
    payment_intent: str | None = None,
    amount_total: int = 500,
    pack: str = "starter",
    currency: str = "eur",
) -> dict[str, Any]:
    """A Checkout Session as Stripe sends it in events (the fields fulfilment reads). The defaults are
    the default ``starter`` pack (100 credits for 500 cents); fulfilment credits the server's pack."""
    return {
        "id": session_id or new_id("cs_test"),
        "object": "checkout.session",
        "client_reference_id": user_id,
        "metadata": {"credits": str(credits), "pack": pack},
        "payment_status": payment_status,
        "payment_intent": payment_intent or new_id("pi"),
        "amount_total": amount_total,
        "currency": currency,
        "mode": "payment",
    }


def event(kind: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }


def charge_refunded(payment_intent: str, *, amount: int, amount_refunded: int) -> dict[str, Any]:
    return event(
        "charge.refunded",
        {
            "id": new_id("ch"),
            "object": "charge",
            "payment_intent": payment_intent,
            "amount": amount,
            "amount_refunded": amount_refunded,
            "refunded": amount_refunded >= amount,
        },
    )


@dataclass(frozen=True)
class Signed:
    body: bytes
    header: str


def sign(evt: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> Signed:
    """Serialise ``evt`` and sign it with Stripe's scheme (``t=...,v1=HMAC-SHA256``)."""
    body = json.dumps(evt, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return Signed(body.encode(), header)


# ------------------------------------------------------------------------------ API test helpers


class FakeVerifier:
    """A ``TokenVerifier`` for unit/functional tests: tokens are ``fake:<uid>:<email>:<verified>`` with
    an optional ``:<claim>,<claim>`` of custom claims set to true;
    uids in ``disabled`` are accounts an administrator disabled."""

    def __init__(self) -> None:
        self.disabled: set[str] = set()

    def verify(self, token: str) -> Identity:
        parts = token.split(":")
        if len(parts) not in (4, 5) or parts[0] != "fake":
            raise InvalidToken("not a fake token")
        if parts[1] in self.disabled:
            raise InvalidToken("the account is disabled")
        claims = {c: True for c in (parts[4].split(",") if len(parts) == 5 else []) if c}
        return Identity(parts[1], parts[2], parts[3] == "1", claims=claims)

    def account_active(self, uid: str) -> bool:
        return uid not in self.disabled


def fake_token(uid: str, *, verified: bool = True) -> str:
    return f"fake:{uid}:{uid}@example.com:{1 if verified else 0}"


class FakeGateway:
    """A ``CheckoutGateway`` that records sessions (the Stripe SDK path is tested against a stand-in)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def create_session(self, **kwargs: Any) -> CheckoutSession:
        self.calls.append(kwargs)
        sid = new_id("cs_test")
        return CheckoutSession(sid, f"https://checkout.stripe.test/pay/{sid}")


def api_context(rt: Runtime, *, signer: Any = None, **settings: Any) -> ApiContext:
    """An API context on ``rt`` with fake identity/payment adapters and a throw-away signing key."""
    base: dict[str, Any] = {"firebase_project": "demo-zapdoc", "free_credits": 20}
    base.update(settings)
    return ApiContext(
        rt=rt,
        settings=ApiSettings(**base),
        verifier=FakeVerifier(),
        signer=signer or GcsUploadSigner(key_info=SIGNING_KEY, api_endpoint="http://127.0.0.1:1"),
        gateway=FakeGateway(),
    )


SIGNING_KEY = ephemeral_key_info()


# -------------------------------------------------------------------- Firebase Auth emulator


@dataclass
class AuthEmulator:
    """The Firebase Authentication emulator (firebase-tools), one per test process."""

    host: str
    project: str
    process: subprocess.Popen[bytes]

    @property
    def base(self) -> str:
        return f"http://{self.host}/identitytoolkit.googleapis.com/v1"

    def sign_up(self, email: str | None = None, *, verified: bool = True) -> tuple[str, str]:
        """Create an account; returns (uid, ID token). ``verified`` marks the email verified first."""
        email = email or f"{uuid.uuid4().hex[:12]}@example.com"
        creds = {"email": email, "password": "pw-" + uuid.uuid4().hex, "returnSecureToken": True}
        data = requests.post(f"{self.base}/accounts:signUp?key=fake", json=creds, timeout=30).json()
        uid = str(data["localId"])
        if verified:
            requests.post(
                f"{self.base}/projects/{self.project}/accounts:update",
                headers={"Authorization": "Bearer owner"},
                json={"localId": uid, "emailVerified": True},
                timeout=30,
            ).raise_for_status()
            data = requests.post(
                f"{self.base}/accounts:signInWithPassword?key=fake", json=creds, timeout=30
            ).json()
        return uid, str(data["idToken"])


_auth_emulator: list[AuthEmulator] = []


def firebase_cli() -> str | None:
    local = ROOT / ".tools/firebase-tools/node_modules/.bin/firebase"
    if local.exists():
        return str(local)
    return shutil.which("firebase")


def auth_emulator(project: str = "demo-zapdoc") -> AuthEmulator:
    """Start the Auth emulator once per test process (stopped at exit); skip when firebase is absent."""
    import pytest

    if _auth_emulator:
        return _auth_emulator[0]
    cli = firebase_cli()
    if cli is None or shutil.which("java") is None:
        pytest.skip(
            "the Firebase Auth emulator needs firebase-tools and java "
            "(run scripts/install-firebase-emulator.sh)"
        )
    from zapdoc.dev.emulators import free_port, stop_process_group, wait_until

    workdir = Path(tempfile.mkdtemp(prefix="zapdoc-auth-emu-"))
    port, hub, logging_port = free_port(), free_port(), free_port()
    config = {
        "emulators": {
            "auth": {"host": "127.0.0.1", "port": port},
            "hub": {"host": "127.0.0.1", "port": hub},
            "logging": {"host": "127.0.0.1", "port": logging_port},
            "ui": {"enabled": False},
        }
    }
    (workdir / "firebase.json").write_text(json.dumps(config))
    log = (workdir / "auth.log").open("wb")
    proc = subprocess.Popen(
        [cli, "emulators:start", "--only", "auth", "--project", project, "--config", "firebase.json"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    atexit.register(stop_process_group, proc)
    emu = AuthEmulator(f"127.0.0.1:{port}", project, proc)

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError("auth emulator exited: " + (workdir / "auth.log").read_text()[-2000:])
        try:
            return requests.get(f"http://{emu.host}/", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    wait_until(ready, timeout=120, interval=0.3, what="Firebase Auth emulator")
    _auth_emulator.append(emu)
    return emu
