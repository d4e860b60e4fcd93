"""The one rounding rule and reading amounts people type."""

from decimal import Decimal

import pytest

from remun.money import NotANumber, round_money, round_percent, to_decimal


@pytest.mark.parametrize(("text", "expected"), [
    ("12.50", Decimal("12.50")), ("£1,234.50", Decimal("1234.50")), (" 7 ", Decimal("7")),
    ("1,000,000", Decimal("1000000")), ("-5.00", Decimal("-5.00")), (3, Decimal(3)),
])
def test_amounts_people_type_are_read_exactly(text, expected):
    assert to_decimal(text) == expected


@pytest.mark.parametrize("text", ["12,50", "1,23", "ten", "", "£", "NaN", "Infinity", "1,2345.00"])
def test_ambiguous_or_wrong_amounts_are_refused(text):
    with pytest.raises(NotANumber):
        to_decimal(text)


def test_floats_are_refused():
    with pytest.raises(NotANumber):
        to_decimal(0.1)


def test_money_rounds_half_up_to_the_penny():
    assert round_money(Decimal("12.345")) == Decimal("12.35")
    assert round_money(Decimal("12.344999")) == Decimal("12.34")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert round_percent(Decimal("40.05")) == Decimal("40.1")
