"""Where the words stand on the page: positioned text segments grouped into blocks with a role.

Invoices say who sends and who receives by layout more than by labels: the sender's letterhead at the
top, the registration footer at the bottom, the one-line sender address above the envelope window, the
addressee in the window (or under "Bill to"). This module reads line positions from pdfium and tags
blocks ``sender`` or ``addressee``; the field searches then take the vendor's and the buyer's values
from their own block.

Hand code on purpose: no library groups an invoice's lines into sender and addressee blocks; the
segments come from pdfium (``zapdoc.inputs.layout``).
"""

from __future__ import annotations

import functools
import itertools
import re
import statistics
from dataclasses import dataclass, field, replace
from typing import Literal

from zapdoc.domain.documents import TextSegment as Segment
from zapdoc.extraction.patterns import find_phones
from zapdoc.extraction.vocabulary import heading_patterns, issuer_marks, legal_form
from zapdoc.extraction.vocabulary import source as vocabulary_source

Role = Literal["sender", "addressee"]

# A line joins the block above it when it starts at the same x (within this many font sizes) ...
ALIGN = 0.8
# ... and its top is at most this many font sizes below the previous line's top.
LINE_STEP = 2.1
# ... and its print is at most this much larger or smaller.
SIZE_STEP = 1.2
# Runs of cells are indexed for rows of up to this many cells (a table header; a longer row is a line item).
MAX_ROW_CELLS = 8
# A row of table cells stands at most this many font sizes below the row of their column headers (the
# cells' padding and borders come between them).
CELL_STEP = 3.0


