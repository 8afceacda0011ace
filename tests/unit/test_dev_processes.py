"""How the local stack starts and stops its processes: a Ctrl-C never orphans one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zapdoc.dev.emulators import _group_alive, interrupts_deferred, stop_process_group

# A leader that exits on SIGTERM, leaving a child that ignores SIGTERM (as gcloud leaves its Java).
STUBBORN_CHILD = """
import signal, subprocess, sys, time
ignore_term = "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
argv = [sys.executable, "-c", "import signal, time; " + ignore_term]
child = subprocess.Popen(argv, stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_ctrl_c_while_a_child_is_started_is_raised_after_it_is_recorded() -> None:
    recorded: list[str] = []

    # GIVEN a start that is interrupted part-way through
    def start() -> None:
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # a signal handler runs between bytecodes: give it the chance to
            # WHEN the rest of the block runs (the child is recorded)
            recorded.append("child")

    with pytest.raises(KeyboardInterrupt):
        start()
    # THEN the interrupt was held until the record was made, then raised; Ctrl-C works as before after
    assert recorded == ["child"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_without_a_ctrl_c_nothing_is_raised() -> None:
    with interrupts_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_stopping_a_group_waits_for_what_outlives_its_leader(tmp_path: Path) -> None:
    # GIVEN a process group whose leader goes on SIGTERM and whose child ignores it
    leader = subprocess.Popen(
        [sys.executable, "-c", STUBBORN_CHILD], stdout=subprocess.PIPE, start_new_session=True, text=True
    )
    assert leader.stdout is not None
    child = int(leader.stdout.readline())
    # WHEN the group is stopped
    stop_process_group(leader, timeout=2)  # type: ignore[arg-type]
    # THEN nothing of it runs any more: the child was killed once the grace time was over
    assert leader.poll() is not None
    assert not _group_alive(leader.pid)
    assert _state(child) in (None, "Z")  # gone, or a zombie waiting for an init that may never reap it


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except OSError:
        return None
