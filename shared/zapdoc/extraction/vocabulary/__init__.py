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


def label_regex(label: str, space: str = r"\s+") -> str:
    """A label as a regex: escaped, ``space`` between words, an apostrophe of either kind."""
    words = [re.escape(w) for w in label.replace("’", "'").split()]
    return space.join(words).replace("'", "['’]")


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
    return "|".join(str(row["pattern"]) for row in rows)


def issuer_marks() -> str:
    """What only a document's issuer prints (registration, tax, bank data) as one alternation of the
    regexes of ``issuer_marks.json``, in file order."""
    return "|".join(str(row["pattern"]) for row in _raw("issuer_marks")["marks"])


NAMES = ("ongoing", "parties", "legal_forms")
