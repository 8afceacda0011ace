"""Where ``zapdoc dev up`` leaves word of the local stack it started (``.zapdoc-dev/stack.json``: URLs,
process ids, the client environment), read by the client commands to find it and written by
``zapdoc.dev.stack`` (``bootstrap.client_runtime`` builds a runtime on its emulators)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STATE_FILE = "stack.json"


def load_state(state_dir: Path) -> dict[str, Any] | None:
    """The state ``zapdoc dev up`` wrote in ``state_dir``, or None when no stack runs from there."""
    try:
        data: dict[str, Any] = json.loads((state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data
