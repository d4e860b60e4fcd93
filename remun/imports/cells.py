"""Reading one spreadsheet cell as text, a number, a date or a choice.

The number rule (never a float for money or hours):

- a number cell arrives from openpyxl as an int or a float. An int is exact. A
  float is read through ``repr()``, which gives the shortest decimal that is
  the same float — the figure that was typed (12.1 reads as 12.1, 2.675 as
  2.675, not 2.67499999…);
- a text cell is read by ``remun.money.to_decimal``, so "£12.50" and
  "1,234.50" work. A comma is only allowed as a thousands separator ("1,234"),
  because "12,50" would otherwise quietly read as 1250;
- the result is then rounded once, half up, to what the database keeps:
  money and hours to 2 places, rates to 4 (so 12.1 is stored as 12.10, and a
  figure computed in Excel such as 12.100000000000001 as 12.10).

Dates may be real Excel dates, or text written 2025-03-31 or 31/03/2025.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from remun.money import NotANumber, to_decimal
from remun.imports.layout import heading_key

HOURS_PLACES = Decimal("0.01")
MONEY_PLACES = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")

#: Anything at or above these does not fit the database columns (Numeric(8,2), (12,2), (12,4)).
HOURS_LIMIT = Decimal("1000000")
MONEY_LIMIT = Decimal("10000000000")
RATE_LIMIT = Decimal("100000000")

_TOO_BIG_TO_ROUND = Decimal("1e15")

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_THOUSANDS = re.compile(r"^[-+]?[£€$]?\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")

_TRUE = frozenset({"yes", "y", "true"})
_FALSE = frozenset({"no", "n", "false"})


class NotADate(ValueError):
    """A cell that cannot be read as a date."""


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: object) -> str:
    """A cell's value as the person typed it, for quoting in a message."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def read_text(value: object) -> str | None:
    """A cell as stripped text; None when blank. A number cell gives its digits (12345, not 12345.0)."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    return show(value)


def read_number(value: object, places: Decimal) -> Decimal:
    """A number cell, rounded half up to ``places``. Raises NotANumber."""
    if isinstance(value, bool):
        raise NotANumber(show(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber(show(value))
        number = Decimal(repr(value))
    elif isinstance(value, (int, Decimal)):
        number = to_decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if "," in text and not _THOUSANDS.match(text):
            raise NotANumber(text)
        number = to_decimal(text)
    else:  # a date or a time is not a number
        raise NotANumber(show(value))
    if not number.is_finite():
        raise NotANumber(show(value))
    if abs(number) >= _TOO_BIG_TO_ROUND:
        return number  # fits no column; the caller says it is too large
    return number.quantize(places, rounding=ROUND_HALF_UP)


def read_date(value: object) -> dt.date:
    """A date cell, or text 2025-03-31 or 31/03/2025. Raises NotADate."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if match := _ISO_DATE.match(text):
                year, month, day = (int(part) for part in match.groups())
                return dt.date(year, month, day)
            if match := _UK_DATE.match(text):
                day, month, year = (int(part) for part in match.groups())
                return dt.date(year, month, day)
        except ValueError as exc:  # 31/02/2025
            raise NotADate(text) from exc
    raise NotADate(show(value))


def read_yes_no(value: object) -> bool:
    """Yes or No (or a TRUE/FALSE cell). Raises ValueError."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(show(value))


def choice_lookup(choices: dict[str, object]) -> dict[str, object]:
    """Every way a choice may be written: its label, or its stored value, in any case."""
    lookup: dict[str, object] = {}
    for label, member in choices.items():
        lookup[heading_key(label)] = member
        raw = getattr(member, "value", None)
        if isinstance(raw, str):
            lookup[heading_key(raw.replace("_", " "))] = member
    return lookup


def read_choice(value: object, lookup: dict[str, object]) -> object:
    """One of a fixed set of choices. Raises KeyError."""
    text = read_text(value) or ""
    return lookup[heading_key(text.replace("_", " "))]
