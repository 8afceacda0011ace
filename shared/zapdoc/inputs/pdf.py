"""PDF inspection: page count (pypdf) and text layer (pypdfium2). Minimal first version; hardened next."""

from __future__ import annotations

import io

import pypdf
import pypdfium2 as pdfium

from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.errors import InputError


def inspect_pdf(source: Source, *, with_text: bool = True) -> DocumentText:
    """Count pages and read the text of every page. Raises ``InputError`` with a user-facing reason."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(source.data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("the PDF is password-protected")
        count = len(reader.pages)
    except pypdf.errors.PyPdfError as exc:
        raise InputError(f"the PDF could not be read ({exc})") from exc
    pages: tuple[str, ...] = ()
    if with_text:
        doc = pdfium.PdfDocument(source.data)
        try:
            pages = tuple(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        finally:
            doc.close()
    return DocumentText(name=source.name, pages=pages, page_count=count, pdf=source.data)
