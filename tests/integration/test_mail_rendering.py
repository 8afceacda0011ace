"""The delivered mails as a person sees them: each kind goes through the real SendGrid client to the
SendGrid stand-in, the captured .eml is parsed, and its HTML part is rendered in Chromium (Playwright,
Debian's /usr/bin/chromium) at a desktop and a phone width. The renderings are saved where
tests/screenshots.py says (docs/screenshots/ with `make screenshots`).
"""

from __future__ import annotations

import email
import email.policy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.screenshots import screenshots_dir
from tests.unit.test_mails import sample_mails
from zapdoc.adapters.sendgrid import SendGridMailer
from zapdoc.standins.sendgrid import SendGridStandIn

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("needs Debian's chromium (scripts/install-desktop-tools.sh, run by `make test`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, email.message.EmailMessage]:
    """Every sample mail sent through SendGridMailer and read back from the stand-in's outbox."""
    outbox = tmp_path_factory.mktemp("outbox")
    out: dict[str, email.message.EmailMessage] = {}
    with SendGridStandIn(outbox) as server:
        mailer = SendGridMailer("SG.test", "ZapDoc <no-reply@zapdoc.example>", host=server.base_url)
        for kind, mail in sample_mails().items():
            before = set(server.messages())
            mailer.send(mail)
            [path] = set(server.messages()) - before
            out[kind] = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return out


def _html(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize("kind", sorted(sample_mails()))
def test_each_delivered_mail_renders_without_external_assets_on_desktop_and_phone(
    browser: Any, delivered: dict[str, email.message.EmailMessage], kind: str
) -> None:
    message = delivered[kind]
    # GIVEN the mail as delivered: Date and Message-ID set by ZapDoc, both bodies present
    sent = sample_mails()[kind]
    assert message["Date"] == dict(sent.headers)["Date"]
    assert message["Message-ID"] == dict(sent.headers)["Message-ID"]
    assert message.get_body(preferencelist=("plain",)) is not None
    folder = screenshots_dir()
    for label, width in (("desktop", 800), ("phone", 375)):
        page = browser.new_page(viewport={"width": width, "height": 900})
        requests: list[str] = []

        def refuse(route: Any, seen: list[str] = requests) -> None:
            seen.append(route.request.url)
            route.abort()

        page.route("**/*", refuse)
        # WHEN Chromium renders its HTML part
        page.set_content(_html(message), wait_until="load")
        # THEN nothing is fetched from anywhere, nothing overflows sideways, and the content shows
        assert requests == [], requests
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{kind} overflows {overflow}px at {width}px"
        heading = page.locator("h1").inner_text()
        assert heading and page.locator("table").count() >= 3
        if kind.startswith("delivery"):
            assert page.get_by_text("Open the job").is_visible()
        page.screenshot(path=str(folder / f"mail-{kind}-{label}.png"), full_page=True)
        page.close()
