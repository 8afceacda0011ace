"""Scanned PDFs for tests: real PDFs rendered to images and wrapped in image-only PDFs (no text layer)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
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


def pictured_pdf(
    pdf: bytes, box: tuple[float, float, float, float], *, dpi: int = 200, page: int = 1
) -> bytes:
    """``pdf`` with the text inside ``box`` (x0, top, x1, bottom in points from the page's top-left
    corner) on ``page`` turned into a picture of itself, as a letterhead or footer set as an image is:
    the words are still printed there, but the text layer no longer has them."""
    doc = pdfium.PdfDocument(pdf)
    try:
        target = doc[page - 1]
        width, height = target.get_size()
        x0, top, x1, bottom = box
        crop = (x0, height - bottom, width - x1, top)
        bitmap = target.render(scale=dpi / 72, crop=crop, grayscale=True)
        picture = pdfium.PdfImage.new(doc)
        picture.set_bitmap(bitmap)
        picture.set_matrix(pdfium.PdfMatrix().scale(x1 - x0, bottom - top).translate(x0, height - bottom))
        for obj in list(target.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=1)):
            left, low, right, high = obj.get_bounds()
            cx, cy = (left + right) / 2, height - (low + high) / 2
            if x0 <= cx <= x1 and top <= cy <= bottom:
                target.remove_obj(obj)
        target.insert_obj(picture)
        target.gen_content()
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
    finally:
        doc.close()