@dataclass
class Block:
    """Segments stacked under one another at one x: an address, a letterhead, a footer column."""

    segments: list[Segment]
    role: Role | None = None
    reason: str = ""
    skip_first: bool = False  # the first line is a heading ("Bill to:"), not part of the party

    @property
    def lines(self) -> list[str]:
        return [s.text for s in self.segments]

    @property
    def party_lines(self) -> list[str]:
        return self.lines[1:] if self.skip_first else self.lines

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def top(self) -> float:
        return self.segments[0].top

    @property
    def bottom(self) -> float:
        return self.segments[-1].top

    @property
    def page(self) -> int:
        return self.segments[0].page

    @functools.cached_property
    def size(self) -> float:
        """The largest print in the block (read once the block is built: segments are not added later)."""
        return max(s.size for s in self.segments)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Layout:
    """The blocks of the pages read, with the page size, and the roles found."""

    blocks: list[Block] = field(default_factory=list)
    width: float = 595.0
    height: float = 842.0
    _below: dict[int, Block | None] = field(default_factory=dict, repr=False, compare=False)
    _by_text: dict[tuple[int, str], Segment] = field(default_factory=dict, repr=False, compare=False)
    _by_page: dict[int, list[Segment]] = field(default_factory=dict, repr=False, compare=False)
    _rows_of: dict[int, list[list[Segment]]] = field(default_factory=dict, repr=False, compare=False)
    _row_of: dict[int, dict[str, tuple[int, int, int]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @functools.cached_property
    def pages(self) -> frozenset[int]:
        """The pages that have segments (the first and the last)."""
        return frozenset(b.page for b in self.blocks)

    def of_role(self, role: Role) -> list[Block]:
        return [b for b in self.blocks if b.role == role]

    def looks_like_sender(self, block: Block) -> bool:
        """Whether a block, the one stacked right under it or the one beside it on its band (a name left, its
        address right) shows an address, contact or registration."""
        below = [
            b
            for b in self.blocks
            if b.page == block.page
            and (
                abs(b.x0 - block.x0) <= 3 * block.size
                or abs(b.segments[0].x1 - block.segments[-1].x1) <= ALIGN * block.size  # flush right
                or abs(_centre(b) - _centre(block)) <= 2 * block.size  # centred
            )
            and 0 < b.top - block.bottom <= 3 * block.size
        ]
        # or the column beside it on its band: a letterhead's name left, its address flush right
        beside = [
            b
            for b in self.blocks
            if b.page == block.page
            and b.role != "addressee"
            and b.x0 > block.segments[0].x1
            and abs(b.top - block.top) <= block.size
        ]
        return any(_has_postcode(b) or _contact(b) or _registration(b) for b in [block, *below, *beside])

    def letterhead_above(self, block: Block) -> Block | None:
        """The letterhead's big line printed right over ``block`` (flush left, flush right or centred on
        it): the name of the sender whose address and contact the block shows."""
        for other in self.blocks:
            if (
                other.reason == "letterhead"
                and other.page == block.page
                and 0 < block.top - other.bottom <= 3 * other.size
                and (
                    abs(other.x0 - block.x0) <= ALIGN * other.size
                    or abs(other.segments[-1].x1 - block.segments[0].x1) <= ALIGN * other.size
                    or abs(_centre(other) - _centre(block)) <= 2 * other.size
                )
            ):
                return other
        return None

    def block_below(self, block: Block) -> Block | None:
        """The block that starts right under ``block`` at the same left edge (within a line or two);
        looked up once per block (field searches ask for it per concept)."""
        key = id(block)
        if key not in self._below:
            self._below[key] = self._find_below(block)
        return self._below[key]

    def _find_below(self, block: Block) -> Block | None:
        page, x0, bottom, size = block.page, block.x0, block.bottom, block.size
        for other in self.blocks:
            gap = other.top - bottom
            if (
                gap > 0
                and other is not block
                and abs(other.x0 - x0) <= 2 * size
                and other.page == page
                and gap <= 2.2 * max(size, other.size)
            ):
                return other
        return None

    def right_of(self, text: str, page: int) -> str | None:
        """The segment printed right of the one that reads ``text``, on the same row: a value the text
        layer put on a line of its own ("München, den" | "01.11.2024")."""
        self._index()
        seg = self._by_text.get((page, text.strip()))
        if seg is None:
            return None
        best: Segment | None = None
        for other in self._by_page.get(page, []):
            gap = other.x0 - seg.x1
            same_row = 0 < gap <= 0.4 * seg.page_width and abs(other.top - seg.top) <= 0.5 * seg.size
            if same_row and (best is None or other.x0 < best.x0):
                best = other
        return best.text if best is not None else None

    def _index(self) -> None:
        if not self._by_text:
            for block in self.blocks:
                for each in block.segments:
                    self._by_text.setdefault((each.page, each.text.strip()), each)
                    self._by_page.setdefault(each.page, []).append(each)

    def _rows(self, page: int) -> dict[str, tuple[int, int, int]]:
        """The page's segments grouped into printed rows (same top within half a font size, left to
        right, top to bottom), by their text joined with spaces -> (row number, first and end segment);
        once per page. A run of two or more neighbouring cells of a row counts too: the text may give a
        row as two lines (OCR reading a table's last header as a block of its own, a producer drawing a
        row in two passes)."""
        cached = self._row_of.get(page)
        if cached is None:
            self._index()
            rows: list[list[Segment]] = []
            for seg in sorted(self._by_page.get(page, []), key=lambda s: (s.top, s.x0)):
                if rows and abs(seg.top - rows[-1][0].top) <= 0.5 * seg.size:
                    rows[-1].append(seg)
                else:
                    rows.append([seg])
            cached = {}
            for k, row in enumerate(rows):
                row.sort(key=lambda s: s.x0)
                if len(row) >= 2:
                    cached.setdefault(" ".join(s.text.strip() for s in row), (k, 0, len(row)))
            for k, row in enumerate(rows):  # whole rows first: a run is only taken where no row reads so
                if 2 < len(row) <= MAX_ROW_CELLS:
                    for i, j in itertools.combinations(range(len(row) + 1), 2):
                        if j - i >= 2 and j - i < len(row):
                            cached.setdefault(" ".join(s.text.strip() for s in row[i:j]), (k, i, j))
            self._rows_of[page] = rows
            self._row_of[page] = cached
        return cached

    def row_cells(self, text: str, page: int) -> list[tuple[int, int, Segment]] | None:
        """The cells of the text line ``text`` when it is printed as a row of two or more columns: each
        cell's span in ``text`` with its segment; None otherwise."""
        found = self._rows(page).get(text)
        if found is None:
            return None
        k, first, end = found
        out: list[tuple[int, int, Segment]] = []
        pos = 0
        for seg in self._rows_of[page][k][first:end]:
            width = len(seg.text.strip())
            out.append((pos, pos + width, seg))
            pos += width + 1
        return out

    def under_cell(self, text: str, page: int, start: int, end: int) -> str | None:
        """For the label at ``start:end`` of the text line ``text``, printed as a row of column headers
        ("Invoice No. | Date | Due date"): the cell of the next row in the label's column (the segment
        below whose left edge, right edge or middle lines up with the label's cell, or, in a row of as
        many cells, the one in the label's place). None when the line is not such a row, when the
        label's cell holds more than the label, or nothing stands below."""
        cells = self.row_cells(text, page)
        if cells is None:
            return None
        cell = next((seg for a, b, seg in cells if a <= start and end <= b), None)
        if cell is None:
            return None
        a = next(a for a, _, seg in cells if seg is cell)
        label = cell.text.strip()
        if label[: start - a].strip() or label[end - a :].strip(" :#.()"):
            return None  # the cell holds more than the label
        rows = self._rows_of[page]
        k = self._rows(page)[text][0]
        if k + 1 >= len(rows):
            return None
        below = rows[k + 1]
        if not 0 < below[0].top - cell.top <= CELL_STEP * max(cell.size, below[0].size):
            return None
        unit = max(cell.size, 4.0)
        for seg in below:
            if (
                abs(seg.x0 - cell.x0) <= ALIGN * unit
                or abs(seg.x1 - cell.x1) <= ALIGN * unit
                or abs((seg.x0 + seg.x1) / 2 - (cell.x0 + cell.x1) / 2) <= ALIGN * unit
            ):
                return seg.text.strip()
        # headers aligned one way in their cells and values another (th left, td centred): with as many
        # cells below as headers, the value in the label's place, standing between its neighbours' headers
        heads = rows[k]  # the whole printed row, also where the text gave a run of its cells
        if len(below) == len(heads):
            i = next(n for n, seg in enumerate(heads) if seg is cell)
            seg = below[i]
            left = heads[i - 1].x1 if i > 0 else float("-inf")
            right = heads[i + 1].x0 if i + 1 < len(heads) else float("inf")
            if left < seg.x0 and seg.x1 < right:
                return seg.text.strip()
        return None

    def role_of_text(self, text: str) -> Role | None:
        """The role of the block a printed value stands in (compared without spaces), if one has a role."""
        needle = _squash(text)
        if len(needle) < 4:
            return None
        for block in self.blocks:
            if block.role is not None and needle in _squash(block.text):
                return block.role
        return None


def _centre(block: Block) -> float:
    return (block.segments[0].x0 + block.segments[0].x1) / 2


def _squash(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).casefold()


# ------------------------------------------------------------------------------------------ blocks


def build_layout(segments: tuple[Segment, ...]) -> Layout | None:
    """Blocks of the segments ``inspect_pdf`` read, with their roles; None without segments."""
    if not segments:
        return None
    first = segments[0]
    layout = Layout(width=first.page_width, height=first.page_height)
    for page in sorted({s.page for s in segments}):
        layout.blocks.extend(_blocks([s for s in segments if s.page == page]))
    assign_roles(layout)
    return layout


def _blocks(segments: list[Segment]) -> list[Block]:
    """Stack segments into blocks: same left edge (or same right edge), consecutive lines."""
    blocks: list[Block] = []
    for seg in sorted(segments, key=lambda s: (s.top, s.x0)):
        home: Block | None = None
        for block in [] if _opens_block(seg.text) else reversed(blocks):
            prev = block.segments[-1]
            step = seg.top - prev.top
            unit = max(prev.size, seg.size, 4.0)
            if step <= 0.2 or step > LINE_STEP * unit:
                continue
            if max(prev.size, seg.size) > SIZE_STEP * min(prev.size, seg.size):
                continue  # a change of print starts a new block (a return address over the window)
            left = abs(seg.x0 - block.x0) <= ALIGN * unit
            right = (
                abs(seg.x1 - prev.x1) <= ALIGN * unit and abs(seg.x1 - block.segments[0].x1) <= ALIGN * unit
            )
            if left or right:
                home = block
                break
        if home is None:
            blocks.append(Block([seg]))
        else:
            home.segments.append(seg)
    return blocks


def _opens_block(text: str) -> bool:
    """Whether a line is a party heading ("Bill To", "Ship to:", "Sold by: ACME Ltd"): it heads the block
    under it and never ends the one above, however close the two are printed (a web page's "Bill To" a
    line's height under the sender's e-mail, in the same column)."""
    if len(text) > 60:
        return False
    for pattern in (_BUYER_HEADING_RE, _VENDOR_HEADING_RE):
        m = pattern.match(text)
        if m is not None:
            return not _LEGAL_AFTER_RE.match(m.group(1))  # "Lieferant GmbH": a name, not a heading
    return _DELIVERY_HEADING_RE.match(text) is not None


# -------------------------------------------------------------------------------------------- roles

# A lone heading centred over its column ("FROM" over a half-page cell) starts at most this many font
# sizes right of the left edge of the block under it.
COLUMN_REACH = 20.0

# "Customer no.", "Client ID", "Vendor VAT": a field of the party, not the heading of its block
_NOT_HEADING = (
    r"\s?[-.]?\s?(?:no|nr|n°|nº|number|nummer|numéro|id|#|ref\w*|vat|tax|tva|btw|ust\w*|account|code)\b"
)
# lowercase: the wrapped tail of "Customer no." ("no."), not the party's own "VAT ID: ..." line
_FIELD_WRAPPED_RE = re.compile(rf"^{_NOT_HEADING}")
# Party headings are data (vocabulary/party_headings.json); what follows a heading is its party's first line.
_BUYER_HEADING_RE = re.compile(
    rf"(?i)^\W{{0,3}}(?:{heading_patterns('block_buyer')})(?![^\W\d_])(?!{_NOT_HEADING})\s?:?\s?(.*)$"
)
_VENDOR_HEADING_RE = re.compile(
    rf"(?i)^\W{{0,3}}(?:{heading_patterns('block_vendor')})(?![^\W\d_])(?!{_NOT_HEADING})\s?:?\s?(.*)$"
)
# A delivery address ("Ship to:", "Lieferanschrift"): where goods go, never the sender's block.
_DELIVERY_HEADING_RE = re.compile(rf"(?i)^\W{{0,3}}(?:{heading_patterns('block_delivery')})(?![^\W\d_])")
# What only the issuer prints: registration, bank and tax data, management.
_REGISTRATION_RE = re.compile(rf"(?i)(?<![^\W\d_])(?:{issuer_marks()})(?![^\W\d_])")  # issuer_marks.json
_YOUR_RE = re.compile(r"(?i)(?<![^\W\d_])(?:your|ihre?|votre|vos|uw)(?![^\W\d_])")
# A postcode-and-city line: "12345 Berlin", "DE 80333 München", "F-75001 Paris", "1012 AB Amsterdam",
# "..., 80786 München", "Scranton PA 18503", "London SW1A 1AA"; a Canadian one after its province
# ("Toronto, ON M5V 2T6"), an Australian one after its state ("Sydney NSW 2000"), an Irish Eircode
# ("Dublin 2, D02 X285": routing key, then four characters with a letter among them).
_POSTCODE_RE = re.compile(
    r"^(?:[A-Z]{1,3}[- ]?)?\d{4,5}(?:\s[A-Z]{2})?\s[^\W\d_]{2,}"
    r"|,\s(?:[A-Z]{1,3}-)?\d{4,5}\s[^\W\d_]{2,}"
    r"|(?<![\w])[A-Z]{2}\s\d{5}(?:-\d{4})?$"
    r"|(?<![\w])(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s[A-Z]\d[A-Z]\s\d[A-Z]\d$"
    r"|(?<![\w])(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s\d{4}$"
    r"|(?<![\w])(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s(?=\d{0,3}[AC-FHKNPRTV-Y])[\dAC-FHKNPRTV-Y]{4}$"
    r"|(?<![\w])[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}(?!\w)"
)
# A legal form right after a heading word: "Lieferant GmbH" is a company, not the heading "Lieferant".
_LEGAL_AFTER_RE = re.compile(rf"^\s?(?:{legal_form()}|&)(?!\w)")
# Whom to pay ("Remit to:", "Kontoinhaber:", parties.json): the sender's own name and address follow.
_PAYEE_RE = re.compile(rf"(?i)^\W{{0,3}}(?:{vocabulary_source('parties')})(?![^\W\d_])")
# How a letter closes ("Kind regards,", "Mit freundlichen Grüßen", parties.json): the lines under it sign it.
_CLOSING_RE = re.compile(
    rf"(?i)^\W{{0,3}}(?:{vocabulary_source('parties', 'closing')})(?![^\W\d_])\W{{0,3}}$"
)
# ... the signature within this many font sizes under the closing words (room for a handwritten one)
SIGNATURE_GAP = 6.0
_SEPARATED_RE = re.compile(r"\s(?:·|•|●|\||–|-|—)\s|,\s")


_HOST_RE = re.compile(r"(?i)(?:https?://|www\.|@)([\w\-]+(?:\.[\w\-]+)+)")
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "ltd", "plc", "gv"}


def domain_names(text: str) -> list[str]:
    """The names of the web and e-mail domains in ``text``, folded: "billing@aubonmoulin.fr" and
    "www.kestrel.co.uk" give "aubonmoulin" and "kestrel" (the label left of the public suffix)."""
    out: list[str] = []
    for m in _HOST_RE.finditer(text):
        parts = [p for p in m.group(1).lower().split(".") if p != "www"]
        if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL:
            parts = parts[:-1]
        if len(parts) >= 2:
            out.append(fold(parts[-2]))
    return out


def fold(text: str) -> str:
    """Letters and digits only, case-folded: how names and domains are compared."""
    return re.sub(r"[\W_]", "", text).casefold()


def agrees_with_domain(name: str, domains: set[str] | list[str]) -> bool:
    """Whether a name starts with one of the (folded) domain names of at least four letters."""
    folded = fold(name)
    return any(len(d) >= 4 and folded.startswith(d) for d in domains)


def _right_aligned(block: Block) -> bool:
    """Lines of different lengths that end at one right edge (an address set flush right)."""
    segs = block.segments
    if len(segs) < 2:
        return False
    unit = block.size
    lefts = [s.x0 for s in segs]
    rights = [s.x1 for s in segs]
    return max(rights) - min(rights) <= ALIGN * unit and max(lefts) - min(lefts) > 0.4 * unit


def has_postcode_line(lines: list[str]) -> bool:
    """Whether one of ``lines`` is a postcode-and-city line ("50667 Köln", "Leeds LS1 4AP")."""
    return any(len(line) <= 60 and _POSTCODE_RE.search(line) for line in lines)


def _has_postcode(block: Block) -> bool:
    return has_postcode_line(block.lines)


def registration_text(text: str) -> bool:
    """Whether ``text`` shows registration, tax or bank data of its issuer (not "your VAT number")."""
    return bool(_REGISTRATION_RE.search(text)) and not _YOUR_RE.search(text)


def _registration(block: Block) -> bool:
    return registration_text(block.text)


_CONTACT_RE = re.compile(
    r"(?i)(?<![^\W\d_])(?:tel|phone|fon|téléphone|tél|mobile|fax|e-?mail|courriel|www|web)(?![^\W\d_])|@|https?://"
)


def _contact(block: Block) -> bool:
    return bool(_CONTACT_RE.search(block.text))


def _phone_line(block: Block) -> bool:
    """Whether a line of the block is a phone number and nothing else ("(212) 555-2675" under an address,
    printed without "Tel."): the sender's contact line in a SaaS invoice's unheaded sender column."""
    for line in block.lines[1:]:
        found = find_phones(line)
        if len(found) == 1 and found[0].start == 0 and found[0].end >= len(line.rstrip()):
            return True
    return False


def _address_like(block: Block, height: float, body: float) -> bool:
    return (
        block.page == 1
        and block.top <= 0.45 * height
        and 2 <= len(block.segments) <= 8
        and max(len(line) for line in block.lines) <= 70
        and _has_postcode(block)
        and block.size <= 1.6 * body
        and not _is_title(block)
    )


def assign_roles(layout: Layout) -> None:
    """Tag blocks: headings first, then the address blocks (window vs sender), letterhead, return
    address line and the registration footer."""
    layout._below.clear()  # blocks are joined and re-tagged here
    blocks = layout.blocks
    if not blocks:
        return
    height = layout.height
    headed = any(
        (m := p.match(b.lines[0])) is not None
        and not _LEGAL_AFTER_RE.match(m.group(1))
        and not _wrapped_field(b, m.group(1))
        for b in blocks
        if b.page == 1 and len(b.lines[0]) <= 60
        for p in (_BUYER_HEADING_RE, _VENDOR_HEADING_RE)
    )
    _join_split_addresses(layout)
    blocks = layout.blocks
    first_page = [b for b in blocks if b.page == 1]
    sizes = [s.size for b in first_page for s in b.segments]
    body = statistics.median(sizes) if sizes else 10.0
    for block in blocks:
        _join_wrapped_heading(block)
        head = block.lines[0]
        for pattern, role in ((_BUYER_HEADING_RE, "addressee"), (_VENDOR_HEADING_RE, "sender")):
            m = pattern.match(head) if len(head) <= 60 else None
            if m is None:
                continue
            rest = m.group(1).strip()
            if _LEGAL_AFTER_RE.match(rest):
                break  # "Lieferant GmbH": a name, not a heading
            if _wrapped_field(block, rest):
                break  # "Customer" / "no. 97346": a field's label wrapped by a narrow cell, not a heading
            if not rest and len(block.segments) == 1:
                # a heading alone: its block was not stacked under it (a table's header cell centred
                # over the cell that holds the party, "FROM | TO" over two address cells)
                under = _under_heading(block, blocks)
                if under is not None:
                    under.role, under.reason = role, "heading"  # type: ignore[assignment]
                break
            below = block.lines[1:]
            if not rest and 0 < len(below) - 1 <= sum(line.endswith(":") for line in below):
                # a label in a column of labels ("Kunde:" over "Rechnungsnummer:"): its party is the value
                # printed right of it on its row
                rest = (layout.right_of(head, block.page) or "").strip()
            block.role, block.reason = role, "heading"  # type: ignore[assignment]
            block.skip_first = not rest
            if rest:
                block.segments[0] = replace(block.segments[0], text=rest)
            break
    labelled = [b for b in first_page if b.role is not None]
    for block in labelled:
        _label_column_values(block, first_page)
    addresses = sorted(
        (
            b
            for b in first_page
            if b.role is None
            and _address_like(b, height, body)
            and not _DELIVERY_HEADING_RE.match(b.lines[0])
            and not any(_PAYEE_RE.match(line) for line in b.lines)  # "Remit to:" / name / address
        ),
        key=lambda b: b.top,
    )
    addressee = next((b for b in first_page if b.role == "addressee"), None)
    unheaded = False
    headed_sender = next((b for b in first_page if b.role == "sender" and b.reason == "heading"), None)
    if headed and addressee is None and headed_sender is not None:
        # only the sender is headed ("Sold by:" / "Verkauft von:" under a marketplace's brand): the
        # addressee is the envelope window's address below that block, flush left, that names someone
        # (not a street), without registration data and not named like the sender's web or e-mail domain
        domains = {d for b in first_page if b.role == "sender" for d in domain_names(b.text)}
        addressee = next(
            (
                b
                for b in addresses
                if b.top > headed_sender.bottom
                and not (_right_aligned(b) or _nameless(b))
                and not agrees_with_domain(b.lines[0], domains)
            ),
            None,
        )
        if addressee is not None:
            addressee.role, addressee.reason = "addressee", "window"
        addresses = []
    elif headed:
        # the parties are named by headings: positions add nothing, except when only the addressee is
        # headed ("Bill to:") and the sender's address stands apart, unheaded, with the sender's own
        # contact or registration data (SaaS style: "Acme / 1 Main St / ... / billing@acme.com")
        # or beside the headed addressee on its band, starting with a name (the "From" column left
        # unlabelled: "Acme Logistics / 1 Main St / Austin, TX 78701" | "Bill to / ...")
        only_addressee = addressee is not None and not any(b.role == "sender" for b in first_page)
        unheaded = True  # the addresses kept here are the sender's, wherever they stand
        under = layout.block_below(addressee) if addressee is not None else None
        addresses = [
            b
            for b in addresses
            if only_addressee
            and b is not under
            and (_contact(b) or _registration(b) or _phone_line(b) or _beside(b, addressee))
            and not _YOUR_RE.search(b.text)
        ]
    if addressee is None and addresses:
        # the addressee: the address under a one-line return address; else, when the topmost address
        # is the sender's (at the very top, or with its phone, mail or registration data), the next one
        # without such data; else the topmost
        # an envelope address is printed flush left; a right-aligned address is the sender's own, and so
        # is one named like the web or e-mail domain printed in the letterhead or footer
        others = [b for b in first_page if b not in addresses]
        domains = {d for b in others for d in domain_names(b.text)}
        pool = [
            b for b in addresses if not (_right_aligned(b) or agrees_with_domain(b.lines[0], domains))
        ] or addresses
        # an envelope address starts with whom it goes to; an address that starts with its street or
        # place (under a logo printed as an image) is the sender's letterhead
        pool = [b for b in pool if not _nameless(b)] or pool
        framed = [b for b in pool if _return_line(b, first_page, body) is not None]
        plain = [b for b in pool if not (_contact(b) or _registration(b))]
        top = pool[0]
        if framed:
            addressee = framed[0]
        elif top.top < 0.12 * height or top not in plain:
            addressee = next((b for b in plain if b is not top), None)
            if addressee is None and len(pool) == 1 < len(addresses):
                addressee = top  # the only flush-left address beside the sender's right-aligned one
            elif addressee is None and len(addresses) == 1 and _someone_else(top, blocks, layout, domains):
                addressee = top  # the sender stands in the footer under another name
        else:
            addressee = top
        if addressee is not None:
            addressee.role, addressee.reason = "addressee", "window"
    if addressee is not None:
        line = _return_line(addressee, first_page, body)
        if line is not None:
            line.role, line.reason = "sender", "return address"
    for b in addresses:
        if b.role is None and (
            addressee is None or b.top <= addressee.top or _contact(b) or _registration(b) or unheaded
        ):
            b.role, b.reason = "sender", "address"
    # the letterhead: the top block with the largest print (a logo line), else the topmost block
    top_blocks = [b for b in first_page if b.top <= 0.2 * height and not _is_title(b)]
    if top_blocks:
        big = max(top_blocks, key=lambda b: (b.size, -b.top))
        if big.size < 1.25 * body:
            big = min(top_blocks, key=lambda b: b.top)
            if any(b.role == "sender" for b in top_blocks):
                big = None  # type: ignore[assignment]
        if big is not None and big.role is None:
            big.role, big.reason = "sender", "letterhead"
    for block in first_page:
        if block.role == "sender" and block.reason == "address":
            name = _name_over(block, first_page)
            if name is not None:
                name.role, name.reason = "sender", "name over address"
    # the footer: a band of columns at the bottom, one of which shows registration, tax or bank data
    bottom = [b for b in blocks if b.top >= 0.75 * height and b.role is None]
    for block in bottom:
        if _registration(block):
            for other in bottom:
                same_band = other.page == block.page and abs(other.top - block.top) <= 2 * block.size
                if other.role is None and (other is block or same_band):
                    other.role, other.reason = "sender", "footer"
    for block in bottom:
        if block.role is None and _imprint(block):
            block.role, block.reason = "sender", "imprint"
    _signatures(layout)


def _imprint(block: Block) -> bool:
    """Whether a one-line block is the sender's imprint at the page's foot: a name, then its address and
    contact in separated pieces ("Marlow Labs · 12 Market Street · Leeds LS1 4AP · billing@marlow.com"),
    what a small business prints instead of a registration footer."""
    if len(block.segments) != 1:
        return False
    pieces = [p.strip() for p in _SEPARATED_RE.split(block.lines[0]) if p.strip()]
    return (
        len(pieces) >= 3
        and not re.search(r"\d|@", pieces[0])
        and (has_postcode_line(pieces) or has_postcode_line([block.lines[0]]))
        and any(street_line(p) or _CONTACT_RE.search(p) for p in pieces[1:])
    )


def _beside(block: Block, other: Block | None) -> bool:
    """Whether ``block`` is a named address printed on the band of ``other``, left or right of it."""
    return (
        other is not None
        and block.page == other.page
        and abs(block.top - other.top) <= block.size
        and (max(s.x1 for s in block.segments) < other.x0 or max(s.x1 for s in other.segments) < block.x0)
        and not _nameless(block)
    )


def _name_over(address: Block, blocks: list[Block]) -> Block | None:
    """The sender's name printed right over its address block in larger or bolder print (a block of its
    own: the change of print split them), as a sidebar or a letterhead beside a bigger window shows it."""
    for block in blocks:
        if (
            block.role is None
            and len(block.segments) <= 2
            and block.size >= address.size
            and 0 < address.top - block.bottom <= 3 * block.size
            and (
                abs(block.x0 - address.x0) <= ALIGN * block.size
                or abs(block.segments[-1].x1 - address.segments[0].x1) <= ALIGN * block.size
            )
            and not _is_title(block)
            and not _has_postcode(block)
            and not _contact(block)
        ):
            return block
    return None


def _signatures(layout: Layout) -> None:
    """The lines under a letter's closing words ("Kind regards," / signer / company) sign for the sender:
    in the same block, or in the short block starting within SIGNATURE_GAP font sizes under them."""
    for i, block in enumerate(layout.blocks):
        if block.role is not None or len(block.lines[0]) > 40 or not _CLOSING_RE.match(block.lines[0]):
            continue
        if len(block.segments) > 1:
            block.role, block.reason, block.skip_first = "sender", "closing", True
            continue
        for other in layout.blocks[i + 1 :]:
            gap = other.top - block.bottom
            if other.page != block.page or gap > SIGNATURE_GAP * block.size:
                break
            if gap > 0 and abs(other.x0 - block.x0) <= 2 * block.size and other.role is None:
                if len(other.segments) <= 4:
                    other.role, other.reason = "sender", "closing"
                break


# An address broken by a blank line ("CRONUS DE / Hofstraße 12 / Benrath" + "20097 Hamburg / Deutschland"):
# the part under the gap starts with its postcode line, within this many font sizes of the part above.
ADDRESS_GAP = 3.5


def _wrapped_field(block: Block, rest: str) -> bool:
    """Whether a heading word alone on the block's first line is a field's label that a narrow cell
    wrapped ("Customer" / "no. 97346"): the next line starts with the field's word."""
    return not rest.strip() and len(block.lines) > 1 and _FIELD_WRAPPED_RE.match(block.lines[1]) is not None


def _heading_only(text: str) -> bool:
    """Whether ``text`` is a party or delivery heading and nothing else ("Shipping address:")."""
    for pattern in (_BUYER_HEADING_RE, _VENDOR_HEADING_RE):
        m = pattern.match(text)
        if m is not None and not m.group(1).strip():
            return True
    m = _DELIVERY_HEADING_RE.match(text)
    return m is not None and not text[m.end() :].strip(" :")


def _join_wrapped_heading(block: Block) -> None:
    """Join a heading that a narrow column wrapped over two lines ("Shipping" / "address"): the two lines
    are one heading, and the second is no party line."""
    if len(block.segments) < 2:
        return
    first, second = block.segments[0], block.segments[1]
    word = second.text.strip()
    if len(word.split()) > 2 or any(c.isdigit() for c in word) or _heading_only(word):
        return
    joined = f"{first.text.strip()} {word}"
    if len(joined) <= 40 and _heading_only(joined):
        block.segments[:2] = [replace(first, text=joined, x1=max(first.x1, second.x1))]


def _join_split_addresses(layout: Layout) -> None:
    """Join an address block without a postcode to the short block right under it (same left or right
    edge, same print) that starts with the postcode and city: one address printed with a blank line."""
    out: list[Block] = []
    taken: set[int] = set()
    blocks = layout.blocks
    for i, block in enumerate(blocks):
        if id(block) in taken:
            continue
        upper = block
        if upper.page == 1 and upper.top <= 0.45 * layout.height and 2 <= len(upper.segments) <= 5:
            for lower in blocks[i + 1 :]:
                if lower.page != upper.page or lower.top - upper.bottom > ADDRESS_GAP * upper.size:
                    break  # blocks come in reading order: the rest start further down
                if (
                    id(lower) not in taken
                    and lower.page == upper.page
                    and len(upper.segments) + len(lower.segments) <= 8
                    and 0 < lower.top - upper.bottom <= ADDRESS_GAP * upper.size
                    and max(lower.size, upper.size) <= SIZE_STEP * min(lower.size, upper.size)
                    and (
                        abs(lower.x0 - upper.x0) <= ALIGN * upper.size
                        or abs(lower.segments[0].x1 - upper.segments[-1].x1) <= ALIGN * upper.size
                    )
                    and not _has_postcode(upper)
                    and bool(_POSTCODE_RE.search(lower.lines[0]))
                    and len(lower.lines[0]) <= 60
                ):
                    upper = replace(upper, segments=[*upper.segments, *lower.segments])
                    taken.add(id(lower))
                    break
        out.append(upper)
    layout.blocks = out


STREET_RE = re.compile(
    r"(?i)(?:stra(?:ß|ss)e|str\.|weg\b|allee\b|gasse\b|platz\b|street|\bst\.|avenue|\bave\.?\b|road\b|\brd\.|"
    r"\brue\b|chemin|boulevard|\bbd\b|lane\b|drive\b|\bp\.?o\.?\sbox|postfach|\s\d{1,5}\s?[a-z]?$)"
)


def street_line(text: str) -> bool:
    """Whether ``text`` is an address's street line ("12 Mill Lane", "Hauptstraße 5", "rue du Port 3")."""
    return bool(re.match(r"^\d{1,5}\s?[a-zA-Z]?\s[^\W\d_]", text) or STREET_RE.search(text))


def _nameless(block: Block) -> bool:
    """Whether an address block starts with its street, place or contact rather than a name."""
    first = block.lines[0]
    return has_postcode_line([first]) or bool(_CONTACT_RE.search(first)) or street_line(first)


def _someone_else(block: Block, blocks: list[Block], layout: Layout, domains: set[str]) -> bool:
    """Whether the one address on top, with its own contact or tax data, is not the sender's: the footer
    carries the sender's registration data, and neither names that address's first line (nor does the
    sender's web or e-mail domain)."""
    footer = [b for b in blocks if b.page == block.page and b.top >= 0.75 * layout.height]
    if not any(_registration(b) for b in footer):
        return False
    name = fold(block.lines[0])
    if len(name) < 3 or agrees_with_domain(block.lines[0], domains):
        return False
    return not any(name in fold(line) for b in footer for line in b.lines)


def _under_heading(heading: Block, blocks: list[Block]) -> Block | None:
    """The block right under a lone heading, in the column the heading stands over (a header cell's
    text flush left or centred over the cell's lines): of the blocks starting within a few lines under
    it, the one starting nearest left of the heading (the next column's block starts right of it). A
    heading's own block is never another heading, nor a label."""
    size = heading.size
    x0 = heading.x0
    found = [
        b
        for b in blocks
        if b is not heading
        and b.page == heading.page
        and b.role is None
        and 0 < b.top - heading.bottom <= 3 * max(size, b.size)
        and -ALIGN * size <= x0 - b.x0 <= COLUMN_REACH * size
        and not _opens_block(b.lines[0])
        and not b.lines[0].endswith(":")  # a column of labels ("Klant:" over "Pakbon nr.:"): no party
    ]
    return min(found, key=lambda b: (x0 - b.x0, b.top)) if found else None


def _label_column_values(heading: Block, blocks: list[Block]) -> None:
    """A heading over a column of labels only ("Verkäufer / Name: / Anschrift:"): its values stand in the
    block to the right on the same rows, which belongs to the same party."""
    labels = heading.party_lines
    if not labels or not all(line.endswith(":") for line in labels):
        return
    row = heading.segments[1] if heading.skip_first and len(heading.segments) > 1 else heading.segments[0]
    right = [
        b
        for b in blocks
        if b.role is None and b.x0 > heading.segments[0].x0 + 20 and abs(b.top - row.top) <= row.size
    ]
    if right:
        values = min(right, key=lambda b: b.x0)
        values.role, values.reason = heading.role, "heading values"


def _return_line(window: Block, blocks: list[Block], body: float) -> Block | None:
    """The sender's one-line return address printed just above an envelope window's address: the nearest
    such line over it (a letterhead's own "street · place · phone" line may stand higher up). A narrow
    window wraps it onto a second line ("... · Bahnhofstr. 113 ·" / "70173 Stuttgart"): two lines count
    when printed smaller than the address."""
    found = [
        block
        for block in blocks
        if block is not window
        and block.role in (None, "sender")
        and (len(block.segments) == 1 or (len(block.segments) == 2 and block.size <= 0.9 * window.size))
        and 0 < window.top - block.top <= 6 * max(window.size, body)
        and abs(block.x0 - window.x0) <= 3 * body
        and block.size <= window.size * 1.05
        and _SEPARATED_RE.search(block.lines[0])
    ]
    return max(found, key=lambda b: b.top, default=None)


_TITLE_RE = re.compile(
    r"(?i)^\W{0,3}[^\W\d_]{0,20}(?:invoice|rechnung|facture|factuur|credit\snote|gutschrift|avoir|creditnota|"
    r"receipt|quittung|reçu|bill|statement|buchungshilfe)[^\W\d_]{0,15}(?![^\W\d_])"
)


def _is_title(block: Block) -> bool:
    """Whether a block is the document's title ("INVOICE"), also when letter-spaced by CSS or typing and
    read with stray spaces ("INVO ICE", "I N V O I C E")."""
    first = block.lines[0]
    return bool(_TITLE_RE.match(first) or (len(first) <= 40 and _TITLE_RE.match(first.replace(" ", ""))))
