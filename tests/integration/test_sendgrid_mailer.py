"""The SendGrid adapter on the real ``sendgrid`` client against the local stand-in."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from zapdoc.adapters.sendgrid import SendGridMailer
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.ports.mailer import Attachment, Mail
from zapdoc.standins.sendgrid import SendGridStandIn


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[SendGridStandIn]:
    with SendGridStandIn(tmp_path / "outbox") as server:
        yield server


def _mail() -> Mail:
    return Mail(
        to="ada@example.com",
        subject="ZapDoc: 2 documents extracted",
        html="<p>Your <b>workbook</b></p>",
        text="Your workbook",
        attachments=(Attachment("r.xlsx", b"PK\x03\x04 not really a zip", "application/vnd.ms-excel"),),
        key="deliver:job-1",
    )


def test_mail_with_attachment_is_captured_as_eml(standin: SendGridStandIn) -> None:
    # GIVEN the real SendGrid client pointed at the stand-in
    mailer = SendGridMailer("SG.test", "ZapDoc <no-reply@zapdoc.example>", host=standin.base_url)
    # WHEN a mail with an attachment is sent
    mailer.send(_mail())
    # THEN one .eml holds the headers, both bodies and the attachment bytes
    [path] = standin.messages()
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "ada@example.com"
    assert msg["From"] == "ZapDoc <no-reply@zapdoc.example>"
    assert msg["X-Zapdoc-Key"] == "deliver:job-1"
    html = msg.get_body(("html",))
    assert html is not None and "<b>workbook</b>" in html.get_content()
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "r.xlsx"
    assert attachment.get_payload(decode=True) == b"PK\x03\x04 not really a zip"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_transient(standin: SendGridStandIn, status: int) -> None:
    standin.fail_next(status)
    mailer = SendGridMailer("SG.test", "no-reply@zapdoc.example", host=standin.base_url)
    with pytest.raises(TransientError):
        mailer.send(_mail())
    mailer.send(_mail())  # the retry goes through
    assert len(standin.messages()) == 1


def test_a_refused_mail_is_permanent(standin: SendGridStandIn) -> None:
    standin.fail_next(400)
    mailer = SendGridMailer("SG.test", "no-reply@zapdoc.example", host=standin.base_url)
    with pytest.raises(PermanentError):
        mailer.send(_mail())
    assert standin.messages() == []


def test_unreachable_host_is_transient() -> None:
    from zapdoc.dev.emulators import free_port

    mailer = SendGridMailer("SG.test", "no-reply@zapdoc.example", host=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TransientError):
        mailer.send(_mail())
