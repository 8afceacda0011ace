"""Scanned PDFs for tests: real PDFs rendered to images and wrapped in image-only PDFs (no text layer)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def image_only_pdf(
    pdf: bytes, *, dpi: int = 200, grayscale: bool = True, skew: float = 0.0, turn: int = 0
) -> bytes:
    """``pdf`` as a scanner would return it: every page a bitmap at ``dpi``, no text layer at all;
    ``skew`` degrees turns each page counter-clockwise, as a sheet fed askew comes out; ``turn`` (90,
    180, 270) puts it in the scanner on its side or upside down (counter-clockwise, the page's box too)."""
    src = pdfium.PdfDocument(pdf)
    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=True)
    try:
        for index in range(len(src)):
            page = src[index]
            width, height = page.get_size()
            image = page.render(scale=dpi / 72, grayscale=grayscale).to_pil()
            if skew:
                image = image.convert("L").rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
            page.close()
            if turn:
                image = image.rotate(turn, expand=True)
                if turn in (90, 270):
                    width, height = height, width
            c.setPageSize((width, height))
            c.drawImage(ImageReader(image), 0, 0, width=width, height=height)
            c.showPage()
    finally:
        src.close()
    c.save()
    return out.getvalue()
