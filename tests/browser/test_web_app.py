"""The web app in a real browser (Chromium) on the local stack: a new user's whole job, buying credits
through the Checkout stand-in, failure reasons, isolation between users, keyboard-only use and an
axe-core scan of every page. The tests take the screenshots that `make screenshots` saves to
docs/screenshots/."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import FREE_CREDITS, ROOT, WebStack, shoot
from tests.browser.support import (
    PASSWORD,
    User,
    bad_files,
    id_token,
    invoice_pdf,
    new_email,
    payload,
    verified_user,
    zip_bytes,
)

pytestmark = [pytest.mark.emulators, pytest.mark.slow]
AXE = ROOT / "web/node_modules/axe-core/axe.min.js"
JOB_URL = re.compile(r"#/jobs/([A-Za-z0-9_-]+)$")
FILES = "input[type=file]:not([webkitdirectory])"  # the (visually hidden) file picker of the New job page
DONE = 120_000  # ms: a job on the local stack finishes in seconds; this bounds a slow, shared machine


def sign_up(page: Any, web: str, *, screenshot: bool = False) -> str:
    """Create an account in the page and verify its email with the local link the page shows."""
    email = new_email()
    page.goto(web)
    expect(page.get_by_role("heading", name="Sign in to ZapDoc")).to_be_visible()
    if screenshot:
        shoot(page, "sign-in")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Verify your email")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    link = page.locator("#verify-link")
    expect(link).to_be_visible()
    with page.context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    opened.value.close()
    page.get_by_role("button", name="I have verified my email").click()
    expect(page.get_by_role("heading", name="New job")).to_be_visible()
    return email


def sign_in(page: Any, web: str, user: User) -> None:
    page.goto(web)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="New job")).to_be_visible()


def drop(page: Any, name: str, data: bytes, mime: str) -> None:
    """Drop a file on the drop zone as a browser does (a DataTransfer on dragover and drop events)."""
    page.evaluate(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: mime }));
            const zone = document.querySelector(".drop");
            for (const type of ["dragover", "drop"]) {
                const init = { dataTransfer: dt, bubbles: true, cancelable: true };
                zone.dispatchEvent(new DragEvent(type, init));
            }
        }""",
        [name, base64.b64encode(data).decode(), mime],
    )


def upload(page: Any) -> str:
    button = page.get_by_role("button", name="Upload and count pages")
    expect(button).to_be_enabled(timeout=60_000)  # once the templates are loaded
    button.click()
    expect(page).to_have_url(JOB_URL, timeout=60_000)
    match = JOB_URL.search(page.url)
    assert match is not None
    return match.group(1)


def results_rows(path: Path) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["Results"]  # the download has no suffix
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def me(ws: WebStack, user: User) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {id_token(ws.auth, user)}"}
    data: dict[str, Any] = requests.get(ws.urls["api"] + "/v1/me", headers=headers, timeout=30).json()
    return data


