"""Costing a budget: planned sessions, the fair option, items, totals and years.

Pure rules: no Flask, no database. ``remun.budget.store`` turns a stored
budget into a ``Plan``; ``cost_plan`` works out what it costs with the rate
cards, and everything the pages, the workbook and the tests show comes from
the ``PlanCosting`` it returns. The rules, with worked examples, are in
docs/budget.md.

- **Months.** A plan runs from the month of its start date to the month of its
  end date. Each month is costed on the pay terms and published figures in
  force on the **last day of that month**, so a rise part-way through a month
  is counted for the whole of it (a budget should not come up short).
- **Sessions.** Pay for one session follows ``remun.pay`` with the line's
  hours and the role's terms for that month (basis, rate, whether preparation
  and travel are paid). A month's cost = pay for one session x sessions that
  month x people.
- **The fair option.** For every lived-experience and carer role, the pay for
  one session that reaches parity with the best-paid clinical or professional
  role in its equal role (``remun.parity``: compare_group and close_gap), and
  never less than the Real Living Wage for every hour given (as the fair fee
  calculator does). Where the role already reaches both, the fair option is
  what it is paid now.
- **Items.** Quantity x cost each, rounded to the penny each time the cost
  falls; a published figure is taken for each month it falls in.
- **Years.** Year 1 is the first twelve months of the plan, year 2 the next
  twelve, and so on. Contingency is worked out on each year's costs and
  rounded to the penny; the total contingency is the sum of the years'.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from remun.budget.models import BudgetCategory
from remun.enums import PayBasis, RoleKind
from remun.money import HUNDRED, ZERO, round_money, to_decimal
from remun.parity import RoleOffer, close_gap, compare_group
from remun.pay import (ARITHMETIC, NoRateOnDate, PayTerms, effective_hourly_rate, exact_hourly_rate, hours_given,
                       pay_per_session, pay_terms)
from remun.rates import RateBook

#: Payment for time (planned sessions) is the first section; the item categories follow.
TIME = "time"
SECTIONS: tuple[str, ...] = (TIME,) + tuple(category.value for category in BudgetCategory)

#: The longest plan Remun works out: ten years of months.
MAX_MONTHS = 120


# --- Months -------------------------------------------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole months from the month of ``first`` to the month of ``last`` (0 for the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def plan_months(start: dt.date, end: dt.date) -> list[dt.date]:
    first = month_start(start)
    return [add_months(first, step) for step in range(months_between(start, end) + 1)]


def session_schedule(first_month: dt.date, sessions: int, per_month: int = 1, every_months: int = 1) -> list[tuple[dt.date, int]]:
    """(month, sessions that month): ``per_month`` a month, every ``every_months`` months, until all are placed."""
    if sessions < 1 or per_month < 1 or not 1 <= every_months <= 12:
        raise ValueError("sessions and sessions a month must be 1 or more, and every_months from 1 to 12")
    schedule = []
    left, month = sessions, month_start(first_month)
    while left > 0:
        count = min(per_month, left)
        schedule.append((month, count))
        left -= count
        month = add_months(month, every_months)
    return schedule


def item_schedule(first_month: dt.date, times: int, every_months: int = 1) -> list[dt.date]:
    return [month for month, _ in session_schedule(first_month, times, 1, every_months)]


# --- What a plan is made of ----------------------------------------------------------------------

@dataclass(frozen=True)
class TermsFrom:
    """A role's pay terms from a date (the role's own usual session sets the comparator's rate)."""

    effective_from: dt.date
    basis: PayBasis
    rate: Decimal | None
    rate_card_ref: str | None
    session_hours: Decimal
    prep_hours: Decimal = ZERO
    prep_paid: bool = False
    travel_hours: Decimal = ZERO
    travel_paid: bool = False


@dataclass(frozen=True)
class PlanRole:
    key: Hashable
    title: str
    kind: RoleKind
    #: The equal role, by name; roles with the same name are compared. None: not in one.
    group: str | None
    #: Oldest first.
    terms: tuple[TermsFrom, ...]

    def terms_on(self, day: dt.date) -> TermsFrom | None:
        """In force on ``day``; before the first change, the first terms (as ``Role.terms_on``)."""
        in_force = None
        for terms in self.terms:
            if terms.effective_from <= day:
                in_force = terms
        if in_force is None and self.terms:
            return self.terms[0]
        return in_force


