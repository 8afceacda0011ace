"""Vocabulary as data: labels per concept and language, each with example sentences that tests match.

A file ``<name>.json`` holds ``{"concept", "description", "labels": {lang: [{"label", "examples"}]}}``,
optionally more sections of the same shape (``legal_forms.json`` has ``form_mentions``) and
``"case_sensitive": true``. Labels are plain words or phrases (spaces match any run of whitespace, letters
match case-insensitively unless the file says otherwise); ``pattern(name)`` compiles one alternation with
letter boundaries, once per process. Languages are those the extractor claims, plus ``intl`` for words
that are not of one of them (Nordic and Italian legal forms).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One label of a concept in one language, with sentences it must be found in."""

    lang: str
    label: str
    examples: tuple[str, ...]


@functools.cache
def _raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    )
    return data


def sections(name: str) -> tuple[str, ...]:
    """The label sections of file ``name``: ``labels`` and any other ``{lang: [{label, examples}]}``."""
    return tuple(
        key
        for key, value in _raw(name).items()
        if isinstance(value, dict) and all(isinstance(v, list) for v in value.values())
    )


def case_sensitive(name: str) -> bool:
    return bool(_raw(name).get("case_sensitive", False))


@functools.cache
def entries(name: str, section: str = "labels") -> tuple[Entry, ...]:
    """Every label of vocabulary file ``name`` (package data) in ``section``, in file order."""
    out: list[Entry] = []
    for lang, labels in _raw(name).get(section, {}).items():
        for item in labels:
            out.append(Entry(lang, str(item["label"]), tuple(str(e) for e in item["examples"])))
    return tuple(out)


def accent_tolerant(regex: str) -> str:
    """``regex`` with each accented letter also matching its plain letter ("é" as "[ée]", "ä" as
    "(?:ä|ae|a)"): invoices typed without accents ("Date d'echeance", "Rechnungsempfaenger") and OCR that
    drops them ("Rechnungsempfanger") read as the labels they are. Hand code: a walk over the pattern's
    characters that knows escapes and character classes, which no library offers."""
    out: list[str] = []
    in_class = escaped = False
    for ch in regex:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch + (_plain(ch) if _plain(ch) != ch and ch != "]" else ""))
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            continue
        plain = _plain(ch)
        if plain == ch:
            out.append(ch)
        elif ch.lower() in "äöü":
            out.append(f"(?:{ch}|{plain}e|{plain})")
        else:
            out.append(f"[{ch}{plain}]")
    return "".join(out)


def typed_without_accents(word: str) -> tuple[str, ...]:
    """The spellings of ``word`` that ``accent_tolerant`` accepts in full: accents dropped ("février" ->
    "fevrier") and German umlauts also as "ae", "oe", "ue" ("märz" -> "marz", "maerz")."""
    plain = "".join(_plain(ch) for ch in word)
    umlauts = "".join(_plain(ch) + "e" if ch.lower() in "äöü" else _plain(ch) for ch in word)
    return tuple(dict.fromkeys(w for w in (plain, umlauts) if w != word))


@functools.cache
def _plain(ch: str) -> str:
    """The letter without its accents ("é" -> "e"); ``ch`` itself when it has none or is not a letter."""
    if not ch.isalpha() or ch.isascii():
        return ch
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 and base.isascii() else ch


def label_regex(label: str, space: str = r"\s+") -> str:
    """A label as a regex: escaped, ``space`` between words, an apostrophe of either kind."""
    words = [re.escape(w) for w in label.replace("’", "'").split()]
    return accent_tolerant(space.join(words).replace("'", "['’]"))


def alternation(labels: list[str] | tuple[str, ...], space: str = r"\s+") -> str:
    ordered = sorted(
        set(labels), key=len, reverse=True
    )  # longest first: "titulaire du compte" before "compte"
    return "|".join(label_regex(label, space) for label in ordered)


def source(name: str, section: str = "labels", space: str = r"\s+") -> str:
    """The alternation of ``section``'s labels, without boundaries or flags, to build larger patterns."""
    return alternation([e.label for e in entries(name, section)], space)


@functools.cache
def pattern(name: str, *extra: str, section: str = "labels") -> re.Pattern[str]:
    """One pattern for all labels of ``name`` (plus ``extra`` words), letter-bounded; case-insensitive
    unless the file is ``case_sensitive``."""
    labels = [e.label for e in entries(name, section)] + list(extra)
    flags = 0 if case_sensitive(name) else re.IGNORECASE
    return re.compile(rf"(?<![^\W\d_])(?:{alternation(labels)})(?![^\W\d_])", flags)


@functools.cache
def legal_form() -> str:
    """The legal forms of ``legal_forms.json`` as one regex group (case-sensitive, no boundaries); words
    of a form may be printed with or without a space between them ("GmbH & Co.KG", "e. K.")."""
    return "(?:" + source("legal_forms", space=r"\s?") + ")"


def heading_patterns(section: str) -> str:
    """The party headings of ``section`` in ``party_headings.json`` as one alternation (regexes, in file
    order): ``section_buyer``/``section_vendor`` open a text section, ``block_*`` tag a layout block."""
    rows = _raw("party_headings")[section]
    return accent_tolerant("|".join(str(row["pattern"]) for row in rows))


def issuer_marks() -> str:
    """What only a document's issuer prints (registration, tax, bank data) as one alternation of the
    regexes of ``issuer_marks.json``, in file order."""
    return accent_tolerant("|".join(str(row["pattern"]) for row in _raw("issuer_marks")["marks"]))


NAMES = ("ongoing", "parties", "legal_forms")
