"""Test-only wrapper: run a function under functions-framework with crashes at step boundaries.

``python -m zapdoc.dev.crashpoints --source functions/intake/main.py --target intake ...`` takes the
same arguments as ``python -m functions_framework``. With ``ZAPDOC_CRASH_AT=point,...`` (and a marker
directory in ``ZAPDOC_CRASH_MARKERS``) the process dies with ``os._exit`` the first time each named
point is reached, as a killed instance would. The local stack uses it only when crash points are set;
no deployed function contains it (packaging leaves ``zapdoc.dev`` out).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from zapdoc.services.runtime import no_crash
from zapdoc.settings import DevSettings


def crash_hook(dev: DevSettings) -> Callable[[str], None]:
    """Kill the process at each point of ``dev.crash_at``, once per point (remembered in a marker file)."""
    points = set(dev.crash_at)
    if not points or not dev.crash_markers:
        return no_crash
    markers = Path(dev.crash_markers)

    def crash(point: str) -> None:
        marker = markers / point
        if point in points and not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("crashed\n")
            os._exit(70)

    return crash


def main(argv: list[str] | None = None) -> None:
    from functions_framework._cli import _cli

    from zapdoc import bootstrap

    settings = bootstrap.settings()
    bootstrap.install(bootstrap.build_runtime(settings, crash=crash_hook(settings.dev)))
    _cli.main(args=sys.argv[1:] if argv is None else argv, prog_name="zapdoc.dev.crashpoints")


if __name__ == "__main__":
    main()
