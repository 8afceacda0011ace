"""Contract fields from the usual clauses: parties ("by and between A and B"), effective date
("effective as of", "dated as of", "made this 6th day of"), governing law and term ("for a period of
two (2) years"). English with French and German variants of the main phrases.
"""

from __future__ import annotations

import re

from zapdoc.domain.normalize import find_dates
from zapdoc.extraction import confidence as cf
from zapdoc.extraction.context import DocContext
from zapdoc.extraction.search import Candidate

_HEAD_CHARS = 8000
_FULL_CHARS = 300_000

_EFFECTIVE_RE = re.compile(
    r"(?i)(?:effective\s(?:as\sof|on|from)|dated\s(?:as\sof)?|made\s(?:and\sentered\sinto\s)?(?:as\sof|on|this)|"
    r"entered\sinto\s(?:as\sof|on|this)|as\sof|effective\sdate\s(?:is|of|shall\sbe)?|this|"
    r"en\svigueur\s(?:le|à\scompter\sdu)|conclu\sle|fait\sle|in\skraft\s(?:ab|am)|vom|geschlossen\sam)\W{0,3}"
)
_PLACE = r"(?-i:((?:[A-Z][A-Za-z]{2,20}|[A-Z]{2,20})(?:\s(?:[A-Z][A-Za-z]{2,20}|of)){0,3}))"
_LAW_RE = re.compile(
    r"(?i)(?:governed\s(?:by|in\saccordance\swith)|construed\s(?:and\s(?:enforced|interpreted)\s)?"
    r"(?:in\saccordance\swith|under)|interpreted\s(?:in\saccordance\swith|under)|governing\slaw\s?(?:shall\sbe|is)?)"
    r"[^.;]{0,80}?\slaws?\sof\s(?:the\s)?(?:state\sof\s|commonwealth\sof\s|province\sof\s|republic\sof\s)?"
    + _PLACE
)
_LAW_WEAK_RE = re.compile(
    r"(?i)(?:under|pursuant\sto|subject\sto)\s(?:the\s)?laws?\sof\s(?:the\s)?(?:state\sof\s|commonwealth\sof\s)?"
    + _PLACE
)
_LAW_FR_DE = re.compile(
    r"(?i)(?:droit|loi)\s(?:français|allemand|suisse|belge|luxembourgeois)|(?:deutschem|schweizer|österreichischem)\srecht"
)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30, "thirty-six": 36, "sixty": 60,
    "ninety": 90,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "cinq": 5, "ein": 1, "einen": 1, "zwei": 2, "drei": 3,
    "fünf": 5,
}  # fmt: skip
_UNITS = {
    "an": "year", "ans": "year", "année": "year", "années": "year", "jahr": "year", "jahre": "year",
    "jahren": "year", "mois": "month", "monat": "month", "monate": "month", "monaten": "month", "jour": "day",
    "jours": "day", "tag": "day", "tage": "day", "tagen": "day",
}  # fmt: skip
_NUMBER_WORDS = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
_TERM_RE = re.compile(
    rf"(?i)(?<![\w-])(?:({_NUMBER_WORDS})\s)?(?:\((\d{{1,3}})\)\s?|(?<![\d.,])(\d{{1,3}})\s)?"
    r"(?:calendar\s|full\s|consecutive\s)?(years?|months?|days?|weeks?|ans?|années?|mois|jours?|jahre?n?|monate?n?|"
    r"tage?n?)\b"
)
_TERM_HEADING = re.compile(r"(?i)\b(?:term(?:\sand\stermination)?|duration|laufzeit|durée)\.\s")

