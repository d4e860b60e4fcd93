"""Benefits information, not advice: the limits that commonly matter and an estimate from approved claims.

Figures come from rates/benefits.toml with their sources and dates. The
estimate counts approved pay for time by the date of the session:

* money (bank transfer, payment card, cheque, paid to someone else) counts;
* vouchers and training are shown on their own line, because published sources
  disagree about whether vouchers count as earnings;
* declined payment and donations to charity are not counted (no "notional
  earnings" for this kind of involvement: SI 2009/2655 and 2009/2678);
* expenses are never counted: they are not earnings;
* time whose way of being thanked is not chosen yet is counted as money, so the
  estimate is never too low.

Universal Credit assesses monthly from the day a claim started. The person may
type that day on the page (it is used for the estimate and never stored);
otherwise calendar months are used, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.enums import Reciprocity
from remun.ledger.models import Claim, ClaimKind, ClaimStatus
from remun.models import Attendance, Meeting, Person
from remun.money import HUNDRED, ZERO, round_money
from remun.rates import RateBook, RateEntry
from remun.reciprocity.choices import current_choice
from remun.reciprocity.models import SettlementPart
from remun.reciprocity.routing import current_accruals, for_this_approval, split_amount

ESA_HIGHER = "benefits/esa-permitted-work-higher"
ESA_LOWER = "benefits/esa-permitted-work-lower"
UC_ALLOWANCE_NO_HOUSING = "benefits/uc-work-allowance-no-housing"
UC_ALLOWANCE_WITH_HOUSING = "benefits/uc-work-allowance-with-housing"
UC_TAPER = "benefits/uc-taper-percent"
CARERS_LIMIT = "benefits/carers-allowance-earnings-limit"
FIGURES = (ESA_HIGHER, ESA_LOWER, UC_ALLOWANCE_NO_HOUSING, UC_ALLOWANCE_WITH_HOUSING, UC_TAPER, CARERS_LIMIT)

#: A warning shows from this share of a limit, so there is time to get advice before reaching it.
NEAR_SHARE = Decimal("0.8")

IN_KIND = (Reciprocity.VOUCHERS, Reciprocity.TRAINING)
NOT_EARNINGS = (Reciprocity.DONATION, Reciprocity.NO_PAYMENT)


@dataclass
class Income:
    """Approved pay for time in a period, by how it is counted."""

    money: Decimal = ZERO
    in_kind: Decimal = ZERO  # vouchers and training: sources disagree
    not_counted: Decimal = ZERO  # declined, or paid to a charity

    def add(self, method: Reciprocity | None, amount: Decimal) -> None:
        if method in IN_KIND:
            self.in_kind += amount
        elif method in NOT_EARNINGS:
            self.not_counted += amount
        else:
            self.money += amount

    @property
    def with_in_kind(self) -> Decimal:
        return self.money + self.in_kind


@dataclass(frozen=True)
class Limit:
    entry: RateEntry
    income: Decimal  # compared: money, plus vouchers and training to be safe

    @property
    def share(self) -> Decimal:
        return self.income / self.entry.amount

    @property
    def over(self) -> bool:
        return self.income > self.entry.amount

    @property
    def near(self) -> bool:
        return not self.over and self.share >= NEAR_SHARE


@dataclass(frozen=True)
class TaperExample:
    allowance: RateEntry | None  # None: no work allowance (most people without children or limited capability for work)
    above: Decimal  # income above the work allowance
    reduction: Decimal  # what Universal Credit would go down by, rounded to the penny


@dataclass
class Estimate:
    day: dt.date
    week_start: dt.date
    week_end: dt.date
    month_start: dt.date
    month_end: dt.date
    week: Income
    month: Income
    figures: dict[str, RateEntry]
    weekly_limits: list[Limit] = field(default_factory=list)
    taper: list[TaperExample] = field(default_factory=list)

    @property
    def warnings(self) -> list[Limit]:
        return [limit for limit in self.weekly_limits if limit.near or limit.over]


def figures_on(book: RateBook, day: dt.date) -> dict[str, RateEntry]:
    """The benefit figures in force on a day (missing ones are left out)."""
    return {ref: entry for ref in FIGURES if (entry := book.lookup(ref, day)) is not None}


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())  # Monday
    return start, start + dt.timedelta(days=6)


def _on_day_of(year: int, month: int, day_of_month: int) -> dt.date:
    """That day of a month, or the month's last day when it is shorter (as Universal Credit does)."""
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day_of_month, (following - dt.timedelta(days=1)).day))


