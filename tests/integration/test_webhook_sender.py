"""The webhooks function's real HTTP sender against local HTTP and HTTPS receivers: it connects to the
address the URL guard checked and never looks the host up again (the DNS-rebinding gap), while the Host
header and the TLS certificate check still use the URL's host name.

The receivers' host name ends in ``.invalid`` (RFC 2606: it never resolves), so a sender that resolved
the name itself could not reach them at all."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from zapdoc.adapters.webhook_http import PinnedWebhookSender
from zapdoc.domain.errors import TransientError

HOST = "hooks.zapdoc-test.invalid"


@dataclass
class Receiver:
    port: int
    status: int = 204
    seen: list[tuple[str, str, bytes]] = field(default_factory=list)  # (path, Host header, body)


def serve(receiver_status: int, tls: ssl.SSLContext | None, bind: str = "127.0.0.1") -> Generator[Receiver]:
    receiver = Receiver(port=0, status=receiver_status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.seen.append((self.path, str(self.headers.get("Host")), body))
            self.send_response(receiver.status)
            if receiver.status in (301, 302, 307):
                self.send_header("Location", "http://169.254.169.254/computeMetadata/v1/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET

    server = Server((bind, 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (its own CA bundle), written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def http_receiver() -> Iterator[Receiver]:
    yield from serve(204, None)


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    return certificate(tmp_path, HOST)


@pytest.fixture
def https_receiver(tls_files: tuple[Path, Path]) -> Iterator[Receiver]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    yield from serve(200, context)


def test_the_sender_connects_to_the_checked_address_without_resolving_the_host(
    http_receiver: Receiver,
) -> None:
    # GIVEN a receiver on 127.0.0.1 and a URL whose host name cannot resolve
    url = f"http://{HOST}:{http_receiver.port}/hook?k=1"
    # WHEN the sender posts to it with the address the guard checked
    status = PinnedWebhookSender().post(url, b'{"id":"evt_1"}', {"X-Test": "1"}, address="127.0.0.1")
    # THEN the request arrived there, naming the URL's host, path and body
    assert status == 204
    assert http_receiver.seen == [("/hook?k=1", f"{HOST}:{http_receiver.port}", b'{"id":"evt_1"}')]


def test_https_verifies_the_certificate_for_the_url_host_not_the_address(
    https_receiver: Receiver, tls_files: tuple[Path, Path]
) -> None:
    cert, _ = tls_files
    sender = PinnedWebhookSender(ca_certs=str(cert))
    # GIVEN an HTTPS receiver whose certificate names HOST, reached by its address
    ok = sender.post(f"https://{HOST}:{https_receiver.port}/z", b"{}", {}, address="127.0.0.1")
    # THEN the TLS handshake verified HOST and the request went through
    assert ok == 200 and https_receiver.seen[0][:2] == ("/z", f"{HOST}:{https_receiver.port}")
    # WHEN the URL names another host (the certificate does not match it) THEN nothing is sent
    with pytest.raises(TransientError, match="webhook POST failed"):
        sender.post(
            f"https://other.zapdoc-test.invalid:{https_receiver.port}/z", b"{}", {}, address="127.0.0.1"
        )
    # AND an unknown issuer (the default CA bundle does not hold our test CA) is refused too
    with pytest.raises(TransientError, match="webhook POST failed"):
        PinnedWebhookSender().post(f"https://{HOST}:{https_receiver.port}/z", b"{}", {}, address="127.0.0.1")
    assert len(https_receiver.seen) == 1


def test_redirects_are_not_followed_and_a_dead_address_is_a_transient_error(http_receiver: Receiver) -> None:
    # GIVEN a receiver that answers with a redirect to the metadata server
    http_receiver.status = 302
    # WHEN the sender posts THEN the redirect is the answer (a non-2xx the service retries), not followed
    assert (
        PinnedWebhookSender().post(f"http://{HOST}:{http_receiver.port}/", b"{}", {}, address="127.0.0.1")
        == 302
    )
    assert len(http_receiver.seen) == 1
    # AND a checked address that refuses connections is a TransientError (retried later), not a crash
    free = socket_port_closed()
    with pytest.raises(TransientError, match="webhook POST failed"):
        PinnedWebhookSender(timeout=(1.0, 1.0)).post(f"http://{HOST}:{free}/", b"{}", {}, address="127.0.0.1")


def socket_port_closed() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: nothing listens there


def test_ipv6_addresses_are_connected_to_as_literals() -> None:
    # GIVEN a receiver on the IPv6 loopback (skipped where the machine has no IPv6)
    try:
        receivers = serve(204, None, bind="::1")
        receiver = next(receivers)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        # WHEN the checked address is an IPv6 literal THEN the sender reaches it
        url = f"http://{HOST}:{receiver.port}/v6"
        assert PinnedWebhookSender().post(url, b"{}", {}, address="::1") == 204
        assert receiver.seen == [("/v6", f"{HOST}:{receiver.port}", b"{}")]
    finally:
        receivers.close()
