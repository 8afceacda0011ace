"""Label-driven search: find a concept's labels, read the value next to them, score and pick the best.

A value is read on the label's line after the label, on the next line(s) when the label ends its line,
from a block of values printed above a block of labels (two-column layouts flattened by the PDF), or
at the edge column of the line below a header. Confidence: label weight and position, lowered when
candidates disagree.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from zapdoc.domain.documents import Evidence
from zapdoc.domain.documents import TextSegment as Segment
from zapdoc.domain.normalize import DateMatch, compact_date, find_dates, normalise_phone, parse_currency
from zapdoc.extraction import confidence as cf
from zapdoc.extraction.columns import header_columns
from zapdoc.extraction.context import DocContext, Line
from zapdoc.extraction.dates import weekday_before
from zapdoc.extraction.labels import Concept, Kind
from zapdoc.extraction.patterns import (
    Found,
    amount_after_label,
    find_emails,
    find_urls,
    id_after_label,
)


@dataclass
class Candidate:
    """A value found for a field with its confidence and where it came from."""

    value: object
    confidence: float
    line: int
    last_line: int
    start: int = 0
    end: int = 0
    note: str = ""
    weight: float = 1.0

    def evidence(self, ctx: DocContext) -> Evidence:
        return ctx.evidence(self.line, self.last_line, start=self.start, end=self.end)


Parser = Callable[[str], Found | None]

# How far after the label a value may start, per kind (characters).
_MAX_GAP: dict[Kind, int] = {
    "id": 14,
    "date": 45,
    "amount": 90,
    "number": 60,
    "currency": 40,
    "iban": 12,
    "vat": 20,
    "email": 25,
    "phone": 20,
    "text": 12,
    "url": 25,
    "list": 12,
    "name": 12,
}

# The next "Label:" on a line: a capitalised word, maybe followed by lower-case ones ("Due date:")
_NEXT_LABEL_RE = re.compile(r"\s[A-ZÄÖÜÉ][\w.'’/-]{1,20}(?:\s[a-zäöüéè][\w.'’/-]{0,20}){0,2}\s?:(?:\s|$)")
_SEPARATORS = " \t:#.-–=|"
# Separators between a label and its value. "=", "-" and "|" count only when a space follows them, so a
# value that itself starts with one ("-1+2", "=HYPERLINK(...)") keeps it.
_LEADING_SEPARATORS_RE = re.compile(r"^(?:[ \t]+|[:#.]+|[=|–-]+(?=[ \t]|$))*")
_MAX_LABELS_PER_LINE = 8
# Dot leaders between a label and its value ("Invoice no ........ 4711", "Date . . . . 03/04/2024",
# "Total ______ 12.00"): however long, they are one separator, so the gap is counted after them.
_LEADERS_RE = re.compile(r"[ \t]*[:#]?[ \t]*(?:[.…·_]{3,}|(?:\.[ \t]){3,})[ \t.…·_:]*")


def _leaders(text: str) -> int:
    """The length of the dot leaders that open ``text`` (0 when there are none)."""
    m = _LEADERS_RE.match(text)
    return m.end() if m else 0


def text_after_label(text: str) -> Found | None:
    """Free text after a label, up to the next "Label:" on the line; None when only punctuation."""
    stripped = _LEADING_SEPARATORS_RE.sub("", text, count=1)
    offset = len(text) - len(stripped)
    m = _NEXT_LABEL_RE.search(stripped)
    value = stripped[: m.start()] if m else stripped
    value = value[:120].rstrip(" ,;:-–|")
    if not value or not re.search(r"[^\W_]", value):
        return None
    return Found(value, offset, offset + len(value), value)


def name_after_label(text: str) -> Found | None:
    found = text_after_label(text)
    if found is None or not re.search(r"[^\W\d_]{2}", str(found.value)):
        return None
    return found


def date_parser(dayfirst: bool | None) -> Parser:
    """Reads the first valid date of a text with the document's date order."""

    def parse(text: str) -> Found | None:
        for d in find_dates(text[:200], dayfirst=dayfirst):
            if d.value is not None:
                return _with_weekday(text, d, d.value)
        compact = compact_date(text[:40])
        if compact is not None and compact.value is not None and not text[: compact.start].strip(" :.-–"):
            return Found(compact.value, compact.start, compact.end, compact.text)  # right after the label
        return None

    return parse


