"""Numbers, money, hours and dates for people to read, through Babel.

Every figure a page shows goes through these filters so it follows the
reader's locale; nothing is formatted by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask_babel import format_currency, format_date, format_decimal, format_percent, ngettext

from remun.money import HUNDRED


def money(amount: Decimal | None, currency: str = "GBP") -> str:
    if amount is None:
        return "–"
    return format_currency(amount, currency)


def hours(value: Decimal | None) -> str:
    if value is None:
        return "–"
    number = format_decimal(value, format="#,##0.##")
    return ngettext("%(amount)s hour", "%(amount)s hours", 1 if value == 1 else 2, amount=number)


def number(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return "–"
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(value, format=pattern)


def percent(value: Decimal | None) -> str:
    """A percentage held as a number of percent (40.0 means 40%; 12.5 stays 12.5%), with no needless ".0"."""
    if value is None:
        return "–"
    return format_percent(value / HUNDRED, format="#,##0.#%")


def long_date(value: dt.date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, format="long")


def short_date(value: dt.date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, format="medium")


def month_name(value: dt.date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, format="MMMM y")


def register(app: Flask) -> None:
    for name, function in {
        "money": money,
        "hours": hours,
        "number": number,
        "percent": percent,
        "long_date": long_date,
        "short_date": short_date,
        "month_name": month_name,
    }.items():
        app.add_template_filter(function, name)
