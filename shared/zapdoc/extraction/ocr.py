"""Scans read offline: pages rendered with pdfium, read by the Tesseract OCR engine, with confidences.

Used by the offline extractor for PDFs without a text layer (the cloud providers get scans as PDF parts).
Each page becomes a grayscale image at ``DPI`` (capped in pixels), fed to the ``tesseract`` command on
stdin as PGM (no temp files, no Pillow); its TSV output gives words with boxes and confidences, grouped
into lines (levelled when the page was fed askew). A page whose words come out unsure or standing on end
is checked with Tesseract's orientation detection and read again turned upright. Bounded: a time budget
per document (pages past it are left unread, with a note), a memory cap and one thread per Tesseract
process.

Hand code over pytesseract: it writes temp files and cannot cap the engine's memory; the TSV format is
Tesseract's own, documented interface.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
import resource
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from zapdoc.domain.documents import PictureBox, TextSegment
from zapdoc.domain.normalize import clean_text
from zapdoc.extraction.patterns import ocr_fixed_vat_ids
from zapdoc.inputs.layout import plain_print
from zapdoc.settings import ExtractionSettings

DPI = 300
MAX_SIDE_PX = 4200
"""Longest side of a rendered page in pixels (A4 at 300 dpi is 3508): huge pages are scaled down."""
LANGUAGES = ("eng", "fra", "deu", "nld")
"""Tesseract language packs the offline extractor reads (Debian: tesseract-ocr-eng, -fra, -deu, -nld)."""
DEFAULT_BUDGET_S = 40.0
"""Seconds of OCR per document by default (the CLI gives a document 60 s in its worker)."""
DEFAULT_MAX_PAGES = 20
PAGE_SEGMENTATION = "3"
"""Tesseract's page segmentation mode for a scanned page: fully automatic (blocks, columns, reading order)."""
SECOND_SEGMENTATION = "4"
"""... and for a second reading when the first left a key field unread: one column of lines of varying
size, each printed row read across the page. Mode 3's block finding can drop a word outright (a bold
"Total" in a table of totals, generated scans: 2 of 20 totals lost); mode 4 reads that row whole."""
SECOND_BUDGET_S = 15.0
"""Seconds for that second reading (the CLI's worker gives a document 60 s: 40 for the first, 15 here)."""
MEMORY_MB = 1024
"""Address-space cap of one Tesseract process."""

BUDGET_ENV = "ZAPDOC_OCR_BUDGET_S"
MAX_PAGES_ENV = "ZAPDOC_OCR_MAX_PAGES"
DISABLE_ENV = "ZAPDOC_OCR"
"""``ZAPDOC_OCR=0`` turns offline OCR off (on by default when Tesseract is installed)."""

HOW_TO_ENABLE = (
    "install Tesseract to read scans offline (Debian/Ubuntu: apt-get install tesseract-ocr"
    " tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-nld), or use --provider gemini"
)


@dataclass(frozen=True)
class OcrLine:
    """One line read by OCR, with its box in points from the page's top-left corner.

    The fields match the layout code's text segments (text, page, x0, x1, top, size, page width and
    height), plus the mean confidence (0..1) of the line's words.
    """

    text: str
    page: int
    x0: float
    x1: float
    top: float
    size: float
    page_width: float
    page_height: float
    confidence: float
    columns: tuple[tuple[str, float, float], ...] = ()
    """(text, x0, x1) of the line's pieces where it crosses from one column to the next (a gap of
    ``COLUMN_GAP`` sizes between two words): one row of the page text, but several layout segments,
    as ``inputs.layout`` cuts a text layer's lines."""

    def pieces(self) -> list[TextSegment]:
        """The line as layout segments, one per column it stands in."""
        parts = self.columns or ((self.text, self.x0, self.x1),)
        return [
            TextSegment(text, self.page, x0, x1, self.top, self.size, self.page_width, self.page_height)
            for text, x0, x1 in parts
        ]


