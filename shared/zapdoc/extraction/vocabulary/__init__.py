"""Vocabulary as data: labels per concept and language, each with example sentences that tests match.

A file ``<name>.json`` holds ``{"concept", "description", "labels": {lang: [{"label", "examples"}]}}``.
Labels are plain words or phrases (spaces match any run of whitespace, letters match case-insensitively);
``pattern(name)`` compiles one alternation with letter boundaries, once per process.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Entry:
    """One label of a concept in one language, with sentences it must be found in."""

    lang: str
    label: str
    examples: tuple[str, ...]


@functools.cache
def entries(name: str) -> tuple[Entry, ...]:
    """Every label of vocabulary file ``name`` (package data), in file order."""
    raw = json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
    out: list[Entry] = []
    for lang, labels in raw["labels"].items():
        for item in labels:
            out.append(Entry(lang, str(item["label"]), tuple(str(e) for e in item["examples"])))
    return tuple(out)


def label_regex(label: str) -> str:
    """A label as a regex: escaped, any whitespace between words, an apostrophe of either kind."""
    words = [re.escape(w) for w in label.replace("’", "'").split()]
    return r"\s+".join(words).replace("'", "['’]")


def alternation(labels: list[str] | tuple[str, ...]) -> str:
    ordered = sorted(
        set(labels), key=len, reverse=True
    )  # longest first: "titulaire du compte" before "compte"
    return "|".join(label_regex(label) for label in ordered)


@functools.cache
def pattern(name: str, *extra: str) -> re.Pattern[str]:
    """One case-insensitive pattern for all labels of ``name`` (plus ``extra`` words), letter-bounded."""
    labels = [e.label for e in entries(name)] + list(extra)
    return re.compile(rf"(?<![^\W\d_])(?:{alternation(labels)})(?![^\W\d_])", re.IGNORECASE)


NAMES = ("ongoing", "parties")