def test_a_new_user_signs_up_and_runs_a_whole_job(web_stack: WebStack, page: Any) -> None:
    # GIVEN a new user who signs up and verifies their email in the page
    sign_up(page, web_stack.web, screenshot=True)
    # WHEN they pick 3 PDFs, drop a zip of 2 more and choose the invoice template
    page.locator(FILES).set_input_files([payload(f"invoice-{i}.pdf", invoice_pdf(i)) for i in (1, 2, 3)])
    archive = zip_bytes({"march/a.pdf": invoice_pdf(4), "march/b.pdf": invoice_pdf(5)})
    drop(page, "batch.zip", archive, "application/zip")
    expect(page.locator(".files li")).to_have_count(4)
    page.get_by_label("Template or field list").select_option("builtin:invoice")
    shoot(page, "new-job")
    job_id = upload(page)
    # THEN the page shows what the job costs and the balance after it, before charging anything
    expect(page.get_by_text("This job costs 5 credits")).to_be_visible(timeout=DONE)
    cost = page.locator(".cost")
    expect(cost.locator("dd").nth(0)).to_have_text(str(FREE_CREDITS))
    expect(cost.locator("dd").nth(1)).to_have_text(str(FREE_CREDITS - 5))
    expect(page.locator("#nav-balance")).to_have_text(str(FREE_CREDITS))
    shoot(page, "job-cost")
    # WHEN they confirm THEN they watch it finish and see a preview of the Results sheet
    page.get_by_role("button", name="Confirm and pay 5 credits").click()
    expect(page.locator(".status")).to_contain_text("Delivered", timeout=DONE)
    expect(page.locator("#preview tbody tr")).to_have_count(5)
    expect(page.locator("#preview")).to_contain_text("WEB-0001")
    facts = page.locator(".facts").last
    expect(facts).to_contain_text("Documents extracted5 of 5")
    expect(facts).to_contain_text("Credits charged5")
    shoot(page, "job")
    # WHEN they download the workbook THEN it has one row per document with the invoice numbers
    with page.expect_download() as downloaded:
        page.locator("#download").click()
    rows = results_rows(Path(downloaded.value.path()))
    assert sorted(str(r["File"]) for r in rows) == [
        "batch.zip/march/a.pdf", "batch.zip/march/b.pdf", "invoice-1.pdf", "invoice-2.pdf", "invoice-3.pdf",
    ]  # fmt: skip
    numbers = {str(r["File"]): r["Invoice number"] for r in rows}
    assert numbers["invoice-2.pdf"] == "WEB-0002"
    assert numbers["batch.zip/march/b.pdf"] == "WEB-0005"
    # AND the credits page shows the debit of this job in the ledger
    page.get_by_role("link", name=re.compile("^Credits")).click()
    expect(page.locator("#balance")).to_have_text(f"{FREE_CREDITS - 5} credits")
    debit = page.locator("tbody tr", has=page.get_by_role("link", name="Job"))
    expect(debit).to_have_count(1)
    expect(debit).to_contain_text("-5")
    expect(debit.get_by_role("link", name="Job")).to_have_attribute("href", f"#/jobs/{job_id}")
    shoot(page, "credits")
    # AND the history lists the job, delivered
    page.get_by_role("link", name="History").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Delivered")


def test_a_job_short_of_credits_runs_after_buying_a_pack(web_stack: WebStack, page: Any) -> None:
    # GIVEN a user whose free credits do not cover a 12-page document
    user = verified_user(web_stack.auth, web_stack.project)
    sign_in(page, web_stack.web, user)
    page.locator(FILES).set_input_files([payload("long.pdf", invoice_pdf(7, pages=12))])
    upload(page)
    # THEN the page says how many credits are missing and does not let them confirm
    expect(page.get_by_text("You need 2 more credits")).to_be_visible(timeout=DONE)
    expect(page.get_by_role("button", name="Confirm and pay 12 credits")).to_be_disabled()
    # WHEN they buy the 100-credit pack through Checkout (the stand-in delivers the event twice)
    page.get_by_role("link", name="Buy credits").click()
    page.get_by_role("button", name=re.compile(r"^Buy 100 credits")).click()
    expect(page.get_by_role("heading", name="ZapDoc")).to_be_visible()
    assert page.url.startswith(web_stack.urls["checkout"] + "/pay/cs_test_")
    expect(page.locator("#amount")).to_have_text("5.00 EUR")
    page.get_by_role("button", name="Pay 5.00 EUR").click()
    # THEN they are back on the credits page and the balance rises once
    expect(page.get_by_text(f"Your balance is now {FREE_CREDITS + 100} credits")).to_be_visible(timeout=DONE)
    purchases = page.locator("tbody tr", has_text="Purchase")
    expect(purchases).to_have_count(1)
    log = (web_stack.stack.options.state_dir / "checkout.log").read_text()
    deliveries = re.findall(r"delivered checkout\.session\.completed (evt_\w+) -> 200", log)
    assert len(deliveries) >= 2 and len(set(deliveries)) < len(deliveries), log  # one event, sent twice
    assert me(web_stack, user)["balance"] == FREE_CREDITS + 100
    # WHEN they go back to the job and confirm THEN it runs and is charged once
    page.get_by_role("link", name="Back to your job").click()
    page.get_by_role("button", name="Confirm and pay 12 credits").click()
    expect(page.locator(".status")).to_contain_text("Delivered", timeout=DONE)
    assert me(web_stack, user)["balance"] == FREE_CREDITS + 100 - 12