@dataclass(frozen=True)
class PlanLine:
    """Planned sessions of one role (see ``BudgetLine``)."""

    key: Hashable
    role_key: Hashable
    description: str
    first_month: dt.date
    sessions: int
    session_hours: Decimal
    prep_hours: Decimal = ZERO
    travel_hours: Decimal = ZERO
    per_month: int = 1
    every_months: int = 1
    people: int = 1
    in_total: bool = True
    notes: str = ""


@dataclass(frozen=True)
class PlanItem:
    key: Hashable
    category: BudgetCategory
    description: str
    quantity: Decimal
    unit_cost: Decimal | None
    rate_card_ref: str | None
    first_month: dt.date
    times: int = 1
    every_months: int = 1
    notes: str = ""


@dataclass(frozen=True)
class Plan:
    name: str
    start: dt.date
    end: dt.date
    contingency_percent: Decimal
    roles: tuple[PlanRole, ...]
    lines: tuple[PlanLine, ...] = ()
    items: tuple[PlanItem, ...] = ()
    currency: str = "GBP"
    #: A London project: the fair option never goes below the London Living Wage.
    london: bool = False


# --- What it costs -------------------------------------------------------------------------------

class Fairness(StrEnum):
    """Why the fair option for one month is what it is."""

    ALREADY_FAIR = "already_fair"  # at parity and at or above the Real Living Wage
    PARITY = "parity"  # raised to parity with the comparator
    LIVING_WAGE = "living_wage"  # raised to the Real Living Wage (above any parity rate)
    CANNOT_PRICE = "cannot_price"  # no rate on this basis can reach it (no paid hours): pay the preparation
    NO_HOURS = "no_hours"  # the sessions give no hours, so there is nothing to compare
    NOT_COMPARED = "not_compared"  # not a lived-experience or carer role


@dataclass(frozen=True)
class FairOption:
    pay_per_session: Decimal | None
    rate: Decimal | None  # on the role's own basis (per hour, or the fee)
    hourly_rate: Decimal | None  # per hour given, unrounded
    reason: Fairness
    comparator_title: str | None = None
    comparator_hourly_rate: Decimal | None = None  # unrounded
    living_wage: Decimal | None = None

    @property
    def rounded_comparator_rate(self) -> Decimal | None:
        """The comparator's rate per hour given, to the penny, for display."""
        return None if self.comparator_hourly_rate is None else round_money(self.comparator_hourly_rate)


@dataclass(frozen=True)
class SessionMonth:
    """One month of a line: its sessions, priced on the terms in force that month."""

    month: dt.date
    year: int
    sessions: int
    people: int
    pay_per_session: Decimal | None  # None: no figure that month (not counted)
    hourly_rate: Decimal | None  # per hour given, unrounded
    rate: Decimal | None  # the role's rate that month, on its own basis
    basis: PayBasis | None
    fair: FairOption

    @property
    def cost(self) -> Decimal:
        if self.pay_per_session is None:
            return ZERO
        return self.pay_per_session * self.sessions * self.people

    @property
    def fair_cost(self) -> Decimal | None:
        """The same sessions at the fair option; None when it has no price."""
        if self.fair.reason is Fairness.NOT_COMPARED or self.pay_per_session is None:
            return self.cost
        if self.fair.pay_per_session is None:
            return None
        return self.fair.pay_per_session * self.sessions * self.people

    @property
    def difference(self) -> Decimal:
        fair = self.fair_cost
        return ZERO if fair is None else fair - self.cost


@dataclass(frozen=True)
class Piece:
    """Consecutive months of a line or item at the same price in the same year: one row of the workbook."""

    year: int
    first_month: dt.date
    last_month: dt.date
    count: int  # sessions (lines) or times (items)
    each: Decimal | None  # pay for one session, or the cost of one time (quantity x cost each, rounded)
    fair_each: Decimal | None = None
    unit_cost: Decimal | None = None  # items: the cost each

    def total(self, people: int = 1) -> Decimal:
        return ZERO if self.each is None else self.each * self.count * people


