"""The mails a user receives about a job: delivered, rejected (not enough credits), cancelled.

Each is a styled HTML mail built the way mail clients need it (tables for layout, inline CSS, no images,
fonts or scripts from anywhere; one ``<style>`` block only for the small-screen tweak clients that ignore
it can do without) and a plain-text twin with the same facts. Subjects state the outcome. Every mail has a
``Date`` and a ``Message-ID`` derived from its idempotency key, so a resend after a crash is recognisably
the same message. Links follow the web app's URL convention (``<public_url>/#/jobs/<id>``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass

from zapdoc.domain.documents import DocumentResult
from zapdoc.ports.mailer import Attachment, Mail

BRAND = "#305496"
OK_COLOR, OK_BG = "#1E6B35", "#E3F4E8"
FAIL_COLOR, FAIL_BG = "#9C0006", "#FFE3E6"
MUTED = "#5F6B7A"
FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 document``, ``2 documents`` (``many`` for irregular plurals)."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def job_url(public_url: str, job_id: str) -> str:
    """The web app's job page (CONVENTIONS.md), or "" when no public URL is configured."""
    return f"{public_url.rstrip('/')}/#/jobs/{job_id}" if public_url else ""


def credits_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/#/credits" if public_url else ""


def new_job_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/#/new" if public_url else ""


def message_id(key: str, sender: str) -> str:
    """A Message-ID stable for one logical mail (its idempotency key), on the sender's domain."""
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "zapdoc.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _headers(key: str, sender: str, when: dt.datetime) -> tuple[tuple[str, str], ...]:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (("Date", email.utils.format_datetime(when)), ("Message-ID", message_id(key, sender)))


@dataclass(frozen=True)
class FileLine:
    """One row of the per-file table: what happened to one document (or one file that never came)."""

    name: str
    ok: bool
    status: str
    pages: int | None = None
    reason: str = ""


def delivery_subject(ok: int, failed: int) -> str:
    """``3 documents: 2 extracted, 1 failed``; ``1 document extracted``; ``2 documents failed``."""
    total = ok + failed
    if failed == 0:
        return f"{plural(total, 'document')} extracted"
    if ok == 0:
        return f"{plural(total, 'document')} failed"
    return f"{plural(total, 'document')}: {ok} extracted, {failed} failed"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _button(url: str, label: str) -> str:
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:20px 0 4px">'
        f'<tr><td style="background:{BRAND};border-radius:6px">'
        f'<a href="{_e(url)}" style="display:inline-block;padding:12px 22px;font-family:{FONT};'
        f'font-size:15px;font-weight:600;color:#ffffff;text-decoration:none">{_e(label)}</a>'
        "</td></tr></table>"
    )


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    cells = "".join(
        "<tr>"
        f'<td style="padding:6px 12px 6px 0;color:{MUTED};font-size:14px;white-space:nowrap;'
        f'vertical-align:top">{_e(k)}</td>'
        f'<td style="padding:6px 0;font-size:14px;color:#1F2933;word-break:break-word">{_e(v)}</td>'
        "</tr>"
        for k, v in rows
    )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" '
        f'style="border-collapse:collapse;margin:8px 0 16px">{cells}</table>'
    )


def _file_table(lines: Sequence[FileLine]) -> str:
    head_style = (
        f"padding:8px;border-bottom:2px solid {BRAND};text-align:left;font-size:12px;"
        f"text-transform:uppercase;letter-spacing:.04em;color:{MUTED}"
    )
    head = "".join(
        f'<th style="{head_style}" class="{cls}">{h}</th>'
        for h, cls in (("File", ""), ("Status", ""), ("Pages", "zd-hide"), ("Details", ""))
    )
    body = []
    for line in lines:
        color, bg = (OK_COLOR, OK_BG) if line.ok else (FAIL_COLOR, FAIL_BG)
        badge = (
            f'<span style="display:inline-block;padding:2px 8px;border-radius:10px;background:{bg};'
            f'color:{color};font-size:12px;font-weight:600;white-space:nowrap">{_e(line.status)}</span>'
        )
        cell = "padding:8px;border-bottom:1px solid #E4E7EB;font-size:14px;vertical-align:top"
        pages = "" if line.pages is None else str(line.pages)
        body.append(
            "<tr>"
            f'<td style="{cell};word-break:break-all;color:#1F2933">{_e(line.name)}</td>'
            f'<td style="{cell}">{badge}</td>'
            f'<td style="{cell};text-align:right" class="zd-hide">{_e(pages)}</td>'
            f'<td style="{cell};color:{MUTED if line.ok else FAIL_COLOR}">{_e(line.reason)}</td>'
            "</tr>"
        )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" '
        f'style="border-collapse:collapse;margin:4px 0 8px"><tr>{head}</tr>{"".join(body)}</table>'
    )