def test_unreadable_files_show_their_reasons_and_are_not_charged(web_stack: WebStack, page: Any) -> None:
    # GIVEN a password-protected PDF, a PNG renamed .pdf and one good invoice
    user = verified_user(web_stack.auth, web_stack.project)
    sign_in(page, web_stack.web, user)
    files = [payload(name, data) for name, data in bad_files()] + [payload("good.pdf", invoice_pdf(9))]
    page.locator(FILES).set_input_files(files)
    upload(page)
    # THEN only the good page is priced, and after the job each bad file has its reason in plain words
    expect(page.get_by_text("This job costs 1 credit")).to_be_visible(timeout=DONE)
    page.get_by_role("button", name="Confirm and pay 1 credit").click()
    expect(page.locator(".status")).to_contain_text("Delivered", timeout=DONE)
    locked = page.locator("tr", has=page.get_by_role("rowheader", name="password.pdf"))
    expect(locked).to_contain_text("not processed")
    expect(locked).to_contain_text("password-protected")
    photo = page.locator("tr", has=page.get_by_role("rowheader", name="photo.pdf"))
    expect(photo).to_contain_text("not processed")
    expect(photo).to_contain_text("PNG image")
    expect(page.locator(".facts").last).to_contain_text("Credits charged1")
    assert me(web_stack, user)["balance"] == FREE_CREDITS - 1


