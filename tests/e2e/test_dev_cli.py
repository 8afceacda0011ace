"""`zapdoc dev up`, `zapdoc dev submit`, `zapdoc dev down` as a user runs them (separate processes)."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.pipeline_support import invoice_pdf, zip_of
from zapdoc.dev import emulators
from zapdoc.dev.tcp_ports import dev_ports

pytestmark = [pytest.mark.emulators, pytest.mark.slow]


def start_zapdoc(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "zapdoc", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )


def interrupt(proc: subprocess.Popen[str], grace: float = 90) -> tuple[str, str]:
    """Ctrl-C: ``dev up`` stops what it already started (its processes run in sessions of their own, so
    killing it would leave them running on the stack's fixed ports for every later test)."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def zapdoc(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    proc = start_zapdoc(*args, cwd=cwd)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        out, err = interrupt(proc)
        pytest.fail(
            f"`zapdoc {' '.join(args)}` took over {timeout:.0f} s and was interrupted:\n{err[-3000:]}{out}"
        )
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def free_port_base(seed: int = 7) -> int:
    """A port base whose whole range of dev ports is free now (seeded choice, retried)."""
    rng = random.Random(seed)
    for _ in range(50):
        base = rng.randrange(20_000, 40_000)
        if all(_free(port) for port in dev_ports(base).values()):
            return base
    raise AssertionError("no free range of dev ports found")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def marked_processes(marker: str) -> list[int]:
    """Live processes whose environment carries ``ZAPDOC_TEST_MARKER=marker`` (inherited by children)."""
    found = []
    needle = f"ZAPDOC_TEST_MARKER={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0") and _running(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


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


def test_ctrl_c_during_dev_up_stops_everything_it_had_started(tmp_path: Path) -> None:
    if emulators.missing_tools():
        pytest.skip("needs gcloud and java for the emulators (scripts/install-emulators.sh)")
    marker = uuid.uuid4().hex
    # GIVEN `dev up` part-way through its start: the emulators are up and the functions are starting
    base = free_port_base()  # not the default ports, which the other test of this file uses
    proc = start_zapdoc(
        "dev", "up", "--no-api", "--port-base", str(base), cwd=tmp_path, env={"ZAPDOC_TEST_MARKER": marker}
    )
    logs = tmp_path / ".zapdoc-dev"
    deadline = time.monotonic() + 180
    while not list(logs.glob("fn-*.log")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)  # polling for the first function's log: the emulators are up by then
    assert proc.poll() is None, "dev up ended before it could be interrupted"
    assert list(logs.glob("fn-*.log")), "no function was started within 180 s"
    started = marked_processes(marker)
    assert len(started) >= 4  # dev up, the three emulators (and their JVMs), the first functions
    # WHEN the user presses Ctrl-C
    out, err = interrupt(proc)
    # THEN it says so, and nothing it started is left running, nothing records a stack
    assert proc.returncode == 130, err + out
    assert "interrupted" in err
    deadline = time.monotonic() + 30
    while marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: _cmdline(pid) for pid in marked_processes(marker)}
    assert left == {}, f"still running after Ctrl-C: {left}\n{err[-2000:]}"
    assert not (logs / "stack.json").exists()
    assert "nothing was running" in zapdoc("dev", "down", cwd=tmp_path).stdout
