"""Print HTML documents to PDF with WeasyPrint, the way many Python, Django and Odoo-style systems print
their invoices: Pango/HarfBuzz shaping (ligature glyphs, kerning in TJ arrays), subset fonts, WeasyPrint's
own line breaking, table and flex layout, and page boxes from ``@page`` rules, written by pydyf. The text
layers differ from Chromium's (tests/htmlpdf.py) and reportlab's in all of these.

Documents are printed one after another in this process (a page takes some tens of ms).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest


def weasyprint_available() -> bool:
    """Whether WeasyPrint imports, which needs Pango (libpango-1.0-0, libpangoft2-1.0-0) on the machine."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def need_weasyprint() -> None:
    """Skip the calling test where WeasyPrint or Pango is missing (``make test`` installs both)."""
    if not weasyprint_available():
        pytest.skip("WeasyPrint or Pango is missing: run scripts/install-desktop-tools.sh, make install-dev")


def html_to_pdfs_weasy(documents: Sequence[str]) -> list[bytes]:
    """The PDF bytes of each HTML document as WeasyPrint prints it (A4 unless its CSS sets a page size)."""
    import weasyprint

    # WeasyPrint warns about every CSS property it does not support (box-shadow, some flex/grid); the
    # printed document is what it is, and the warnings would only flood a test's log.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return [weasyprint.HTML(string=html).write_pdf() for html in documents]


def html_to_pdf_weasy(html: str) -> bytes:
    return html_to_pdfs_weasy([html])[0]