def _with_weekday(text: str, d: DateMatch, value: dt.date) -> Found:
    """The date ``d`` of ``text`` with the weekday name printed before it, if any ("Monday, 3 March
    2025"): the value starts at the weekday. The weekday checks the date: of the day-first and the
    month-first reading of "03/04/2025", the one that falls on that weekday is taken."""
    day = weekday_before(text, d.start)
    if day is None:
        return Found(value, d.start, d.end, d.text)
    start, number = day
    if value.weekday() != number:
        readings = (find_dates(d.text, dayfirst=first) for first in (True, False))
        fits = [
            r[0].value for r in readings if r and r[0].value is not None and r[0].value.weekday() == number
        ]
        if fits:
            value = fits[0]
    return Found(value, start, d.end, text[start : d.end])


_SPACE_GROUPED_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u202f\u00a0]\d{3})+,\d{2}(?!\d)\s?(?:€|EUR|CHF)")
_DOT_GROUPED_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d{2}(?!\d)")


def space_groups(ctx: DocContext) -> bool:
    """Whether "1 234,56" is one number in this document: in French-style text (not German, Dutch or
    English), or when its money amounts are printed so ("3 819,28 €") and never with dot groups."""
    if ctx.language not in ("de", "nl", "en"):
        return True
    cached = ctx.cache.get("space_groups")
    if cached is None:
        text = ctx.text[:200_000]
        cached = bool(_SPACE_GROUPED_RE.search(text)) and not _DOT_GROUPED_RE.search(text)
        ctx.cache["space_groups"] = cached
    return bool(cached)


def currency_after_label(text: str) -> Found | None:
    head = text[:60]
    code = parse_currency(head)
    if code is None:
        return None
    return Found(code, 0, len(head.strip()), head.strip())


_PHONE_AFTER_RE = re.compile(r"[\s:.#\-–]{0,6}(\+?[\d(][\d\s()./\-–]{4,24}\d)")


def phone_after_label(text: str) -> Found | None:
    m = _PHONE_AFTER_RE.match(text)
    if not m:
        return None
    raw = m.group(1)
    phone = normalise_phone(raw)
    if phone is None or len(phone.lstrip("+")) < 6:
        return None
    return Found(phone, m.start(1), m.end(1), raw)


def email_after_label(text: str) -> Found | None:
    emails = find_emails(text[:150])
    return emails[0] if emails else None


def url_after_label(text: str) -> Found | None:
    urls = find_urls(text[:150])
    return urls[0] if urls else None


def parser_for(kind: Kind, ctx: DocContext) -> Parser:
    """The value reader for a kind of concept."""
    if kind == "id":
        return id_after_label
    if kind == "date":
        return date_parser(ctx.dayfirst)
    if kind in ("amount", "number"):
        grouped = space_groups(ctx)
        return lambda text: amount_after_label(text[:300], space_groups=grouped)
    if kind == "currency":
        return currency_after_label
    if kind == "email":
        return email_after_label
    if kind == "phone":
        return phone_after_label
    if kind == "url":
        return url_after_label
    if kind == "name":
        return name_after_label
    return text_after_label


def _label_only(line: Line) -> bool:
    """A short line that is only a label ("Due Date:"), as in blocks of labels printed apart from values."""
    text = line.text
    return len(text) <= 40 and text.endswith(":") and not re.search(r"\d{3}", text)


def _paired_value_line(ctx: DocContext, index: int) -> int | None:
    """For a label-only line inside a block of label-only lines, the value line printed in the block above."""
    lines = ctx.lines
    start = index
    while start > 0 and _label_only(lines[start - 1]) and lines[start - 1].page == lines[index].page:
        start -= 1
    end = index
    while end + 1 < len(lines) and _label_only(lines[end + 1]) and lines[end + 1].page == lines[index].page:
        end += 1
    count = end - start + 1
    if count < 2:
        return None
    values: list[int] = []
    j = start - 1
    while j >= 0 and len(values) < count and lines[j].page == lines[index].page and ":" not in lines[j].text:
        values.append(j)
        j -= 1
    values.reverse()
    position = index - start
    if position >= len(values):
        return None
    return values[position]


def _window(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - 40) : start], text[end : end + 60]


def _header_cells(ctx: DocContext) -> dict[int, list[tuple[int, int, Segment]]]:
    """Line number -> its cells, for the lines of column headers printed apart (once per document)."""
    cached = ctx.cache.get("header_cells")
    if isinstance(cached, dict):
        return cached
    found: dict[int, list[tuple[int, int, Segment]]] = {}
    if ctx.layout is not None:
        for line in ctx.lines:
            if line.page in ctx.layout.pages and _header_like(line.text):
                cells = ctx.layout.row_cells(line.text, line.page)
                if cells is not None:
                    found[line.index] = cells
    ctx.cache["header_cells"] = found
    return found


