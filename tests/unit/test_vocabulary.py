"""Vocabulary data files: every label is found in each of its example sentences, and CLDR supplies the
month names and relative words of every language the extractor claims."""

from __future__ import annotations

import pytest

from zapdoc.domain.normalize import LANGUAGES, is_country
from zapdoc.extraction.dates import month_names, ongoing_words, weekday_names
from zapdoc.extraction.vocabulary import (
    NAMES,
    Entry,
    case_sensitive,
    entries,
    label_regex,
    pattern,
    sections,
)

ALL = [(name, section, e) for name in NAMES for section in sections(name) for e in entries(name, section)]


@pytest.mark.parametrize(
    ("name", "section", "entry"), ALL, ids=[f"{n}:{s}:{e.lang}:{e.label}" for n, s, e in ALL]
)
def test_every_label_is_found_in_its_examples(name: str, section: str, entry: Entry) -> None:
    import re

    assert entry.examples, f"{entry} has no example sentence"
    flags = 0 if case_sensitive(name) else re.IGNORECASE
    own = re.compile(rf"(?<![^\W\d_])(?:{label_regex(entry.label)})(?![^\W\d_])", flags)
    for sentence in entry.examples:
        assert own.search(sentence), (entry.label, sentence)
        assert pattern(name, section=section).search(sentence), (entry.label, sentence)


def test_every_claimed_language_has_labels_in_each_file() -> None:
    for name in NAMES:
        # "intl": words of no claimed language (Nordic, Italian legal forms)
        assert {e.lang for e in entries(name)} - {"intl"} == set(LANGUAGES), name


def test_legal_forms_are_case_sensitive_words() -> None:
    forms = pattern("legal_forms")
    assert forms.search("Fjord Shipping AS") and not forms.search("as agreed")
    assert forms.search("Kestrel Trading Co.") and not forms.search("co. signed")


def test_month_names_and_relative_words_come_from_cldr_for_every_language() -> None:
    months = month_names()
    for name, number in (("march", 3), ("mars", 3), ("märz", 3), ("maart", 3), ("sept", 9), ("févr", 2)):
        assert months[name] == number
    words = ongoing_words()
    for word in ("today", "heute", "aujourd’hui", "vandaag", "present", "heden"):
        assert word in words


def test_weekday_names_come_from_cldr_for_every_language() -> None:
    days = weekday_names()
    for name, number in (
        ("monday", 0),
        ("mardi", 1),
        ("dienstag", 1),
        ("dinsdag", 1),
        ("sun", 6),
        ("jeu", 3),
    ):
        assert days[name] == number  # as date.weekday() counts
    assert "ma" not in days and "di" not in days  # two-letter abbreviations are words too


def test_countries_are_recognised_in_every_language() -> None:
    for name in ("Deutschland", "Germany", "Allemagne", "Duitsland", "Pays-Bas", "United States"):
        assert is_country(name), name
    assert not is_country("Nordlicht Software GmbH")


def test_a_country_as_ocr_misreads_it_is_still_a_country() -> None:
    # "l" read as "i" or "1", "m" as "rn", "o" as "0": a blurred or low-resolution scan's address line
    for name in ("Deutschiand", "Nederiand", "Gerrnany", "United Kingdorn", "Be1gium", "Switzeriand"):
        assert is_country(name), name
    # names with no country's shape, and short names (compared exactly: "Mali" and "mall" look alike)
    for name in ("Brightwave", "Lindenstrasse", "Mall", "Nordlicht Holding", "Kingdom Foods"):
        assert not is_country(name), name
