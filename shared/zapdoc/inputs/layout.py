"""Positioned lines of a PDF page from pdfium: the raw material of layout (letterhead, window, footer).

Hand code on purpose: pdfplumber gives words too, but it parses the PDF again with pdfminer (tens of
ms per page). pdfium already holds the page and its text; asking it for a few character boxes per line
(the line's ends and the spaces where columns may part, not every glyph) keeps this cheap, and it runs
while ``inspect_pdf`` has the page loaded, because loading a page is most of the cost.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from collections.abc import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from zapdoc.domain.documents import PictureBox, TextSegment

# Two runs of text on one printed line are separate columns when this many font sizes apart.
COLUMN_GAP = 2.0
MAX_CHARS = 40_000  # a page with more text is a report, not a letterhead: no layout
MAX_SEGMENTS = 400
_SPACES_RE = re.compile(r"\s+")
PICTURE_MIN_SHARE = 0.008
"""Images under this share of the page (icons, bullets, small stamps) hold no line of print worth reading."""
PICTURE_MAX_SHARE = 0.6
"""Nor does a picture filling most of the page (a photo; a scanned page goes the whole-page OCR way)."""
PICTURE_MIN_HEIGHT_PT = 12.0
LOOSE_MIN_EM = 0.8
"""A line's size is its loose glyph box height, which most fonts make 0.8-1.2 em; where a font's metrics make
it smaller (LibreOffice's embedded subsets: 0.69 em), the size is this share of the font size instead, so
that rows of its print stack into blocks and columns part as they do in other producers' print."""

Box = Callable[[int], tuple[float, float, float, float]]

# Presentation forms a text layer may carry for plain print: the Latin ligature glyphs of typesetters and
# shaping engines ("ﬁ" in "Identiﬁcation", "ﬀ" in "Staﬀ"), written out by their Unicode compatibility
# decomposition (NFKC), and the non-breaking hyphens of ids and phone numbers ("RE‑2025‑104"). Only these:
# NFKC over the whole text would also fold "²", "½" or "™".
_PRINTED_FORMS = str.maketrans(
    {
        **{chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)},
        "\u2010": "-",
        "\u2011": "-",
    }
)


_PRINTED_FORMS_RE = re.compile("[\ufb00-\ufb06\u2010\u2011]")


def plain_print(text: str) -> str:
    """``text`` with ligature glyphs written out and non-breaking hyphens as hyphens (``_PRINTED_FORMS``)."""
    return text.translate(_PRINTED_FORMS) if _PRINTED_FORMS_RE.search(text) else text


def page_segments(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str, page_no: int, cuts: list[int] | None = None
) -> list[TextSegment]:
    """The page's lines cut into column segments, each with its box (top-left origin, points); a space
    before each index of ``cuts`` (``cell_gaps``), as the page text has it."""
    count = textpage.count_chars()
    if count <= 0 or count > MAX_CHARS:
        return []
    index = None if len(text) == count else _text_indices(textpage, count)
    if index is not None and len(index) != len(text):
        return []  # char indices would not line up with the text: read without layout
    width, height = page.get_size()
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    rect = pdfium_c.FS_RECTF()
    boxes: dict[int, tuple[float, float, float, float]] = {}

    def box(i: int) -> tuple[float, float, float, float]:
        """(left, right, top, height) of character ``i``; the loose box gives the line's height."""
        if index is not None:
            i = index[i]
        if i not in boxes:
            pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
            pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect)
            loose = abs(rect.top - rect.bottom)
            em = pdfium_c.FPDFText_GetFontSize(raw, i)
            boxes[i] = (left.value, right.value, height - rect.top, max(loose, LOOSE_MIN_EM * em))
        return boxes[i]

    out: list[TextSegment] = []
    for m in re.finditer(r"[^\r\n]+", text):
        if len(out) >= MAX_SEGMENTS:
            break
        for start, end in _columns(text, m.start(), m.end(), box):
            words = plain_print(_SPACES_RE.sub(" ", spaced(text, cuts or [], start, end + 1)).strip())
            if _tracked(words):
                words = _untracked(text, start, end, box) or words
            if words:
                b0, b1, plain = box(start), box(end), box(_plain_char(text, start, end))
                out.append(
                    TextSegment(words, page_no, b0[0], b1[1], plain[2], plain[3] or 10.0, width, height)
                )
    return out


def _plain_char(text: str, start: int, end: int) -> int:
    """The first plain letter or digit (ASCII) of a segment, within its first few characters, else its start:
    the char whose loose box gives the line's top and height. An accented capital's box reaches above the
    font's ascent ("À l'attention de", "Échéance"), which would make its line look printed larger and
    higher than its neighbours, parting it from the block it belongs to."""
    for i in range(start, min(end + 1, start + 8)):
        if text[i].isascii() and text[i].isalnum():
            return i
    return start


# Where a word may end and the next begin without a space in the text: a lower-case letter before a capital
# or a digit, a digit before a letter, a closing mark before a letter or digit ("Rechnungsdatum20.07.2025",
# "FactuurnummerRE-2025-118": a label and its value in two table cells a browser set a pixel or two apart).
_JUNCTION_RE = re.compile(
    r"(?<=[^\W\d_])(?=\d)|(?<=[a-zß-öø-ÿ])(?=[A-ZÀ-ÖØ-Þ])|(?<=\d)(?=[^\W\d_])|(?<=[.:)])(?=\w)"
)
# ... and a word ends there when the glyphs' advance boxes stand this share of the line's height apart
# (glyphs of one word touch, kerned ones overlap; the cells of an unpadded table are ~0.12 apart).
CELL_GAP = 0.07


