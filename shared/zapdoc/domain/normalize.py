"""Normalisation by field type (dates ISO, amounts as numbers, currencies ISO, emails, phones).

Used by the offline extractor and by every LLM provider's validation, so a value means the same thing
whichever provider found it. Parsers are tolerant of the ways documents print values (EN/FR/DE/NL) and
refuse what does not fit: ``normalise`` returns ``Normalised(None, note=...)`` rather than a guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from zapdoc.domain.documents import Scalar, Value
from zapdoc.domain.fields import FieldSpec, FieldType

MAX_TEXT = 10_000
"""Longest text we normalise; the workbook cuts cells anyway, this bounds the work on hostile input."""

LANGUAGES = ("en", "fr", "de", "nl")
"""The languages the offline extractor claims: month names, relative dates and countries come from CLDR
(babel) for each of them."""


@dataclass(frozen=True)
class Normalised:
    """A value ready for a cell, or None with a note saying why a non-empty raw value was refused."""

    value: Value
    note: str = ""


# --------------------------------------------------------------------------------------------- text


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\ufeff\u00ad\u200b]")
_SPACE_RE = re.compile(r"\s+")
# Unicode's private-use areas (category "Co", fixed by the standard): one regex pass instead of asking
# unicodedata for every character of every line
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def clean_text(text: str) -> str:
    """Collapse whitespace, drop control and private-use characters (PDF icon glyphs)."""
    text = _PRIVATE_USE_RE.sub(" ", _CONTROL_RE.sub("", text[:MAX_TEXT]))
    return _SPACE_RE.sub(" ", text).strip()


def _short(raw: object) -> str:
    text = clean_text(str(raw))
    return text if len(text) <= 40 else text[:37] + "..."


# -------------------------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {}


def _add_months(names: str) -> None:
    for month, group in enumerate(names.split(";"), start=1):
        for name in group.split(","):
            _MONTHS[name.strip()] = month


# English, French, German, Dutch, Spanish, Italian; full names and usual abbreviations (accents kept
# and stripped: "fevrier" for "février", "marz"/"maerz" for "März").
_add_months(
    "january,jan;february,feb;march,mar;april,apr;may;june,jun;july,jul;august,aug;"
    "september,sep,sept;october,oct;november,nov;december,dec"
)
_add_months(
    "janvier,janv;février,fevrier,févr,fevr,fév,fev;mars;avril,avr;mai;juin;juillet,juil;août,aout;"
    "septembre;octobre;novembre;décembre,decembre,déc"
)
_add_months(
    "januar,jänner,jaenner;februar;märz,maerz,marz,mrz;april;mai;juni;juli;august;september;oktober,okt;"
    "november;dezember,dez"
)
_add_months("januari;februari;maart,mrt;april;mei;juni;juli;augustus;september;oktober;november;december")
_add_months(
    "enero;febrero;marzo;abril;mayo;junio;julio;agosto;septiembre,setiembre;octubre;noviembre;diciembre"
)
_add_months("gennaio;febbraio;marzo;aprile;maggio;giugno;luglio;agosto;settembre;ottobre;novembre;dicembre")

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_MONTH = rf"(?P<mon>{_MONTH_ALT})\.?"
# The letters a month name starts with: checked before the alternation, most words fail there at once.
_MONTH_INITIALS = re.escape("".join(sorted({m[0] for m in _MONTHS})))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d{2}|'?\d{2})"

# Each pattern names its groups; ``_date_from_match`` turns a match into a date.
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 2024-04-03, 2024/04/03, 2024.04.03
    re.compile(
        r"(?<![\d.,/-])(?P<iy>(?:19|20)\d{2})(?P<isep>[-/.])(?P<im>[01]?\d)(?P=isep)(?P<id>[0-3]?\d)"
        r"(?![\d%]|[.,/]\d)"
    ),
    # 03.04.2024, 04/03/2024, 4-3-24 (separator kept to decide the order)
    re.compile(
        r"(?<![\d.,/])(?P<a>[0-3]?\d)\s?(?P<sep>[./-])\s?(?P<b>[0-3]?\d)\s?(?P=sep)\s?"
        r"(?P<ny>(?:19|20)\d{2}|\d{2})(?![\d%]|[.,/]\d|\s?(?:%|€|\$))"
    ),
    # 3 April 2024, 3. April 2024, 3rd of April, 2024, 1er mars 2024, 03-Apr-2024
    re.compile(
        rf"(?<![\w.,-]){_DAY}\s?(?:day\s)?(?:of\s|de\s)?[\s-]?{_MONTH}[\s,-]{{1,3}}{_YEAR}(?!\d)",
        re.IGNORECASE,
    ),
    # April 3, 2024; Jan 3rd 2024; August 3 , 2014
    re.compile(
        rf"(?<![\w])(?=[{_MONTH_INITIALS}]){_MONTH}\s{{0,2}}(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s{{0,2}},\s{{0,2}}|\s{{1,2}}){_YEAR}(?!\d)",
        re.IGNORECASE,
    ),
)


_TWO_DIGITS_RE = re.compile(r"\d.*?\d", re.DOTALL)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text: its span, the text printed and the date (None when it is impossible)."""

    start: int
    end: int
    text: str
    value: dt.date | None