def _label_lines(ctx: DocContext, concept: Concept) -> frozenset[int]:
    """The lines a label of ``concept`` may stand on, from one scan of the document's lines joined by
    newlines instead of one scan per line (a scan's set-up costs as much as a short line's search).

    A superset of the lines with a match of their own: a label's letter boundaries and ^/$ read a newline
    as they read a line's end, and a match that runs across a newline marks every line it touches (so a
    match it swallows at the start of the next line is still looked for there, on that line alone).
    """
    joined = ctx.cache.get("joined_lines")
    if not isinstance(joined, tuple):
        texts = [line.text for line in ctx.lines]
        starts: list[int] = []
        at = 0
        for text in texts:
            starts.append(at)
            at += len(text) + 1
        joined = ("\n".join(texts), starts)
        ctx.cache["joined_lines"] = joined
    text, starts = joined
    found: set[int] = set()
    for m in concept.combined_lines.finditer(text):
        first = bisect.bisect_right(starts, m.start()) - 1
        last = bisect.bisect_right(starts, max(m.start(), m.end() - 1)) - 1
        found.update(ctx.lines[i].index for i in range(first, last + 1))
    return frozenset(found)


def _label_matches(ctx: DocContext, concept: Concept, line: Line) -> Iterator[tuple[re.Match[str], str, str]]:
    """The label matches of ``concept`` in a line with the text just before and after each (what the
    exclusions look at); on a line of column headers printed apart (the layout's cells), within each
    cell, so that no label runs across a column gap ("Delivery note no. | Invoice no." does not give "no.
    Invoice") and the next header does not count as the label's words ("Invoice date | Due date")."""
    text = line.text
    cells = _header_cells(ctx).get(line.index)
    if cells is None:
        for m in concept.combined.finditer(text):
            yield (m, *_window(text, m.start(), m.end()))
        return
    for start, end, _ in cells:
        cell = text[:end]
        for m in concept.combined.finditer(text, start, end):
            before, after = _window(cell, m.start(), m.end())
            yield m, before[max(0, len(before) - (m.start() - start)) :], after


def label_candidates(
    ctx: DocContext,
    concept: Concept,
    parse: Parser,
    *,
    max_gap: int | None = None,
    accept: Callable[[Line, int, int], bool] | None = None,
) -> list[Candidate]:
    """Every value that a label of ``concept`` introduces, with a confidence from the label's weight.

    ``accept(line, start, end)`` may veto a label match (e.g. a VAT label that belongs to the buyer).
    """
    gap = _MAX_GAP[concept.kind] if max_gap is None else max_gap
    out: list[Candidate] = []
    lines = ctx.lines
    read_below: dict[int, list[str]] = {}  # line index -> values read on it for a label above it
    labelled = _label_lines(ctx, concept)
    for line in lines:
        if line.index not in labelled:
            continue  # no label of the concept on it
        text = line.text
        inside = [
            (at, at + len(value)) for value in read_below.get(line.index, ()) if (at := text.find(value)) >= 0
        ]
        for count, (m, before, after) in enumerate(_label_matches(ctx, concept, line)):
            if count >= _MAX_LABELS_PER_LINE:
                break  # no real line holds more labels of one concept; bounds hostile input
            if any(a <= m.start() < b for a, b in inside):
                continue  # part of a value its header cell introduces: "PO" in "PO-34537" under "PO number"
            label = concept.label_of(m)
            if concept.exclude_before is not None and concept.exclude_before.search(before):
                continue
            if concept.exclude_after is not None and concept.exclude_after.search(after):
                continue
            if accept is not None and not accept(line, m.start(), m.end()):
                continue
            base = cf.LABEL_BASE + cf.LABEL_SPAN * label.weight
            lead = _leaders(text[m.end() :])
            rest = text[m.end() + lead :]
            found = parse(rest)
            if found is not None and found.start <= gap:
                out.append(
                    Candidate(
                        found.value,
                        base,
                        line.index,
                        line.index,
                        m.end() + lead + found.start,
                        m.end() + lead + found.end,
                        weight=label.weight,
                    )
                )
                continue
            below = _below(
                ctx, line, m.start(), m.end(), label.next_lines, parse, base, label.weight, kind=concept.kind
            )
            for c in below:
                if c.last_line > line.index and isinstance(c.value, str):
                    read_below.setdefault(c.last_line, []).append(c.value)
            out.extend(below)
    return out