@dataclass
class OcrResult:
    """The text of every page (unread pages empty), its lines, and notes on what was not read."""

    pages: list[str]
    lines: list[OcrLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    languages: str = ""

    @property
    def confidence(self) -> float:
        """Mean word-weighted line confidence of the document (0 when nothing was read)."""
        weights = [(len(line.text.split()), line.confidence) for line in self.lines]
        total = sum(w for w, _ in weights)
        return sum(w * c for w, c in weights) / total if total else 0.0

    def segments(self, page_count: int) -> tuple[TextSegment, ...]:
        """The lines of the first and last page as layout segments (what ``inspect_pdf`` gives text PDFs)."""
        pages = {1, page_count}
        return tuple(seg for ln in self.lines if ln.page in pages for seg in ln.pieces())

    def line_confidence(self) -> dict[tuple[int, str], float]:
        """(page, cleaned line text) -> confidence, for folding into the values read from the lines."""
        out: dict[tuple[int, str], float] = {}
        for line in self.lines:
            key = (line.page, clean_text(line.text))
            out[key] = min(out.get(key, 1.0), line.confidence)
        return out


class OcrUnavailable(RuntimeError):
    """Tesseract (or every wanted language pack) is not installed; the message says how to enable OCR."""


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """``ZAPDOC_OCR`` (``settings.extraction.ocr``): on unless 0/false/no/off."""
    return ExtractionSettings.from_env(env).ocr


@functools.lru_cache(maxsize=4)
def installed_languages(exe: str) -> tuple[str, ...]:
    """The wanted languages whose packs Tesseract has (in ``LANGUAGES`` order); asked once per process."""
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    have = {ln.strip() for ln in (out.stdout + out.stderr).splitlines()}
    return tuple(lang for lang in LANGUAGES if lang in have)


def ocr_pdf(
    pdf: bytes,
    page_count: int,
    *,
    budget_s: float | None = None,
    max_pages: int | None = None,
    env: Mapping[str, str] | None = None,
    segmentation: str = PAGE_SEGMENTATION,
) -> OcrResult:
    """OCR pages 1..``page_count`` of ``pdf`` within the time budget, with Tesseract's page segmentation
    mode ``segmentation``. Raises OcrUnavailable."""
    knobs = ExtractionSettings.from_env(env)
    exe = tesseract_path()
    if exe is None:
        raise OcrUnavailable(f"no text layer (scanned?) and Tesseract is not installed: {HOW_TO_ENABLE}")
    langs = installed_languages(exe)
    if not langs:
        raise OcrUnavailable(
            f"Tesseract has none of the language packs {', '.join(LANGUAGES)}: {HOW_TO_ENABLE}"
        )
    if budget_s is None:
        budget_s = DEFAULT_BUDGET_S if knobs.ocr_budget_s is None else knobs.ocr_budget_s
    if max_pages is None:
        max_pages = DEFAULT_MAX_PAGES if knobs.ocr_max_pages is None else int(knobs.ocr_max_pages)
    budget, limit = budget_s, max_pages
    lang = "+".join(langs)
    result = OcrResult(pages=[""] * page_count, languages=lang)
    deadline = time.monotonic() + budget
    doc = pdfium.PdfDocument(pdf)
    try:
        todo = min(len(doc), page_count, max(0, limit))
        for index in range(todo):
            left = deadline - time.monotonic()
            if left <= 1.0:
                result.notes.append(
                    f"OCR stopped after {index} of {page_count} pages: time limit ({budget:g} s)"
                )
                break
            image, width_pt, height_pt, scale = _render(doc, index)
            try:
                tsv = _tesseract(exe, image, lang, timeout=left, segmentation=segmentation)
                if _looks_turned(tsv):
                    turn = _orientation(exe, image, timeout=max(1.0, deadline - time.monotonic()))
                    if turn:
                        turned = _render(doc, index, rotation=turn)
                        again = _tesseract(
                            exe,
                            turned[0],
                            lang,
                            timeout=max(1.0, deadline - time.monotonic()),
                            segmentation=segmentation,
                        )
                        upright = _standing(tsv) and not _standing(again)
                        if upright or _mean_confidence(again) > _mean_confidence(tsv):
                            tsv, (image, width_pt, height_pt, scale) = again, turned
                            result.notes.append(
                                f"page {index + 1} was scanned turned: read turned by {turn}°"
                            )
            except subprocess.TimeoutExpired:
                result.notes.append(
                    f"OCR of page {index + 1} took too long; pages from there on were not read"
                )
                break
            lines = _lines(tsv, index + 1, scale, width_pt, height_pt)
            result.lines.extend(lines)
            result.pages[index] = "\n".join(line.text for line in lines)
        else:
            if todo < page_count:
                result.notes.append(
                    f"OCR read the first {todo} of {page_count} pages (limit {MAX_PAGES_ENV})"
                )
    finally:
        doc.close()
    return result


def _render(doc: pdfium.PdfDocument, index: int, *, rotation: int = 0) -> tuple[bytes, float, float, float]:
    """Page ``index`` as a PGM image (turned clockwise by ``rotation`` degrees); with its size in points
    and the pixels-per-point scale."""
    page = doc[index]
    try:
        width_pt, height_pt = page.get_size()
        if rotation in (90, 270):
            width_pt, height_pt = height_pt, width_pt
        scale = min(DPI / 72.0, MAX_SIDE_PX / max(width_pt, height_pt, 1.0))
        width, height, raw = _gray(page, scale, rotation=rotation)
    finally:
        page.close()
    return b"P5\n%d %d\n255\n" % (width, height) + raw, float(width_pt), float(height_pt), scale


def _gray(
    page: pdfium.PdfPage,
    scale: float,
    *,
    rotation: int = 0,
    crop: tuple[float, float, float, float] = (0, 0, 0, 0),
) -> tuple[int, int, bytes]:
    """(width, height, pixels) of ``page`` rendered in grayscale, rows packed without padding; ``crop``
    is pdfium's (left, bottom, right, top) margin in points."""
    bitmap = page.render(scale=scale, rotation=rotation, crop=crop, grayscale=True)
    try:
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        raw = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    if stride != width:
        raw = b"".join(raw[row * stride : row * stride + width] for row in range(height))
    return width, height, raw


def _limit_memory() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_MB * 1024 * 1024, resource.RLIM_INFINITY))