def _page(title: str, preheader: str, inner: str, footer: str) -> str:
    """The shell every mail shares: a centred 600px card that shrinks to the screen."""
    return (
        "<!DOCTYPE html>"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        f"<title>{_e(title)}</title>"
        "<style>@media only screen and (max-width:480px){"
        ".zd-card{padding:20px 16px !important}.zd-hide{display:none !important}}</style>"
        "</head>"
        f'<body style="margin:0;padding:0;background:#F3F5F8;font-family:{FONT};color:#1F2933">'
        f'<div style="display:none;max-height:0;overflow:hidden;opacity:0">{_e(preheader)}</div>'
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" '
        'style="background:#F3F5F8"><tr><td align="center" style="padding:24px 12px">'
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" '
        'style="max-width:600px;background:#ffffff;border-radius:8px;border:1px solid #E4E7EB">'
        f'<tr><td style="background:{BRAND};border-radius:8px 8px 0 0;padding:16px 28px;font-family:{FONT};'
        'font-size:18px;font-weight:700;color:#ffffff;letter-spacing:.02em">ZapDoc</td></tr>'
        f'<tr><td class="zd-card" style="padding:28px;font-family:{FONT};font-size:15px;line-height:1.5">'
        f'<h1 style="margin:0 0 12px;font-size:20px;line-height:1.3;color:#1F2933">{_e(title)}</h1>'
        f"{inner}</td></tr>"
        f'<tr><td style="padding:16px 28px;border-top:1px solid #E4E7EB;font-family:{FONT};font-size:12px;'
        f'color:{MUTED};line-height:1.5">{footer}</td></tr>'
        "</table></td></tr></table></body></html>"
    )


def _p(text: str) -> str:
    return f'<p style="margin:0 0 12px">{text}</p>'


def _text_table(lines: Sequence[FileLine]) -> str:
    out = []
    for line in lines:
        pages = "" if line.pages is None else f", {plural(line.pages, 'page')}"
        reason = f": {line.reason}" if line.reason else ""
        out.append(f"  - {line.name} — {line.status}{pages}{reason}")
    return "\n".join(out)


def _text_facts(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k + ':':<{width + 1}} {v}" for k, v in rows)


def _fields_line(template: str | None, field_names: Sequence[str]) -> str:
    names = ", ".join(field_names)
    return f"{template} template ({names})" if template else names


def _footer(public_url: str, sender_note: str) -> tuple[str, str]:
    links = []
    if public_url:
        links.append(
            f'<a href="{_e(public_url.rstrip("/") + "/#/jobs")}" style="color:{BRAND}">Your jobs</a>'
        )
        links.append(f'<a href="{_e(credits_url(public_url))}" style="color:{BRAND}">Credits</a>')
    html_footer = f"{_e(sender_note)}" + (f"<br>{' · '.join(links)}" if links else "")
    text_footer = sender_note + (
        f"\nYour jobs: {public_url.rstrip('/')}/#/jobs\nCredits: {credits_url(public_url)}"
        if public_url
        else ""
    )
    return html_footer, text_footer


SENDER_NOTE = "You get this mail because you submitted a job to ZapDoc. One credit is one page."


def file_lines(results: Sequence[DocumentResult]) -> list[FileLine]:
    """The per-file table of a delivered job: extracted or failed, pages, and why it failed."""
    lines = []
    for r in results:
        if r.status == "ok":
            notes = "; ".join(r.notes)
            lines.append(FileLine(r.file, True, "extracted", r.pages, notes))
        else:
            lines.append(FileLine(r.file, False, "failed", r.pages, r.reason or "not processed"))
    return lines