# Kinds whose values are told apart from a neighbouring label by their shape (not ids, names, free text).
_ROW_KINDS = frozenset({"date", "amount", "iban", "vat", "email", "phone", "currency"})


# A tax rate standing after an amount's label ("TVA 20 %", "VAT (20%)"), no value of its own.
# What may follow an amount's label before its value on the next line: a rate ("Tax 10%", "VAT @ 5%"),
# or the currency ("Total (USD)").
_RATE_ONLY_RE = re.compile(r"^(?:@\s?)?\(?\d{1,2}(?:[.,]\d{1,2})?\s?%\)?$|^\(?[A-Z]{3}\)?$")

# A currency sign or code before an amount ("€6,643.33", "USD 120.00", "CA$ 15.00").
_CURRENCY_LEAD_RE = re.compile(r"[€$£¥]|[A-Z]{3}|[A-Z]{1,2}\$")

# Kinds read from the cell under their header. Not amounts: under an amount header stand line items.
_CELL_KINDS = frozenset({"id", "date", "iban", "vat", "email", "phone"})


def _header_like(text: str) -> bool:
    """A line of labels (column headers): several words, no digits."""
    return not re.search(r"\d", text) and len(text.split()) >= 2


def _item_header(text: str) -> bool:
    """The header line of a line-items table: it heads a quantity or unit price column."""
    numeric = header_columns(text, items=True)
    return numeric is not None and bool({"quantity", "unit_price"} & set(numeric))


def _below(
    ctx: DocContext,
    line: Line,
    start: int,
    end: int,
    strong: bool,
    parse: Parser,
    base: float,
    weight: float,
    *,
    kind: Kind,
) -> list[Candidate]:
    """Values for a label whose value is not on its line: the paired block above, the next lines, or
    the first/last column of the line below a header line."""
    lines = ctx.lines
    text = line.text
    rest = text[end:].strip(_SEPARATORS + "()")
    nxt = lines[line.index + 1] if line.index + 1 < len(lines) else None
    if nxt is not None and nxt.page != line.page:
        nxt = None
    # "VAT 20%" | "957.35": the rate is part of the label
    rest_value = _RATE_ONLY_RE.sub("", rest) if kind == "amount" else rest
    if not rest_value and (kind in _ROW_KINDS or kind == "id") and ctx.layout is not None:
        # the value printed right of the label on the same row, which the text layer put on another line
        # (a column of labels drawn before the column of values); an id only when it is the whole
        # neighbour ("Invoice No:" | "59910"), as ids have no shape of their own to tell them from text
        right = ctx.layout.right_of(text, line.page)
        found = parse(right) if right else None
        whole = found is not None and right is not None and found.end >= len(right.rstrip())
        lead = right[: found.start].strip() if right and found is not None else ""
        starts = lead == "" or (kind == "amount" and _CURRENCY_LEAD_RE.fullmatch(lead) is not None)
        if right and found is not None and starts and (kind != "id" or whole):
            value = right.strip()
            at = next((o.index for o in ctx.lines if o.page == line.page and o.text == value), line.index)
            first, last = sorted((line.index, at))
            return [Candidate(found.value, base - cf.ROW_NEIGHBOUR_PENALTY, first, last, weight=weight)]
    # free text cannot be told apart from its neighbours in a row, typed values can
    columns = kind not in ("text", "name", "list")
    if kind in _CELL_KINDS and ctx.layout is not None and nxt is not None and _header_like(text):
        # a row of column headers: the value printed under the label's own cell, by position
        cell = ctx.layout.under_cell(text, line.page, start, end)
        found = parse(cell) if cell else None
        sign = len(cell) - len(cell.lstrip("#№ ")) if cell else 0  # "#2789": the number sign, then the id
        if cell and found is not None and found.start <= sign and found.end >= len(cell) - 1:
            return [Candidate(found.value, base - cf.COLUMN_PENALTY, line.index, nxt.index, weight=weight)]
    if columns and _header_like(text) and nxt is not None and not _label_only(nxt):
        if kind == "amount" and _item_header(text):
            # "Désignation Qté P.U. HT Montant HT": under it stand line items, not the invoice's sums
            return []
        if ((start == 0 and rest) or (start > 0 and not rest)) and weight >= cf.LABEL_STRONG_WEIGHT:
            # first or last column of a header line: the values start or end the lines below (a column
            # of totals gives several candidates; the concept's preference picks one)
            column = _column(ctx, line, parse, first=start == 0, base=base - cf.COLUMN_PENALTY, weight=weight)
            if column:
                return column
        if start > 0 and rest:
            # a middle column: only a value standing alone on the line below can be read
            found = parse(nxt.text)
            if found is not None and found.start == 0 and found.end >= len(nxt.text) - 1:
                return [
                    Candidate(
                        found.value,
                        base - cf.MIDDLE_COLUMN_PENALTY,
                        line.index,
                        nxt.index,
                        0,
                        found.end,
                        weight=weight,
                    )
                ]
            dates = find_dates(nxt.text, dayfirst=ctx.dayfirst) if kind == "date" else []
            if len([d for d in dates if d.value is not None]) == 1:
                found = parse(nxt.text)
                if found is not None:
                    return [
                        Candidate(
                            found.value,
                            base - cf.MIDDLE_COLUMN_DATE_PENALTY,
                            line.index,
                            nxt.index,
                            found.start,
                            found.end,
                            weight=weight,
                        )
                    ]
    if rest_value or (not strong and start > 0):
        return []  # (a rate printed with an amount's label, "Tax 10%", leaves the value to the next line)
    out: list[Candidate] = []
    if _label_only(line):
        paired = _paired_value_line(ctx, line.index)
        if paired is not None:
            found = parse(lines[paired].text)
            if found is not None and found.start <= 2:
                out.append(
                    Candidate(
                        found.value,
                        base - cf.PAIRED_PENALTY,
                        paired,
                        line.index,
                        found.start,
                        found.end,
                        weight=weight,
                    )
                )
            return out
    for step in range(1, 4 if strong else 2):
        j = line.index + step
        if j >= len(lines) or lines[j].page != line.page:
            break
        below = lines[j]
        if _label_only(below):
            break
        found = parse(below.text)
        lead = below.text[: found.start].strip() if found is not None else ""
        if found is not None and (
            found.start <= 2
            or (
                kind == "amount"
                and _CURRENCY_LEAD_RE.fullmatch(lead) is not None
                and found.end >= len(below.text.rstrip()) - 1
            )
        ):  # "USD 5,981.29" alone on its line: a currency code before the amount
            penalty = cf.STEP_PENALTY * step if strong else cf.WEAK_STEP_PENALTY
            out.append(
                Candidate(found.value, base - penalty, line.index, j, found.start, found.end, weight=weight)
            )
            break
        if step >= 2:
            break
    return out


