"""API keys (hash-only storage, revocation, last use) and the guard on the Auth emulator setting."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pipeline_support import Clock
from zapdoc.adapters.memory import MemoryStore
from zapdoc.domain.errors import ConfigError, UsageError
from zapdoc.services.api_keys import ApiKeys, hash_key
from zapdoc.settings import Settings


def test_a_new_key_authenticates_and_only_its_hash_is_stored() -> None:
    store, clock = MemoryStore(), Clock()
    keys = ApiKeys(store, clock)
    new = keys.create("alice", "  deploy   bot ")
    assert new.name == "deploy bot"
    assert new.key.startswith(f"zd_{new.id}_")
    assert keys.authenticate(new.key) == "alice"
    (path,) = store.paths("api_keys/")
    record = store.get(path)
    assert record is not None
    assert record.data["hash"] == hash_key(new.key)
    assert new.key not in repr(record.data)


def test_last_use_is_recorded_at_most_once_a_minute() -> None:
    store, clock = MemoryStore(), Clock()
    keys = ApiKeys(store, clock)
    new = keys.create("alice", "k")
    keys.authenticate(new.key)
    first = keys.list("alice")[0]["last_used_at"]
    commits = store.commits
    keys.authenticate(new.key)
    assert store.commits == commits  # same minute: no write
    clock.now += dt.timedelta(minutes=2)
    keys.authenticate(new.key)
    assert keys.list("alice")[0]["last_used_at"] > first


def test_revoked_wrong_and_malformed_keys_do_not_authenticate() -> None:
    keys = ApiKeys(MemoryStore(), Clock())
    new = keys.create("alice", "k")
    assert keys.revoke("bob", new.id) is False  # not bob's key
    assert keys.authenticate(new.key) == "alice"
    assert keys.revoke("alice", new.id) is True
    assert keys.authenticate(new.key) is None
    for bad in ("", "zd_", "zd_xyz_abc", f"zd_{new.id}_", f"zd_{new.id}_wrong", "sk_live_123"):
        assert keys.authenticate(bad) is None


def test_active_keys_are_limited() -> None:
    keys = ApiKeys(MemoryStore(), Clock(), max_keys=2)
    first = keys.create("alice", "a")
    keys.create("alice", "b")
    with pytest.raises(UsageError, match="at most 2"):
        keys.create("alice", "c")
    keys.revoke("alice", first.id)
    assert keys.create("alice", "c").name == "c"


def test_the_auth_emulator_is_only_allowed_on_loopback_and_never_on_cloud_functions() -> None:
    from zapdoc.adapters.firebase_auth import FirebaseTokenVerifier

    assert Settings.from_env({}).api.auth_emulator_host == ""
    local = Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"})
    assert local.api.auth_emulator_host == "127.0.0.1:9099"
    with pytest.raises(ConfigError, match="loopback"):
        Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "auth.example.com:9099"})
    with pytest.raises(ConfigError, match="Cloud Functions"):
        Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "localhost:9099", "K_SERVICE": "api"})
    # the adapter refuses the same when built by hand
    with pytest.raises(ConfigError, match="loopback"):
        FirebaseTokenVerifier("p", emulator_host="auth.example.com:9099")
    with pytest.raises(ConfigError, match="Cloud Functions"):
        FirebaseTokenVerifier("p", emulator_host="localhost:9099", on_cloud=True)


def unsigned_token(project: str, uid: str) -> str:
    """An ``alg: none`` token with every claim right, as the Auth emulator issues them."""
    import base64
    import json
    import time

    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project}", "aud": project, "sub": uid, "user_id": uid,
        "iat": now, "exp": now + 3600, "auth_time": now, "email": "a@example.com", "email_verified": True,
    }  # fmt: skip
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_unsigned_tokens_are_refused_without_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    from firebase_admin import credentials

    from tests.api_support import SIGNING_KEY
    from zapdoc.adapters.firebase_auth import FirebaseTokenVerifier
    from zapdoc.api.ports import InvalidToken

    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    verifier = FirebaseTokenVerifier("demo-unsigned", credential=credentials.Certificate(SIGNING_KEY))
    with pytest.raises(InvalidToken):
        verifier.verify(unsigned_token("demo-unsigned", "mallory"))
    with pytest.raises(InvalidToken):
        verifier.verify("")


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"aud": "another-project"}, False),
        ({"iss": "https://securetoken.google.com/another-project"}, False),
        ({"exp": 1_000_000_000, "iat": 999_990_000, "auth_time": 999_990_000}, False),
        ({"sub": ""}, False),
    ],
)
def test_emulator_tokens_still_have_issuer_audience_expiry_and_subject_checked(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, object], valid: bool
) -> None:
    import base64
    import json

    from zapdoc.adapters.firebase_auth import FirebaseTokenVerifier
    from zapdoc.api.ports import InvalidToken

    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9")  # never contacted for verification
    header, claims, _ = unsigned_token("demo-claims", "alice").split(".")
    data = json.loads(base64.urlsafe_b64decode(claims + "=="))
    data.update(change)
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    verifier = FirebaseTokenVerifier("demo-claims", emulator_host="127.0.0.1:9")
    if valid:
        assert verifier.verify(f"{header}.{body}.").uid == "alice"
    else:
        with pytest.raises(InvalidToken):
            verifier.verify(f"{header}.{body}.")
