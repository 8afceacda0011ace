"""Start and stop the Firestore, Pub/Sub and Cloud Storage emulators on free loopback ports.

Used by the test fixtures and by ``zapdoc dev up``. Each emulator runs in its own process group so
stopping it also stops the Java process gcloud spawns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from zapdoc.domain.errors import ConfigError

HOST = "127.0.0.1"


class EmulatorUnavailable(ConfigError):
    """A tool the emulator needs (gcloud, java, the emulator component) is not installed."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def missing_tools() -> list[str]:
    """Names of the executables the Firestore/Pub/Sub emulators need that are not on PATH."""
    return [tool for tool in ("gcloud", "java") if shutil.which(tool) is None]


def wait_until(check: Callable[[], bool], *, timeout: float, interval: float = 0.1, what: str = "") -> None:
    """Poll ``check`` until it returns True; raise TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what or 'a condition'}")


def http_ok(url: str) -> bool:
    """True when ``url`` answers an HTTP GET with any status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 (loopback URL we built)
            return int(resp.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False


@dataclass
class Emulator:
    """A running emulator process: its name, address and the environment variable clients read."""

    name: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: object = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the whole process group (gcloud launches Java as a child)."""
        stop_process_group(self.process, timeout=timeout)
        close = getattr(self._log_file, "close", None)
        if close is not None:
            close()

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def stop_process_group(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """Send SIGTERM to the process group of ``process``, then SIGKILL what is left of it.

    Waits for the whole group, not only its leader: gcloud can exit while the Java it started is still
    shutting down, and a server is not stopped until nothing of it holds its port."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the leader may be gone, its Java not
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the group: there is no wait() for processes that are not our children
    if process.poll() is None or _group_alive(process.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    """True while a process of group ``pgid`` runs; zombies do not count (an init that does not reap
    orphans leaves them in the group for good)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C while a child process is started and recorded, then raise it.

    A KeyboardInterrupt that lands between the fork and the line that records the child leaves a
    process nobody knows to stop (the children run in sessions of their own, so Ctrl-C does not reach
    them). Outside the main thread signals are not delivered to Python code: nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt


def start_in_session(
    argv: list[str],
    log: IO[bytes],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    on_start: Callable[[subprocess.Popen[bytes]], object] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a session of its own (a terminal's Ctrl-C does not reach it; its process group
    is stopped as one), output to ``log``; ``on_start`` records it before a held Ctrl-C is raised."""
    with interrupts_deferred():
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        if on_start is not None:
            on_start(process)
    return process


def _spawn(
    name: str,
    argv: list[str],
    log_dir: Path,
    env: dict[str, str] | None = None,
    on_start: Callable[[subprocess.Popen[bytes]], object] | None = None,
) -> tuple[subprocess.Popen[bytes], Path, object]:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    return start_in_session(argv, log_file, env=env, on_start=on_start), log_path, log_file


def _wait_ready(emulator: Emulator, check: Callable[[], bool], timeout: float) -> Emulator:
    try:
        wait_until(
            lambda: check() or not emulator.alive(), timeout=timeout, interval=0.2, what=f"{emulator.name}"
        )
        if not emulator.alive():
            raise RuntimeError(f"{emulator.name} emulator exited early:\n{emulator.log_tail()}")
    except BaseException:
        emulator.stop()
        raise
    return emulator


def _require_gcloud() -> str:
    missing = missing_tools()
    if missing:
        raise EmulatorUnavailable(
            f"{' and '.join(missing)} not found: install google-cloud-cli, its firestore/pubsub emulator "
            "packages and a Java runtime (scripts/install-emulators.sh)"
        )
    return shutil.which("gcloud") or "gcloud"


def start_firestore(
    *,
    port: int | None = None,
    log_dir: Path | None = None,
    timeout: float = 60,
    on_start: Callable[[subprocess.Popen[bytes]], object] | None = None,
) -> Emulator:
    """Start the Firestore emulator; returns once it answers HTTP."""
    gcloud = _require_gcloud()
    port = port or free_port()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="zapdoc-emu-"))
    argv = [gcloud, "emulators", "firestore", "start", f"--host-port={HOST}:{port}", "--quiet"]
    process, log_path, log_file = _spawn("firestore", argv, log_dir, on_start=on_start)
    emu = Emulator(
        "firestore", port, {"FIRESTORE_EMULATOR_HOST": f"{HOST}:{port}"}, process, log_path, log_file
    )
    return _wait_ready(emu, lambda: http_ok(f"{emu.url}/"), timeout)


def start_pubsub(
    *,
    project: str,
    port: int | None = None,
    log_dir: Path | None = None,
    timeout: float = 60,
    push_parallelism: int = 32,
    on_start: Callable[[subprocess.Popen[bytes]], object] | None = None,
) -> Emulator:
    """Start the Pub/Sub emulator; returns once it answers HTTP."""
    gcloud = _require_gcloud()
    port = port or free_port()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="zapdoc-emu-"))
    argv = [
        gcloud, "beta", "emulators", "pubsub", "start",
        f"--host-port={HOST}:{port}", f"--project={project}", "--quiet",
    ]  # fmt: skip
    # The emulator sizes its push thread pool by the processor count (2 here, so at most 2 pushes in
    # flight per subscription); report more processors so pushes fan out like the real service.
    java_opts = (
        f"{os.environ.get('JAVA_TOOL_OPTIONS', '')} -XX:ActiveProcessorCount={push_parallelism}".strip()
    )
    process, log_path, log_file = _spawn(
        "pubsub", argv, log_dir, env={"JAVA_TOOL_OPTIONS": java_opts}, on_start=on_start
    )
    emu = Emulator("pubsub", port, {"PUBSUB_EMULATOR_HOST": f"{HOST}:{port}"}, process, log_path, log_file)
    return _wait_ready(emu, lambda: http_ok(f"{emu.url}/"), timeout)


def storage_emulator_argv(port: int) -> list[str]:
    """Command line for gcp-storage-emulator using the current interpreter's installation."""
    exe = Path(sys.executable).with_name("gcp-storage-emulator")
    prog = [str(exe)] if exe.exists() else [sys.executable, "-m", "gcp_storage_emulator"]
    return [*prog, "start", f"--host={HOST}", f"--port={port}", "--in-memory"]


def start_storage(
    *,
    port: int | None = None,
    log_dir: Path | None = None,
    timeout: float = 30,
    on_start: Callable[[subprocess.Popen[bytes]], object] | None = None,
) -> Emulator:
    """Start gcp-storage-emulator (in memory); returns once its JSON API answers."""
    port = port or free_port()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="zapdoc-emu-"))
    process, log_path, log_file = _spawn("storage", storage_emulator_argv(port), log_dir, on_start=on_start)
    emu = Emulator(
        "storage", port, {"STORAGE_EMULATOR_HOST": f"http://{HOST}:{port}"}, process, log_path, log_file
    )
    return _wait_ready(emu, lambda: http_ok(f"{emu.url}/storage/v1/b"), timeout)
