"""Where ``zapdoc dev up`` leaves word of the local stack it started (``.zapdoc-dev/stack.json``: URLs,
process ids, the client environment), read by the client commands to find it and written by
``zapdoc.dev.stack``; and a runtime on that stack's emulators for commands that read the store."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zapdoc.services.runtime import Runtime

STATE_FILE = "stack.json"


def load_state(state_dir: Path) -> dict[str, Any] | None:
    """The state ``zapdoc dev up`` wrote in ``state_dir``, or None when no stack runs from there."""
    try:
        data: dict[str, Any] = json.loads((state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data


def client_runtime(env: Mapping[str, str]) -> Runtime:
    """A runtime for the submitting client: Firestore and storage of the local stack (no mail, no bus)."""
    import os

    from zapdoc.bootstrap import build_runtime

    os.environ.update(env)  # the Google clients read emulator hosts from the environment
    return build_runtime(dict(os.environ))