def cell_gaps(textpage: pdfium.PdfTextPage, text: str) -> list[int]:
    """Where in ``text`` pdfium joined two runs a gap apart, at the junctions a word can end at: the text
    of two cells printed side by side reads as two words, not one ("Rechnungsdatum 20.07.2025"). The gap
    must stand out from its neighbours': letters tracked out evenly ("B . V .") stay as they are."""
    if len(text) != textpage.count_chars():
        return []  # char indices would not line up with the text
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()

    def gap(i: int) -> tuple[float, float]:
        """(gap between chars i-1 and i, height of char i-1) from their advance boxes."""
        pdfium_c.FPDFText_GetLooseCharBox(raw, i - 1, rect)
        right, height = rect.right, abs(rect.top - rect.bottom)
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect)
        return rect.left - right, height

    cuts: list[int] = []
    for m in _JUNCTION_RE.finditer(text):
        i = m.start()
        wide, height = gap(i)
        if not height or wide <= CELL_GAP * height:
            continue
        pairs = [
            j
            for j in (i - 1, i + 1)
            if 0 < j < len(text) and not (text[j - 1].isspace() or text[j].isspace())
        ]
        neighbours = [gap(j)[0] for j in pairs]
        if all(n < CELL_GAP * height / 2 for n in neighbours):
            cuts.append(i)
    return cuts


def spaced(text: str, cuts: list[int], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with a space before each index of ``cuts`` inside it."""
    stop = len(text) if end is None else end
    inside = [i for i in cuts if start < i < stop]
    if not inside:
        return text[start:stop]
    return " ".join(text[a:b] for a, b in itertools.pairwise([start, *inside, stop]))


# A word of ``TRACKED_MIN`` or more letters set apart by spaces: a display line tracked out by typing
# ("K E S T R E L   D E S I G N"); the page text keeps one space between letters and words alike.
TRACKED_MIN = 4
# ... words part where the gap between two letters is this many times the usual gap between letters
WORD_GAP = 1.6


def _tracked(words: str) -> bool:
    letters = words.split(" ")
    return (
        len(letters) >= TRACKED_MIN
        and all(len(ch) == 1 for ch in letters)
        and sum(ch.isalpha() for ch in letters) >= TRACKED_MIN
    )


def _untracked(text: str, start: int, end: int, box: Box) -> str | None:
    """A tracked-out line with its letters joined into words, parted where the gap between two letters
    is wider than the others (the typed word space): "K E S T R E L   L T D" reads "KESTREL LTD". None
    when no gap stands out on a long line (the words cannot be told apart)."""
    at = [i for i in range(start, end + 1) if not text[i].isspace()]
    gaps = [box(b)[0] - box(a)[1] for a, b in itertools.pairwise(at)]
    usual = sorted(gaps)[len(gaps) // 2]
    breaks = [gap > WORD_GAP * max(usual, 0.5) for gap in gaps]
    if not any(breaks) and len(at) > 12:
        return None
    out = [text[at[0]]]
    for i, ch in zip(breaks, at[1:], strict=True):
        out.append((" " if i else "") + text[ch])
    return "".join(out)


def _text_indices(textpage: pdfium.PdfTextPage, count: int) -> list[int]:
    """pdfium's char index of each character of the page text, when the two differ in length: pdfium
    counts UTF-16 units, so an emoji icon ("📞 +49 ...") is a surrogate pair of two chars, or a lone
    surrogate that the page text drops."""
    out: list[int] = []
    i = 0
    while i < count:
        unit = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if 0xD800 <= unit <= 0xDBFF and i + 1 < count:
            low = pdfium_c.FPDFText_GetUnicode(textpage.raw, i + 1)
            if 0xDC00 <= low <= 0xDFFF:
                out.append(i)  # a pair: one character of the text
                i += 2
                continue
        if not 0xD800 <= unit <= 0xDFFF:
            out.append(i)  # a lone surrogate is not in the text
        i += 1
    return out


def _columns(text: str, start: int, end: int, box: Box) -> list[tuple[int, int]]:
    """Char ranges of one pdfium line, cut where the gap at a space is wider than ``COLUMN_GAP`` sizes."""
    first = start
    while first < end and text[first].isspace():
        first += 1
    last = end - 1
    while last >= first and text[last].isspace():
        last -= 1
    if first > last:
        return []
    size = box(first)[3] or 10.0
    cuts: list[tuple[int, int]] = []
    seg_start = first
    i = text.find(" ", first, last)
    while i != -1:
        j = i
        while j <= last and text[j] == " ":
            j += 1
        if i > seg_start and j <= last and box(j)[0] - box(i - 1)[1] > COLUMN_GAP * size:
            cuts.append((seg_start, i - 1))
            seg_start = j
        i = text.find(" ", j, last)
    cuts.append((seg_start, last))
    return cuts


def page_pictures(page: pdfium.PdfPage, page_no: int) -> list[PictureBox]:
    """The page's images that could hold a line of print. Top-level image objects only: pdfium gives
    the bounds of an image nested in a form XObject in the form's own space, not the page's."""
    width, height = page.get_size()
    out: list[PictureBox] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1):
        left, bottom, right, top = obj.get_bounds()
        left, right = max(0.0, left), min(width, right)
        bottom, top = max(0.0, bottom), min(height, top)
        share = (right - left) * (top - bottom) / max(width * height, 1.0)
        if PICTURE_MIN_SHARE <= share <= PICTURE_MAX_SHARE and top - bottom >= PICTURE_MIN_HEIGHT_PT:
            out.append(PictureBox(page_no, left, height - top, right, height - bottom))
    return out
