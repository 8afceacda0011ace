"""API keys (hash-only storage, revocation, last use) and the guard on the Auth emulator setting."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pipeline_support import Clock
from zapdoc.adapters.firebase_auth import check_emulator_setting
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
    on = {"ZAPDOC_AUTH_EMULATOR": "1"}  # emulator auth is an explicit local-only setting (issue 9)
    assert check_emulator_setting({}) == ""
    assert check_emulator_setting({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099", **on}) == "127.0.0.1:9099"
    with pytest.raises(ConfigError, match="loopback"):
        check_emulator_setting({"FIREBASE_AUTH_EMULATOR_HOST": "auth.example.com:9099", **on})
    with pytest.raises(ConfigError, match="Cloud Functions"):
        check_emulator_setting({"FIREBASE_AUTH_EMULATOR_HOST": "localhost:9099", "K_SERVICE": "api", **on})
    # the same rules through the one settings model
    from zapdoc.adapters.firebase_auth import FirebaseTokenVerifier

    assert Settings.from_env({}).api.emulator_host() == ""
    local = Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099", **on})
    assert local.api.auth_emulator_host == "127.0.0.1:9099"
    assert local.api.emulator_host() == "127.0.0.1:9099"
    with pytest.raises(ConfigError, match="loopback"):
        Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "auth.example.com:9099", **on})
    with pytest.raises(ConfigError, match="Cloud Functions"):
        Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "localhost:9099", "K_SERVICE": "api", **on})
    with pytest.raises(ConfigError, match="ZAPDOC_AUTH_EMULATOR"):
        Settings.from_env({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}).api.emulator_host()
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
    from zapdoc.ports.auth import InvalidToken

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
    from zapdoc.ports.auth import InvalidToken

    lookup = AccountLookup()  # answers the revocation check (accounts:lookup) as the Auth API does
    host = lookup.host
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", host)
    monkeypatch.setenv("ZAPDOC_AUTH_EMULATOR", "1")
    header, claims, _ = unsigned_token("demo-claims", "alice").split(".")
    data = json.loads(base64.urlsafe_b64decode(claims + "=="))
    data.update(change)
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    verifier = FirebaseTokenVerifier("demo-claims", emulator_host=host)
    if valid:
        assert verifier.verify(f"{header}.{body}.").uid == "alice"
    else:
        with pytest.raises(InvalidToken):
            verifier.verify(f"{header}.{body}.")


class AccountLookup:
    """A loopback stand-in for the Identity Toolkit ``accounts:lookup`` call firebase-admin makes to
    check revocation: every uid exists, is enabled and was never revoked."""

    def __init__(self) -> None:
        import json
        import threading

        from werkzeug.serving import make_server
        from werkzeug.wrappers import Request, Response

        self.paths: list[str] = []

        @Request.application
        def app(request: Request) -> Response:
            self.paths.append(request.path)
            ids = (request.get_json(silent=True) or {}).get("localId") or []
            users = [{"localId": uid, "email": "a@example.com", "disabled": False} for uid in ids]
            return Response(json.dumps({"users": users}), content_type="application/json")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.host = f"127.0.0.1:{self.server.server_port}"


def test_emulator_auth_needs_the_explicit_local_setting() -> None:
    # A stray emulator host alone must not switch signature checks off: it is refused outright.
    with pytest.raises(ConfigError, match="ZAPDOC_AUTH_EMULATOR"):
        check_emulator_setting({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"})
    with pytest.raises(ConfigError, match="needs FIREBASE_AUTH_EMULATOR_HOST"):
        check_emulator_setting({"ZAPDOC_AUTH_EMULATOR": "1"})
    for marker in ("K_SERVICE", "K_REVISION"):
        with pytest.raises(ConfigError, match="Cloud Functions"):
            check_emulator_setting({"ZAPDOC_AUTH_EMULATOR": "1", marker: "api-00001"})
    with pytest.raises(ConfigError, match="must be 1"):
        check_emulator_setting({"ZAPDOC_AUTH_EMULATOR": "yes"})
    assert check_emulator_setting({"K_SERVICE": "api"}) == ""  # deployed, emulator off: fine


def test_the_deployed_api_function_refuses_to_start_with_emulator_auth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    from pathlib import Path

    import functions_framework

    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("K_SERVICE", "api")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    monkeypatch.setenv("ZAPDOC_AUTH_EMULATOR", "1")
    monkeypatch.delitem(sys.modules, "main", raising=False)
    with pytest.raises(ConfigError, match="Cloud Functions"):
        functions_framework.create_app(  # type: ignore[no-untyped-call]
            target="api", source=str(root / "functions/api/main.py"), signature_type="http"
        )


def test_api_keys_of_disabled_accounts_are_refused() -> None:
    from tests.api_support import api_context, fake_token
    from tests.pipeline_support import memory_world
    from zapdoc.api import app as api_app
    from zapdoc.api.http import ApiError

    world = memory_world()
    ctx = api_context(world.rt)
    token = fake_token("carol")

    class Req:
        def __init__(self, bearer: str) -> None:
            self.headers = {"Authorization": f"Bearer {bearer}"}

    assert api_app.authenticate(ctx, Req(token)).user_id == "carol"  # type: ignore[arg-type]
    key = ctx.keys.create("carol", "script").key
    assert api_app.authenticate(ctx, Req(key)).via == "api_key"  # type: ignore[arg-type]
    ctx.verifier.disabled.add("carol")  # type: ignore[attr-defined]
    for bearer in (key, token):
        with pytest.raises(ApiError) as err:
            api_app.authenticate(ctx, Req(bearer))  # type: ignore[arg-type]
        assert err.value.status == 401
