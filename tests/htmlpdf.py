"""Print HTML documents to PDF with a real browser (Playwright driving Debian's Chromium), the way many
invoicing services make their PDFs: CSS layout, web fonts fallback, text runs as Chromium's PDF backend
(Skia) writes them. Test documents of this family differ from the reportlab ones in every way a text
layer can: glyph runs, spacing, font sizes, table cells.

One browser serves every document of a call (starting it costs about a second, a page a few tens of ms).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ZAPDOC_CHROMIUM", "/usr/bin/chromium")
_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-dev-shm-usage", "--disable-extensions", "--disable-sync"]  # fmt: skip


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def need_chromium() -> None:
    """Skip the calling test where Chromium is missing (``make test`` installs it)."""
    if not chromium_available():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-chromium.sh (apt-get install chromium)")


def html_to_pdfs(documents: Sequence[str], *, page_format: str = "A4") -> list[bytes]:
    """The PDF bytes of each HTML document, printed on ``page_format`` paper with its CSS backgrounds."""
    from playwright.sync_api import sync_playwright

    out: list[bytes] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            page = browser.new_page()
            for html in documents:
                page.set_content(html, wait_until="load")
                out.append(page.pdf(format=page_format, print_background=True, prefer_css_page_size=True))
        finally:
            browser.close()
    return out


def html_to_pdf(html: str, *, page_format: str = "A4") -> bytes:
    return html_to_pdfs([html], page_format=page_format)[0]
