"""Money and hours as Decimal, with the one rounding rule Remun uses.

The rule: work with unrounded Decimals, and round once, at the end, to the
penny (two places) with ROUND_HALF_UP — the way people round money by hand.
Percentages are rounded the same way to one place. Hours keep two places.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Commas only as thousands separators ("1,234.50"), so "12,50" is refused
# rather than read as 1250.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

#: Database precision for money and hours (Numeric(12, 2)); rates keep 4 places
#: so an hourly rate derived from an annual salary is stored as published.
MONEY_DIGITS = (12, 2)
RATE_DIGITS = (12, 4)
HOURS_DIGITS = (8, 2)


class NotANumber(ValueError):
    """Raised when text cannot be read as an amount or a number of hours."""


def round_money(value: Decimal) -> Decimal:
    """Round to the penny, half up. The only place money is rounded (never shows "-0.00")."""
    result = value.quantize(PENNY, rounding=ROUND_HALF_UP)
    return abs(result) if not result else result


def round_percent(value: Decimal) -> Decimal:
    """Round a percentage to one decimal place, half up."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def round_hours(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Read a number given as text, int or Decimal (never float) as a Decimal.

    Accepts a leading currency sign and thousands separators, so "£1,234.50"
    reads as 1234.50. Floats are refused: they cannot hold pennies exactly.
    """
    if value.__class__ is Decimal:  # the usual case, first: figures read from the database
        if value.is_finite():
            return value
        raise NotANumber(str(value))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise NotANumber(str(value))
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("£", "").replace("€", "").replace("$", "").strip()
        if not text:
            raise NotANumber(value)
        if "," in text:
            if not _GROUPED.match(text):
                raise NotANumber(value)
            text = text.replace(",", "")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise NotANumber(value) from exc
    else:
        raise NotANumber(repr(value))
    if not result.is_finite():
        raise NotANumber(str(value))
    return result