_FORMS = (
    "Inc.", "Inc", "Incorporated", "Corporation", "Corp.", "Company", "Co.", "LLC", "L.L.C.", "L.P.", "LP",
    "Ltd.", "Ltd", "Limited", "plc", "PLC", "N.V.", "B.V.", "S.A.", "SA", "AG", "GmbH", "SE", "S.p.A.",
    "Trust", "Bank", "Partners", "Holdings", "Holding", "Bancorp", "ASA", "AB",
)  # fmt: skip
# Legal forms as printed: "Inc." or "INC.", never "corporation" in running text ("a Delaware corporation")
_PARTY_END = (
    "(?:"
    + "|".join(sorted({re.escape(f) for form in _FORMS for f in (form, form.upper())}, key=len, reverse=True))
    + ")"
)
_BETWEEN_RE = re.compile(r"(?i)\b(?:by\sand\s)?between\s|\bentre\s|\bzwischen\s")
_ORG_RE = re.compile(
    rf"((?:[A-Z][\w&.'’\-]{{0,30}})(?:,?\s(?:[A-Z0-9][\w&.'’\-]{{0,30}}|of|and|&|de|the)){{0,7}},?\s{_PARTY_END})(?![\w])"
)
_PERSON_RE = re.compile(
    r"(?:Mr\.|Ms\.|Mrs\.|Dr\.)?\s?([A-Z][a-z]+(?:\s[A-Z]\.)?(?:\s[A-Z][a-z]+){1,2})"
    r"(?=\s?\(|,\s(?:an\sindividual|residing|a\sresident))"
)
_NOT_PARTY = re.compile(
    r"(?i)^(?:the\s)?(?:company|each|either|both|party|parties|recipient|confidential|disclosing|receiving|"
    r"potential|proposed|disclosure|agreement|purpose|transaction|federal|evaluation)\b|\sand\s(?:the\s)?company$|"
    r"\sand\sthe\s"
)