def _tesseract(
    exe: str, image: bytes, lang: str, *, timeout: float, segmentation: str = PAGE_SEGMENTATION
) -> str:
    return _run(exe, image, ["-l", lang, "--psm", segmentation, "tsv"], timeout=timeout)


def _run(exe: str, image: bytes, args: list[str], *, timeout: float) -> str:
    """``tesseract stdin stdout ARGS`` on the PGM ``image``: one thread, capped memory, C locale."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C"}
    done = subprocess.run(
        [exe, "stdin", "stdout", *args],
        input=image,
        capture_output=True,
        timeout=timeout,
        check=False,
        env=env,
        preexec_fn=_limit_memory,  # only setrlimit between fork and exec
    )
    return done.stdout.decode("utf-8", "replace")


LOW_PAGE_CONFIDENCE = 70.0
"""Mean word confidence (0-100) under which a page may have been scanned turned (upright text reads ~90)."""
OSD_MIN_CONFIDENCE = 2.0
"""Tesseract's orientation confidence from which its answer is taken (its docs: above ~2 is reliable)."""


def _words(tsv: str) -> list[tuple[float, int, int]]:
    """(confidence, width, height) of each word of Tesseract's TSV output."""
    out: list[tuple[float, int, int]] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        with contextlib.suppress(ValueError):
            conf = float(cols[10])
            if conf >= 0:
                out.append((conf, int(cols[8]), int(cols[9])))
    return out


def _mean_confidence(tsv: str) -> float:
    words = _words(tsv)
    return sum(c for c, _, _ in words) / len(words) if words else 0.0


def _looks_turned(tsv: str) -> bool:
    """A page read upright gives confident words wider than tall; a page scanned on its side or upside
    down gives low confidences, or words standing on end (then Tesseract's orientation check is asked)."""
    words = _words(tsv)
    if len(words) < 5:
        return bool(words)
    return _mean_confidence(tsv) < LOW_PAGE_CONFIDENCE or _standing(tsv)


def _standing(tsv: str) -> bool:
    """Most long words taller than wide: the text runs up or down the page."""
    long = [(w, h) for _, w, h in _words(tsv) if max(w, h) >= 3 * min(w, h) > 0]
    return bool(long) and sum(1 for w, h in long if h > w) * 2 > len(long)


_ROTATE_RE = re.compile(r"Rotate:\s*(\d+)")
_ORIENT_CONF_RE = re.compile(r"Orientation confidence:\s*([\d.]+)")


def _orientation(exe: str, image: bytes, *, timeout: float) -> int:
    """Clockwise degrees (0, 90, 180, 270) that turn the page upright, by Tesseract's orientation and
    script detection (``--psm 0``, the osd pack); 0 when it is unsure or not installed."""
    text = _run(exe, image, ["--psm", "0"], timeout=timeout)
    rotate, conf = _ROTATE_RE.search(text), _ORIENT_CONF_RE.search(text)
    if rotate is None or conf is None or float(conf.group(1)) < OSD_MIN_CONFIDENCE:
        return 0
    turn = int(rotate.group(1)) % 360
    return turn if turn in (90, 180, 270) else 0