def delivery_mail(
    *,
    to: str,
    sender: str,
    job_id: str,
    when: dt.datetime,
    results: Sequence[DocumentResult],
    template: str | None,
    field_names: Sequence[str],
    charged: int,
    refunded: int,
    public_url: str,
    attachment: Attachment | None = None,
    download_url: str = "",
    download_days: int = 0,
    low_confidence: int = 0,
) -> Mail:
    """The mail that delivers a job's workbook (attached, or as a link when too large)."""
    ok = sum(1 for r in results if r.status == "ok")
    failed = len(results) - ok
    pages = sum(r.pages or 0 for r in results if r.status == "ok")
    subject = f"{delivery_subject(ok, failed)} · ZapDoc job {job_id}"
    link = job_url(public_url, job_id)
    facts = [
        ("Job", job_id),
        ("Fields", _fields_line(template, field_names)),
        ("Documents", f"{plural(len(results), 'document')}: {ok} extracted, {failed} failed"),
        ("Pages extracted", str(pages)),
        ("Credits charged", str(charged)),
        ("Credits refunded", f"{refunded}" + (" (pages of the documents that failed)" if refunded else "")),
    ]
    if low_confidence:
        facts.append(("Values to check", f"{low_confidence} (shaded yellow in the workbook)"))
    if attachment is not None:
        where_html = f"The workbook <b>{_e(attachment.filename)}</b> is attached."
        where_text = f"The workbook {attachment.filename} is attached."
    elif download_url:
        valid = f" (valid {plural(download_days, 'day')})" if download_days else ""
        where_html = (
            "The workbook is too large to attach: "
            f'<a href="{_e(download_url)}" style="color:{BRAND}">download it</a>{_e(valid)}.'
        )
        where_text = f"The workbook is too large to attach; download it{valid}: {download_url}"
    else:
        where_html = where_text = "The workbook is ready on the job page."
    if failed:
        lead = (
            f"{plural(ok, 'document')} of your job {'was' if ok == 1 else 'were'} extracted and "
            f"{failed} failed; the table says why. Failed documents are rows with Status "
            "\u201cerror\u201d in the workbook, and their pages were refunded."
        )
    else:
        lead = (
            f"Every document of your job was extracted ({plural(ok, 'document')}, {plural(pages, 'page')})."
        )
    return _compose(
        key=f"deliver:{job_id}", to=to, sender=sender, when=when, public_url=public_url,
        subject=subject, title=delivery_subject(ok, failed), lead=lead,
        second_html=where_html, second_text=where_text, facts=facts, files=file_lines(results),
        html_links=_button(link, "Open the job") if link else "",
        text_links=[f"Open the job: {link}"] if link else [],
        attachments=(attachment,) if attachment is not None else (),
    )  # fmt: skip


def rejection_mail(
    *,
    to: str,
    sender: str,
    job_id: str,
    when: dt.datetime,
    files: Sequence[FileLine],
    needed: int,
    balance: int | None,
    public_url: str,
    at_least: bool = False,
    reason: str = "",
) -> Mail:
    """The job was refused before anything was charged: not enough credits (``balance``; ``at_least``
    when counting stopped at the balance) or a per-job limit (``reason``). Uploads are deleted."""
    amount = f"at least {plural(needed, 'credit')}" if at_least else plural(needed, "credit")
    if reason or balance is None:
        why = reason or "a limit was exceeded"
        title = "Your job was not started"
        subject = f"Not started: {why} · ZapDoc job {job_id}"
        lead = f"Your job was not processed: {why}. Nothing was charged and your uploads were deleted."
        todo = "Split the documents into smaller jobs, then submit them again."
        facts = [("Job", job_id), ("Reason", why), ("Charged", "nothing")]
    else:
        short = max(0, needed - balance)
        title = "Your job was not started: not enough credits"
        subject = f"Not started: {amount} needed, {balance} available · ZapDoc job {job_id}"
        lead = (
            f"Your documents need {amount} (one per page) and your balance is {balance}. "
            "Nothing was charged and your uploads were deleted."
        )
        todo = f"Buy at least {plural(short, 'credit')}, then submit the job again."
        facts = [
            ("Job", job_id),
            ("Reason", f"not enough credits: the job needs {'at least ' if at_least else ''}{needed} "
             f"and the balance is {balance}"),
            ("Credits needed", f"at least {needed}" if at_least else str(needed)),
            ("Your balance", str(balance)),
            ("Charged", "nothing"),
        ]  # fmt: skip
    buy = credits_url(public_url)
    return _compose(
        key=f"reject:{job_id}", to=to, sender=sender, when=when, public_url=public_url,
        subject=subject, title=title, lead=lead, second_html=_e(todo), second_text=todo,
        facts=facts, files=files,
        html_links=_button(buy, "Buy credits") if buy else "",
        text_links=[f"Buy credits: {buy}"] if buy else [],
    )  # fmt: skip


