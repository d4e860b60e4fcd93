"""Spreadsheet number formats from Babel's locale data.

A workbook stores numbers and dates as numbers, with a format code saying
how to show them. The codes here follow the reader's locale as Babel knows
it: where the currency symbol goes (``£1,234.50``, ``1.234,50 €``), how many
decimals the currency has, and the order of day, month and year. Separators
in a format code are always ``,`` and ``.``; the spreadsheet shows each
reader's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.numbers import get_currency_precision, get_currency_symbol, get_decimal_symbol

HOURS = "#,##0.00"
INTEGER = "0"
PERCENT = "0.0%"
DATE_TIME_SUFFIX = " hh:mm"


def _locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (ValueError, TypeError):
        return Locale.parse("en_GB")


def _literal(text: str, symbol: str) -> str:
    """Pattern affix text as a quoted literal in a format code (¤ is the currency symbol)."""
    text = text.replace("¤", symbol).replace("'", "")
    if not text:
        return ""
    return '"' + text.replace('"', "") + '"'


@lru_cache(maxsize=256)
def money_format(currency: str, locale: str = "en_GB") -> str:
    """The format code for amounts in ``currency`` as ``locale`` writes them.

    en_GB and GBP: ``"£"#,##0.00;"-£"#,##0.00``; de_DE and EUR:
    ``#,##0.00" €";"-"#,##0.00" €"``; JPY has no decimals.
    """
    babel_locale = _locale(locale)
    pattern = babel_locale.currency_formats["standard"]
    symbol = get_currency_symbol(currency, babel_locale)
    digits = get_currency_precision(currency)
    grouping = pattern.grouping and pattern.grouping[0] and pattern.grouping[0] < 100
    body = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
    positive = _literal(pattern.prefix[0], symbol) + body + _literal(pattern.suffix[0], symbol)
    negative = _literal(pattern.prefix[1], symbol) + body + _literal(pattern.suffix[1], symbol)
    if "-" not in negative:
        negative = '"-"' + negative
    return f"{positive};{negative}"


_DATE_FIELD = re.compile(r"'[^']*'|([A-Za-z])\1*|.", re.S)


@lru_cache(maxsize=64)
def date_format(locale: str = "en_GB") -> str:
    """The locale's short date as a format code, always with a four-digit year (en_GB ``dd/mm/yyyy``)."""
    pattern = _locale(locale).date_formats["short"].pattern
    parts = []
    for match in _DATE_FIELD.finditer(pattern):
        token = match.group(0)
        letter = token[0]
        if token.startswith("'"):
            literal = token[1:-1] or "'"
            parts.append('"' + literal.replace('"', "") + '"')
        elif letter == "y":
            parts.append("yyyy")
        elif letter in "ML":
            parts.append({1: "m", 2: "mm", 3: "mmm"}.get(len(token), "mmmm"))
        elif letter == "d":
            parts.append("dd" if len(token) >= 2 else "d")
        elif letter in "Ec":
            parts.append("ddd" if len(token) <= 3 else "dddd")
        elif letter.isalpha():
            continue  # eras and the like: not in short dates we know of
        elif token in "/-.,: ":
            parts.append(token if token != " " else " ")
        else:
            parts.append("\\" + token)
    return "".join(parts) or "yyyy-mm-dd"


def date_time_format(locale: str = "en_GB") -> str:
    return date_format(locale) + DATE_TIME_SUFFIX


def decimal_separator(locale: str = "en_GB") -> str:
    """The locale's decimal mark, for CSV (a comma in most of Europe)."""
    return get_decimal_symbol(_locale(locale))


@dataclass(frozen=True)
class Formats:
    """The codes one export uses, for its locale."""

    locale: str

    def money(self, currency: str) -> str:
        return money_format(currency or "GBP", self.locale)

    @property
    def date(self) -> str:
        return date_format(self.locale)

    @property
    def date_time(self) -> str:
        return date_time_format(self.locale)

    hours: str = HOURS
    integer: str = INTEGER
    percent: str = PERCENT
