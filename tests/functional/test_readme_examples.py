"""The README's example output is what a real run prints (scripts/readme-examples --check)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_readme_examples_match_a_real_run() -> None:
    # GIVEN the README WHEN the examples are regenerated from a real `zapdoc extract` run
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme-examples"), "--check"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    # THEN nothing differs (apart from elapsed times); otherwise run scripts/readme-examples
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