def cancellation_mail(
    *,
    to: str,
    sender: str,
    job_id: str,
    when: dt.datetime,
    files: Sequence[FileLine],
    deadline: dt.datetime | None,
    public_url: str,
    refunded: int = 0,
) -> Mail:
    """Some declared files never arrived before the deadline: cancelled, nothing charged (or, for a
    debit left by older code, ``refunded`` credits given back)."""
    missing = [f for f in files if not f.ok]
    title = "Your job was cancelled: files never arrived"
    subject = f"Cancelled: {plural(len(missing), 'file')} never arrived · ZapDoc job {job_id}"
    by = f" by {deadline.strftime('%Y-%m-%d %H:%M UTC')}" if deadline else ""
    lead = (
        f"{plural(len(missing), 'file')} of your job never arrived{by}, so the job was cancelled. "
        + (
            f"The {plural(refunded, 'credit')} it was charged were refunded"
            if refunded
            else "Nothing was charged"
        )
        + ", and the files that did arrive were deleted."
    )
    todo = "Submit the job again with every file; each page costs one credit once it is processed."
    facts = [
        ("Job", job_id),
        ("Reason", "files never arrived: " + ", ".join(f.name for f in missing)),
        ("Charged", f"{plural(refunded, 'credit')}, refunded" if refunded else "nothing"),
    ]
    again = new_job_url(public_url)
    buy = credits_url(public_url)
    links = ""
    if again:
        links = _button(again, "Submit again") + _p(
            f'<a href="{_e(buy)}" style="color:{BRAND};font-size:14px">Buy credits</a>'
        )
    return _compose(
        key=f"cancel:{job_id}", to=to, sender=sender, when=when, public_url=public_url,
        subject=subject, title=title, lead=lead, second_html=_e(todo), second_text=todo,
        facts=facts, files=files, html_links=links,
        text_links=[f"Submit again: {again}", f"Buy credits: {buy}"] if again else [],
    )  # fmt: skip


def _compose(
    *,
    key: str,
    to: str,
    sender: str,
    when: dt.datetime,
    public_url: str,
    subject: str,
    title: str,
    lead: str,
    second_html: str,
    second_text: str,
    facts: Sequence[tuple[str, str]],
    files: Sequence[FileLine],
    html_links: str,
    text_links: Sequence[str],
    attachments: tuple[Attachment, ...] = (),
) -> Mail:
    """One mail in the shape every ZapDoc mail has: lead, a second line, the facts, the file table and
    the links, as HTML and as its plain-text twin, with the footer, Date and Message-ID."""
    inner = _p(_e(lead)) + _p(second_html) + _facts(facts) + _file_table(files) + html_links
    html_footer, text_footer = _footer(public_url, SENDER_NOTE)
    text = "\n".join(
        [
            f"ZapDoc: {title}",
            "",
            lead,
            second_text,
            "",
            _text_facts(facts),
            "",
            "Files:",
            _text_table(files),
            "",
            *([*text_links, ""] if text_links else []),
            "--",
            text_footer,
            "",
        ]
    )
    return Mail(
        to=to,
        subject=subject,
        html=_page(title, lead, inner, html_footer),
        text=text,
        attachments=attachments,
        key=key,
        headers=_headers(key, sender, when),
    )
