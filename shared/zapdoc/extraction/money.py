"""Money arithmetic in ``Decimal`` cents: whether net + tax make the total, whether quantity x price make
a line's amount. Amounts arrive as the floats ``parse_amount`` rounds to cents; each is taken back to
its exact cents (``Decimal(repr(x))``) before adding, so 0.1 + 0.2 is 0.30 and checks are exact, not
within a float tolerance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: float | int | Decimal) -> Decimal:
    """The amount as exact cents (half-up, as accountants round)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def adds_up(net: float, tax: float, total: float, *, slack: Decimal = CENT) -> bool:
    """Whether net + tax is the total, to ``slack`` (one cent: net and tax are rounded separately)."""
    return abs(abs(cents(net) + cents(tax)) - abs(cents(total))) <= slack


def multiplies_out(first: float, second: float, amount: float) -> bool:
    """Whether two numbers of a line multiply to its amount: to the cent, or within 1.1% when the
    printed unit price was itself rounded (2 cents at least)."""
    product = Decimal(repr(first)) * Decimal(repr(second))  # quantities need not be in cents (1.5 h)
    target = cents(amount)
    slack = max(Decimal("0.02"), abs(target) * Decimal("0.011"))
    return abs(product - target) <= slack


def money_text(value: float | Decimal) -> str:
    """The amount printed with two decimals ("12.30")."""
    return f"{cents(value):.2f}"
