"""PDF inspection of untrusted bytes: page count with pypdf (what users pay for), text with pdfium (fast).

Every way a PDF can be unusable (not a PDF, password, damaged, truncated, no pages) becomes an
``InputError`` whose message a user can act on. Parse time and memory are bounded by the caller
(``zapdoc.inputs.sandbox``), because parsers have had infinite-loop bugs.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib

import pypdf
import pypdfium2 as pdfium
from pypdf.errors import DependencyError, PyPdfError

from zapdoc.domain.documents import DocumentText, PictureBox, Source, TextSegment
from zapdoc.domain.errors import InputError
from zapdoc.inputs.layout import cell_gaps, page_pictures, page_segments, plain_print, spaced
from zapdoc.inputs.sniff import EINVOICE_XML, sniff

# pypdf logs a warning for every repair it makes on a damaged file; without a handler anywhere,
# Python would print them to stderr. Applications that configure logging still receive them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

LOCKED_PDF_REASON = "the PDF is password-protected: remove the password and upload it again"

# What pypdf raises on malformed input besides its own errors (it is not always tidy about it).
_PARSE_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError,
    ArithmeticError,
    AssertionError,
    AttributeError,
    LookupError,
    NotImplementedError,
    RecursionError,
    TypeError,
    ValueError,
    struct.error,
    zlib.error,
)
_ATTACHMENT_ERRORS: tuple[type[BaseException], ...] = (DependencyError, *_PARSE_ERRORS)
# C0 controls except \t \n \f (\r is turned into \n first), DEL, C1 controls, lone surrogates and
# non-characters: none belongs in extracted text, and several break spreadsheets or JSON.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def count_pages(data: bytes) -> int:
    """Number of pages as pypdf counts them (correct even when an encrypted file's /Count lies).

    A standalone XML e-invoice counts as one page.
    """
    if sniff(data) == EINVOICE_XML:
        return 1
    return _page_count(data)


def inspect_pdf(source: Source, *, with_text: bool = True) -> DocumentText:
    """Count pages and read the text of every page. Raises ``InputError`` with a user-facing reason.

    A PDF's embedded e-invoice XML (Factur-X, ZUGFeRD, XRechnung, UBL) comes along as ``xml``; a
    standalone XML e-invoice is one page whose text is a readable rendering of it.
    """
    if sniff(source.data) == EINVOICE_XML:
        return _inspect_xml(source, with_text=with_text)
    count = _page_count(source.data)
    segments: list[TextSegment] = []
    pictures: list[PictureBox] = []
    pages: tuple[str, ...] = ()
    if with_text:
        unreadable: list[int] = []
        pages = _page_texts(source.data, count, segments, unreadable, pictures)
        if unreadable:
            raise InputError(unreadable_reason(count, unreadable))
    xml = embedded_einvoice(source.data) if with_text else None
    return DocumentText(
        name=source.name,
        pages=pages,
        page_count=count,
        pdf=source.data,
        segments=tuple(segments),
        xml=xml,
        pictures=tuple(pictures),
    )


def unreadable_reason(count: int, unreadable: list[int]) -> str:
    """Why a PDF whose pages pypdf counted cannot be processed: some cannot be opened to be read.

    Users pay for the pages pypdf counts; the text (and, for scans, the rendering that OCR reads) comes
    from pdfium. A page pdfium cannot load (its page tree disagrees with pypdf's, e.g. a forged
    ``/Count``, or the page object is broken) has neither text nor an image, so charging for it would
    charge for nothing, and reading the rest would give an "ok" row built from part of the document.
    Such a document is refused as damaged, naming the pages (a scan is not: its pages load, without
    text, and go to OCR or to the model as a PDF)."""
    shown = ", ".join(str(n) for n in unreadable[:10])
    if len(unreadable) > 10:
        shown += f" and {len(unreadable) - 10} more"
    if len(unreadable) >= count:
        which = "none of them can be opened"
    else:
        which = f"page{'s' * (len(unreadable) > 1)} {shown} cannot be opened"
    return (
        f"the PDF is damaged: it has {count} page{'s' * (count != 1)} but {which} (its page tree is"
        " inconsistent); open it in a PDF viewer, save or print it as a new PDF and upload that"
    )


def _inspect_xml(source: Source, *, with_text: bool) -> DocumentText:
    from zapdoc.inputs.einvoice import EInvoiceError, read_einvoice, render_text

    try:
        invoice = read_einvoice(source.data)
    except EInvoiceError as exc:
        raise InputError(f"the XML e-invoice cannot be read: {exc}") from exc
    pages = (render_text(invoice),) if with_text else ()
    return DocumentText(name=source.name, pages=pages, page_count=1, xml=source.data)


def embedded_einvoice(data: bytes) -> bytes | None:
    """The e-invoice XML attached to a PDF (by the standard file names, else by content), or None."""
    from zapdoc.inputs.einvoice import find_attachment

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        found = find_attachment(reader.attachments)  # a lazy mapping: only the candidates are read
    except _ATTACHMENT_ERRORS:
        return None  # a damaged attachment tree: the page text still serves
    return found[1] if found else None


def _page_count(data: bytes) -> int:
    kind = sniff(data)
    if kind != "pdf":
        raise InputError("the file is empty (0 bytes)" if not data else f"the file is {kind}, not a PDF")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(LOCKED_PDF_REASON)
        count = len(reader.pages)
    except InputError:
        raise
    except DependencyError as exc:
        raise InputError(f"the PDF uses an encryption this installation cannot open ({exc})") from exc
    except RecursionError as exc:
        raise InputError("the PDF's structure is nested too deeply to read; the file is malformed") from exc
    except _PARSE_ERRORS as exc:
        raise InputError(_damaged(data, exc)) from exc
    if count <= 0:
        raise InputError("the PDF has no pages")
    return count


def _damaged(data: bytes, exc: BaseException) -> str:
    """Why pypdf failed, in words: a missing end marker means the file was cut off."""
    if b"%%EOF" not in data[-2048:]:
        return (
            "the PDF is incomplete: it ends abruptly, as if the upload or download was cut off;"
            " upload the whole file again"
        )
    detail = f"{type(exc).__name__}: {exc}"
    detail = detail if len(detail) <= 160 else detail[:157] + "..."
    return f"the PDF is damaged and cannot be read ({detail})"


def tidy_page_text(text: str) -> str:
    """Normalise line ends to ``\\n``, drop control characters other than ``\\n \\t \\f`` and write out
    ligature glyphs (``plain_print``)."""
    return plain_print(_CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def _page_texts(
    data: bytes,
    count: int,
    segments: list[TextSegment] | None = None,
    unreadable: list[int] | None = None,
    pictures: list[PictureBox] | None = None,
) -> tuple[str, ...]:
    """Text of pages 1..count with pdfium; when pdfium disagrees on the count, pypdf's count wins.

    ``segments`` receives the positioned lines of the first and last page (read while they are loaded:
    loading a page is most of the cost), ``pictures`` the boxes of their images. ``unreadable`` receives
    the 1-based numbers of the pages that could not be loaded at all (beyond pdfium's count, or broken
    page objects): they read as empty."""
    bad = unreadable if unreadable is not None else []
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        # pypdf could read it (it has the more forgiving repair): fall back to its slower extractor.
        return _pypdf_texts(data, count, bad)
    try:
        last = min(len(doc), count) - 1
        texts = [
            _pdfium_page_text(doc, i, segments if i in (0, last) else None, bad, pictures)
            for i in range(last + 1)
        ]
    finally:
        doc.close()
    broken = [i for i, text in enumerate(texts) if shattered(text)]
    if broken:
        missing: list[int] = []  # pages pypdf cannot read either: pdfium's text stays
        try:
            again = _pypdf_texts(data, len(texts), missing)
        except InputError:
            again = ()
        for i in broken:
            if i < len(again) and i + 1 not in missing and not shattered(again[i]):
                texts[i] = again[i]  # pypdf orders that page's glyphs into lines; its boxes are not kept
                if segments is not None:
                    segments[:] = [s for s in segments if s.page != i + 1]
    bad.extend(range(len(texts) + 1, count + 1))
    texts.extend([""] * (count - len(texts)))
    return tuple(texts)


# pdfium breaks a line after every glyph when a page's glyphs advance less than their boxes are wide
# (tightly set print): most lines are then one or two characters long.
_SHATTERED_MIN_LINES = 20
_SHATTERED_SHARE = 0.6


def shattered(text: str) -> bool:
    """True when ``text`` reads one glyph per line: at least ``_SHATTERED_MIN_LINES`` lines, most of
    them (``_SHATTERED_SHARE``) one or two characters long."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < _SHATTERED_MIN_LINES:
        return False
    return sum(len(line.strip()) <= 2 for line in lines) >= _SHATTERED_SHARE * len(lines)


def _pdfium_page_text(
    doc: pdfium.PdfDocument,
    index: int,
    segments: list[TextSegment] | None = None,
    unreadable: list[int] | None = None,
    pictures: list[PictureBox] | None = None,
) -> str:
    """One page's text (with its segments and pictures when ``segments`` is given); a page pdfium
    cannot load (e.g. behind a forged /Count) reads as empty and is listed in ``unreadable``."""
    try:
        page = doc[index]
    except pdfium.PdfiumError:
        if unreadable is not None:
            unreadable.append(index + 1)
        return ""
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            cuts = cell_gaps(textpage, text)
            if segments is not None:
                segments.extend(page_segments(page, textpage, text, index + 1, cuts))
                if pictures is not None:
                    pictures.extend(page_pictures(page, index + 1))
            return tidy_page_text(spaced(text, cuts))
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        return ""
    finally:
        page.close()


def _pypdf_texts(data: bytes, count: int, unreadable: list[int] | None = None) -> tuple[str, ...]:
    """Text of pages 1..count with pypdf; pages it cannot read are listed in ``unreadable``."""
    if unreadable is None:
        unreadable = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        pages = list(reader.pages)[:count]
    except _PARSE_ERRORS as exc:
        raise InputError(_damaged(data, exc)) from exc
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(tidy_page_text(page.extract_text()))
        except _PARSE_ERRORS:
            unreadable.append(number)
            texts.append("")
    unreadable.extend(range(len(texts) + 1, count + 1))
    texts.extend([""] * (count - len(texts)))
    return tuple(texts)
