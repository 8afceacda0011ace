"""``WebhookSender`` over HTTPS with ``requests``: short timeouts, no redirects (a redirect could point
at an address the URL guard refused), a bounded read of the answer."""

from __future__ import annotations

from collections.abc import Mapping

from zapdoc.domain.errors import TransientError

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0


class RequestsWebhookSender:
    """POSTs signed events; the receiver's status code, or ``TransientError`` when none came back."""

    def __init__(self, timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) -> None:
        self._timeout = timeout

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        import requests

        try:
            with requests.post(
                url,
                data=body,
                headers=dict(headers),
                timeout=self._timeout,
                allow_redirects=False,
                stream=True,
            ) as response:
                next(response.iter_content(4096), b"")  # read a little: the status is what counts
                return int(response.status_code)
        except requests.RequestException as exc:
            raise TransientError(f"webhook POST failed: {type(exc).__name__}") from exc
