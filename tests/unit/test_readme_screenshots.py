"""The README shows every screenshot the browser and mail tests write to docs/screenshots/ (issue 10/13)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_web_app_screenshot_is_shown_in_the_readme() -> None:
    shots = {p.name for p in (ROOT / "docs" / "screenshots").glob("*.png") if not p.name.startswith("mail-")}
    shown = set(re.findall(r"docs/screenshots/([\w.-]+\.png)", (ROOT / "README.md").read_text()))
    assert {"sign-in-desktop.png", "new-job-phone.png", "credits-desktop.png"} <= shots
    assert shots <= shown, f"not in the README: {sorted(shots - shown)}"
