"""Value patterns for the offline extractor: amounts, ids, IBANs (checksum), VAT ids, emails, phones, URLs.

Every regex has bounded repetition so that matching stays linear on hostile text (a megabyte of digits,
separators or letters). Finders return spans in the searched string so callers can cite evidence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from zapdoc.domain.normalize import (
    EMAIL_PATTERN,
    NUMBER_PATTERN,
    find_dates,
    normalise_email,
    normalise_phone,
    number_value,
)


@dataclass(frozen=True)
class Found:
    """A value found at ``start:end`` of a string; ``raw`` is the text as printed."""

    value: object
    start: int
    end: int
    raw: str


# ------------------------------------------------------------------------------------------ amounts

_AMOUNT_RE = re.compile(
    rf"(?<![\w.,/-])(?P<neg>[-−–]\s?|\()?(?P<num>{NUMBER_PATTERN})(?P<neg2>-(?!\d)|\))?"
    r"(?![\w%°²³]|[.,/:]\d|\s?%|\s?°)"
)
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_PREV_NUMBER_RE = re.compile(r"\d[.,]?\d*\s$")


# ISO 8601 basic dates, "20240304": eight digits that are a valid date are never money
_COMPACT_DATE_RE = re.compile(
    r"(?<![\w.,/-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\w|[.,/-]\d)"
)


def _compact_date_blank(m: re.Match[str]) -> str:
    try:
        dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return m.group(0)  # "20240231" is a number
    return " " * len(m.group(0))


def mask_dates(text: str) -> str:
    """Blank out dates (and times) so their digits are not read as amounts or ids; compact ``yyyymmdd``
    dates too (never money; an id label reads them with ``id_after_label``, which does not mask)."""
    out = text
    for d in find_dates(text):
        out = out[: d.start] + " " * (d.end - d.start) + out[d.end :]
    out = _COMPACT_DATE_RE.sub(_compact_date_blank, out)
    return re.sub(r"\b\d{1,2}:\d{2}(?::\d{2})?\b", lambda m: " " * len(m.group(0)), out)


def find_amounts(text: str, *, space_groups: bool = True) -> list[Found]:
    """Numbers that can be money in ``text`` (dates, times and percentages excluded).

    ``space_groups``: read "1 234,56" as one number (French style); off for languages that group
    thousands with dots or commas, where "2 150,00" is a quantity then a price."""
    masked = mask_dates(text)
    found: list[Found] = []
    for m in _AMOUNT_RE.finditer(masked):
        value = number_value(m["num"])
        if value is None:
            continue
        neg = m["neg"] or ""
        if neg == "(" and m["neg2"] != ")":
            neg = ""
        negative = bool(neg.strip()) or m["neg2"] == "-"
        num = m["num"]
        if " " in num and (not space_groups or _PREV_NUMBER_RE.search(masked[: m.start()])):
            # "858,75 19 163,16": after another number, "19 163,16" is a rate then an amount
            head, tail = num.split(" ", 1)
            tail_value = number_value(tail.replace(" ", ""))
            found.append(Found(Decimal(head), m.start("num"), m.start("num") + len(head), head))
            if tail_value is not None:
                start = m.start("num") + len(head) + 1
                found.append(Found(tail_value, start, m.end(), masked[start : m.end()].strip()))
            continue
        found.append(Found(-value if negative else value, m.start(), m.end(), m.group(0).strip()))
    return found


def amount_after_label(text: str, *, prefer: str = "last", space_groups: bool = True) -> Found | None:
    """The amount that a label introduces in ``text`` (the rest of the line after the label).

    Takes the first run of amounts (stopping at the next word once an amount was seen, so
    "Net 593,36 Subtotal 717,97" gives 593,36) and returns its last or first member.
    """
    amounts = find_amounts(text, space_groups=space_groups)
    if not amounts:
        return None
    run = [amounts[0]]
    for a in amounts[1:]:
        between = text[run[-1].end : a.start]
        if _WORD_RE.search(between):
            break
        run.append(a)
    return run[-1] if prefer == "last" else run[0]


def is_decimal_amount(raw: str) -> bool:
    """True when the printed number has a decimal part (``12,50``), the usual shape of money."""
    return bool(re.search(r"[.,]\d{2}(?!\d)", raw))


# ---------------------------------------------------------------------------------------------- ids

_ID_PREFIX_RE = re.compile(
    r"^[\s:#.°º\-–=]{0,6}(?:(?:no|nr|n°|nº|n|num|number|nummer|numéro|numero|id)\b\.?[\s:#.°º\-–]{0,4})?",
    re.IGNORECASE,
)
_ID_RE = re.compile(r"#?\s?([A-Za-z0-9](?:[A-Za-z0-9/_.\-]{0,48}[A-Za-z0-9])?)")


def id_after_label(text: str) -> Found | None:
    """The identifier (invoice number, order number ...) right after a label: one token with a digit."""
    prefix = _ID_PREFIX_RE.match(text)
    start = prefix.end() if prefix else 0
    m = _ID_RE.match(text, start)
    if not m:
        return None
    token = m.group(1)
    if not any(ch.isdigit() for ch in token) or len(token) > 40:
        return None
    if find_dates(token) and find_dates(token)[0].end - find_dates(token)[0].start >= len(token) - 1:
        return None  # a date is not an id
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{2})", token):
        return None  # an amount is not an id
    return Found(token, m.start(1), m.end(1), token)


# -------------------------------------------------------------------------------------------- IBANs

# groups of an IBAN are printed apart by a space or, less often, a hyphen ("DE89-3704-0044-...")
# (the check digits may come as letters OCR confuses with digits: "DESO 2025 ..." for "DE50 2025 ...")
_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}[\dOSIB]{2}(?:[ \u00a0-]?[A-Z0-9]){8,32})")
# letters OCR reads for digits, and back: where the IBAN format wants a digit, only a digit can stand
_AS_DIGIT = str.maketrans("OQDSIlZB", "00051128")
_IBAN_SHAPE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{1,4}){2,8})(?![A-Za-z0-9])")


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616: the country's length and BBAN format, mod-97 check digits (python-stdnum)."""
    from stdnum import iban as std_iban

    return bool(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", iban)) and bool(std_iban.is_valid(iban))


def iban_length(country: str) -> int | None:
    """The IBAN length of a country (None for a country without IBANs)."""
    return _iban_lengths().get(country)


def _digit_slots(country: str) -> list[bool] | None:
    """Per position of a country's IBAN, whether a digit must stand there (check digits and the BBAN's
    "n" fields of the ISO 13616 registry), or None for a country without IBANs."""
    return _iban_slots().get(country)


@functools.cache
def _iban_slots() -> dict[str, list[bool]]:
    from stdnum import numdb

    out: dict[str, list[bool]] = {}
    for _length, low, _high, props, _children in numdb.get("iban").prefixes:
        slots = [False, False, True, True]
        for count, kind in re.findall(r"(\d+)!?([nace])", props.get("bban", "")):
            slots += [kind == "n"] * int(count)
        if len(slots) > 4:
            out[str(low)] = slots
    return out


def ocr_fixed_iban(candidate: str) -> str | None:
    """``candidate`` with letters that stand where its format wants digits read as those digits ("O" as
    0, "S" as 5 ...), when that makes the checksum pass: OCR's usual confusions, undone only where the
    check digits confirm it."""
    slots = _digit_slots(candidate[:2])
    if slots is None or len(slots) != len(candidate):
        return None
    fixed = "".join(
        ch.translate(_AS_DIGIT) if want and not ch.isdigit() else ch
        for ch, want in zip(candidate, slots, strict=True)
    )
    return fixed if fixed != candidate and iban_checksum_ok(fixed) else None


@functools.cache
def _iban_lengths() -> dict[str, int]:
    """Country -> IBAN length, from the ISO 13616 registry python-stdnum validates against (its BBAN
    structures: "8!n10!n" is 18 characters after the 4 of country and check digits)."""
    from stdnum import numdb

    out: dict[str, int] = {}
    for _length, low, _high, props, _children in numdb.get("iban").prefixes:
        length = sum(int(n) for n in re.findall(r"(\d+)!?[nace]", props.get("bban", "")))
        if length:
            out[str(low)] = length + 4
    return out


def find_ibans(text: str) -> list[Found]:
    """IBANs in ``text`` whose length fits their country and whose check digits are right (compact)."""
    found: list[Found] = []
    for m in _IBAN_RE.finditer(text):
        run = m.group(1)
        compact = re.sub(r"[\s-]", "", run)
        length = iban_length(compact[:2])
        if length is None or len(compact) < length:
            continue
        candidate = compact[:length]
        if not iban_checksum_ok(candidate):
            fixed = ocr_fixed_iban(candidate)
            if fixed is None:
                continue
            candidate = fixed
        # map the compact length back onto the printed span
        seen, end = 0, m.start(1)
        while seen < length and end < len(text):
            if not text[end].isspace() and text[end] != "-":
                seen += 1
            end += 1
        found.append(Found(candidate, m.start(1), end, text[m.start(1) : end]))
    return found


_IBAN_GROUP_RE = re.compile(r"[ \u00a0-]([A-Z0-9]{1,12})(?![A-Za-z0-9])")


def iban_continued(head: str, text: str) -> str | None:
    """``head``, an IBAN cut short at a line's end, completed by the digit groups that start the next
    line ``text``, when the whole then has its country's length and passes the checksum."""
    length = iban_length(head[:2])
    if length is None or len(head) >= length:
        return None
    parts = [head]
    for tok in re.findall(r"[A-Z0-9]{1,12}", text[:60].upper())[:8]:
        if not any(ch.isdigit() for ch in tok) and len(parts) > 1:
            break
        parts.append(tok)
        joined = "".join(parts)
        if len(joined) >= length:
            return joined[:length] if len(joined) == length and iban_checksum_ok(joined) else None
    return None


def iban_shaped(text: str) -> Found | None:
    """An IBAN-looking token group at the start of ``text`` (checksum not checked): for labelled values."""
    m = re.match(r"[\s:.#\-–]{0,6}([A-Z]{2}\d{2}[A-Z0-9]{0,30})", text)
    if not m:
        return None
    parts = [m.group(1)]
    pos = m.end(1)
    while len(parts) < 10:
        tok = _IBAN_GROUP_RE.match(text, pos)
        # the group after the check digits may be all letters: a bank code ("NL18 ABNA ...", "GB29 NWBK ...")
        bank_code = tok is not None and parts == [m.group(1)] and len(m.group(1)) == 4
        if not tok or not (bank_code or any(ch.isdigit() for ch in tok.group(1))):
            break
        parts.append(tok.group(1))
        pos = tok.end()
    compact = "".join(parts)
    length = iban_length(compact[:2])
    if length is not None and len(compact) > length:
        compact = compact[:length]
    # a head cut at the line's end ("IBAN: FR76 3000") may be completed by the next line (iban_continued)
    cut = not text[pos:].strip() and len(compact) >= 6
    if (len(compact) < 10 and not cut) or len(compact) > 34:
        return None
    return Found(compact, m.start(1), pos, text[m.start(1) : pos])


# ------------------------------------------------------------------------------------------ VAT ids

# EU VAT ids and neighbours: country prefix then the national shape; spaces, dots and dashes between
# characters are tolerated because invoices print "DE 123 456 789", "FR 60 421 938 861", "CHE-123.456.789".
_S = r"[ .\-\u00a0]?"


def _d(n: int, chars: str = r"\d") -> str:
    """``n`` characters of class ``chars``, each optionally preceded by a separator."""
    return f"(?:{_S}{chars}){{{n}}}"


_VAT_SHAPES: dict[str, str] = {
    "AT": "ATU" + _d(8),
    "BE": "BE" + _S + "[01]" + _d(9),
    "BG": "BG" + _d(9),
    "CH": r"CHE[ \-]?\d{3}\.?\d{3}\.?\d{3}",
    "CY": "CY" + _d(8) + "[A-Z]",
    "CZ": "CZ" + _d(8),
    "DE": "DE" + _d(9),
    "DK": "DK" + _d(8),
    "EE": "EE" + _d(9),
    "EL": "EL" + _d(9),
    "ES": "ES" + _d(1, "[A-Z0-9]") + _d(7) + _d(1, "[A-Z0-9]"),
    "FI": "FI" + _d(8),
    "FR": "FR" + _d(2, "[0-9A-HJ-NP-Z]") + _d(9),
    "GB": "GB" + _d(9),
    "HR": "HR" + _d(11),
    "HU": "HU" + _d(8),
    "IE": "IE" + _d(1) + _d(1, "[A-Z0-9]") + _d(5) + _d(1, "[A-Z]"),
    "IT": "IT" + _d(11),
    "LT": "LT" + _d(9),
    "LU": "LU" + _d(8),
    "LV": "LV" + _d(11),
    "MT": "MT" + _d(8),
    "NL": "NL" + _d(9) + _S + "B" + _d(2),
    "NO": "NO" + _d(9) + r"(?:\s?MVA)?",
    "PL": "PL" + _d(10),
    "PT": "PT" + _d(9),
    "RO": "RO" + _d(6),
    "SE": "SE" + _d(12),
    "SI": "SI" + _d(8),
    "SK": "SK" + _d(10),
}


def _vat_regex(shape_of: Callable[[str], str] = lambda shape: shape) -> re.Pattern[str]:
    """One pattern for every country's VAT shape (each passed through ``shape_of``), not inside a word."""
    shapes = "|".join(f"(?:{shape_of(shape)})" for shape in _VAT_SHAPES.values())
    return re.compile(rf"(?<![A-Za-z0-9])({shapes})(?![A-Za-z0-9]|[ .\-]\d)")


_VAT_RE = _vat_regex()


def compact_id(text: str) -> str:
    """An identifier without spaces, dots and dashes ("DE 123 456 789" -> "DE123456789")."""
    return re.sub(r"[\s.\-/]", "", text).upper()


_VAT_MODULE_OF = {"EL": "gr", "CHE": "ch", "XI": "gb"}


def vat_checksum_ok(value: str) -> bool | None:
    """Whether a VAT id passes its country's check digits (python-stdnum); None when the country has no
    VAT id python-stdnum knows (GSTIN, EIN ...): nothing to check."""
    from stdnum.exceptions import ValidationError
    from stdnum.util import get_cc_module

    prefix = "CHE" if value.startswith("CHE") else value[:2]
    cc = _VAT_MODULE_OF.get(prefix, prefix.lower())
    if not cc.isalpha():
        return None
    try:
        module = get_cc_module(cc, "vat")
    except (ImportError, ValueError):
        return None
    if module is None:
        return None
    try:
        module.validate(value)
    except ValidationError:
        return False
    return True


# The same shapes with the letters OCR reads for digits allowed where digits stand ("FRO6 676 ...").
_VAT_OCR_RE = _vat_regex(
    lambda shape: shape.replace(r"\d", r"[\dOQDSIlZB]").replace("[0-9A-HJ-NP-Z]", "[0-9A-Z]")
)


def find_vat_ids(text: str) -> list[Found]:
    """VAT ids with a country prefix in ``text`` (value compact, span as printed)."""
    return [Found(compact_id(m.group(1)), m.start(1), m.end(1), m.group(1)) for m in _VAT_RE.finditer(text)]


def ocr_fixed_vat_ids(text: str) -> str:
    """OCR'd ``text`` with a VAT id read with a letter for a digit ("FRO6676255771") written with the
    digit, when its check digits then pass (python-stdnum), as IBANs are: undone only where the checksum
    confirms it. For OCR output only (a text layer has no such confusions, and this costs a second
    regex pass)."""

    def fix(m: re.Match[str]) -> str:
        printed = m.group(1)
        compact = compact_id(printed)
        head = 3 if compact.startswith(("CHE", "ATU")) else 2
        fixed = compact[:head] + compact[head:].translate(_AS_DIGIT)
        return fixed if fixed != compact and vat_checksum_ok(fixed) else printed

    return _VAT_OCR_RE.sub(fix, text)


_TAX_ID_RE = re.compile(r"[\s:.#\-–]{0,6}([A-Z0-9][A-Z0-9./\-]{4,20}[A-Z0-9])(?![A-Za-z0-9])")
# A US employer identification number as printed ("12-3456789", the IRS's form; python-stdnum us.ein):
# a federal income-tax id that "Tax ID" / "Federal Tax ID" introduce on US invoices, never a VAT id.
_EIN_RE = re.compile(r"\d{2}-\d{7}")


def tax_id_after_label(text: str) -> Found | None:
    """A tax identifier right after a VAT label: a known country shape, else one token with 6+ digits
    (GSTIN, US EIN ...)."""
    vat = find_vat_ids(text[:60])
    if vat and not text[: vat[0].start].strip(" :.#-–"):
        return vat[0]
    m = _TAX_ID_RE.match(text)
    if not m:
        return None
    token = m.group(1)
    if sum(ch.isdigit() for ch in token) < 6 or (re.fullmatch(r"[\d.,]+", token) and "," in token):
        return None
    if re.fullmatch(r"[\d.]+", token) and re.match(r"[.,]\d", text[m.end(1) :]):
        return None  # "Totaal excl. btw 139.291,67 EUR": an amount after the word, not an id
    if _EIN_RE.fullmatch(token):
        return None
    return Found(compact_id(token), m.start(1), m.end(1), token)


# ---------------------------------------------------------------------------------- emails, phones

EMAIL_RE = re.compile(rf"(?<![\w.+-]){EMAIL_PATTERN}(?![\w-])")


def find_emails(text: str) -> list[Found]:
    found: list[Found] = []
    for m in EMAIL_RE.finditer(text):
        email = normalise_email(m.group(0))
        if email:
            found.append(Found(email, m.start(), m.end(), m.group(0)))
    return found


# The trunk "(0)" after a country code is tried first as a separator: "+44 (0)113 496 9148" is one number
# (tried after a plain space, "(0" would be read as a group and the number cut there).
_PHONE_RE = re.compile(
    r"(?<![\w+/.,:-])(\+\s?\(?\d{1,4}\)?|\(\d{1,5}\)|\d{1,5})"
    r"((?:(?:\s?\(0\)\s?|\s?[-./]\s?|\s)\(?\d{1,8}\)?){1,7})"
    r"(?![\w/]|[.,]\d|\s?%)"
)


@dataclass(frozen=True)
class PhoneShape:
    plus: bool
    parens: bool
    groups: int


# A decimal amount standing alone ("42.00", "0,00"), not a pair inside a dotted phone ("12.34.56").
_DECIMAL_AMOUNT_RE = re.compile(r"(?<![\d.,])\d{1,9}[.,]\d{2}(?![\d.,])")


def find_phones(text: str, *, strict: bool = True) -> list[Found]:
    """Phone numbers in ``text``. ``strict`` asks for an international "+", an area code in parentheses
    or at least three digit groups, so that amounts, dates and years are not taken for phones."""
    masked = mask_dates(text)
    found: list[Found] = []
    for m in _PHONE_RE.finditer(masked):
        raw = m.group(0).strip()
        phone = normalise_phone(raw)
        if phone is None:
            continue
        digits = phone.lstrip("+")
        if not 7 <= len(digits) <= 15:
            continue
        groups = re.findall(r"\d+", raw)
        if strict:
            shaped = raw.startswith("+") or raw.startswith("(") or len(groups) >= 3
            if not shaped:
                continue
            if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
                continue  # "2019 2020 2021"
            if re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d{2})?", raw):
                continue  # "1 234 567" or "1.234.567,00": an amount
            if len(_DECIMAL_AMOUNT_RE.findall(raw)) >= 2:
                continue  # "42.00 0.00": a row of amounts (a table's price and discount columns)
        found.append(Found(phone, m.start(), m.start() + len(m.group(0).rstrip()), raw))
    return found


_URL_RE = re.compile(
    r"(?<![\w@.-])((?:https?://)?(?:www\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?){0,4}\.(?:com|org|net|io|dev|me|info|biz|de|fr|nl|"
    r"be|ch|at|uk|co|eu|us|ca|in|es|it|app|ai|tech|site|page|xyz|edu|gov)(?:/[^\s,;)]{0,200})?)(?![\w@-])",
    re.IGNORECASE,
)


def find_urls(text: str) -> list[Found]:
    """Web addresses (with or without scheme) that are not part of an email address."""
    return [Found(m.group(1), m.start(1), m.end(1), m.group(1)) for m in _URL_RE.finditer(text)]
