"""Verify V4 signed Cloud Storage requests the way Cloud Storage does (local stack and tests only).

The storage emulator checks no signature (see FACTS.md), so ``verify_v4_request`` re-derives Google's
canonical request and checks the RSA signature, the expiry and the size range; the local upload front
(``zapdoc.dev.upload_front``) runs it before forwarding a PUT to the emulator.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from zapdoc.adapters.signing import CONTENT_LENGTH_RANGE
from zapdoc.domain.clock import utcnow


@dataclass(frozen=True)
class Rejection:
    status: int
    code: str
    message: str


def verify_v4_request(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body_length: int,
    public_key_pem: bytes,
    now: dt.datetime | None = None,
) -> Rejection | None:
    """None when the request is a valid, unexpired V4-signed request within its signed size range."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    pairs = [p for p in raw_query.split("&") if p]
    params: dict[str, str] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        params[key] = value
    required = ("X-Goog-Algorithm", "X-Goog-Credential", "X-Goog-Date", "X-Goog-Expires")
    if any(k not in params for k in (*required, "X-Goog-SignedHeaders", "X-Goog-Signature")):
        return Rejection(403, "AccessDenied", "not a V4 signed request")
    if params["X-Goog-Algorithm"] != "GOOG4-RSA-SHA256":
        return Rejection(403, "AccessDenied", "unsupported signing algorithm")
    try:
        issued = dt.datetime.strptime(params["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        expires = int(params["X-Goog-Expires"])
        signature = binascii.unhexlify(params["X-Goog-Signature"])
    except (ValueError, binascii.Error):
        return Rejection(400, "InvalidArgument", "malformed signature parameters")
    if (now or utcnow()) > issued + dt.timedelta(seconds=expires):
        return Rejection(400, "ExpiredToken", "the signed URL has expired")
    lowered = {k.lower(): v for k, v in headers.items()}
    signed_names = _unquote(params["X-Goog-SignedHeaders"]).split(";")
    canonical_headers = "".join(
        f"{n}:{' '.join(lowered.get(n, '').split())}\n" for n in signed_names
    )  # a header the client left out canonicalises as empty and fails the signature
    query = "&".join(sorted(p for p in pairs if not p.startswith("X-Goog-Signature=")))
    payload = "UNSIGNED-PAYLOAD"
    if "x-goog-content-sha256" in signed_names:
        payload = lowered.get("x-goog-content-sha256", "")
    canonical = "\n".join(
        [method.upper(), raw_path, query, canonical_headers, ";".join(signed_names), payload]
    )
    scope = _unquote(params["X-Goog-Credential"]).split("/", 1)[-1]
    to_sign = "\n".join(
        ["GOOG4-RSA-SHA256", params["X-Goog-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    public_key = serialization.load_pem_public_key(public_key_pem)
    assert isinstance(public_key, rsa.RSAPublicKey)
    try:
        public_key.verify(signature, to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return Rejection(403, "SignatureDoesNotMatch", "the request does not match its signature")
    if CONTENT_LENGTH_RANGE in signed_names:
        low, _, high = lowered.get(CONTENT_LENGTH_RANGE, "").partition(",")
        try:
            in_range = int(low) <= body_length <= int(high)
        except ValueError:
            in_range = False
        if not in_range:
            return Rejection(400, "EntityTooLarge", "the upload size is outside the signed range")
    return None


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


def split_url(url: str) -> tuple[str, str]:
    """The raw (still percent-encoded) path and query of a URL."""
    parts = urlsplit(url)
    return parts.path, parts.query