def _year(text: str) -> int:
    text = text.lstrip("'")
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_from_match(m: re.Match[str], dayfirst: bool | None) -> dt.date | None:
    groups = m.groupdict()
    if groups.get("iy"):
        return _safe_date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups.get("a"):
        a, b, year = int(groups["a"]), int(groups["b"]), _year(groups["ny"])
        if groups["sep"] == ".":
            return _safe_date(year, b, a)  # dots are day-first everywhere they are used
        if dayfirst is not None and a <= 12 and b <= 12:
            day, month = (a, b) if dayfirst else (b, a)
        elif a > 12:
            day, month = a, b
        elif b > 12:
            day, month = b, a
        else:
            day, month = a, b
        return _safe_date(year, month, day)
    named = _MONTHS.get((groups.get("mon") or "").lower().rstrip("."))
    if named is None:
        return None
    return _safe_date(_year(groups["year"]), named, int(groups["day"]))


def find_dates(text: str, *, dayfirst: bool | None = None) -> list[DateMatch]:
    """Every date-looking span in ``text`` in reading order (impossible dates have ``value`` None)."""
    found: list[DateMatch] = []
    if not _TWO_DIGITS_RE.search(text):
        return found  # every pattern needs a year's digits: most lines of a document are skipped at once
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if m.groupdict().get("mon") is not None and m["mon"].lower().rstrip(".") not in _MONTHS:
                continue
            taken.append((m.start(), m.end()))
            found.append(DateMatch(m.start(), m.end(), m.group(0), _date_from_match(m, dayfirst)))
    found.sort(key=lambda d: d.start)
    return found


_COMPACT_DATE_RE = re.compile(
    r"(?<![\w.,/-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\w.,/-])"
)


def compact_date(text: str) -> DateMatch | None:
    """The first ``yyyymmdd`` date in ``text`` (ISO 8601 basic format, as EDI and ERP print dates).

    Not part of ``find_dates``: eight digits are as often an id, so only a date label's value is read so.
    """
    m = _COMPACT_DATE_RE.search(text)
    if m is None:
        return None
    return DateMatch(m.start(), m.end(), m.group(0), _safe_date(int(m[1]), int(m[2]), int(m[3])))


def parse_date(text: str, *, dayfirst: bool | None = None) -> dt.date | None:
    """The first date printed in ``text`` as a ``date`` (locale rules in the module doc); None if none."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    text = clean_text(str(text))
    matches = find_dates(text, dayfirst=dayfirst)
    if matches:
        return matches[0].value
    compact = re.fullmatch(r"((?:19|20)\d{2})(\d{2})(\d{2})", text)
    if compact:
        return _safe_date(int(compact[1]), int(compact[2]), int(compact[3]))
    return None


# ------------------------------------------------------------------------------------------ amounts

_CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₽": "RUB",
    "₩": "KRW",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
    "฿": "THB",
    "zł": "PLN",
    "kč": "CZK",
    "us$": "USD",
    "u$s": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "r$": "BRL",
    "$": "USD",
    "rs.": "INR",
    "rs": "INR",
    "fr.": "CHF",
    "sfr.": "CHF",
}

_CURRENCY_WORDS: dict[str, str] = {
    "euro": "EUR",
    "euros": "EUR",
    "us dollar": "USD",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "pound sterling": "GBP",
    "pounds sterling": "GBP",
    "swiss francs": "CHF",
    "francs suisses": "CHF",
    "franken": "CHF",
    "rupees": "INR",
    "indian rupees": "INR",
    "yen": "JPY",
}


@functools.cache
def iso_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today, from CLDR (babel): HRK is gone since 2023."""
    from babel import Locale
    from babel.numbers import get_territory_currencies

    today = dt.date.today()
    codes: set[str] = set()
    for territory in Locale.parse("en").territories:
        if isinstance(territory, str) and len(territory) == 2 and territory.isalpha():
            codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


