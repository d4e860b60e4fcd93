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
- **Sessions.** Pay for one session follows ``remun.pay.terms`` with the line's
  hours and the role's terms for that month (basis, rate, whether preparation
  and travel are paid). A month's cost = pay for one session x sessions that
  month x people.
- **The fair option.** For every lived-experience and carer role, the pay for
  one session that reaches parity with the best-paid clinical or professional
  role in its equal role (``remun.parity.rules``: compare_group and close_gap), and
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

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from remun.budget.models import BudgetCategory
# What a plan is made of and what it costs, and its months: in their own modules, named here too
# (``from remun.budget.planning import Plan, cost_plan, month_start``).
from remun.budget.months import (MAX_MONTHS, add_months, item_schedule, month_end, month_start,
                                 months_between, plan_months, session_schedule)
from remun.budget.plan_parts import (FairOption, Fairness, FairPiece, ItemCosting, ItemMonth, LineCosting,
                                     Piece, Plan, PlanCosting, PlanItem, PlanLine, PlanRole, Problem, ProblemKind,
                                     RoleTotal, SessionMonth, TermsFrom, YearTotal)
from remun.project_records.enums import PayBasis, RoleKind
from remun.money import HUNDRED, ZERO, round_money, to_decimal
from remun.parity.rules import RoleOffer, close_gap, compare_group
from remun.pay.terms import (
    ARITHMETIC,
    NoRateOnDate,
    PayTerms,
    effective_hourly_rate,
    exact_hourly_rate,
    hours_given,
    pay_per_session,
    pay_terms,
)
from remun.pay.rate_cards import RateBook

__all__ = [
    "TIME", "SECTIONS", "MAX_MONTHS", "add_months", "item_schedule", "month_end", "month_start", "months_between",
    "plan_months", "session_schedule", "FairOption", "Fairness", "FairPiece", "ItemCosting", "ItemMonth",
    "LineCosting", "Piece", "Plan", "PlanCosting", "PlanItem", "PlanLine", "PlanRole", "Problem", "ProblemKind",
    "RoleTotal", "SessionMonth", "TermsFrom", "YearTotal", "fair_option", "contingency_on", "cost_plan",
    "NoRateOnDate", "pay_terms",
]

#: Payment for time (planned sessions) is the first section; the item categories follow.
TIME = "time"
SECTIONS: tuple[str, ...] = (TIME,) + tuple(category.value for category in BudgetCategory)


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
