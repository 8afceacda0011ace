"""Line items: find a table header (Description / Qty / Unit price / Amount in EN, FR, DE, NL) and read
the rows below it until the totals. Best effort and honest: a row is only kept when it has an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from zapdoc.domain.fields import FieldSpec
from zapdoc.extraction.columns import header_columns
from zapdoc.extraction.context import DocContext, Line
from zapdoc.extraction.money import multiplies_out
from zapdoc.extraction.patterns import find_amounts, is_decimal_amount
from zapdoc.extraction.search import space_groups

MAX_ROWS = 500

_STOP_RE = re.compile(
    r"(?i)^\W{0,3}(?:sub\s?-?\s?total|total|summe|gesamt|rechnungssumme|zwischensumme|positionssumme|net\s?total|"
    r"montant|tva|mwst|ust|umsatzsteuer|vat|tax|totaal|subtotaal|exclusief|amount\s?due|balance|grand|"
    r"nettobetrag|steuerbetrag|bruttosumme|zahlbar|payment|conditions|bank|iban|notes?\b|remarks|"
    r"zahlungs|règlement|reglement|page\s\d|seite\s\d|übertrag|carried)"
)
# totals named anywhere on a line ("Prices incl. VAT  Invoice total EUR 49,99") also end the table
_STOP_ANY_RE = re.compile(
    r"(?i)\b(?:factuur\s?totaal|invoice\s?total|total\s?(?:ttc|ht|due|amount)|gesamtbetrag|rechnungsbetrag|"
    r"grand\s?total|montant\s?total|amount\s?due)\b"
)
_COLUMN_ALIASES: dict[str, str] = {
    "description": "description", "item": "description", "product": "description", "name": "description",
    "designation": "description", "article": "description", "service": "description",
    "details": "description",
    "quantity": "quantity", "qty": "quantity", "units": "quantity", "count": "quantity", "hours": "quantity",
    "unit_price": "unit_price", "price": "unit_price", "rate": "unit_price", "unit_cost": "unit_price",
    "price_per_unit": "unit_price",
    "amount": "amount", "total": "amount", "line_total": "amount", "net_amount": "amount", "value": "amount",
    "line_amount": "amount",
    "vat_rate": "tax", "tax_rate": "tax", "vat": "tax", "tax": "tax",
    "discount": "discount",
}  # fmt: skip


@dataclass(frozen=True)
class Header:
    line: int
    numeric: tuple[str, ...]  # numeric column kinds in print order (quantity, unit_price, tax, amount ...)


def _header(line: Line, *, items: bool = True) -> Header | None:
    """A column header line. ``items``: a line-item header (with a description or quantity column);
    otherwise any header (a tax summary "VAT % Base Tax Total" ends the items above it)."""
    numeric = header_columns(line.text, items=items)
    return None if numeric is None else Header(line.index, numeric)


def _row_numbers(
    text: str, grouped: bool, max_numbers: int | None = None
) -> tuple[str, list[Decimal], list[bool]] | None:
    """Description and the trailing numbers of a row line, with flags saying which had decimals.

    ``max_numbers`` (the header's numeric columns): numbers before those belong to the description
    ("Werkbank Buche 150 cm | 1 | 489,00 | 489,00").
    """
    amounts = find_amounts(text, space_groups=grouped)
    if not amounts:
        return None
    # the trailing run: numbers separated by at most a short unit word or a currency sign
    run = [amounts[-1]]
    for a in reversed(amounts[:-1]):
        between = text[a.end : run[0].start]
        if re.fullmatch(
            r"\s*(?:[^\W\d_]{1,6}\.?|\(s\)|[^\w\s]{1,2}|\d{1,2}(?:[.,]\d{1,2})?\s?%|[^\W\d_]{1,6}\(s\))?\s*"
            r"(?:\d{1,2}(?:[.,]\d{1,2})?\s?%\s*)?(?:[€$£]\s*)?",
            between,
        ):
            run.insert(0, a)
        else:
            break
    if max_numbers and len(run) > max_numbers:
        run = run[len(run) - max_numbers :]
    description = text[: run[0].start]
    description = re.sub(r"^\s*\d{1,3}\s+(?=\S)", "", description)  # position number
    description = description.strip(" -–|:€$£")
    values = [a.value for a in run if isinstance(a.value, Decimal)]
    decimals = [is_decimal_amount(a.raw) for a in run]
    return description, values, decimals


def _whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def _multiplies_out(values: list[Decimal]) -> bool:
    """Whether two of a row's numbers multiply to its last one (quantity x unit price = amount)."""
    rest, total = values[:-1], values[-1] if values else Decimal(0)
    return any(multiplies_out(a, b, total) for i, a in enumerate(rest) for b in rest[i + 1 :])


def _assign(values: list[Decimal], numeric: tuple[str, ...]) -> dict[str, Decimal]:
    """Map a row's numbers to columns: amount last; quantity x unit price = amount when it checks out."""
    out: dict[str, Decimal] = {}
    if not values:
        return out
    out["amount"] = values[-1]
    rest = values[:-1]
    for i, first in enumerate(rest):
        for second in rest[i + 1 :]:
            if multiplies_out(first, second, values[-1]):
                # which factor is the quantity: the header's column order, else the whole number
                price_first = (
                    "unit_price" in numeric
                    and "quantity" in numeric
                    and (numeric.index("unit_price") < numeric.index("quantity"))
                )
                if "quantity" not in numeric or "unit_price" not in numeric:
                    price_first = not _whole(first) and _whole(second)
                q, u = (second, first) if price_first else (first, second)
                out["quantity"], out["unit_price"] = q, u
                return out
    cols = [k for k in numeric if k not in ("tax", "discount")]
    if cols and cols[-1] == "amount":
        cols = cols[:-1]
    # align the remaining numbers to the remaining numeric columns from the right
    for kind, value in zip(reversed(cols), reversed(rest), strict=False):
        out.setdefault(kind, value)
    return out


def extract_table(ctx: DocContext, spec: FieldSpec) -> tuple[list[dict[str, object]], int, int] | None:
    """Rows of the first line-item table (all pages), as raw values keyed by column name, with the
    first and last line used as evidence; None when no table header is found."""
    kinds = {col.name: _COLUMN_ALIASES.get(col.name, col.name) for col in spec.columns}
    rows: list[dict[str, object]] = []
    first = last = -1
    grouped = space_groups(ctx)
    lines = ctx.lines
    i = 0
    while i < len(lines) and len(rows) < MAX_ROWS:
        header = _header(lines[i])
        if header is None:
            i += 1
            continue
        if first < 0:
            first = i
        pending: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].page == lines[i].page and len(rows) < MAX_ROWS:
            line = lines[j]
            if _STOP_RE.match(line.text) or _STOP_ANY_RE.search(line.text):
                break
            if _header(line, items=False) is not None:
                break
            parsed = _row_numbers(line.text, grouped, len(header.numeric) or None)
            if grouped and parsed is not None and not _multiplies_out(parsed[1]):
                # "4 189,00 756,00": with space-grouped thousands this reads 4189; when reading the
                # spaces as column gaps makes quantity x unit price = amount, the columns win.
                alt = _row_numbers(line.text, False, len(header.numeric) or None)
                if alt is not None and _multiplies_out(alt[1]):
                    parsed = alt
            if parsed is None or not any(parsed[2]):
                if len(line.text) <= 120:
                    pending.append(line.text)
                pending = pending[-3:]
                j += 1
                continue
            description, values, _ = parsed
            if not description and pending:
                description = " ".join(pending)
            pending = []
            if not re.search(r"[^\W\d_]{2}", description) and len(values) < 2:
                j += 1
                continue  # a lone amount under the table (a subtotal), not an item
            assigned = _assign(values, header.numeric)
            row: dict[str, object] = {}
            for name, kind in kinds.items():
                if kind == "description":
                    row[name] = description or None
                else:
                    row[name] = assigned.get(kind)
            rows.append(row)
            last = j
            j += 1
        i = j
    if not rows:
        return None
    return rows, first, max(first, last)
