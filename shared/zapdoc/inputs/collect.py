"""Files and folders named on the command line -> documents, one file read at a time."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from zapdoc.domain.documents import Rejected, Source
from zapdoc.domain.errors import UsageError
from zapdoc.inputs.archive import DEFAULT_LIMITS, Limits, expand, file_too_big

_JUNK_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


def collect(paths: Sequence[str | Path], limits: Limits = DEFAULT_LIMITS) -> Iterator[Source | Rejected]:
    """Expand each file (folders recursively, sorted, hidden files skipped) into sources and rejections.

    Every path is checked before anything is read, so a typo fails fast with ``UsageError``. Names are
    the paths as given (relative stay relative); zip entries read ``archive.zip/dir/x.pdf``.
    """
    given = [Path(p) for p in paths]
    missing = [str(p) for p in given if not p.exists()]
    if missing:
        listed = ", ".join(f"'{m}'" for m in missing)
        noun = "path does" if len(missing) == 1 else "paths do"
        raise UsageError(
            f"{listed}: {noun} not exist; check the spelling or give a file or folder that exists"
        )
    return _collect(given, limits)


def _collect(paths: list[Path], limits: Limits) -> Iterator[Source | Rejected]:
    for path in paths:
        files = _walk(path) if path.is_dir() else [path]
        for file in files:
            yield from _read(file, limits)


def _walk(folder: Path) -> list[Path]:
    """Regular files under ``folder``, sorted like ``find | sort``; hidden entries and junk skipped.

    Symlinked folders are not entered (they can loop); symlinked files are read.
    """
    found: list[tuple[tuple[str, ...], Path]] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(root)
        rel = base.relative_to(folder).parts
        found.extend(
            ((*rel, name), base / name)
            for name in names
            if not name.startswith(".") and name.lower() not in _JUNK_FILES
        )
    found.sort(key=lambda pair: pair[0])
    return [path for _, path in found]


def _read(path: Path, limits: Limits) -> Iterator[Source | Rejected]:
    name = str(path)
    try:
        info = path.stat()  # follows symlinks; raises if the file vanished since it was listed
        if not stat.S_ISREG(info.st_mode):
            yield Rejected(name, "not a regular file (a device, socket or pipe); give a PDF or a .zip")
            return
        if info.st_size > limits.max_file_bytes:
            yield Rejected(name, file_too_big(info.st_size, limits))
            return
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        yield Rejected(name, f"the file could not be read ({exc.strerror or exc})")
        return
    yield from expand(name, data, limits)
