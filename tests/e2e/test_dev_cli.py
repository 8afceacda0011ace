"""`zapdoc dev up`, `zapdoc dev submit`, `zapdoc dev down` as a user runs them (separate processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline_support import invoice_pdf, zip_of
from zapdoc.dev import emulators

pytestmark = [pytest.mark.emulators, pytest.mark.slow]


def zapdoc(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zapdoc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _running(pid: int) -> bool:
    """True if ``pid`` is a live (non-zombie) process."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def listening_addresses(groups: set[int]) -> list[str]:
    """Hex local addresses (``/proc/net/tcp*``) of sockets listened on by processes in ``groups``."""
    inodes: set[str] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            pgrp = int((entry / "stat").read_text().split(") ", 1)[1].split()[2])
            if pgrp not in groups:
                continue
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (OSError, IndexError, ValueError):
            continue
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and parts[9] in inodes:  # 0A = LISTEN
                found.append(parts[1].rsplit(":", 1)[0])
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


def test_dev_up_submit_down(tmp_path: Path) -> None:
    if emulators.missing_tools():
        pytest.skip("needs gcloud and java for the emulators (scripts/install-emulators.sh)")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.pdf").write_bytes(invoice_pdf("INV-501", "12.00", pages=2))
    (tmp_path / "docs" / "more.zip").write_bytes(zip_of({"b.pdf": invoice_pdf("INV-502", "3.50")}))
    # GIVEN the local stack started from the command line
    up = zapdoc("dev", "up", "--sweep-every", "3600", cwd=tmp_path)
    try:
        assert up.returncode == 0, up.stderr + up.stdout
        assert "ZapDoc local stack is up" in up.stdout
        assert "127.0.0.1" in up.stdout and "0.0.0.0" not in up.stdout
        started = json.loads((tmp_path / ".zapdoc-dev" / "stack.json").read_text())["pids"]
        addresses = listening_addresses({int(p) for p in started.values()})
        assert len(addresses) >= 10 and set(addresses) <= LOOPBACK  # everything on 127.0.0.1 only
        # WHEN files are submitted for a new local user
        sent = zapdoc(
            "dev", "submit", "docs", "--fields", "invoice_number, total:amount", "--user", "ann@example.com",
            "--credits", "10", cwd=tmp_path,
        )  # fmt: skip
        # THEN the delivered workbook's path and the credits are printed, and the mail was captured
        assert sent.returncode == 0, sent.stderr + sent.stdout
        assert "delivered, 2 documents extracted" in sent.stdout
        assert "uploading 2 files" in sent.stdout  # progress while it waits
        assert "credits charged: 3, refunded: 0, balance: 7" in sent.stdout
        workbook = Path(sent.stdout.split("workbook: ", 1)[1].splitlines()[0])
        assert workbook.is_file() and workbook.suffix == ".xlsx"
        assert len(list((tmp_path / ".outbox").glob("*.eml"))) == 1
        pids = json.loads((tmp_path / ".zapdoc-dev" / "stack.json").read_text())["pids"]
    finally:
        down = zapdoc("dev", "down", cwd=tmp_path)
    # AND `dev down` stopped everything it started
    assert down.returncode == 0 and "stopped:" in down.stdout
    assert not (tmp_path / ".zapdoc-dev" / "stack.json").exists()
    assert set(pids) >= {"firestore", "pubsub", "storage", "sendgrid", "bridge", "fn-intake", "fn-assemble"}
    assert not [name for name, pid in pids.items() if _running(int(pid))]
    assert "nothing was running" in zapdoc("dev", "down", cwd=tmp_path).stdout
