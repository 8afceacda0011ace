"""Webhook rules that need no I/O: the signature scheme, the event shape and the URL guard.

Signature (Stripe's scheme, with ZapDoc's names): ``ZapDoc-Signature: t=<unix seconds>,v1=<hex>`` where
``hex = HMAC-SHA256(secret, "<t>.<raw body>")``. A receiver recomputes it over the raw bytes, compares in
constant time and refuses timestamps older than a tolerance (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Callable, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

from zapdoc.domain.errors import UsageError

SIGNATURE_HEADER = "ZapDoc-Signature"
EVENT_ID_HEADER = "ZapDoc-Event-Id"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
TOLERANCE_S = 300
EVENT_TYPES = {"delivered": "job.delivered", "rejected": "job.rejected", "cancelled": "job.cancelled"}
MAX_URL = 2048


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``ZapDoc-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: float, tolerance: int = TOLERANCE_S) -> bool:
    """True when ``header`` is a valid signature of ``body`` made within ``tolerance`` seconds."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t = parts.get("t", "")
    if not t.isdigit() or abs(now - int(t)) > tolerance:
        return False
    expected = sign(secret, body, int(t)).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def event_id(job_id: str, status: str) -> str:
    """One event per job and end state: queueing it again (redelivery) names the same event."""
    return f"evt_{job_id}_{status}"


Resolver = Callable[[str, int], Sequence[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"webhook_url host {host!r} does not resolve") from exc
    return sorted({str(info[4][0]) for info in infos})


def _forbidden(address: str, allow_loopback: bool) -> str:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "" if allow_loopback else "a loopback address"
    if ip.is_link_local:
        return "a link-local (cloud metadata) address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a non-public address"
    return ""


class Target(NamedTuple):
    """A checked webhook destination: the URL and the address its host resolved to when it was checked.
    The sender connects to ``address`` and never resolves the host again, so a DNS answer that changes
    between the check and the connection (DNS rebinding) cannot move the request to another address."""

    url: str
    address: str


def check_url(url: object, *, allow_loopback: bool, resolver: Resolver = resolve) -> str:
    """The URL when it may receive webhooks, else ``UsageError`` saying why (SSRF guard).

    Production (``allow_loopback`` False): https only, and every address the host resolves to must be
    public (no private, loopback, link-local/metadata or reserved ranges). The local stack allows
    ``http://`` to loopback receivers.
    """
    return check_target(url, allow_loopback=allow_loopback, resolver=resolver).url


def check_target(url: object, *, allow_loopback: bool, resolver: Resolver = resolve) -> Target:
    """``check_url``, and the one resolved address the request must go to (see ``Target``)."""
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL:
        raise UsageError(f"webhook_url must be a URL of at most {MAX_URL} characters")
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise UsageError("webhook_url must be an https:// URL")
    if parts.username or parts.password:
        raise UsageError("webhook_url must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range or not a number
        raise UsageError("webhook_url has an invalid port") from None
    addresses = resolver(host, port)
    if not addresses:
        raise UsageError(f"webhook_url host {host!r} does not resolve")
    for address in addresses:
        why = _forbidden(address, allow_loopback)
        if why:
            raise UsageError(f"webhook_url resolves to {why} ({address}); use a public https endpoint")
    loopback_only = all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    if parts.scheme != "https" and not (allow_loopback and loopback_only):
        raise UsageError("webhook_url must be an https:// URL")
    # IPv4 first: serverless egress often has no IPv6 route
    ipv4 = [a for a in addresses if ipaddress.ip_address(a.split("%", 1)[0]).version == 4]
    return Target(url.strip(), (ipv4 or list(addresses))[0])