@dataclass(frozen=True)
class FairPiece:
    """Months of a line that share their pay and their fair option (``first`` is the first of them)."""

    first_month: dt.date
    last_month: dt.date
    sessions: int
    first: SessionMonth

    def same_terms(self, month: SessionMonth) -> bool:
        mine, theirs = self.first, month
        return (mine.pay_per_session == theirs.pay_per_session
                and mine.fair.pay_per_session == theirs.fair.pay_per_session
                and mine.fair.reason == theirs.fair.reason
                and mine.fair.comparator_title == theirs.fair.comparator_title
                and mine.fair.comparator_hourly_rate == theirs.fair.comparator_hourly_rate
                and mine.fair.living_wage == theirs.fair.living_wage)

    @property
    def difference_each(self) -> Decimal | None:
        if self.first.pay_per_session is None or self.first.fair.pay_per_session is None:
            return None
        return self.first.fair.pay_per_session - self.first.pay_per_session


@dataclass(frozen=True)
class LineCosting:
    line: PlanLine
    role: PlanRole | None
    months: tuple[SessionMonth, ...]

    @property
    def total(self) -> Decimal:
        return sum((month.cost for month in self.months), ZERO)

    @property
    def compared(self) -> bool:
        return self.role is not None and self.role.kind.is_lived_experience_side

    @property
    def fair_total(self) -> Decimal | None:
        if not self.compared:
            return None
        costs = [month.fair_cost for month in self.months]
        return None if any(cost is None for cost in costs) else sum(costs, ZERO)  # type: ignore[arg-type]

    @property
    def difference(self) -> Decimal:
        return sum((month.difference for month in self.months), ZERO)

    @property
    def sessions(self) -> int:
        return self.line.sessions

    @property
    def below_fair(self) -> bool:
        return any(month.fair.reason in (Fairness.PARITY, Fairness.LIVING_WAGE) for month in self.months)

    def fair_pieces(self) -> list[FairPiece]:
        """Runs of months with the same pay, fair pay and reason: what the fair option says, and why."""
        pieces: list[FairPiece] = []
        for month in self.months:
            last = pieces[-1] if pieces else None
            if last is not None and last.same_terms(month):
                pieces[-1] = FairPiece(last.first_month, month.month, last.sessions + month.sessions, last.first)
            else:
                pieces.append(FairPiece(month.month, month.month, month.sessions, month))
        return pieces

    def pieces(self, with_fair: bool = True, by_year: bool = True) -> list[Piece]:
        """Runs of months at one pay (and, ``with_fair``, one fair pay) for each session, within a year
        unless ``by_year`` is False."""
        pieces: list[Piece] = []
        for month in self.months:
            last = pieces[-1] if pieces else None
            fair = month.fair.pay_per_session if self.compared and with_fair else None
            if (last is not None and (last.year == month.year or not by_year) and last.each == month.pay_per_session
                    and last.fair_each == fair):
                pieces[-1] = Piece(last.year, last.first_month, month.month, last.count + month.sessions,
                                   last.each, last.fair_each)
            else:
                pieces.append(Piece(month.year, month.month, month.month, month.sessions, month.pay_per_session, fair))
        return pieces


@dataclass(frozen=True)
class ItemMonth:
    month: dt.date
    year: int
    unit_cost: Decimal | None  # None: no figure that month (not counted)

    def amount(self, quantity: Decimal) -> Decimal:
        if self.unit_cost is None:
            return ZERO
        return round_money(ARITHMETIC.multiply(quantity, self.unit_cost))


@dataclass(frozen=True)
class ItemCosting:
    item: PlanItem
    months: tuple[ItemMonth, ...]

    def cost_in(self, month: ItemMonth) -> Decimal:
        return month.amount(self.item.quantity)

    @property
    def total(self) -> Decimal:
        return sum((self.cost_in(month) for month in self.months), ZERO)

    def pieces(self, by_year: bool = True) -> list[Piece]:
        """Runs of months at one cost each, within a year unless ``by_year`` is False."""
        pieces: list[Piece] = []
        for month in self.months:
            each = None if month.unit_cost is None else month.amount(self.item.quantity)
            last = pieces[-1] if pieces else None
            if (last is not None and (last.year == month.year or not by_year)
                    and last.unit_cost == month.unit_cost):
                pieces[-1] = Piece(last.year, last.first_month, month.month, last.count + 1, last.each,
                                   unit_cost=last.unit_cost)
            else:
                pieces.append(Piece(month.year, month.month, month.month, 1, each, unit_cost=month.unit_cost))
        return pieces


