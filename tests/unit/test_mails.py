"""The mails a person receives, compared with golden files (``tests/golden/mail``).

Regenerate after an intended change with ``ZAPDOC_UPDATE_GOLDEN=1 pytest tests/unit/test_mails.py`` and
review the diff (and docs/screenshots/, which `make screenshots` refreshes).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import re
from pathlib import Path

import pytest

from zapdoc import mails
from zapdoc.domain.documents import DocumentResult, FieldValue
from zapdoc.ports.mailer import Attachment, Mail

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "mail"
WHEN = dt.datetime(2026, 3, 14, 9, 26, 53, tzinfo=dt.UTC)
SENDER = "ZapDoc <no-reply@zapdoc.example>"
PUBLIC = "https://app.zapdoc.example"
FIELDS = ["invoice_number", "issue_date", "total_amount", "iban"]


def _ok(name: str, pages: int = 1) -> DocumentResult:
    return DocumentResult(name, "ok", pages=pages, values={"invoice_number": FieldValue("A-1", 0.9)})


def sample_mails() -> dict[str, Mail]:
    """One mail of every kind, with fixed inputs (the browser test renders the same ones)."""
    mixed = [
        _ok("invoices.zip/2024/northwind-0412.pdf", 2),
        DocumentResult.error(
            "scan-locked.pdf",
            "the PDF is password-protected: remove the password and submit it again",
            pages=3,
        ),
        _ok("facture-fr.pdf", 1),
    ]
    xlsx = Attachment("zapdoc-7f3a9c21d4e8b6a05f12.xlsx", b"PK\x03\x04", "application/octet-stream")
    return {
        "delivery-mixed": mails.delivery_mail(
            to="ann@example.com", sender=SENDER, job_id="7f3a9c21d4e8b6a05f12", when=WHEN, results=mixed,
            template="invoice", field_names=FIELDS, charged=6, refunded=3, public_url=PUBLIC,
            attachment=xlsx, low_confidence=2,
        ),
        "delivery-all-ok": mails.delivery_mail(
            to="ann@example.com", sender=SENDER, job_id="0b1c2d3e4f5a6b7c8d9e", when=WHEN,
            results=[_ok("receipt-en.pdf")], template=None, field_names=["total:amount", "date"],
            charged=1, refunded=0, public_url=PUBLIC, attachment=xlsx,
        ),
        "delivery-link": mails.delivery_mail(
            to="ann@example.com", sender=SENDER, job_id="99aa88bb77cc66dd55ee", when=WHEN,
            results=[_ok(f"batch/inv-{i:03d}.pdf") for i in range(3)], template="invoice", field_names=FIELDS,
            charged=3, refunded=0, public_url=PUBLIC,
            download_url="https://storage.example/results/99aa88bb77cc66dd55ee.xlsx?X-Goog-Signature=abc&x=1",
            download_days=7,
        ),
        "rejection": mails.rejection_mail(
            to="ann@example.com", sender=SENDER, job_id="5e6f7a8b9c0d1e2f3a4b", when=WHEN,
            files=[
                mails.FileLine("annual-report.pdf", False, "not processed", 40),
                mails.FileLine("contracts.zip/msa.pdf", False, "not processed", 12),
            ],
            needed=52, balance=10, public_url=PUBLIC,
        ),
        "cancellation": mails.cancellation_mail(
            to="ann@example.com", sender=SENDER, job_id="1a2b3c4d5e6f7a8b9c0d", when=WHEN,
            files=[
                mails.FileLine("q1.pdf", True, "arrived"),
                mails.FileLine("q2.pdf", False, "never arrived"),
                mails.FileLine("q3.pdf", False, "never arrived"),
            ],
            deadline=dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC), public_url=PUBLIC,
        ),
    }  # fmt: skip


def _render(mail: Mail) -> dict[str, str]:
    headers = "".join(f"{k}: {v}\n" for k, v in (("To", mail.to), ("Subject", mail.subject), *mail.headers))
    return {"headers": headers, "html": mail.html, "txt": mail.text}


@pytest.mark.parametrize("kind", sorted(sample_mails()))
def test_every_mail_kind_matches_its_golden_file(kind: str) -> None:
    # GIVEN fixed inputs WHEN the mail is rendered THEN headers, HTML and text equal the reviewed files
    rendered = _render(sample_mails()[kind])
    for ext, content in rendered.items():
        path = GOLDEN / f"{kind}.{ext}"
        if os.environ.get("ZAPDOC_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        assert path.is_file(), f"missing golden file {path}: run with ZAPDOC_UPDATE_GOLDEN=1"
        assert content == path.read_text(encoding="utf-8"), f"{path.name} differs from the rendering"


@pytest.mark.parametrize(
    ("ok", "failed", "subject"),
    [
        (2, 1, "3 documents: 2 extracted, 1 failed"),
        (1, 0, "1 document extracted"),
        (3, 0, "3 documents extracted"),
        (0, 1, "1 document failed"),
        (0, 2, "2 documents failed"),
        (1, 1, "2 documents: 1 extracted, 1 failed"),
    ],
)
def test_the_subject_states_the_outcome_with_correct_plurals(ok: int, failed: int, subject: str) -> None:
    assert mails.delivery_subject(ok, failed) == subject


def test_delivery_mail_carries_job_files_reasons_credits_link_and_headers() -> None:
    mail = sample_mails()["delivery-mixed"]
    assert mail.subject == "3 documents: 2 extracted, 1 failed · ZapDoc job 7f3a9c21d4e8b6a05f12"
    for part in (mail.html, mail.text):
        assert "7f3a9c21d4e8b6a05f12" in part
        assert "invoice template" in part and "total_amount" in part
        assert "scan-locked.pdf" in part and "password-protected" in part
        assert "facture-fr.pdf" in part and "northwind-0412.pdf" in part
        assert f"{PUBLIC}/#/jobs/7f3a9c21d4e8b6a05f12" in part
    assert re.search(r"Credits charged: +6", mail.text) and re.search(r"Credits refunded: +3", mail.text)
    headers = dict(mail.headers)
    assert email.utils.parsedate_to_datetime(headers["Date"]) == WHEN
    assert re.fullmatch(r"<[0-9a-f]{32}@zapdoc\.example>", headers["Message-ID"])
    # the same logical mail always gets the same Message-ID (a resend after a crash is recognisable)
    assert sample_mails()["delivery-mixed"].headers == mail.headers


def test_html_uses_only_inline_styles_and_no_external_assets() -> None:
    for kind, mail in sample_mails().items():
        html = mail.html
        assert not re.search(r"<(img|script|link|iframe)\b", html), kind
        assert "url(" not in html and "@import" not in html, kind
        srcs = re.findall(r'\b(?:src|background)="([^"]*)"', html)
        assert srcs == [], kind
        # every link goes to the web app or the signed download, nothing else
        for href in re.findall(r'href="([^"]*)"', html):
            assert href.startswith((PUBLIC, "https://storage.example/")), (kind, href)
        assert 'role="presentation"' in html and "max-width:600px" in html


def test_rejection_and_cancellation_say_why_which_files_what_it_costs_and_where_to_buy() -> None:
    sample = sample_mails()
    rejection, cancellation = sample["rejection"], sample["cancellation"]
    assert rejection.subject.startswith("Not started: 52 credits needed, 10 available")
    assert cancellation.subject.startswith("Cancelled: 2 files never arrived")
    for part in (rejection.html, rejection.text):
        assert "annual-report.pdf" in part and "contracts.zip/msa.pdf" in part
        assert "52" in part and "42 credits" in part  # needed, and how many to buy
        assert f"{PUBLIC}/#/credits" in part
    for part in (cancellation.html, cancellation.text):
        assert "q2.pdf" in part and "q3.pdf" in part and "never arrived" in part
        assert f"{PUBLIC}/#/new" in part and f"{PUBLIC}/#/credits" in part
        assert "Nothing was charged" in part
