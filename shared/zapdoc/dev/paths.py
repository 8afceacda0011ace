"""Where the checkout is (local stack and packaging only)."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The checkout holding ``functions/`` (the package lives in ``shared/zapdoc``)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "functions").is_dir() and (parent / "shared").is_dir():
            return parent
    return Path.cwd()