def assessment_period(day: dt.date, starts_on: int | None = None) -> tuple[dt.date, dt.date]:
    """The monthly period holding ``day``: from the day of the month it starts on (1: the calendar month)."""
    starts_on = min(max(starts_on or 1, 1), 31)
    start = _on_day_of(day.year, day.month, starts_on)
    if start > day:
        previous = day.replace(day=1) - dt.timedelta(days=1)
        start = _on_day_of(previous.year, previous.month, starts_on)
    after = start.replace(day=1) + dt.timedelta(days=32)
    return start, _on_day_of(after.year, after.month, starts_on) - dt.timedelta(days=1)


def income_between(session: Session, person: Person, start: dt.date, end: dt.date) -> Income:
    """Approved pay for time from sessions between two dates, by how it is (or will be) given."""
    income = Income()
    claims = session.scalars(
        select(Claim).join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Claim.person_id == person.id, Claim.kind == ClaimKind.TIME, Claim.status == ClaimStatus.APPROVED,
               Meeting.date >= start, Meeting.date <= end)
    ).all()
    choice = None
    for claim in claims:
        parts = for_this_approval(current_accruals(session, [claim.id]).get(claim.id), session.scalars(
            select(SettlementPart).where(SettlementPart.claim_id == claim.id)).all())
        if parts:
            for part in parts:
                income.add(part.method, part.amount)
            continue
        if claim.settled_as == Reciprocity.NO_PAYMENT:  # declined when approved
            income.add(Reciprocity.NO_PAYMENT, claim.amount)
            continue
        if claim.settled_as is not None:
            income.add(claim.settled_as, claim.amount)
            continue
        choice = choice or current_choice(session, person)
        if not choice.chosen:
            income.add(None, claim.amount)
            continue
        for part in split_amount(claim.amount, [(p.method, p.percent, p.detail) for p in choice.parts]):
            income.add(part.method, part.amount)
    return income


def estimate(session: Session, person: Person, book: RateBook, day: dt.date,
             period_starts_on: int | None = None) -> Estimate:
    """The estimate for the week and the assessment period holding ``day``.

    ``period_starts_on`` is the day of the month the person's Universal Credit
    assessment period starts, if they told the page (it is never stored); else calendar months.
    """
    week_start, week_end = _week(day)
    month_start, month_end = assessment_period(day, period_starts_on)
    week = income_between(session, person, week_start, week_end)
    month = income_between(session, person, month_start, month_end)
    figures = figures_on(book, day)
    result = Estimate(day, week_start, week_end, month_start, month_end, week, month, figures)
    for ref in (ESA_LOWER, ESA_HIGHER, CARERS_LIMIT):
        if ref in figures:
            result.weekly_limits.append(Limit(figures[ref], week.with_in_kind))
    taper = figures.get(UC_TAPER)
    if taper is not None:
        allowances = [figures[ref] for ref in (UC_ALLOWANCE_NO_HOUSING, UC_ALLOWANCE_WITH_HOUSING) if ref in figures]
        for allowance in [*allowances, None]:
            above = max(month.with_in_kind - (allowance.amount if allowance else ZERO), ZERO)
            result.taper.append(TaperExample(allowance, above, round_money(above * taper.amount / HUNDRED)))
    return result