def _column(
    ctx: DocContext, line: Line, parse: Parser, *, first: bool, base: float, weight: float
) -> list[Candidate]:
    out: list[Candidate] = []
    for below in ctx.lines[line.index + 1 : line.index + 9]:
        if below.page != line.page:
            break
        token = below.text.split(" ", 1)[0] if first else below.text.rsplit(" ", 1)[-1]
        found = parse(token)
        if found is None or found.start != 0 or found.end < len(token) - 1:
            break
        if out and len(re.findall(r"[^\W\d_]", below.text)) > 12:
            break  # a line of words, not a row of the column
        offset = 0 if first else len(below.text) - len(token)
        out.append(
            Candidate(found.value, base, line.index, below.index, offset, offset + found.end, weight=weight)
        )
        if not isinstance(found.value, Decimal):
            break  # ids and dates: the first row only
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return abs(a - b) < 0.005
    if isinstance(a, str) and isinstance(b, str):
        return re.sub(r"\W", "", a).lower() == re.sub(r"\W", "", b).lower()
    return a == b


def select(cands: list[Candidate], prefer: str = "first") -> Candidate | None:
    """The best candidate: highest confidence, then by ``prefer``; agreement raises it, dissent lowers it."""
    if not cands:
        return None
    top = max(c.confidence for c in cands)
    near = [c for c in cands if c.confidence >= top - cf.NEAR]
    if prefer == "max":
        best = max(near, key=lambda c: (abs(c.value) if isinstance(c.value, int | Decimal) else 0, -c.line))
    elif prefer == "last":
        best = max(near, key=lambda c: (c.last_line, c.line))
    else:
        best = min(near, key=lambda c: (c.line, c.last_line))
    agree = sum(1 for c in cands if _same(c.value, best.value))
    rivals = [
        c for c in cands if not _same(c.value, best.value) and c.confidence >= best.confidence - cf.RIVAL
    ]
    confidence = best.confidence
    if agree >= 2:
        confidence = min(cf.AGREEMENT_CAP, confidence + cf.AGREEMENT_BONUS)
    if rivals:
        confidence -= cf.RIVAL_PENALTY_FIRST if prefer == "first" else cf.RIVAL_PENALTY
    best.confidence = round(max(cf.FLOOR, min(1.0, confidence)), 3)
    return best
