"""Benefits information, not advice: the limits that commonly matter and an estimate from approved claims.

Figures come from rates/benefits.toml with their sources and dates. The
estimate counts approved pay for time **by the date it is paid or given**
(Universal Credit counts earnings when they are received, in the claim's own
monthly assessment periods: Universal Credit Regulations 2013, reg 54): a paid
batch's date, the day vouchers or training were given; for what is still
waiting, the soonest it could arrive (today, or the day it was approved if
later). When one payment brings sessions from before the period into it, the
estimate says so and suggests paying after each session. ESA permitted work
is for under 16 hours a week: recorded hours (with preparation and travel)
reaching 16 in the week are flagged.

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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.project_records.enums import Reciprocity
from remun.ledger.models import Account, Claim, ClaimKind, ClaimStatus, LedgerTransaction, Posting, TransactionKind
from remun.project_records.models import Attendance, Meeting, Person
from remun.money import HUNDRED, ZERO, round_money
from remun.pay.rate_cards import RateBook, RateEntry
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

#: ESA permitted work is for fewer than 16 hours a week (domain facts §4; rates/benefits.toml).
ESA_HOURS = Decimal("16")

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


@dataclass
class Payment:
    """Pay for time paid or given on one day in one payment (a batch, or what was given that day), or expected."""

    day: dt.date
    expected: bool
    income: Income = field(default_factory=Income)
    #: The dates of the sessions it pays for (one per claim).
    sessions: list[dt.date] = field(default_factory=list)


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
    #: Payments (done or expected) in the assessment period, by date.
    payments: list[Payment] = field(default_factory=list)
    #: Hours recorded in the week (sessions, preparation and travel), for ESA permitted work.
    week_hours: Decimal = ZERO

    @property
    def bunched(self) -> list[Payment]:
        """Payments in the period that bring in sessions from before it."""
        return [payment for payment in self.payments
                if len(payment.sessions) > 1 and min(payment.sessions) < self.month_start
                and payment.income.with_in_kind > ZERO]

    @property
    def esa_hours_reached(self) -> bool:
        return self.week_hours >= ESA_HOURS

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


_IN_LEDGER = {Account.BANK: None, Account.VOUCHERS: Reciprocity.VOUCHERS, Account.TRAINING: Reciprocity.TRAINING,
              Account.DONATIONS: Reciprocity.DONATION, Account.DECLINED: Reciprocity.NO_PAYMENT}


def payments(session: Session, person: Person, today: dt.date | None = None) -> list[Payment]:
    """Every payment of the person's approved pay for time: paid or given (from the ledger), and expected."""
    today = today or dt.date.today()
    found: dict[tuple, Payment] = {}
    rows = session.execute(
        select(LedgerTransaction.posted_on, LedgerTransaction.batch_id, LedgerTransaction.kind, Posting.account,
               Posting.amount, Claim.id, Meeting.date)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .join(Claim, LedgerTransaction.claim_id == Claim.id)
        .join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Posting.person_id == person.id, Claim.kind == ClaimKind.TIME, Posting.account.in_(list(_IN_LEDGER)))
        .order_by(LedgerTransaction.posted_on, LedgerTransaction.id)
    ).all()
    seen: dict[tuple, set[int]] = {}
    for day, batch_id, kind, account, amount, claim_id, session_day in rows:
        # A batch is one payment; what is given (or declined) on one day is another.
        key = (day, "batch", batch_id) if batch_id is not None else (day, "given", None)
        payment = found.setdefault(key, Payment(day, expected=False))
        value = amount if account == Account.DECLINED else -amount
        payment.income.add(_IN_LEDGER[account], value)
        if kind != TransactionKind.REVERSAL and claim_id not in seen.setdefault(key, set()):
            seen[key].add(claim_id)
            payment.sessions.append(session_day)
    waiting = _waiting(session, person, today)
    return sorted([*found.values(), *waiting.values()], key=lambda payment: (payment.day, payment.expected))


def _waiting(session: Session, person: Person, today: dt.date) -> dict[dt.date, Payment]:
    """Approved pay not yet paid or given, on the soonest day it could arrive (today, or its approval if later)."""
    owed = func.coalesce(func.sum(Posting.amount), 0) * -1
    rows = session.execute(
        select(Claim, Meeting.date, owed, func.max(LedgerTransaction.posted_on))
        .join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(LedgerTransaction, LedgerTransaction.claim_id == Claim.id)
        .join(Posting, (Posting.transaction_id == LedgerTransaction.id) & (Posting.account == Account.OWED))
        .where(Claim.person_id == person.id, Claim.kind == ClaimKind.TIME, Claim.status == ClaimStatus.APPROVED)
        .group_by(Claim.id, Meeting.date)
    ).all()
    expected: dict[dt.date, Payment] = {}
    choice = None
    for claim, session_day, left, approved_on in rows:
        left = Decimal(left)
        if left <= ZERO:
            continue
        day = max(today, approved_on)
        payment = expected.setdefault(day, Payment(day, expected=True))
        payment.sessions.append(session_day)
        parts = [part for part in for_this_approval(current_accruals(session, [claim.id]).get(claim.id), session.scalars(
            select(SettlementPart).where(SettlementPart.claim_id == claim.id)).all()) if part.given_at is None]
        if parts:
            for part in parts:
                payment.income.add(part.method, part.amount)
            continue
        choice = choice or current_choice(session, person)
        if not choice.chosen:
            payment.income.add(None, left)  # counted as money, so the estimate is never too low
            continue
        for part in split_amount(left, [(p.method, p.percent, p.detail) for p in choice.parts]):
            payment.income.add(part.method, part.amount)
    return expected


def income_between(session: Session, person: Person, start: dt.date, end: dt.date,
                   today: dt.date | None = None, found: list[Payment] | None = None) -> Income:
    """Approved pay for time paid, given or expected between two dates, by how it is counted."""
    income = Income()
    for payment in found if found is not None else payments(session, person, today):
        if start <= payment.day <= end:
            income.money += payment.income.money
            income.in_kind += payment.income.in_kind
            income.not_counted += payment.income.not_counted
    return income


def hours_in(session: Session, person: Person, start: dt.date, end: dt.date) -> Decimal:
    """Hours recorded for sessions between two dates, with preparation and travel."""
    return Decimal(session.scalar(
        select(func.coalesce(func.sum(Attendance.hours + Attendance.prep_hours + Attendance.travel_hours), 0))
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Attendance.person_id == person.id, Meeting.date >= start, Meeting.date <= end)
    ))


def estimate(session: Session, person: Person, book: RateBook, day: dt.date,
             period_starts_on: int | None = None, today: dt.date | None = None) -> Estimate:
    """The estimate for the week and the assessment period holding ``day``, by payment date.

    ``period_starts_on`` is the day of the month the person's Universal Credit
    assessment period starts, if they told the page (it is never stored); else calendar months.
    """
    week_start, week_end = _week(day)
    month_start, month_end = assessment_period(day, period_starts_on)
    found = payments(session, person, today)
    week = income_between(session, person, week_start, week_end, found=found)
    month = income_between(session, person, month_start, month_end, found=found)
    figures = figures_on(book, day)
    result = Estimate(day, week_start, week_end, month_start, month_end, week, month, figures,
                      payments=[payment for payment in found if month_start <= payment.day <= month_end],
                      week_hours=hours_in(session, person, week_start, week_end))
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