def _head(ctx: DocContext, limit: int = _HEAD_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The first ``limit`` characters of the document joined with spaces (clauses wrap across lines)
    and the offsets where each line starts."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    size = 0
    for line in ctx.lines:
        offsets.append((size, line.index))
        parts.append(line.text)
        size += len(line.text) + 1
        if size > limit:
            break
    return " ".join(parts), offsets


def _line_at(offsets: list[tuple[int, int]], pos: int) -> int:
    index = offsets[0][1] if offsets else 0
    for start, line in offsets:
        if start > pos:
            break
        index = line
    return index


def extract_effective_date(ctx: DocContext) -> Candidate | None:
    head, offsets = _head(ctx, 15_000)
    dates = [d for d in find_dates(head, dayfirst=ctx.dayfirst) if d.value is not None]
    for d in dates:
        before = head[max(0, d.start - 60) : d.start]
        tail = re.search(
            r"(?i)(?:effective|dated|made|entered|as\sof|this|vigueur|conclu|fait|kraft|vom|am)[^.;]{0,45}$",
            before,
        )
        if tail and _EFFECTIVE_RE.search(before[tail.start() :]):
            line = _line_at(offsets, d.start)
            return Candidate(d.value, cf.CONTRACT_DATE_LABELLED, line, line, 0, 0)
    if dates:
        line = _line_at(offsets, dates[0].start)
        return Candidate(dates[0].value, cf.CONTRACT_DATE_FIRST, line, line)
    return None


_PLACE_TAIL = re.compile(r"\s(?:of|and|without|applicable|as|in|that|which|for|to|the)$")


def extract_jurisdiction(ctx: DocContext) -> Candidate | None:
    """The governing law: "governed by ... the laws of the State of X"; weaker "under the laws of X"."""
    text, offsets = _head(ctx, _FULL_CHARS)
    for pattern, confidence in ((_LAW_RE, cf.GOVERNING_LAW), (_LAW_WEAK_RE, cf.GOVERNING_LAW_WEAK)):
        for m in pattern.finditer(text):
            place = _PLACE_TAIL.sub("", m.group(1)).strip()
            if not place or place.lower() in ("state", "the", "any", "such", "this"):
                continue
            if pattern is _LAW_WEAK_RE and re.search(
                r"(?i)(?:organi[sz]ed|incorporated|existing)\s[^.]{0,20}$",
                text[max(0, m.start() - 40) : m.start() + 6],
            ):
                continue  # "a company organized under the laws of X" is where a party is incorporated
            line = _line_at(offsets, m.start(1))
            return Candidate(place, confidence, line, line)
    for row in ctx.lines:
        m2 = _LAW_FR_DE.search(row.text)
        if m2:
            return Candidate(m2.group(0), cf.GOVERNING_LAW_PLACE, row.index, row.index, m2.start(), m2.end())
    return None


_TERM_GOOD = re.compile(
    r"(?i)term\sof\sthis|this\s(?:agreement|nda)\s(?:shall|will)\s(?:remain|continue|terminate|expire|be\s(?:in\s)?effect)|"
    r"(?:shall|will)\s(?:terminate|expire)|terminat|expir|surviv|remain\sin\s(?:full\sforce|effect)|confidential|"
    r"obligations?"
)
_TERM_BAD = re.compile(
    r"(?i)standstill|solicit|hire|employ|acquir|purchas|securities|voting|proxy|tender\soffer|notice"
)


def extract_term(ctx: DocContext) -> Candidate | None:
    """The agreement's duration ("for a period of two (2) years") as "2 years"; clauses about the term
    and confidentiality obligations beat standstill or non-solicitation periods."""
    text, offsets = _head(ctx, _FULL_CHARS)
    best: tuple[float, int, str] | None = None
    for m in _TERM_RE.finditer(text):
        number = int(m.group(2) or m.group(3) or 0) or _WORD_NUMBERS.get((m.group(1) or "").lower(), 0)
        if not number:
            continue
        unit = m.group(4).lower()
        unit = _UNITS.get(unit, unit.rstrip("s"))
        context = text[max(0, m.start() - 160) : m.end() + 60]
        score = 1.0 * len(_TERM_GOOD.findall(context)) - 2.0 * len(_TERM_BAD.findall(context))
        if _TERM_HEADING.search(text[max(0, m.start() - 120) : m.start()]):
            score += 3
        if score <= 0:
            continue
        value = f"{number} {unit}{'s' if number != 1 else ''}"
        if best is None or score > best[0]:
            best = (score, m.start(), value)
    if best is None:
        return None
    line = _line_at(offsets, best[1])
    return Candidate(best[2], cf.CONTRACT_TERM, line, line)


def extract_parties(ctx: DocContext) -> Candidate | None:
    """Names in the "by and between A and B" clause: companies with a legal form, else people."""
    head, offsets = _head(ctx)
    m = _BETWEEN_RE.search(head)
    if not m:
        return None
    clause = head[m.end() : m.end() + 700]
    stop = re.search(
        r"(?i)\b(?:whereas|witnesseth|recitals|now,?\stherefore)|\.\s(?:1\.|The\s|In\s|This\s)", clause
    )
    if stop:
        clause = clause[: stop.start()]
    names: list[str] = []
    for org in _ORG_RE.finditer(clause):
        name = re.sub(r"^(?:and|the|between)\s", "", org.group(1).strip(" ,"), flags=re.IGNORECASE)
        if name and not _NOT_PARTY.search(name) and name.lower() not in (n.lower() for n in names):
            names.append(name)
    for person in _PERSON_RE.finditer(clause):
        name = person.group(1).strip()
        if name not in names and len(names) < 4 and not _NOT_PARTY.search(name):
            names.append(name)
    if not names:
        return None
    line = _line_at(offsets, m.start())
    return Candidate(names[:6], cf.CONTRACT_PARTIES if len(names) >= 2 else cf.CONTRACT_PARTY_ONE, line, line)


_TITLE_RE = re.compile(r"(?i)\b(?:agreement|contract|vertrag|vereinbarung|contrat|accord|convention)\b")


def extract_title(ctx: DocContext) -> Candidate | None:
    """A short heading near the top that names the kind of agreement."""
    for line in ctx.lines[:15]:
        text = line.text.strip()
        short = text.isupper() or text.istitle() or len(text.split()) <= 8
        if _TITLE_RE.search(text) and len(text) <= 100 and short:
            return Candidate(text, cf.CONTRACT_TITLE, line.index, line.index)
    return None
