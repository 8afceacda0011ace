"""The README's webhook receiver, run exactly as printed there (a subprocess), for tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from zapdoc.dev.emulators import free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- webhook-receiver:"


def readme_receiver_source() -> str:
    """The python block right after the README's webhook-receiver marker."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(re.escape(MARKER) + r".*?-->\n```python\n(.*?)```", readme, re.S)
    assert found, "README.md lost its webhook receiver block"
    return found.group(1)


@dataclass
class Receiver:
    process: subprocess.Popen[str]
    url: str
    port: int

    def stop(self) -> str:
        """Stop it; everything it printed."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=10)
        return out


def start_readme_receiver(secret: str, workdir: Path) -> Receiver:
    script = workdir / "receiver.py"
    script.write_text(readme_receiver_source())
    port = free_port()
    env = {**os.environ, "ZAPDOC_WEBHOOK_SECRET": secret, "PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return proc.poll() is not None  # exited: stop waiting, the caller sees it

    wait_until(listening, timeout=30, what="README webhook receiver")
    assert proc.poll() is None, "the README receiver exited"
    return Receiver(proc, f"http://127.0.0.1:{port}/", port)
