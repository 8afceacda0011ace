"""Dates with meaning on resumes: month names and relative words ("heute", "aujourd'hui", "present").

Month names and the words for "today" and "now" come from CLDR through babel for every language the
extractor claims (``LANGUAGES``); the résumé words CLDR lacks ("present", "heden", "aktuell") come from
the vocabulary file ``ongoing.json``. Hand code only for finding the range in the text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from zapdoc.domain.normalize import LANGUAGES
from zapdoc.extraction.vocabulary import alternation, entries, typed_without_accents


def _cldr_names(kind: str) -> Iterator[tuple[str, int, str]]:
    """(width, number, name case-folded without its final dot) of every month or weekday name (``kind``
    "months" or "days") in the format and stand-alone contexts of each claimed language, from CLDR."""
    from babel import Locale

    for lang in LANGUAGES:
        names = getattr(Locale.parse(lang), kind)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in names[context][width].items():
                    key = str(name).casefold().rstrip(".")
                    # and as typed without accents ("fevrier", "marz" or "maerz"; the patterns accept them)
                    for variant in dict.fromkeys((key, *typed_without_accents(key))):
                        yield width, int(number), variant


@functools.cache
def month_names() -> dict[str, int]:
    """Month name or abbreviation (case-folded, without the final dot) -> month number, from CLDR."""
    names: dict[str, int] = {}
    for _width, number, key in _cldr_names("months"):
        names.setdefault(key, number)
    return names


@functools.cache
def _weekdays() -> tuple[dict[str, int], dict[str, int]]:
    """(names of three letters or more, two-letter abbreviations) -> weekday number, from CLDR."""
    names: dict[str, int] = {}
    short: dict[str, int] = {}
    for width, number, key in _cldr_names("days"):
        (names if width == "wide" or len(key) >= 3 else short).setdefault(key, number)
    return names, short


def weekday_names() -> dict[str, int]:
    """Weekday name or abbreviation of three letters or more (case-folded, without the final dot) ->
    weekday number as ``date.weekday()`` counts (Monday 0), from CLDR. Two-letter abbreviations ("Di",
    "ma") are words too; before a date they count only with their dot or a comma ("Di., 04.03.2025")."""
    return _weekdays()[0]


@functools.cache
def _weekday_before_re() -> re.Pattern[str]:
    names, short = _weekdays()
    return re.compile(
        rf"(?<![^\W\d_])(?:(?P<day>{alternation(tuple(names))})\.?,?|(?P<short>{alternation(tuple(short))})"
        rf"(?:\.,?|,))\s{{0,2}}$",
        re.IGNORECASE,
    )


def weekday_before(text: str, start: int) -> tuple[int, int] | None:
    """A weekday name printed right before ``start`` ("Monday, " in "Monday, 3 March 2025", "Dienstag, "
    in "Dienstag, 4. März 2025", "Di., " in "Di., 04.03.2025"): its start in ``text`` and its weekday
    number; None without one."""
    head_start = max(0, start - 16)
    m = _weekday_before_re().search(text, head_start, start)
    if m is None:
        return None
    names, short = _weekdays()
    number = names.get(m["day"].casefold()) if m["day"] else short.get(m["short"].casefold())
    return None if number is None else (m.start(), number)


@functools.cache
def ongoing_words() -> tuple[str, ...]:
    """Words that close an open range: CLDR's "today" and "now" per language plus ``ongoing.json``."""
    from babel import Locale

    words: list[str] = [e.label for e in entries("ongoing")]
    for lang in LANGUAGES:
        fields = Locale.parse(lang)._data["date_fields"]
        words.append(str(fields["day"]["relative"][0]))
        words.append(str(fields["second"]["relative"][0]))
    return tuple(dict.fromkeys(w.casefold() for w in words))


@functools.cache
def ongoing_pattern() -> re.Pattern[str]:
    """The ongoing words as one letter-bounded pattern."""
    return re.compile(rf"(?<![^\W\d_])(?:{alternation(ongoing_words())})(?![^\W\d_])", re.IGNORECASE)


@dataclass(frozen=True)
class DateRange:
    """A range of months as resumes print them; ``end`` None with ``ongoing`` when it runs until now."""

    start: dt.date
    end: dt.date | None
    ongoing: bool
    span: tuple[int, int]


def _month_point() -> str:
    names = alternation(tuple(month_names()))
    # "03/2020", "3.2020", "Mar 2019", "sept. 2018", "Januar 2017", "2019"
    numeric = r"(?P<{p}m>0?[1-9]|1[0-2])[/.](?P<{p}y1>(?:19|20)\d\d)"
    named = rf"(?:(?P<{{p}}n>{names})\.?\s)?(?P<{{p}}y2>(?:19|20)\d\d)"
    return f"(?:{numeric}|{named})"


@functools.cache
def _range_re() -> re.Pattern[str]:
    point = _month_point()
    start = point.format(p="a")
    end = point.format(p="b")
    ongoing = alternation(ongoing_words())
    return re.compile(
        rf"(?<![\w/.])(?:{start})\s?(?:–|-|—|to|bis|à|au|tot|t/m)\s?(?:(?P<now>{ongoing})|{end})(?![^\W\d_])",
        re.IGNORECASE,
    )


def _point(m: re.Match[str], p: str) -> dt.date | None:
    year = m[f"{p}y1"] or m[f"{p}y2"]
    if year is None:
        return None
    month = 1
    if m[f"{p}m"]:
        month = int(m[f"{p}m"])
    elif m[f"{p}n"]:
        month = month_names().get(m[f"{p}n"].casefold().rstrip("."), 1)
    return dt.date(int(year), month, 1)


def find_ranges(text: str) -> list[DateRange]:
    """Every date range in ``text`` (bounded: the first 10,000 characters)."""
    out: list[DateRange] = []
    for m in _range_re().finditer(text[:10_000]):
        start = _point(m, "a")
        if start is None:
            continue
        ongoing = m["now"] is not None
        out.append(DateRange(start, None if ongoing else _point(m, "b"), ongoing, (m.start(), m.end())))
    return out


def parse_range(text: str) -> DateRange | None:
    """The first date range in ``text``."""
    found = find_ranges(text)
    return found[0] if found else None
