"""``zapdoc login`` against the Firebase Auth emulator: sign up, sign in, a stored refreshable token used
by the client, and a clear sentence for every error the emulator answers."""

from __future__ import annotations

import io
import json
import stat
import time
import uuid
from pathlib import Path

import pytest

from tests.api_support import auth_emulator
from zapdoc.cli import main
from zapdoc.client import login as L
from zapdoc.client.local_auth import local_token
from zapdoc.domain.errors import PermanentError, UsageError

pytestmark = pytest.mark.slow


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("ZAPDOC_API_KEY", raising=False)
    monkeypatch.delenv("ZAPDOC_TOKEN", raising=False)
    return tmp_path / "config"


def _email() -> str:
    return f"login-{uuid.uuid4().hex[:10]}@example.com"


def test_login_signs_up_stores_a_private_refreshable_token_and_signs_out(
    config_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = auth_emulator()
    email = _email()
    # GIVEN a new address on the local Auth emulator; WHEN `zapdoc login --sign-up` runs with a password
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    code = main(["login", "--email", email, "--sign-up", "--password-stdin", "--auth", emu.host,
                 "--project", emu.project])  # fmt: skip
    # THEN it says who is signed in and stores the tokens where only the user can read them
    assert code == 0, capsys.readouterr().err
    assert f"signed in as {email}" in capsys.readouterr().out
    path = config_home / "zapdoc" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["email"] == email and stored["refresh_token"] and stored["id_token"]
    # WHEN the token is about to expire THEN the client refreshes it through the secure-token endpoint
    stored["expires_at"] = 0
    path.write_text(json.dumps(stored))
    fresh = L.fresh_token()
    # (the emulator's unsigned tokens are identical within one second, so the proof is the new expiry)
    assert fresh and json.loads(path.read_text())["id_token"] == fresh
    assert json.loads(path.read_text())["expires_at"] > time.time() + 1800
    # AND signing in again without --sign-up works with the same password, and logout forgets it
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["login", "--email", email, "--password-stdin", "--auth", emu.host]) == 0
    assert main(["logout"]) == 0 and not path.exists()
    assert L.fresh_token() == ""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong password", "wrong"),
        ("unknown address", "no account for"),
        ("already exists", "already has an account"),
        ("weak password", "too weak"),
        ("invalid email", "not a valid email address"),
        ("missing password", "give a password"),
    ],
)
def test_every_auth_error_becomes_a_sentence(case: str, expected: str) -> None:
    emu = auth_emulator()
    email = _email()
    L.sign_in(email, "first-password", emulator_host=emu.host, sign_up=True, project=emu.project)
    attempts = {
        "wrong password": lambda: L.sign_in(email, "not-it", emulator_host=emu.host),
        "unknown address": lambda: L.sign_in(_email(), "whatever1", emulator_host=emu.host),
        "already exists": lambda: L.sign_in(email, "first-password", emulator_host=emu.host, sign_up=True),
        "weak password": lambda: L.sign_in(_email(), "123", emulator_host=emu.host, sign_up=True),
        "invalid email": lambda: L.sign_in("not@an@address", "whatever1", emulator_host=emu.host),
        "missing password": lambda: L.sign_in(email, "", emulator_host=emu.host),
    }
    # WHEN the emulator refuses THEN the message says what happened in words, not a raw code or KeyError
    with pytest.raises((PermanentError, UsageError)) as info:
        attempts[case]()
    message = str(info.value)
    assert expected in message, message
    assert "localId" not in message and "_" not in message.split(":", maxsplit=1)[0]


def test_local_token_for_an_address_with_another_password_says_what_to_do() -> None:
    emu = auth_emulator()
    email = _email()
    L.sign_in(email, "my-own-password", emulator_host=emu.host, sign_up=True, project=emu.project)
    with pytest.raises(PermanentError) as info:
        local_token(emu.host, email, project=emu.project)
    message = str(info.value)
    assert "already exists" in message and f"zapdoc login --email {email}" in message
    assert "localId" not in message


def test_submit_without_any_credential_says_how_to_get_one(
    config_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    code = main(["submit", str(tmp_path / "a.pdf"), "--template", "invoice", "--api", "http://127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert "zapdoc login --email" in err and "ZAPDOC_API_KEY" in err


def test_every_known_error_code_has_a_sentence() -> None:
    for code in L.AUTH_ERRORS:
        text = L.explain(f"{code} : detail", "a@example.com")
        assert code not in text and text
    assert L.explain("WEAK_PASSWORD : Password should be at least 6 characters") == (
        "the password is too weak: Password should be at least 6 characters"
    )
    assert "refused: SOMETHING_NEW" in L.explain("SOMETHING_NEW")
