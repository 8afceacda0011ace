"""``WebhookSender`` over HTTP(S) with urllib3: the connection goes to the address the URL guard checked
(``domain.webhooks.Target``), never to a fresh DNS answer, while TLS verifies the certificate for the URL's
host name (``server_hostname`` / ``assert_hostname``) and the Host header names it. Short timeouts, no
redirects (a redirect could point at an address the guard refused), no retries here (the service retries
with backoff), a bounded read of the answer.

urllib3 rather than requests: requests resolves the host itself and has no public way to connect to a given
address, which is the DNS-rebinding gap this closes."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from zapdoc.domain.errors import TransientError

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
READ_LIMIT = 4096


class PinnedWebhookSender:
    """POSTs signed events to a checked address; the receiver's status code, or ``TransientError``."""

    def __init__(
        self,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        ca_certs: str | None = None,
    ) -> None:
        self._timeout = timeout
        self._ca_certs = ca_certs

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, address: str) -> int:
        import urllib3

        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = (parts.scheme == "https" and port == 443) or (parts.scheme == "http" and port == 80)
        sent = {**headers, "Host": host if default_port else f"{host}:{port}"}
        timeout = urllib3.Timeout(connect=self._timeout[0], read=self._timeout[1])
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":
            if self._ca_certs is None:
                import certifi  # the CA bundle requests used before: the same trust as before

                self._ca_certs = certifi.where()
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self._ca_certs,
                server_hostname=host,
                assert_hostname=host,
            )
        else:  # the local stack's loopback receivers only (the guard refuses http:// in production)
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        try:
            with pool:
                response = pool.urlopen(
                    "POST", path, body=body, headers=sent, redirect=False, preload_content=False
                )
                try:
                    response.read(READ_LIMIT)  # read a little: the status is what counts
                finally:
                    response.release_conn()
                return int(response.status)
        except urllib3.exceptions.HTTPError as exc:
            raise TransientError(f"webhook POST failed: {type(exc).__name__}") from exc