# Codes looked for in running text: the ones invoices commonly print. Hand list on purpose (precision):
# many ISO codes are also words or acronyms in capitals ("ALL", "TOP", "MAD", "PEN", "CUP").
_PRINTED_CODES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "CNY",
        "INR",
        "AUD",
        "CAD",
        "NZD",
        "HKD",
        "SGD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "RSD",
        "RUB",
        "ILS",
        "ZAR",
        "BRL",
        "MXN",
        "CLP",
        "COP",
        "KRW",
        "TWD",
        "THB",
        "MYR",
        "IDR",
        "VND",
        "AED",
        "SAR",
        "QAR",
        "KWD",
        "BHD",
        "OMR",
        "EGP",
        "NGN",
        "KES",
        "GHS",
        "UAH",
    ]
)
_CURRENCY_CODE_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(_PRINTED_CODES)) + r")(?![A-Za-z])")
_CURRENCY_SYMBOL_RE = re.compile(
    r"(?i:(?<![a-z])(?:us|au|ca|nz|hk|[acsr])\$|(?<![a-z])(?:rs\.?|s?fr\.)(?![a-z])|zł|kč)|[€£¥₹₽₩₺₪₫₱฿$]"
)
_CURRENCY_WORD_RE = re.compile(
    r"(?<![A-Za-z])("
    + "|".join(sorted((re.escape(w) for w in _CURRENCY_WORDS), key=len, reverse=True))
    + r")(?![A-Za-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CurrencyMatch:
    start: int
    end: int
    code: str
    kind: str  # "code" | "symbol" | "word"


def find_currencies(text: str) -> list[CurrencyMatch]:
    """ISO codes, symbols and words naming a currency in ``text``, in reading order."""
    found: list[CurrencyMatch] = []
    for m in _CURRENCY_CODE_RE.finditer(text):
        found.append(CurrencyMatch(m.start(), m.end(), m.group(1), "code"))
    for m in _CURRENCY_SYMBOL_RE.finditer(text):
        found.append(CurrencyMatch(m.start(), m.end(), _CURRENCY_SYMBOLS[m.group(0).lower()], "symbol"))
    for m in _CURRENCY_WORD_RE.finditer(text):
        found.append(CurrencyMatch(m.start(), m.end(), _CURRENCY_WORDS[m.group(1).lower()], "word"))
    found.sort(key=lambda c: c.start)
    return found


def parse_currency(text: str) -> str | None:
    """ISO 4217 code for the first currency named in ``text`` ("€" -> EUR, "US$" -> USD, "Euro" -> EUR)."""
    text = clean_text(str(text))
    if text.upper() in iso_currencies():
        return text.upper()
    matches = find_currencies(text)
    return matches[0].code if matches else None


# A printed number: optional sign, groups of three with ".", ",", "'", "’", thin or normal spaces, an
# optional decimal part; the Indian lakh/crore grouping ("12,34,567.00": CLDR's #,##,##0.00 for en-IN,
# hi); or plain digits. Bounded repetition keeps matching linear on hostile input.
NUMBER_PATTERN = (
    r"\d{1,2}(?:,\d{2}){1,5},\d{3}(?:\.\d{1,4})?"
    r"|\d{1,3}(?:[.,'’\u202f\u00a0]\d{3}){1,6}(?:[.,]\d{1,4})?"
    r"|\d{1,3}(?: \d{3}){1,6},\d{1,4}"
    r"|\d{1,15}(?:[.,]\d{1,4})?"
    r"|[.,]\d{1,4}"
)
_NUMBER_RE = re.compile(rf"(?P<num>{NUMBER_PATTERN})")
_AMOUNT_TEXT_RE = re.compile(
    rf"^(?P<neg1>[-−–]|\()?\s*(?P<num>{NUMBER_PATTERN})\s*(?P<neg2>-|\))?(?:,-|\.-|,--|\.–)?$"
)


def number_value(num: str) -> Decimal | None:
    """Read a number matched by ``NUMBER_PATTERN`` whatever its separator convention."""
    num = num.replace("\u202f", "'").replace("\u00a0", "'").replace("’", "'").replace(" ", "'")
    num = num.replace("'", "")
    if not num or not any(ch.isdigit() for ch in num):
        return None
    last_dot, last_comma = num.rfind("."), num.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        dec = "." if last_dot > last_comma else ","
        thousands = "," if dec == "." else "."
        num = num.replace(thousands, "").replace(dec, ".")
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        parts = num.split(sep)
        grouped = len(parts) > 2 or (len(parts[1]) == 3 and parts[0] not in ("", "0", "-0"))
        num = num.replace(sep, "") if grouped else num.replace(sep, ".")
    try:
        value = Decimal(num)  # the printed digits exactly (a float makes 0.1 into 0.1000000000000000055)
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def _strip_currency(text: str) -> str:
    out = text
    for m in reversed(find_currencies(text)):
        out = out[: m.start] + " " + out[m.end :]
    return out


def parse_number(text: str | float | int | Decimal) -> Decimal | None:
    """A number from text ("1.234,56", "1,234.56", "1 234,56", "(12.50)" is -12.5); None if not a number.

    A float (from a JSON answer) is read as its shortest repr, the digits the model printed."""
    if isinstance(text, bool):
        return None
    if isinstance(text, Decimal):
        return text if text.is_finite() else None
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text)) if math.isfinite(text) else None
    raw = clean_text(str(text))
    stripped = _strip_currency(raw).strip().strip(":=").strip()
    stripped = re.sub(r"\s+", " ", stripped)
    m = _AMOUNT_TEXT_RE.match(stripped)
    if not m:
        # "1 234,56" arrives with a plain space too: try without spaces between digit groups.
        compact = re.sub(r"(?<=\d) (?=\d{3}\b)", "'", stripped)
        m = _AMOUNT_TEXT_RE.match(compact)
        if not m:
            return None
    value = number_value(m["num"])
    if value is None:
        return None
    negative = bool(m["neg1"]) or bool(m["neg2"])
    if m["neg1"] == "(" and m["neg2"] != ")":
        return None
    return -value if negative else value


