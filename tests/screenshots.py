"""Where the browser and mail-rendering tests save their screenshots.

A test run writes them to a folder under the system's temp dir, so it leaves the checked-in images of
docs/screenshots/ alone; ``make screenshots`` sets ``ZAPDOC_SCREENSHOTS=docs/screenshots`` and runs the
tests that take them, to refresh what the README shows."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

VARIABLE = "ZAPDOC_SCREENSHOTS"


def screenshots_dir() -> Path:
    configured = os.environ.get(VARIABLE)
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "zapdoc-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
