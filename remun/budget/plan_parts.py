"""What a budget plan is made of (roles and their terms, planned sessions, items) and what it costs
(each line's and item's months, the fair option, problems, and the totals for each role and year).

Plain values, no rules: ``remun.budget.planning.cost_plan`` makes a ``PlanCosting`` from a ``Plan``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from remun.budget.models import BudgetCategory
from remun.project_records.enums import PayBasis, RoleKind
from remun.money import ZERO, round_money
from remun.pay.terms import ARITHMETIC, TermsFrom


# --- What a plan is made of ----------------------------------------------------------------------

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
