"""Browser tests: Playwright for Python driving Debian's Chromium against one local stack (emulators,
functions, the API serving the web app, the Auth emulator, the storage front and the Checkout
stand-in), started by the fixtures and stopped after the session.

Chromium comes from ``apt-get install chromium`` (scripts/install-chromium.sh, run by ``make test``);
Playwright cannot download a browser here. Each test gets a fresh browser context (its own user).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.screenshots import screenshots_dir
from zapdoc.dev.api_services import firebase_cli
from zapdoc.dev.emulators import Emulator, free_port
from zapdoc.dev.stack import LocalStack, StackOptions

pytestmark = [pytest.mark.emulators, pytest.mark.slow]

CHROMIUM = os.environ.get("ZAPDOC_CHROMIUM", "/usr/bin/chromium")
# Quiet, deterministic Chromium: no background traffic (the page must work offline), no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
FREE_CREDITS = 10
ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class WebStack:
    stack: LocalStack
    web: str  # the web app's URL (the API's origin)
    auth: str  # the Auth emulator's URL
    project: str
    other_origin_port: int  # an origin (another port) the setting allows

    @property
    def urls(self) -> dict[str, str]:
        return self.stack.urls


@pytest.fixture(scope="session")
def web_stack(
    firestore_emulator: Emulator,
    pubsub_emulator: Emulator,
    storage_emulator: Emulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WebStack]:
    if firebase_cli() is None or shutil.which("java") is None:
        pytest.skip("needs firebase-tools and java for the Auth emulator (scripts/ensure-tools.sh)")
    if not (ROOT / "shared/zapdoc/webapp/index.html").is_file():
        pytest.fail("the web app is not built: run `make web`")
    tmp = tmp_path_factory.mktemp("web-stack")
    other = free_port()
    project = f"demo-{uuid.uuid4().hex[:10]}"
    opts = StackOptions(
        state_dir=tmp / "state",
        outbox=tmp / "outbox",
        project=project,
        firestore_host=firestore_emulator.address,
        pubsub_host=pubsub_emulator.address,
        storage_url=storage_emulator.url,
        sweep_every=3600.0,
        threads=8,
        api=True,
        checkout_deliveries=2,  # Stripe delivers at least once: every purchase event arrives twice
        env={"ZAPDOC_FREE_CREDITS": str(FREE_CREDITS), "ZAPDOC_ALLOWED_ORIGINS": f"http://127.0.0.1:{other}"},
    )
    stack = LocalStack(opts).start()
    try:
        yield WebStack(stack, stack.urls["web"], stack.urls["auth"], project, other)
    finally:
        stack.stop()


@pytest.fixture(scope="module")  # not session: a live sync Playwright would break later sync_playwright()
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-chromium.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def shoot(page: Any, name: str) -> None:
    """Write <name>-desktop.png and -phone.png of the current page (see tests/screenshots.py)."""
    folder = screenshots_dir()
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)
