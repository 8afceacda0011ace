"""The command-line client's local checks (the full flow runs against the local stack in integration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zapdoc.cli import main
from zapdoc.client.api_client import ZapdocClient, collect
from zapdoc.client.local_auth import local_token
from zapdoc.domain.errors import UsageError


def test_collect_finds_pdfs_and_zips_under_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/x.pdf", "a/y.ZIP", "a/notes.txt", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF")
    found = collect([tmp_path / "a", tmp_path / "b.pdf"])
    assert [p.name for p in found] == ["x.pdf", "y.ZIP", "b.pdf"]
    with pytest.raises(UsageError, match=r"only \.pdf and \.zip"):
        collect([tmp_path / "a/notes.txt"])
    with pytest.raises(UsageError, match="does not exist"):
        collect([tmp_path / "missing.pdf"])


def test_a_client_needs_a_credential() -> None:
    with pytest.raises(UsageError, match="ZAPDOC_API_KEY"):
        ZapdocClient("http://127.0.0.1:1", "")


def test_local_tokens_only_come_from_a_loopback_emulator() -> None:
    with pytest.raises(UsageError, match="loopback"):
        local_token("identitytoolkit.googleapis.com:443", "a@example.com")


def test_submit_needs_exactly_one_of_fields_and_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZAPDOC_API_KEY", "zd_x")
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    code = main(["submit", str(tmp_path / "a.pdf"), "--api", "http://127.0.0.1:1"])
    assert code == 2
    assert "exactly one of --fields" in capsys.readouterr().err
