"""Money arithmetic in ``Decimal`` cents: whether net + tax make the total, whether quantity x price make
a line's amount. Amounts arrive as the exact ``Decimal`` values ``parse_amount`` reads from the printed
digits, so 0.10 + 0.20 is 0.30 and checks are exact, not within a float tolerance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

Number = Decimal | int


def cents(value: Number) -> Decimal:
    """The amount as exact cents (half-up, as accountants round)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def adds_up(net: Number, tax: Number, total: Number, *, slack: Decimal = CENT) -> bool:
    """Whether net + tax is the total, to ``slack`` (one cent: net and tax are rounded separately)."""
    return abs(abs(cents(net) + cents(tax)) - abs(cents(total))) <= slack


def multiplies_out(first: Number, second: Number, amount: Number) -> bool:
    """Whether two numbers of a line multiply to its amount: to the cent, or within 1.1% when the
    printed unit price was itself rounded (2 cents at least)."""
    product = Decimal(first) * Decimal(second)  # quantities need not be in cents (1.5 h)
    target = cents(amount)
    slack = max(Decimal("0.02"), abs(target) * Decimal("0.011"))
    return abs(product - target) <= slack


def money_text(value: Number) -> str:
    """The amount printed with two decimals ("12.30")."""
    return f"{cents(value):.2f}"