def test_a_second_user_cannot_open_the_first_users_job(web_stack: WebStack, page: Any) -> None:
    # GIVEN a job of one user (made through the API)
    owner = verified_user(web_stack.auth, web_stack.project)
    headers = {"Authorization": f"Bearer {id_token(web_stack.auth, owner)}"}
    body = {
        "files": [{"name": "a.pdf", "size": 100, "content_type": "application/pdf"}],
        "template": "invoice",
    }
    created = requests.post(
        web_stack.urls["api"] + "/v1/jobs", json={**body, "hold": True}, headers=headers, timeout=30
    )
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]
    # WHEN another user opens its URL THEN the page says there is no such job in their account
    sign_in(page, web_stack.web, verified_user(web_stack.auth, web_stack.project))
    page.goto(f"{web_stack.web}#/jobs/{job_id}")
    expect(page.get_by_role("heading", name="Job not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("a.pdf")


def tab_to(page: Any, matches: str, *, limit: int = 400) -> None:
    """Press Tab until the focused element satisfies the JS predicate ``matches`` (on ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({matches}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {matches}")


def test_a_whole_job_with_the_keyboard_only(web_stack: WebStack, page: Any) -> None:
    # GIVEN a user who only uses the keyboard
    user = verified_user(web_stack.auth, web_stack.project)
    # (Playwright turns file-chooser interception on when the first listener is added, asynchronously:
    # added here, long before the key press, a chooser opened by the press is always reported)
    page.on("filechooser", lambda _chooser: None)
    page.goto(web_stack.web)
    tab_to(page, "el.name === 'email'")
    page.keyboard.type(user.email)
    tab_to(page, "el.name === 'password'")
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="New job")).to_be_visible()
    # WHEN they open the file picker from the keyboard, then tab to the upload button
    expect(page.get_by_label("Template or field list")).to_have_value("builtin:invoice", timeout=60_000)
    tab_to(page, "el.textContent === 'Choose files'")
    expect(page.get_by_role("button", name="Choose files")).to_be_focused()  # settled before the key
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files([payload("kb-1.pdf", invoice_pdf(11)), payload("kb-2.pdf", invoice_pdf(12))])
    expect(page.locator(".files li")).to_have_count(2)
    tab_to(page, "el.textContent === 'Upload and count pages'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(JOB_URL, timeout=60_000)
    expect(page.get_by_text("This job costs 2 credits")).to_be_visible(timeout=DONE)
    tab_to(page, "el.id === 'confirm'")
    page.keyboard.press("Enter")
    expect(page.locator(".status")).to_contain_text("Delivered", timeout=DONE)
    # THEN the download is reachable and works from the keyboard, and focus is always visible
    tab_to(page, "el.id === 'download'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    with page.expect_download() as downloaded:
        page.keyboard.press("Enter")
    assert len(results_rows(Path(downloaded.value.path()))) == 2


def axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".filter((v) => v.impact === 'serious' || v.impact === 'critical')"
        ".map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"
    )
    return list(found)


def test_no_page_has_a_serious_or_critical_accessibility_violation(web_stack: WebStack, page: Any) -> None:
    # GIVEN the pages a user sees: sign in, verify, new job, a job waiting for confirmation, a delivered
    # job, history, credits, API keys (desktop and phone widths)
    problems: dict[str, list[str]] = {}
    page.goto(web_stack.web)
    expect(page.get_by_role("heading", name="Sign in to ZapDoc")).to_be_visible()
    problems["sign-in"] = axe_violations(page)
    user = verified_user(web_stack.auth, web_stack.project)
    sign_in(page, web_stack.web, user)
    problems["new job"] = axe_violations(page)
    page.locator(FILES).set_input_files([payload("axe.pdf", invoice_pdf(21))])
    upload(page)
    expect(page.get_by_text("This job costs 1 credit")).to_be_visible(timeout=DONE)
    problems["job (cost)"] = axe_violations(page)
    page.get_by_role("button", name="Confirm and pay 1 credit").click()
    expect(page.locator("#preview")).to_be_visible(timeout=DONE)
    problems["job (delivered)"] = axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    problems["job (phone)"] = axe_violations(page)
    for route, heading in (("#/jobs", "Your jobs"), ("#/credits", "Credits"), ("#/keys", "API keys")):
        page.goto(web_stack.web + route)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.locator("tbody tr").first).to_be_visible()
        problems[route] = axe_violations(page)
    # THEN axe-core finds no serious or critical violation on any of them
    assert {k: v for k, v in problems.items() if v} == {}


def test_api_keys_are_shown_once_listed_and_revoked(web_stack: WebStack, page: Any) -> None:
    user = verified_user(web_stack.auth, web_stack.project)
    sign_in(page, web_stack.web, user)
    page.get_by_role("link", name="API keys").click()
    # the sign-in lands on the new-job page, whose field editor also has "Name" inputs: wait for the
    # keys page to replace it before filling
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    page.get_by_label("Name").fill("nightly script")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key").input_value()
    assert key.startswith("zd_")
    listed = requests.get(
        web_stack.urls["api"] + "/v1/me", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    assert listed.status_code == 200
    row = page.locator("tbody tr", has_text="nightly script")
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text(key)  # the list never shows the key itself
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Revoke the key nightly script").click()
    expect(row).to_contain_text("revoked")
    refused = requests.get(
        web_stack.urls["api"] + "/v1/me", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]["message"]
    page.goto(web_stack.web + "#/jobs/" + "x" * 20)
    expect(page.get_by_role("heading", name="Job not found")).to_be_visible()


LAYOUT_SHIFT = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
    }).observe({ type: "layout-shift", buffered: true });
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(total)));
})"""


@pytest.mark.parametrize("viewport", [{"width": 412, "height": 823}, {"width": 1280, "height": 800}])
def test_the_first_page_does_not_move_while_it_renders(
    web_stack: WebStack, page: Any, viewport: dict[str, int]
) -> None:
    # GIVEN a phone-sized and a desktop-sized window (Lighthouse scores the phone one)
    page.set_viewport_size(viewport)
    # WHEN the app boots and replaces its loading line with the sign-in page
    page.goto(web_stack.web)
    expect(page.get_by_role("heading", name="Sign in to ZapDoc")).to_be_visible()
    # THEN nothing already on screen (header, footer) was pushed around: cumulative layout shift is 0
    assert page.evaluate(LAYOUT_SHIFT) == pytest.approx(0.0, abs=0.01)
