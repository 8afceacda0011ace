"""A document prepared for the offline extractor: clean lines with their page, party section and locale.

Built once per document; every field search then walks ``lines``. Long lines are cut so that no regex
ever sees more than ``MAX_LINE`` characters, which keeps the whole extractor linear in the text size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zapdoc.domain.documents import DocumentText, Evidence
from zapdoc.domain.normalize import clean_text
from zapdoc.extraction.classify import detect_language
from zapdoc.extraction.columns import header_columns
from zapdoc.extraction.dates import month_names
from zapdoc.extraction.labels import Party
from zapdoc.extraction.layout import Layout, build_layout
from zapdoc.extraction.vocabulary import heading_patterns, legal_form

# A phone number without "+" on a document in one of these languages is most likely of that country;
# English is printed in too many countries to guess.
_LANGUAGE_REGION = {"de": "DE", "fr": "FR", "nl": "NL"}

MAX_LINE = 1000
MAX_LINES = 50_000
SNIPPET = 200

# A UK sort code ("Sort code 01-27-12") has a two-digit-year date's shape; it says nothing of date order.
_BANK_CODE_BEFORE_RE = re.compile(r"(?i)sort\s?-?code\W{0,3}$")
_NUMERIC_DATE_RE = re.compile(r"(?<![\d.,/])([0-3]?\d)[/-]([0-3]?\d)[/-](?:19|20)?\d{2}(?![\d.,/])")

# "Guest name" is hotel vocabulary (the guest is the buyer); "Vos identifiants" (one ISP's login box) was
# removed: it named the buyer in one corpus document only.
# Party headings are data (vocabulary/party_headings.json).
BUYER_HEADING = re.compile(rf"^\W{{0,3}}(?:{heading_patterns('section_buyer')})(?![^\W\d_])", re.IGNORECASE)
VENDOR_HEADING = re.compile(rf"^\W{{0,3}}(?:{heading_patterns('section_vendor')})(?![^\W\d_])", re.IGNORECASE)
_SECTION_SPAN = 12
# "Lieferant GmbH" is a company, not the heading "Lieferant"
_NOT_HEADING_RE = re.compile(rf"^\s?(?:{legal_form()}|&)(?!\w)")


# "Customer no.", "Client VAT number", "Kundennummer": a field of the party, not the heading of its section
_FIELD_AFTER_RE = re.compile(
    r"(?i)^\s?[-.]?\s?(?:no|nr|n°|nº|number|nummer|numéro|id|#|ref\w*|vat|tax|tva|btw|ust\w*|account|code)(?!\w)"
)


def heading(pattern: re.Pattern[str], text: str) -> bool:
    """True when ``text`` is a section heading of ``pattern`` (not a name that starts with the word, nor a
    field of the party such as "Customer VAT number")."""
    m = pattern.search(text)
    if m is None:
        return False
    rest = text[m.end() :]
    return not _NOT_HEADING_RE.match(rest) and not _FIELD_AFTER_RE.match(rest)


@dataclass(frozen=True)
class Line:
    """One cleaned line of text: 1-based page, index in the document and the party section it is in."""

    page: int
    index: int
    text: str
    party: Party | None = None


@dataclass
class DocContext:
    """Lines, language and date order of one document, shared by all field searches."""

    lines: list[Line]
    language: str
    dayfirst: bool | None
    notes: list[str] = field(default_factory=list)
    cache: dict[str, object] = field(default_factory=dict)
    layout: Layout | None = None

    def layout_party(self, printed: str) -> Party | None:
        """The party whose block (letterhead, window, footer ...) shows ``printed``, when layout knows."""
        if self.layout is None:
            return None
        role = self.layout.role_of_text(printed)
        return None if role is None else ("vendor" if role == "sender" else "buyer")

    @property
    def region(self) -> str | None:
        """The document's country for phone numbers printed without "+": the country of its first valid
        IBAN or VAT id (the issuer's, as a rule), else its language's main country."""
        if "region" not in self.cache:
            from zapdoc.extraction.patterns import find_ibans, find_vat_ids, vat_checksum_ok

            region: str | None = None
            for line in self.lines[:400]:
                ibans = find_ibans(line.text)
                vats = [v for v in find_vat_ids(line.text) if vat_checksum_ok(str(v.value))]
                if ibans or vats:
                    code = str((ibans or vats)[0].value)[:2]
                    region = {"EL": "GR", "XI": "GB"}.get(code, code)
                    break
            self.cache["region"] = region or _LANGUAGE_REGION.get(self.language, "")
        return str(self.cache["region"]) or None

    def line_of(self, text: str, *, page: int | None = None) -> int | None:
        """Index of the first line that contains ``text`` (on ``page`` when given)."""
        for line in self.lines:
            if (page is None or line.page == page) and text in line.text:
                return line.index
        # the layout joined the letters of a tracked-out line ("K E S T R E L" in the text, "KESTREL" there)
        squashed = text.replace(" ", "")
        if len(squashed) >= 4 and text.isupper():
            for line in self.lines:
                if (page is None or line.page == page) and squashed in line.text.replace(" ", ""):
                    return line.index
        return None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def evidence(self, first: int, last: int | None = None, *, start: int = 0, end: int = 0) -> Evidence:
        """The source line(s) ``first..last`` as evidence, cut around ``start:end`` to ``SNIPPET`` chars."""
        last = first if last is None else last
        if first == last:
            text = self.lines[first].text
            if len(text) > SNIPPET:
                centre = (start + end) // 2 if end > start else 0
                lo = max(0, min(centre - SNIPPET // 2, len(text) - SNIPPET))
                text = text[lo : lo + SNIPPET]
            return Evidence(page=self.lines[first].page, snippet=text)
        parts = (
            [self.lines[i].text for i in range(first, last + 1)]
            if last - first < 6
            else [
                self.lines[first].text,
                "…",
                self.lines[last].text,
            ]
        )
        snippet = " / ".join(parts)
        if len(snippet) > SNIPPET:
            snippet = snippet[: SNIPPET - 1] + "…"
        return Evidence(page=self.lines[first].page, snippet=snippet)


def _split_long(text: str) -> list[str]:
    if len(text) <= MAX_LINE:
        return [text]
    out: list[str] = []
    while len(text) > MAX_LINE:
        cut = text.rfind(" ", MAX_LINE // 2, MAX_LINE)
        if cut <= 0:
            cut = MAX_LINE
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        out.append(text)
    return out


def infer_dayfirst(text: str, language: str) -> bool | None:
    """Date order of a document: from unambiguous numeric dates first, then from its language."""
    day_first = month_first = 0
    for m in _NUMERIC_DATE_RE.finditer(text[:200_000]):
        if _BANK_CODE_BEFORE_RE.search(text, max(0, m.start() - 16), m.start()):
            continue  # a UK sort code "01-27-12" is not a date
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            day_first += 1
        elif b > 12 >= a:
            month_first += 1
    if day_first != month_first:
        return day_first > month_first
    if language in ("fr", "de", "nl", "es", "it", "pt"):
        return True
    if language == "en":
        # English: US documents (dollars, no pounds or euros) print month first, the others day first
        dollars = "$" in text or "USD" in text
        if dollars and not re.search(r"[£€]|\b(?:GBP|EUR)\b", text):
            return False
        if re.search(r"[£€]|\b(?:GBP|EUR)\b", text):
            return True
    return None


_YEAR_LINE_RE = re.compile(r"^(?:19|20)\d{2}\b")
_DAY_MONTH_END_RE = re.compile(r"(?<!\d)[0-3]?\d\.?\s([^\W\d_]{3,})\.?$")
_LABEL_WORD_RE = re.compile(r"^[^\W\d_][\w'’-]{1,19}$")
_LABEL_REST_RE = re.compile(r"^[^\W\d_A-Z][^\n]{0,28}:$")
# "FACTURE N° RE-2025-" / "76748": a number cut after its hyphen or slash
_CODE_CUT_RE = re.compile(r"(?<![\w-])[A-Z0-9][A-Z0-9/.-]{0,20}\d[-/]$")
_CODE_REST_RE = re.compile(r"^[A-Z0-9]{1,12}(?![\w-])")


def _unwrap(texts: list[str]) -> list[str]:
    """Join what a narrow table cell wrapped onto two lines: a date's year ("18 novembre" / "2025"), a
    label's tail ("Date" / "d'échéance :") or its colon alone (":"), and a number cut after a hyphen
    ("RE-2025-" / "76748"), so the label and its value stand whole again.

    Hand code: a text layer carries no cell boundaries, and these two shapes are the ones a wrap breaks.
    """
    out: list[str] = []
    for text in texts:
        if out:
            prev = out[-1]
            m = _DAY_MONTH_END_RE.search(prev)
            if m and m.group(1).casefold() in month_names() and _YEAR_LINE_RE.match(text):
                out[-1] = f"{prev} {text}"
                continue
            if _LABEL_WORD_RE.match(prev) and _LABEL_REST_RE.match(text):
                out[-1] = f"{prev} {text}"
                continue
            if text == ":" and len(prev) <= 40 and not prev.endswith(":"):
                out[-1] = f"{prev} :"  # the label's colon wrapped alone onto the next line
                continue
            if _CODE_CUT_RE.search(prev) and _CODE_REST_RE.match(text):
                out[-1] = prev + text
                continue
        out.append(text)
    return out


def build_context(doc: DocumentText) -> DocContext:
    """Clean and index the lines of ``doc`` and tag each with the party section it belongs to."""
    lines: list[Line] = []
    ctx_note = ""
    for page_no, page in enumerate(doc.pages, start=1):
        texts: list[str] = []
        for raw in page.splitlines():
            if len(lines) + len(texts) >= MAX_LINES:
                ctx_note = f"only the first {MAX_LINES} lines were read"
                break
            for part in _split_long(raw):
                text = clean_text(part)
                if text:
                    texts.append(text)
        for text in _unwrap(texts):
            lines.append(Line(page_no, len(lines), text))
    full = "\n".join(line.text for line in lines)
    language = detect_language(full)
    tagged: list[Line] = []
    party: Party | None = None
    remaining = 0
    current_page = 0
    for line in lines:
        if line.page != current_page:
            current_page, party, remaining = line.page, None, 0
        if len(line.text) <= 60 and heading(BUYER_HEADING, line.text):
            party, remaining = "buyer", _SECTION_SPAN
        elif len(line.text) <= 60 and heading(VENDOR_HEADING, line.text):
            party, remaining = "vendor", _SECTION_SPAN
        elif remaining <= 0 or (party is not None and header_columns(line.text) is not None):
            party, remaining = None, 0  # the span runs out, or the table of items starts: no address
        tagged.append(Line(line.page, line.index, line.text, party))
        remaining -= 1
    return DocContext(
        tagged,
        language,
        infer_dayfirst(full, language),
        notes=[ctx_note] if ctx_note else [],
        layout=build_layout(doc.segments),
    )
