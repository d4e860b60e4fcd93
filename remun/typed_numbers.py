"""Numbers as people type them, read for the language of the page they typed them on.

"6,40" on a Polish page and "6.40" on an English one are both six pounds forty.
Babel knows each language's decimal mark and thousands separator; before asking
it, what people add around a number is taken away: a currency sign or code
("£6.40", "6.40 GBP", "6,40 zł"), a percent sign ("50%"), and spaces used to
group thousands ("1 234,50"). Anything else that is not a number is refused,
and an ambiguous "12,50" on an English page is refused rather than read as 1250.
No Flask here: the caller says which language.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from remun.money import NotANumber

#: Signs and codes people put around an amount; removed before reading the number.
_AROUND = re.compile(r"(£|€|\$|%|zł|\b(?:GBP|EUR|USD|PLN)\b)", re.IGNORECASE)
#: Any kind of space: typed, no-break and narrow no-break (what Babel writes in Polish).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def read_number(text: str, locale: str = "en_GB") -> Decimal:
    """The number in ``text`` as typed on a page in ``locale``; NotANumber when it is not one."""
    if not isinstance(text, str):
        raise NotANumber(repr(text))
    cleaned = _SPACES.sub("", _AROUND.sub("", text))
    if not re.fullmatch(r"[+-]?[\d.,']*\d[\d.,']*", cleaned):  # digits and marks only: no "1e5"
        raise NotANumber(text)
    try:
        result = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, ValueError) as exc:
        raise NotANumber(text) from exc
    if not result.is_finite():
        raise NotANumber(text)
    return result


def example(value: str, locale: str = "en_GB") -> str:
    """An example number written the way the page's language writes it ("7.40" becomes "7,40" in Polish)."""
    places = len(value.split(".")[1]) if "." in value else 0
    return format_decimal(Decimal(value), format="0." + "0" * places if places else "0", locale=locale)