def _lines(tsv: str, page: int, scale: float, width_pt: float, height_pt: float) -> list[OcrLine]:
    """Words of Tesseract's TSV (level 5) grouped into its lines, in its reading order; then a value
    standing alone to the right of a line on the same row ("Total due ....... 4,620.60", a table's
    amounts) is joined to it, as a text layer would have it."""
    groups: dict[tuple[int, int, int], list[_Word]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = plain_print(cols[11].strip())
        try:
            conf = float(cols[10])
            left, top, width, height = (int(c) for c in cols[6:10])
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
        except ValueError:
            continue
        if not text or conf < 0:
            continue
        groups.setdefault(key, []).append(_Word(text, conf, left, top, left + width, top + height))
    _deskew(list(groups.values()))
    fragments = [_Fragment(words) for words in groups.values()]
    kept: list[_Fragment] = []
    for frag in fragments:
        host = _host(frag, kept) if frag.is_value else None
        if host is None:
            kept.append(frag)
        else:
            host.words.extend(frag.words)
    out: list[OcrLine] = []
    for frag in kept:
        words = sorted(frag.words, key=lambda w: w.x0)
        size = _line_size(words)
        gap = COLUMN_GAP * _gap_size(words, size)
        runs: list[list[_Word]] = [[words[0]]]
        for word in words[1:]:
            if word.x0 - runs[-1][-1].x1 > gap:
                runs.append([])
            runs[-1].append(word)
        columns = tuple((_words_text(run), run[0].x0 / scale, max(w.x1 for w in run) / scale) for run in runs)
        out.append(
            OcrLine(
                text=" ".join(text for text, _, _ in columns),
                page=page,
                x0=min(w.x0 for w in words) / scale,
                x1=max(w.x1 for w in words) / scale,
                top=min(w.top for w in words) / scale,
                size=size / scale,
                page_width=width_pt,
                page_height=height_pt,
                confidence=sum(w.conf for w in words) / len(words) / 100.0,
                columns=columns if len(columns) > 1 else (),
            )
        )
    return out


def _words_text(words: list[_Word]) -> str:
    """The words as one string, with two usual OCR confusions undone: "billing @ x.fr" and a VAT id's
    digit read as a letter (checked by its check digits)."""
    return ocr_fixed_vat_ids(_AT_GAP_RE.sub("@", " ".join(w.text for w in words)))


COLUMN_GAP = 3.0
"""A gap between two words of one OCR line this many cap heights wide (about two font sizes, the text
layer's ``inputs.layout.COLUMN_GAP``) parts two columns."""


# Tesseract often reads an e-mail address's "@" as a word of its own ("billing @ kestrel.fr"); closed up
# only between a name and a domain with a TLD of letters ("2 @ 5.00", a quantity at a price, stays).
_AT_GAP_RE = re.compile(r"(?<=[\w.%+-])\s*@\s*(?=[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w.-]*\w@))")


MAX_SKEW = 0.09
"""Largest slope (about 5 degrees) taken for a page's skew; beyond it the page is read as it is."""


def _deskew(lines: list[list[_Word]]) -> None:
    """Undo a scan's small rotation on the word boxes, in place. Tesseract finds skewed lines itself,
    but a value far right on a row then stands a line higher or lower than its label, and the layout
    code reads rows by height: each word moves up or down by the page's slope times its distance from
    the left edge. The slope is the median over Tesseract's lines of several words of their baseline's
    least-squares slope (hand code: a shear of word boxes, no image library needed)."""
    slopes: list[float] = []
    for words in lines:
        if len(words) < 3:
            continue
        xs = [(w.x0 + w.x1) / 2 for w in words]
        ys = [float(w.bottom) for w in words]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        spread = sum((x - mean_x) ** 2 for x in xs)
        if spread <= 0:
            continue
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
        if abs(slope) <= MAX_SKEW:
            slopes.append(slope)
    if len(slopes) < 3:
        return
    slopes.sort()
    slope = slopes[len(slopes) // 2]
    if abs(slope) < 0.002:  # under a tenth of a degree: nothing to undo
        return
    for words in lines:
        for w in words:
            shift = round(slope * (w.x0 + w.x1) / 2)
            w.top -= shift
            w.bottom -= shift


_DESCENDERS = frozenset("gjpqyQ,;()[]{}|/@§µçÇ")
_TALL = frozenset("bdfhklt0123456789ÄÖÜ") | frozenset("ABCDEFGHIJKLMNOPRSTUVWXYZ")


def _line_size(words: list[_Word]) -> float:
    """A line's print size as the height of its words that rise to cap height and drop no descender:
    a word's box runs from its tallest letter to its lowest, so "Kingdom" stands taller than "Leeds"
    in the same print and the layout code would take the two lines for two blocks."""
    even = sorted(
        w.bottom - w.top for w in words if any(ch in _TALL for ch in w.text) and not _DESCENDERS & set(w.text)
    )
    if even:
        return float(even[len(even) // 2])
    heights = sorted(w.bottom - w.top for w in words)
    return float(heights[len(heights) // 2])


def _gap_size(words: list[_Word], size: float) -> float:
    """The print size column gaps are measured in: the line's smallest cap-height word box, not under
    0.6 of the line's size. Tesseract's box of a header word stands taller when a rule or a cell's border
    runs under it (38 px against its neighbours' 24 in a table header), and the median then hid the gaps
    between the header's cells."""
    even = [
        w.bottom - w.top for w in words if any(ch in _TALL for ch in w.text) and not _DESCENDERS & set(w.text)
    ]
    return max(min(even), MIN_GAP_SHARE * size) if even else size


MIN_GAP_SHARE = 0.6
"""The column-gap measure's floor, as a share of the line's size (a stray small box is not the print)."""


@dataclass
class _Word:
    text: str
    conf: float
    x0: int
    top: int
    x1: int
    bottom: int


class _Fragment:
    """One line as Tesseract grouped it (a column's piece of a printed row)."""

    def __init__(self, words: list[_Word]) -> None:
        self.words = words

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> int:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> int:
        return max(w.x1 for w in self.words)

    @property
    def is_value(self) -> bool:
        """Mostly digits (an amount, a date, a number), as value columns are."""
        chars = [ch for w in self.words for ch in w.text if ch.isalnum()]
        digits = sum(ch.isdigit() for ch in chars)
        return digits > 0 and digits * 2 >= len(chars)


def _host(frag: _Fragment, kept: list[_Fragment]) -> _Fragment | None:
    """The nearest line to the left of ``frag`` on the same printed row, if any."""
    best: _Fragment | None = None
    for other in kept:
        overlap = min(other.bottom, frag.bottom) - max(other.top, frag.top)
        height = min(other.bottom - other.top, frag.bottom - frag.top)
        if (
            other.x1 <= frag.x0
            and height > 0
            and overlap * 2 >= height
            and (best is None or other.x1 > best.x1)
        ):
            best = other
    return best


# ------------------------------------------------------------------------ text in a text PDF's images

MAX_IMAGES = 6
"""Images read per document at most (largest first)."""
IMAGE_DPI = 200
"""Pictures are read at 200 dpi: a letterhead's or footer's print reads as well as at 300 dpi (the
generated pictures of tests/unit/test_offline_pictured_text.py: 24/24 fields either way) in half the time."""
IMAGE_BUDGET_S = 8.0
"""Seconds of OCR for the images of one text PDF."""
IMAGE_LINE_CONFIDENCE = 0.4
"""Lines read from an image with less mean word confidence are dropped (a logo's drawing read as text)."""
IMAGE_MAX_PIXELS = 8_000_000
CAP_TO_LINE = 1.6
"""A text layer's line height (pdfium's loose glyph box) over the cap height OCR lines are sized by:
lines read from a picture get the text layer's measure, as they stand among text-layer lines."""
_IMAGE_GAP_PX = 80
_LANG_PACK = {"en": "eng", "fr": "fra", "de": "deu", "nl": "nld"}


def image_text(
    pdf: bytes,
    page_count: int,
    pictures: tuple[PictureBox, ...],
    segments: tuple[TextSegment, ...],
    *,
    language: str = "",
    budget_s: float = IMAGE_BUDGET_S,
) -> OcrResult | None:
    """The text printed inside the ``pictures`` of a text PDF (a letterhead or a footer set as an image:
    the sender's name, VAT id or bank details in no text layer), read by Tesseract.

    Only pictures no text of the page lies on are read (text over a picture is in the text layer
    already), at most ``MAX_IMAGES``, largest first, all in one Tesseract run: the crops are stacked into
    one image. The lines come back in page coordinates, with their confidence; None when Tesseract is
    not installed or no picture qualifies.
    """
    boxes = sorted(
        (b for b in pictures if not any(s.page == b.page and _inside(s, b) for s in segments)),
        key=lambda b: -(b.x1 - b.x0) * (b.bottom - b.top),
    )[:MAX_IMAGES]
    exe = tesseract_path() if boxes else None
    if exe is None:
        return None
    langs = installed_languages(exe)
    pack = _LANG_PACK.get(language, "eng")  # one pack: names and numbers read alike in any of them
    lang = pack if pack in langs else "+".join(langs)
    if not lang:
        return None
    doc = pdfium.PdfDocument(pdf)
    try:
        image, scale, placed = _stack(doc, boxes)
    finally:
        doc.close()
    result = OcrResult(pages=[""] * page_count, languages=lang)
    try:
        tsv = _tesseract(exe, image, lang, timeout=budget_s)
    except subprocess.TimeoutExpired:
        result.notes.append(f"the text in the page's images was not read: time limit ({budget_s:g} s)")
        return result
    for line in _lines(tsv, 0, scale, 0.0, 0.0):
        home = next((p for p in placed if p.start <= line.top < p.end), None)
        if home is None or line.confidence < IMAGE_LINE_CONFIDENCE:
            continue
        if sum(ch.isalnum() for ch in line.text) < 2:
            continue
        shift = home.box.x0 - _IMAGE_GAP_PX / scale  # from the stacked image back onto the page
        result.lines.append(
            dataclasses.replace(
                line,
                columns=tuple((text, x0 + shift, x1 + shift) for text, x0, x1 in line.columns),
                page=home.box.page,
                x0=line.x0 + shift,
                x1=line.x1 + shift,
                top=home.box.top + line.top - home.start,
                size=line.size * CAP_TO_LINE,
                page_width=home.page_width,
                page_height=home.page_height,
            )
        )
    return result


@dataclass(frozen=True)
class _Placed:
    """A picture's crop in the stacked image: its span there (points from the top) and its page's size."""

    box: PictureBox
    start: float
    end: float
    page_width: float
    page_height: float


def _inside(seg: TextSegment, box: PictureBox) -> bool:
    x = (seg.x0 + seg.x1) / 2
    y = seg.top + seg.size / 2
    return box.x0 <= x <= box.x1 and box.top <= y <= box.bottom


def _stack(doc: pdfium.PdfDocument, boxes: list[PictureBox]) -> tuple[bytes, float, list[_Placed]]:
    """The crops of ``boxes`` rendered at ``DPI`` (less when they would pass ``IMAGE_MAX_PIXELS``) and
    stacked top to bottom with white gaps, as one PGM; with the scale and each crop's span in points."""
    area_pt = sum((b.x1 - b.x0) * (b.bottom - b.top) for b in boxes)
    scale = min(IMAGE_DPI / 72.0, (IMAGE_MAX_PIXELS / max(area_pt, 1.0)) ** 0.5)
    crops: list[tuple[int, int, bytes]] = []
    sizes: list[tuple[float, float]] = []
    for box in boxes:
        page = doc[box.page - 1]
        try:
            width, height = page.get_size()
            crops.append(_gray(page, scale, crop=(box.x0, height - box.bottom, width - box.x1, box.top)))
            sizes.append((float(width), float(height)))
        finally:
            page.close()
    full_width = max(w for w, _, _ in crops) + 2 * _IMAGE_GAP_PX
    out: list[bytes] = []
    placed: list[_Placed] = []
    y = _IMAGE_GAP_PX
    white_row = b"\xff" * full_width
    out.append(white_row * _IMAGE_GAP_PX)
    for box, (w, h, data), (page_w, page_h) in zip(boxes, crops, sizes, strict=True):
        pad = b"\xff" * (full_width - w - _IMAGE_GAP_PX)
        left = b"\xff" * _IMAGE_GAP_PX
        out.append(b"".join(left + data[r * w : (r + 1) * w] + pad for r in range(h)))
        out.append(white_row * _IMAGE_GAP_PX)
        placed.append(_Placed(box, y / scale, (y + h) / scale, page_w, page_h))
        y += h + _IMAGE_GAP_PX
    image = b"P5\n%d %d\n255\n" % (full_width, y) + b"".join(out)
    return image, scale, placed
