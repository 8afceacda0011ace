"""Build real PDFs for tests with reportlab: one string per page, lines split on newlines."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def make_pdf(pages: list[str], *, font: str = "Helvetica", size: int = 10) -> bytes:
    """Return the bytes of a text-layer PDF with one page per item of ``pages``."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    _, height = A4
    for text in pages:
        c.setFont(font, size)
        y = height - 50
        for line in text.splitlines():
            c.drawString(50, y, line)
            y -= size * 1.4
            if y < 40:
                break
        c.showPage()
    c.save()
    return buf.getvalue()
