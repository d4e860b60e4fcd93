"""One pricing rule, "price these terms on this day" (remun.pay.terms.pay_terms), with one exception:
the parity report, the ledger's claims and budget planning all use it."""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest

from remun.pay import terms as pay
from remun.parity import report as parity_report
from remun.budget import planning
from remun.project_records.enums import PayBasis
from remun.pay.terms import NoRateOnDate, PayTerms, pay_terms

REMUN = Path(__file__).resolve().parents[2] / "remun"


@dataclass
class Entry:
    amount: D


class Book:
    """A rate card with one figure, in force from 1 April 2026."""

    def lookup(self, ref: str, day: dt.date):
        return Entry(D("25.50")) if ref == "card" and day >= dt.date(2026, 4, 1) else None


@dataclass
class Stored:
    basis: PayBasis = PayBasis.HOUR
    rate: D | None = D("20")
    rate_card_ref: str | None = None
    session_hours: D = D("3")
    prep_hours: D = D("1")
    prep_paid: bool = True
    travel_hours: D = D("0.5")
    travel_paid: bool = False


def test_own_rate_or_the_rate_cards_figure_on_the_day():
    assert pay_terms(Stored(), Book(), dt.date(2026, 1, 1)) == PayTerms(
        basis=PayBasis.HOUR, rate=D("20"), session_hours=D("3"), prep_hours=D("1"), prep_paid=True,
        travel_hours=D("0.5"), travel_paid=False)
    carded = Stored(rate=None, rate_card_ref="card")
    assert pay_terms(carded, Book(), dt.date(2026, 4, 1)).rate == D("25.50")
    with pytest.raises(NoRateOnDate) as missing:
        pay_terms(carded, Book(), dt.date(2026, 3, 31))
    assert missing.value.args == ("card",)


def test_a_budget_line_may_plan_its_own_hours():
    priced = pay_terms(Stored(), Book(), dt.date(2026, 5, 1), session_hours=D("2"), prep_hours=D("0"),
                       travel_hours=D("1"))
    assert (priced.session_hours, priced.prep_hours, priced.travel_hours) == (D("2"), D("0"), D("1"))
    assert (priced.prep_paid, priced.travel_paid) == (True, False)  # how it is paid stays the role's


def test_every_user_of_the_rule_has_the_same_rule_and_exception():
    assert parity_report.pay_terms is pay.pay_terms and parity_report.NoRateOnDate is pay.NoRateOnDate
    assert planning.pay_terms is pay.pay_terms and planning.NoRateOnDate is pay.NoRateOnDate
    # Nowhere else defines its own version of the rule or its exception.
    for path in REMUN.rglob("*.py"):
        if path == REMUN / "pay" / "terms.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                assert node.name not in ("pay_terms", "_pay_terms", "NoRateOnDate", "_NoFigure"), f"{path}: {node.name}"
