"""The pure parts of job webhooks: the signature scheme, the SSRF guard on URLs and its setting."""

from __future__ import annotations

import time

import pytest

from zapdoc.domain import webhooks as W
from zapdoc.domain.errors import ConfigError, UsageError
from zapdoc.settings import CloudSettings

SECRET = "whsec_test_secret"
BODY = b'{"id":"evt_1","type":"job.delivered"}'


def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def resolves_to(*addresses: str) -> W.Resolver:
    return lambda host, port: list(addresses)


def test_a_signature_verifies_over_the_exact_body_within_the_tolerance() -> None:
    now = int(time.time())
    header = W.sign(SECRET, BODY, now)
    assert header.startswith(f"t={now},v1=") and len(header.split("v1=", 1)[1]) == 64
    assert W.verify(SECRET, BODY, header, now=now + 10)


@pytest.mark.parametrize(
    ("secret", "body", "age", "why"),
    [
        ("whsec_other", BODY, 0, "forged: signed with another secret"),
        (SECRET, BODY + b" ", 0, "tampered body"),
        (SECRET, BODY, W.TOLERANCE_S + 1, "replayed: older than the tolerance"),
        (SECRET, BODY, -(W.TOLERANCE_S + 1), "from the future"),
    ],
)
def test_forged_tampered_or_replayed_signatures_are_refused(
    secret: str, body: bytes, age: int, why: str
) -> None:
    now = int(time.time())
    header = W.sign(secret, BODY, now - age)
    assert not W.verify(SECRET, body, header, now=now), why


@pytest.mark.parametrize("header", ["", "t=,v1=", "v1=abc", "t=abc,v1=def", "garbage", "t=1,v1=" + "0" * 64])
def test_malformed_headers_are_refused(header: str) -> None:
    assert not W.verify(SECRET, BODY, header, now=time.time())


def test_event_ids_name_the_job_and_its_end_state_so_requeueing_repeats_the_id() -> None:
    assert W.event_id("job1", "delivered") == W.event_id("job1", "delivered") == "evt_job1_delivered"
    assert W.event_id("job1", "rejected") != W.event_id("job1", "delivered")
    assert W.new_secret().startswith(W.SECRET_PREFIX) and W.new_secret() != W.new_secret()


def test_a_public_https_url_is_accepted_in_production() -> None:
    assert W.check_url(" https://hooks.example.com/zapdoc ", allow_loopback=False, resolver=public) == (
        "https://hooks.example.com/zapdoc"
    )


def test_the_checked_target_is_an_address_that_passed_the_guard_preferring_ipv4() -> None:
    # GIVEN a host with a public IPv6 and a public IPv4 address WHEN it is checked
    target = W.check_target(
        "https://hooks.example.com/z",
        allow_loopback=False,
        resolver=resolves_to("2606:2800::1", "93.184.216.34"),
    )
    # THEN the sender is told the IPv4 one (it connects there and resolves nothing again)
    assert target == W.Target("https://hooks.example.com/z", "93.184.216.34")
    only_v6 = W.check_target(
        "https://v6.example/", allow_loopback=False, resolver=resolves_to("2606:2800::1")
    )
    assert only_v6.address == "2606:2800::1"
    # AND one lookup serves both the check and the connection (a second answer is never asked for)
    answers = iter([["93.184.216.34"], ["169.254.169.254"]])
    assert W.check_target(
        "https://r.example/", allow_loopback=False, resolver=lambda h, p: next(answers)
    ).address == ("93.184.216.34")
    assert next(answers) == ["169.254.169.254"]


@pytest.mark.parametrize(
    ("url", "addresses", "why"),
    [
        ("https://10.0.0.5/hook", ["10.0.0.5"], "private address"),
        ("https://intranet.example/hook", ["192.168.1.20"], "private address"),
        ("https://mixed.example/hook", ["93.184.216.34", "172.16.0.1"], "private address"),
        ("https://127.0.0.1/hook", ["127.0.0.1"], "loopback address"),
        ("https://localhost/hook", ["::1"], "loopback address"),
        ("https://169.254.169.254/computeMetadata/v1/", ["169.254.169.254"], "link-local"),
        ("https://metadata.google.internal/", ["169.254.169.254"], "link-local"),
        ("https://mapped.example/", ["::ffff:10.1.2.3"], "private address"),
        ("https://zero.example/", ["0.0.0.0"], "(private|non-public) address"),
        ("https://cgnat.example/", ["100.64.0.1"], "non-public"),
        ("https://v6ula.example/", ["fd00::1"], "private address"),
    ],
)
def test_urls_resolving_to_non_public_addresses_are_refused_in_production(
    url: str, addresses: list[str], why: str
) -> None:
    with pytest.raises(UsageError, match=why):
        W.check_url(url, allow_loopback=False, resolver=resolves_to(*addresses))


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/zapdoc",  # plain http to a public host
        "ftp://hooks.example.com/",
        "https://user:pw@hooks.example.com/",
        "https:///nohost",
        "",
        "x" * 3000,
        42,
        None,
    ],
)
def test_non_https_credentials_or_garbage_are_refused(url: object) -> None:
    with pytest.raises(UsageError):
        W.check_url(url, allow_loopback=False, resolver=public)


def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UsageError, match="does not resolve"):
        W.check_url("https://nothing.example/", allow_loopback=False, resolver=resolves_to())


def test_the_local_stack_allows_http_to_loopback_but_still_refuses_private_addresses() -> None:
    assert W.check_url("http://127.0.0.1:8123/hook", allow_loopback=True) == "http://127.0.0.1:8123/hook"
    with pytest.raises(UsageError, match="private"):
        W.check_url("http://10.0.0.5/hook", allow_loopback=True)
    with pytest.raises(UsageError, match="https"):  # http only to loopback, even locally
        W.check_url("http://hooks.example.com/", allow_loopback=True, resolver=public)


def test_loopback_receivers_are_a_local_setting_refused_on_cloud_functions() -> None:
    base = {"GOOGLE_CLOUD_PROJECT": "p"}
    assert CloudSettings.from_env(base).webhook_allow_loopback is False
    assert CloudSettings.from_env({**base, "ZAPDOC_WEBHOOK_ALLOW_LOOPBACK": "1"}).webhook_allow_loopback
    with pytest.raises(ConfigError, match="ZAPDOC_WEBHOOK_ALLOW_LOOPBACK"):
        CloudSettings.from_env({**base, "ZAPDOC_WEBHOOK_ALLOW_LOOPBACK": "1", "K_SERVICE": "zapdoc-webhooks"})