_CENT = Decimal("0.01")


def parse_amount(text: str | float | int | Decimal) -> Decimal | None:
    """A money amount in exact cents, from any usual print form ("12,-", "CHF 1'234.50", "(12.50)")."""
    value = parse_number(text)
    if value is None:
        return None
    # half-up on the printed decimal, as accountants round (float round() gives 1005.555 -> 1005.55)
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------------ emails, phones

# Finding an address in text is ours (a pattern); whether it is one is email-validator's (RFC 5321/6531,
# internationalised domains and local parts: "billing@vallée.fr").
_LABEL = r"[^\W_](?:[\w-]{0,62}[^\W_])?"
EMAIL_PATTERN = rf"[^\W_][\w.%+-]{{0,63}}@{_LABEL}(?:\.{_LABEL}){{0,8}}\.[^\W\d_]{{2,24}}"
_EMAIL_RE = re.compile(rf"(?<![\w.+-])({EMAIL_PATTERN})(?![\w-])")


def normalise_email(text: str) -> str | None:
    """The email address in ``text`` lower-cased, or None when there is no valid one."""
    from email_validator import EmailNotValidError, validate_email

    text = clean_text(str(text))
    if text.lower().startswith("mailto:"):
        text = text[7:]
    m = _EMAIL_RE.search(text)
    if not m:
        return None
    try:
        checked = validate_email(m.group(1), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return str(checked.normalized).lower()


_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s().\-/]+$")


