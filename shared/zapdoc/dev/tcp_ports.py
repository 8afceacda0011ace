"""Fixed ports of ``zapdoc dev up``: the same URLs from one run to the next (the web app's first).

Every service has a fixed offset from one base port (default 8780, so the web app is
http://127.0.0.1:8780); ``--port-base`` or ``ZAPDOC_DEV_PORT_BASE`` moves them all. Before starting
anything every port is checked, and a taken one is a clear error naming the service and the way out.
Tests pass no ports and get free ones.
"""

from __future__ import annotations

import socket

from zapdoc.dev.emulators import HOST
from zapdoc.domain.errors import ConfigError, UsageError

DEFAULT_BASE = 8780
OFFSETS: dict[str, int] = {
    "api": 0,  # the API and the web app (same origin)
    "stripe_webhook": 1,
    "uploads": 2,  # the storage front: signed uploads, downloads, CORS
    "checkout": 3,
    "auth": 4,
    "auth-hub": 5,
    "auth-logging": 6,
    "firestore": 7,
    "pubsub": 8,
    "storage": 9,
    "sendgrid": 10,
    "gemini": 11,
    "intake": 12,
    "extract": 13,
    "classify": 14,
    "assemble": 15,
    "sweep": 16,
    "openai": 17,
    "webhooks": 18,
}


def dev_ports(base: int | None = None) -> dict[str, int]:
    """The port of every service for ``base`` (default: ``ZAPDOC_DEV_PORT_BASE`` or 8780)."""
    if base is None:
        from zapdoc.settings import DevSettings

        try:
            base = DevSettings.from_env().port_base
        except ConfigError:
            raise UsageError("ZAPDOC_DEV_PORT_BASE must be a port number") from None
        base = DEFAULT_BASE if base is None else base
    if not 1024 <= base <= 65535 - max(OFFSETS.values()):
        raise UsageError(
            f"the port base must be between 1024 and {65535 - max(OFFSETS.values())}, got {base}"
        )
    return {name: base + offset for name, offset in OFFSETS.items()}


def port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def check_free(ports: dict[str, int], names: list[str] | None = None) -> None:
    """Raise a UsageError naming every service whose port is already taken."""
    taken = [
        f"{port} ({name})"
        for name, port in ports.items()
        if (names is None or name in names) and port_taken(port)
    ]
    if taken:
        raise UsageError(
            f"port{'s' if len(taken) > 1 else ''} {', '.join(taken)} already in use on {HOST}: "
            "stop what uses them (a stack left running? `zapdoc dev down`), or move every port with "
            "--port-base N (or ZAPDOC_DEV_PORT_BASE=N)"
        )