class ProblemKind(StrEnum):
    NO_FIGURE = "no_figure"  # a published figure has no entry in force that month: not counted
    NO_TERMS = "no_terms"  # the role has no pay terms
    UNKNOWN_ROLE = "unknown_role"
    OUTSIDE_DATES = "outside_dates"  # sessions or costs fall outside the plan's months
    FAIR_CANNOT_PRICE = "fair_cannot_price"


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    title: str  # the line's or item's description
    month: dt.date | None = None
    ref: str | None = None


@dataclass(frozen=True)
class RoleTotal:
    key: Hashable
    title: str
    kind: RoleKind
    sessions: int
    cost: Decimal  # in the total
    fair_cost: Decimal | None
    difference: Decimal
    not_in_total: Decimal  # costed for information only (for example, salaried staff)


@dataclass(frozen=True)
class YearTotal:
    index: int
    first_month: dt.date
    last_month: dt.date
    by_section: dict[str, Decimal]
    subtotal: Decimal
    contingency: Decimal
    fair_difference: Decimal
    fair_contingency: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.contingency

    @property
    def fair_subtotal(self) -> Decimal:
        return self.subtotal + self.fair_difference

    @property
    def fair_total(self) -> Decimal:
        return self.fair_subtotal + self.fair_contingency


@dataclass(frozen=True)
class PlanCosting:
    plan: Plan
    months: tuple[dt.date, ...]
    lines: tuple[LineCosting, ...]
    items: tuple[ItemCosting, ...]
    by_month: dict[dt.date, dict[str, Decimal]]
    by_section: dict[str, Decimal]
    by_role: tuple[RoleTotal, ...]
    years: tuple[YearTotal, ...]
    not_in_total: Decimal
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def subtotal(self) -> Decimal:
        return sum((year.subtotal for year in self.years), ZERO)

    @property
    def contingency(self) -> Decimal:
        return sum((year.contingency for year in self.years), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.contingency

    @property
    def fair_difference(self) -> Decimal:
        return sum((year.fair_difference for year in self.years), ZERO)

    @property
    def fair_subtotal(self) -> Decimal:
        return self.subtotal + self.fair_difference

    @property
    def fair_contingency(self) -> Decimal:
        return sum((year.fair_contingency for year in self.years), ZERO)

    @property
    def fair_total(self) -> Decimal:
        return self.fair_subtotal + self.fair_contingency

    def month_total(self, month: dt.date) -> Decimal:
        return sum(self.by_month.get(month, {}).values(), ZERO)

    def items_in(self, category: BudgetCategory) -> list[ItemCosting]:
        return [costing for costing in self.items if costing.item.category is category]

    @property
    def longer_than_a_year(self) -> bool:
        return len(self.years) > 1


def _own_terms(role: PlanRole, book: RateBook, day: dt.date) -> PayTerms | None:
    terms = role.terms_on(day)
    if terms is None:
        return None
    try:
        return pay_terms(terms, book, day)
    except NoRateOnDate:
        return None


def _lift_to(terms: PayTerms, target: PayTerms) -> PayTerms | None:
    """Terms on ``terms``' own basis that reach ``target``'s rate per hour given (close_gap, rounded up)."""
    group = compare_group("target", [
        RoleOffer(key="offer", title="offer", kind=RoleKind.LIVED_EXPERIENCE, terms=terms),
        RoleOffer(key="target", title="target", kind=RoleKind.CLINICAL, terms=target),
    ], living_wage=None)
    if group.comparator is None:
        return terms
    closure = close_gap(group.roles[0], group.comparator, sessions=1)
    if closure is None:
        return terms  # already there
    return closure.parity_terms


def fair_option(role: PlanRole, terms: PayTerms, group_roles: Iterable[PlanRole], book: RateBook,
                day: dt.date, london: bool = False) -> FairOption:
    """The fair pay for one session of ``role`` on ``terms`` (the line's hours) on ``day``."""
    living_wage = book.living_wage(day, london)
    if not role.kind.is_lived_experience_side:
        return FairOption(pay_per_session(terms), terms.rate, effective_hourly_rate(terms), Fairness.NOT_COMPARED,
                          living_wage=living_wage)
    if hours_given(terms) == ZERO:
        return FairOption(pay_per_session(terms), terms.rate, None, Fairness.NO_HOURS, living_wage=living_wage)
    offers = [RoleOffer(key="__line__", title=role.title, kind=role.kind, terms=terms)]
    for other in group_roles:
        if other.key == role.key or not other.kind.is_comparator_side:
            continue
        other_terms = _own_terms(other, book, day)
        if other_terms is not None:
            offers.append(RoleOffer(key=other.key, title=other.title, kind=other.kind, terms=other_terms))
    group = compare_group(role.group or "", offers, living_wage)
    comparator = group.comparator
    fair_terms: PayTerms | None = terms
    reason = Fairness.ALREADY_FAIR
    if comparator is not None and group.roles[0].parity is False:
        closure = close_gap(group.roles[0], comparator, sessions=1)
        fair_terms = None if closure is None else closure.parity_terms
        reason = Fairness.PARITY
    if fair_terms is not None and living_wage is not None:
        rate = exact_hourly_rate(fair_terms)
        if rate is not None and rate < Fraction(living_wage):
            floor = PayTerms(basis=PayBasis.SALARY, rate=living_wage, session_hours=terms.session_hours,
                             prep_hours=terms.prep_hours, travel_hours=terms.travel_hours)
            fair_terms = _lift_to(fair_terms, floor)
            reason = Fairness.LIVING_WAGE
    comparator_title = comparator.offer.title if comparator is not None else None
    comparator_rate = comparator.effective_hourly_rate if comparator is not None else None
    if fair_terms is None:
        return FairOption(None, None, None, Fairness.CANNOT_PRICE, comparator_title, comparator_rate, living_wage)
    return FairOption(pay_per_session(fair_terms), fair_terms.rate, effective_hourly_rate(fair_terms), reason,
                      comparator_title, comparator_rate, living_wage)


def _year(first: dt.date, month: dt.date, years: int) -> int:
    return min(max(months_between(first, month) // 12 + 1, 1), years)


def _cost_line(line: PlanLine, role: PlanRole | None, roles: tuple[PlanRole, ...], book: RateBook,
               first: dt.date, years: int, problems: list[Problem], london: bool = False) -> LineCosting:
    months = []
    group_roles = [other for other in roles if role is not None and role.group and other.group == role.group]
    for month, sessions in session_schedule(line.first_month, line.sessions, line.per_month, line.every_months):
        day = month_end(month)
        year = _year(first, month, years)
        terms = role.terms_on(day) if role is not None else None
        if terms is None:
            kind = ProblemKind.UNKNOWN_ROLE if role is None else ProblemKind.NO_TERMS
            problems.append(Problem(kind, line.description, month))
            months.append(SessionMonth(month, year, sessions, line.people, None, None, None, None,
                                       FairOption(None, None, None, Fairness.NOT_COMPARED)))
            continue
        try:
            priced = pay_terms(terms, book, day, session_hours=line.session_hours, prep_hours=line.prep_hours,
                               travel_hours=line.travel_hours)
        except NoRateOnDate:
            problems.append(Problem(ProblemKind.NO_FIGURE, line.description, month, terms.rate_card_ref))
            months.append(SessionMonth(month, year, sessions, line.people, None, None, None, terms.basis,
                                       FairOption(None, None, None, Fairness.NOT_COMPARED)))
            continue
        fair = fair_option(role, priced, group_roles, book, day, london)  # type: ignore[arg-type]
        if fair.reason is Fairness.CANNOT_PRICE:
            problems.append(Problem(ProblemKind.FAIR_CANNOT_PRICE, line.description, month))
        months.append(SessionMonth(month, year, sessions, line.people, pay_per_session(priced),
                                   effective_hourly_rate(priced), priced.rate, priced.basis, fair))
    return LineCosting(line, role, tuple(months))


def _cost_item(item: PlanItem, book: RateBook, first: dt.date, years: int, problems: list[Problem]) -> ItemCosting:
    months = []
    for month in item_schedule(item.first_month, item.times, item.every_months):
        cost = item.unit_cost
        if item.rate_card_ref:
            entry = book.lookup(item.rate_card_ref, month_end(month))
            if entry is None:
                problems.append(Problem(ProblemKind.NO_FIGURE, item.description, month, item.rate_card_ref))
                cost = None
            else:
                cost = entry.amount
        months.append(ItemMonth(month, _year(first, month, years), cost))
    return ItemCosting(item, tuple(months))


def contingency_on(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` of ``amount``, rounded once to the penny, half up."""
    return round_money(ARITHMETIC.divide(ARITHMETIC.multiply(amount, to_decimal(percent)), HUNDRED))


def cost_plan(plan: Plan, book: RateBook) -> PlanCosting:
    """Cost every line and item of ``plan`` month by month, and add it all up."""
    months = plan_months(plan.start, plan.end)
    if len(months) > MAX_MONTHS:
        raise ValueError(f"a plan can cover at most {MAX_MONTHS} months")
    first, last = months[0], months[-1]
    years = (len(months) + 11) // 12
    roles = {role.key: role for role in plan.roles}
    problems: list[Problem] = []

    lines = tuple(_cost_line(line, roles.get(line.role_key), plan.roles, book, first, years, problems, plan.london)
                  for line in plan.lines)
    items = tuple(_cost_item(item, book, first, years, problems) for item in plan.items)

    outside = set()
    by_month: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    year_sections: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    year_fair: dict[int, Decimal] = defaultdict(lambda: ZERO)
    not_in_total = ZERO
    for costing in lines:
        for month in costing.months:
            if not first <= month.month <= last:
                outside.add((costing.line.description, month.month))
            if not costing.line.in_total:
                not_in_total += month.cost
                continue
            by_month[month.month][TIME] += month.cost
            year_sections[month.year][TIME] += month.cost
            year_fair[month.year] += month.difference
    for costing in items:
        for month in costing.months:
            if not first <= month.month <= last:
                outside.add((costing.item.description, month.month))
            amount = costing.cost_in(month)
            by_month[month.month][costing.item.category.value] += amount
            year_sections[month.year][costing.item.category.value] += amount
    for title, month in sorted(outside, key=lambda pair: (pair[1], pair[0])):
        problems.append(Problem(ProblemKind.OUTSIDE_DATES, title, month))

    year_totals = []
    for index in range(1, years + 1):
        sections = {section: year_sections[index][section] for section in SECTIONS}
        subtotal = sum(sections.values(), ZERO)
        fair_difference = year_fair[index]
        year_totals.append(YearTotal(
            index=index,
            first_month=add_months(first, (index - 1) * 12),
            last_month=min(add_months(first, index * 12 - 1), last),
            by_section=sections,
            subtotal=subtotal,
            contingency=contingency_on(subtotal, plan.contingency_percent),
            fair_difference=fair_difference,
            fair_contingency=contingency_on(subtotal + fair_difference, plan.contingency_percent),
        ))

    by_section = {section: sum((year.by_section[section] for year in year_totals), ZERO) for section in SECTIONS}
    return PlanCosting(
        plan=plan,
        months=tuple(sorted(set(months) | set(by_month))),
        lines=lines,
        items=items,
        by_month={month: dict(values) for month, values in by_month.items()},
        by_section=by_section,
        by_role=_role_totals(plan, lines),
        years=tuple(year_totals),
        not_in_total=not_in_total,
        problems=tuple(problems),
    )


def _role_totals(plan: Plan, lines: tuple[LineCosting, ...]) -> tuple[RoleTotal, ...]:
    totals = []
    for role in plan.roles:
        mine = [costing for costing in lines if costing.line.role_key == role.key]
        if not mine:
            continue
        counted = [costing for costing in mine if costing.line.in_total]
        cost = sum((costing.total for costing in counted), ZERO)
        fairs = [costing.fair_total for costing in counted]
        compared = role.kind.is_lived_experience_side
        fair_cost = None if not compared or any(fair is None for fair in fairs) else sum(fairs, ZERO)  # type: ignore[arg-type]
        totals.append(RoleTotal(
            key=role.key, title=role.title, kind=role.kind,
            sessions=sum(costing.line.sessions for costing in mine),
            cost=cost, fair_cost=fair_cost,
            difference=sum((costing.difference for costing in counted), ZERO),
            not_in_total=sum((costing.total for costing in mine if not costing.line.in_total), ZERO),
        ))
    return tuple(totals)