def normalise_phone(text: str, *, region: str | None = None) -> str | None:
    """A phone number in E.164 ("+4930123456") when phonenumbers can place it (a "+" prefix, or the
    document's ``region``); else its printed digits ("+" kept); None unless 6-20 digits."""
    text = clean_text(str(text))
    text = re.sub(r"^(?:tel|phone|t|fon|mobile|mob|tél|telefon)\.?:?\s*", "", text, flags=re.IGNORECASE)
    text = text.replace("\u2013", "-").replace("\u2212", "-")
    if not _PHONE_CHARS_RE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if not 6 <= len(digits) <= 20:
        return None
    if text.startswith("+") or region:
        import phonenumbers

        try:
            number = phonenumbers.parse(text, None if text.startswith("+") else region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ("+" if text.startswith("+") else "") + digits


# ------------------------------------------------------------------------------------ countries


@functools.cache
def _country_names() -> frozenset[str]:
    """Every country's name in the languages the extractor reads, from CLDR (babel), case-folded."""
    from babel import Locale

    names: set[str] = set()
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if code.isalpha():  # "DE", not the numeric regions ("150" Europe)
                names.add(name.casefold())
    return frozenset(names)


# Letters OCR reads for one another in a low-resolution or blurred scan ("Deutschiand", "Nederiand",
# "0sterreich", "Gerrnany"): a name compared in this shape still reads as the country it is.
_OCR_SHAPES = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l", "0": "o"})
_OCR_MIN_LENGTH = 7
"""Shorter names are compared exactly: "Mali" and "mall" have one shape."""


def _ocr_shape(name: str) -> str:
    return name.translate(_OCR_SHAPES).replace("rn", "m").replace("vv", "w")


@functools.cache
def _country_shapes() -> frozenset[str]:
    return frozenset(_ocr_shape(n) for n in _country_names() if len(n) >= _OCR_MIN_LENGTH)


def is_country(text: str) -> bool:
    """True when ``text`` is just a country's name ("Deutschland", "United States", "Pays-Bas"), also as
    OCR misreads it ("Deutschiand": ``_OCR_SHAPES``)."""
    name = clean_text(text).strip(" ,.").casefold()
    if name in _country_names():
        return True
    return len(name) >= _OCR_MIN_LENGTH and _ocr_shape(name) in _country_shapes()


# --------------------------------------------------------------------------------------- lists

_LIST_SPLIT_RE = re.compile(r"[\n;,•·◦◆▪►■●|]|(?:^|\s)[-*](?=\s)")


def _normalise_list(raw: object) -> list[str]:
    items: list[str]
    if isinstance(raw, list | tuple | set | frozenset):
        items = []
        for entry in raw:
            if isinstance(entry, Mapping):
                items.append(clean_text(", ".join(str(v) for v in entry.values() if v not in (None, ""))))
            else:
                items.append(clean_text(str(entry)) if entry is not None else "")
    else:
        items = [clean_text(part) for part in _LIST_SPLIT_RE.split(str(raw)[:MAX_TEXT])]
    out: list[str] = []
    seen: set[str] = set()
    for raw_item in items:
        item = raw_item.strip(" -*,;")
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


# ----------------------------------------------------------------------------------- normalise


def _scalar(spec: FieldSpec, raw: object, dayfirst: bool | None, region: str | None = None) -> Normalised:
    """Normalise one scalar value for a scalar field type (text, number, amount, currency ...)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Normalised(None)
    ftype = spec.type
    if isinstance(raw, Mapping):
        return Normalised(None, f"{spec.name}: expected a single value, got an object")
    if isinstance(raw, list | tuple) and ftype is not FieldType.TEXT:
        if len(raw) == 1:
            return _scalar(spec, raw[0], dayfirst, region)
        return Normalised(None, f"{spec.name}: expected a single value, got a list")
    if ftype is FieldType.TEXT:
        if isinstance(raw, list | tuple):
            text = ", ".join(clean_text(str(r)) for r in raw if r is not None and str(r).strip())
        elif isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        else:
            text = clean_text(str(raw))
        return Normalised(text or None)
    if ftype is FieldType.NUMBER:
        if isinstance(raw, bool):
            return Normalised(None, f"{_short(raw)!r} is not a number")
        if isinstance(raw, int):
            return Normalised(raw)
        if isinstance(raw, float) and raw.is_integer() and abs(raw) < 2**53:
            return Normalised(int(raw))
        value = parse_number(raw if isinstance(raw, float | Decimal) else str(raw))
        if value is None:
            return Normalised(None, f"{_short(raw)!r} is not a number")
        if value == value.to_integral_value() and not re.search(r"[.,]\d", str(raw)) and abs(value) < 2**53:
            return Normalised(int(value))
        return Normalised(value)
    if ftype is FieldType.AMOUNT:
        if isinstance(raw, bool):
            return Normalised(None, f"{_short(raw)!r} is not an amount")
        amount = parse_amount(raw if isinstance(raw, int | float | Decimal) else str(raw))
        if amount is None:
            return Normalised(None, f"{_short(raw)!r} is not an amount")
        return Normalised(amount)
    if ftype is FieldType.CURRENCY:
        code = parse_currency(str(raw))
        if code is None:
            return Normalised(None, f"{_short(raw)!r} is not a currency")
        return Normalised(code)
    if ftype is FieldType.DATE:
        if isinstance(raw, dt.datetime):
            return Normalised(raw.date())
        if isinstance(raw, dt.date):
            return Normalised(raw)
        text = clean_text(str(raw))
        matches = find_dates(text, dayfirst=dayfirst)
        if matches and matches[0].value is None:
            return Normalised(None, f"{_short(matches[0].text)!r} is not a valid date")
        day = parse_date(text, dayfirst=dayfirst)
        if day is None:
            return Normalised(None, f"{_short(raw)!r} is not a date")
        return Normalised(day)
    if ftype is FieldType.EMAIL:
        email = normalise_email(str(raw))
        if email is None:
            return Normalised(None, f"{_short(raw)!r} is not an email address")
        return Normalised(email)
    if ftype is FieldType.PHONE:
        if isinstance(raw, bool):
            return Normalised(None, f"{_short(raw)!r} is not a phone number")
        phone = normalise_phone(str(raw), region=region)
        if phone is None:
            return Normalised(None, f"{_short(raw)!r} is not a phone number")
        return Normalised(phone)
    return Normalised(None, f"{spec.name}: {ftype} is not a scalar type")


def _table_rows(raw: object) -> Iterator[object]:
    if isinstance(raw, Mapping):
        # {"rows": [...]} or {"items": [...]}: a wrapper around the rows.
        for key in ("rows", "items", "line_items", "data"):
            if isinstance(raw.get(key), list):
                yield from raw[key]
                return
        yield raw
        return
    if isinstance(raw, list | tuple):
        yield from raw


def _normalise_table(spec: FieldSpec, raw: object, dayfirst: bool | None) -> Normalised:
    if not isinstance(raw, list | tuple | Mapping):
        return Normalised(None, f"{spec.name}: expected rows (a list of objects), got {_short(raw)!r}")
    rows: list[dict[str, Scalar | None]] = []
    notes: list[str] = []
    for item in _table_rows(raw):
        if isinstance(item, Mapping):
            lowered = {str(k).strip().lower().replace(" ", "_"): v for k, v in item.items()}
            cells = [lowered.get(col.name) for col in spec.columns]
        elif isinstance(item, list | tuple):
            cells = list(item)[: len(spec.columns)] + [None] * max(0, len(spec.columns) - len(item))
        else:
            continue
        row: dict[str, Scalar | None] = {}
        for col, cell in zip(spec.columns, cells, strict=True):
            norm = _scalar(col, cell, dayfirst)
            value = norm.value
            row[col.name] = value if isinstance(value, str | int | Decimal | dt.date) else None
            if norm.note and len(notes) < 3:
                notes.append(norm.note)
        if any(v is not None for v in row.values()):
            rows.append(row)
    return Normalised(rows or None, "; ".join(notes))


def normalise(
    spec: FieldSpec, raw: object, *, dayfirst: bool | None = None, region: str | None = None
) -> Normalised:
    """Turn whatever a provider returned for ``spec`` into a typed cell value (see the module doc)."""
    if spec.type is FieldType.TABLE:
        if raw is None or (isinstance(raw, str | list) and not raw):
            return Normalised(None)
        return _normalise_table(spec, raw, dayfirst)
    if spec.type is FieldType.LIST:
        if raw is None:
            return Normalised(None)
        if isinstance(raw, Mapping):
            raw = list(raw.values())
        items = _normalise_list(raw)
        return Normalised(items or None)
    return _scalar(spec, raw, dayfirst, region)


__all__ = [
    "NUMBER_PATTERN",
    "CurrencyMatch",
    "DateMatch",
    "Normalised",
    "clean_text",
    "compact_date",
    "find_currencies",
    "find_dates",
    "iso_currencies",
    "normalise",
    "normalise_email",
    "normalise_phone",
    "number_value",
    "parse_amount",
    "parse_currency",
    "parse_date",
    "parse_number",
]
