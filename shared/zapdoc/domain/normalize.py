"""Normalisation by field type (dates ISO, amounts as numbers, currencies ISO, emails, phones).

Contract only: being implemented. Used by the offline extractor and by every LLM provider's validation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zapdoc.domain.documents import Value
from zapdoc.domain.fields import FieldSpec


@dataclass(frozen=True)
class Normalised:
    """A value ready for a cell, or None with a note saying why a non-empty raw value was refused."""

    value: Value
    note: str = ""


def normalise(spec: FieldSpec, raw: object, *, dayfirst: bool | None = None) -> Normalised:
    raise NotImplementedError


def parse_date(text: str, *, dayfirst: bool | None = None) -> dt.date | None:
    raise NotImplementedError


def parse_amount(text: str | float | int) -> float | None:
    raise NotImplementedError


def parse_currency(text: str) -> str | None:
    raise NotImplementedError
