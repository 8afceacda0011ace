"""The README's layout table matches the tree: every path it names exists, and every top-level entry of
the repository and of ``shared/zapdoc`` is named in it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_IN_GIT_BUT_LISTED = {"shared/zapdoc/webapp/"}  # built by `make web`, gitignored


def layout_rows() -> list[tuple[list[str], str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first, rest = line[2:].split(" | ", 1)
            rows.append((re.findall(r"`([^`]+)`", first), rest))
    return rows


def tracked_top_levels(prefix: str = "") -> set[str]:
    out = subprocess.run(
        ["git", "ls-files", "--", prefix or "."], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    names = set()
    for path in out:
        rel = path[len(prefix) :] if prefix else path
        head, sep, _ = rel.partition("/")
        names.add(prefix + head + ("/" if sep else ""))
    return names


def test_every_path_in_the_layout_table_exists() -> None:
    rows = layout_rows()
    assert len(rows) >= 20
    missing = [
        p for paths, _ in rows for p in paths if not (ROOT / p).exists() and p not in NOT_IN_GIT_BUT_LISTED
    ]
    assert missing == []


def test_every_top_level_entry_is_in_the_layout_table() -> None:
    named = {p for paths, _ in layout_rows() for p in paths}
    # the repository's folders and project files (README.md and .gitignore describe themselves)
    top = tracked_top_levels() - {"README.md", ".gitignore", "shared/"}  # shared/: by its parts below
    assert sorted(top - named) == []
    # and every part of the package, files and folders (__init__.py and py.typed are the package's own)
    package = tracked_top_levels("shared/zapdoc/") - {"shared/zapdoc/__init__.py", "shared/zapdoc/py.typed"}
    assert sorted(package - named) == []
    assert (
        sorted({p for p in named if p.startswith("shared/zapdoc/")} - package - NOT_IN_GIT_BUT_LISTED) == []
    )
