"""Numbers as people type them (remun/typed_numbers.py), in each language Remun speaks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from remun.money import NotANumber
from remun.typed_numbers import example, read_number


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("6,40", "pl", "6.40"),
    ("6.40", "pl", "6.40"),
    ("£6.40", "en_GB", "6.40"),
    ("6.40 GBP", "en_GB", "6.40"),
    ("6,40 zł", "pl", "6.40"),
    ("1 234,50", "pl", "1234.50"),
    ("1\u00a0234,50", "pl", "1234.50"),
    ("1,234.50", "en_GB", "1234.50"),
    ("1,234.50", "gd", "1234.50"),
    ("50%", "en_GB", "50"),
    ("50 %", "pl", "50"),
    (" 7 ", "gd", "7"),
])
def test_numbers_people_type_are_read(text, locale, expected):
    assert read_number(text, locale) == Decimal(expected)


@pytest.mark.parametrize(("text", "locale"), [
    ("6,40", "en_GB"),  # ambiguous in English: refused rather than read as 640
    ("12,50", "gd"),
    ("1,234.50", "pl"),
    ("abc", "en_GB"),
    ("", "pl"),
    ("%", "en_GB"),
    ("1e5", "en_GB"),
])
def test_what_is_not_a_number_is_refused(text, locale):
    with pytest.raises(NotANumber):
        read_number(text, locale)


def test_examples_are_written_the_way_the_language_writes_them():
    assert example("7.40", "pl") == "7,40"
    assert example("7.40", "en_GB") == "7.40"
    assert example("50", "pl") == "50"
