"""Costing a budget (remun.budget.planning): worked examples, each worked out by hand in docs/budget.md.

The rate book here is made for the tests, so the examples do not change when
the real rate cards are updated: a Real Living Wage of £13.45 that rises to
£14.00 (a test figure) from 21 October 2026, and a pay band of £16.53 an hour
that rises to £17.23 from 1 April 2027.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from remun.budget.models import BudgetCategory
from remun.budget.planning import TIME, Fairness, Plan, PlanItem, PlanLine, PlanRole, ProblemKind, contingency_on, cost_plan, item_schedule, plan_months, session_schedule
from remun.project_records.enums import PayBasis, RoleKind
from tests.helpers.budget import d, make_book, terms, worked_example  # noqa: F401  (fixtures too)


@pytest.fixture(scope="module")
def costing():
    return cost_plan(worked_example(), make_book())


def line(costing, key):
    return next(c for c in costing.lines if c.line.key == key)


def item(costing, key):
    return next(c for c in costing.items if c.item.key == key)


# --- The worked example --------------------------------------------------------------------------

def test_sessions_are_costed_on_the_terms_in_force_each_month(costing):
    steering = line(costing, "steering")
    assert [m.month for m in steering.months][:3] == [d(2026, 5, 1), d(2026, 7, 1), d(2026, 9, 1)]
    assert steering.months[-1].month == d(2028, 3, 1)
    # 6 sessions at £90 in year 1, then 6 at £100 after the rise of 1 April 2027.
    assert [(p.year, p.count, p.each) for p in steering.pieces()] == [(1, 6, D("90.00")), (2, 6, D("100.00"))]
    assert steering.total == D("1140.00")


def test_the_fair_option_matches_the_comparator_each_year(costing):
    steering = line(costing, "steering")
    # The clinical co-chair's salary is worth £30 an hour, then £31: 5 hours given makes £150, then £155.
    assert [(p.each, p.fair_each) for p in steering.pieces()] == [(D("90.00"), D("150.00")), (D("100.00"), D("155.00"))]
    assert steering.fair_total == D("1830.00")
    assert steering.difference == D("690.00")  # 6 x £60 + 6 x £55
    first = steering.months[0].fair
    assert (first.reason, first.comparator_title, first.rounded_comparator_rate) == (
        Fairness.PARITY, "Clinical co-chair", D("30.00"))


def test_the_fair_option_is_never_below_the_real_living_wage(costing):
    workshop = line(costing, "workshop")
    # £12 an hour for 2 hours, with 1 hour's preparation and 1 hour's travel unpaid: £24 a session,
    # £6 for each of the 4 hours given. No clinical or professional role to compare with, so the floor
    # sets the fair option: £13.45 x 4 / 2 = £26.90 an hour (£53.80 a session); from 21 October 2026 the
    # test living wage of £14.00 gives £28.00 (£56.00 a session).
    assert [(f.first_month, f.sessions, f.first.pay_per_session, f.first.fair.pay_per_session, f.first.fair.rate)
            for f in workshop.fair_pieces()] == [
        (d(2026, 6, 1), 2, D("24.00"), D("53.80"), D("26.90")),
        (d(2026, 12, 1), 2, D("24.00"), D("56.00"), D("28.00")),
    ]
    assert all(m.fair.reason is Fairness.LIVING_WAGE for m in workshop.months)
    assert workshop.total == D("288.00")  # 4 sessions x 3 people x £24
    assert workshop.fair_total == D("658.80")  # 3 x (2 x £53.80 + 2 x £56.00)
    assert workshop.difference == D("370.80")


def test_salaried_time_is_costed_but_not_in_the_total(costing):
    staff = line(costing, "steering-staff")
    assert staff.total == D("1830.00")  # 6 x £150 + 6 x £155
    assert staff.fair_total is None  # not a lived experience or carer role
    assert costing.not_in_total == D("1830.00")
    assert costing.by_section[TIME] == D("1428.00")  # £1,140 + £288


def test_items_are_quantity_times_cost_each_rounded_each_time(costing):
    assert item(costing, "travel").total == D("180.00")
    assert item(costing, "bsl").total == D("1000.00")
    # 3 x £4.175 = £12.525, rounded half up to £12.53.
    assert item(costing, "tea").total == D("12.53")
    coordinator = item(costing, "coordinator")
    # 10 hours at the band's rate in force each month: £165.30 for 12 months, then £172.30 for 12.
    assert [(p.year, p.count, p.unit_cost, p.each) for p in coordinator.pieces()] == [
        (1, 12, D("16.53"), D("165.30")), (2, 12, D("17.23"), D("172.30"))]
    assert coordinator.total == D("4051.20")


def test_totals_by_section_year_and_in_all(costing):
    year1, year2 = costing.years
    assert (year1.first_month, year1.last_month, year2.first_month, year2.last_month) == (
        d(2026, 4, 1), d(2027, 3, 1), d(2027, 4, 1), d(2028, 3, 1))
    assert {k: v for k, v in year1.by_section.items() if v} == {
        "time": D("828.00"), "expenses": D("90.00"), "accessibility": D("500.00"), "venue": D("12.53"),
        "staff_time": D("1983.60")}
    assert {k: v for k, v in year2.by_section.items() if v} == {
        "time": D("600.00"), "expenses": D("90.00"), "accessibility": D("500.00"), "staff_time": D("2067.60"),
        "other": D("200.00")}
    assert (year1.subtotal, year1.contingency, year1.total) == (D("3414.13"), D("341.41"), D("3755.54"))
    assert (year2.subtotal, year2.contingency, year2.total) == (D("3457.60"), D("345.76"), D("3803.36"))
    assert (costing.subtotal, costing.contingency, costing.total) == (D("6871.73"), D("687.17"), D("7558.90"))
    # The fair option: £730.80 more in year 1 (£360 + £370.80) and £330 in year 2.
    assert (year1.fair_difference, year2.fair_difference) == (D("730.80"), D("330.00"))
    assert (year1.fair_total, year2.fair_total) == (D("4559.42"), D("4166.36"))
    assert (costing.fair_difference, costing.fair_total) == (D("1060.80"), D("8725.78"))


def test_totals_by_month_and_role(costing):
    months = {month: costing.month_total(month) for month in costing.months}
    assert len(months) == 24
    assert months[d(2026, 4, 1)] == D("165.30")  # the coordinator only
    assert months[d(2026, 5, 1)] == D("270.30")  # £90 + £15 + £165.30
    assert months[d(2026, 9, 1)] == D("842.30")  # £90 + £72 + £15 + £500 + £165.30
    assert months[d(2026, 10, 1)] == D("177.83")  # £12.53 + £165.30
    assert sum(months.values()) == costing.subtotal
    assert [(r.title, r.sessions, r.cost, r.fair_cost, r.difference, r.not_in_total) for r in costing.by_role] == [
        ("Lived experience co-chair", 12, D("1140.00"), D("1830.00"), D("690.00"), D("0")),
        ("Clinical co-chair", 12, D("0"), None, D("0"), D("1830.00")),
        ("Carer panel member", 4, D("288.00"), D("658.80"), D("370.80"), D("0")),
    ]
    assert costing.problems == ()
    assert costing.longer_than_a_year


# --- Smaller rules ---------------------------------------------------------------------------------

def test_schedules():
    assert session_schedule(d(2026, 4, 1), 10, per_month=4) == [(d(2026, 4, 1), 4), (d(2026, 5, 1), 4), (d(2026, 6, 1), 2)]
    assert session_schedule(d(2026, 11, 1), 3, every_months=3) == [(d(2026, 11, 1), 1), (d(2027, 2, 1), 1), (d(2027, 5, 1), 1)]
    assert item_schedule(d(2026, 4, 1), 2, 12) == [d(2026, 4, 1), d(2027, 4, 1)]
    assert len(plan_months(d(2026, 4, 15), d(2027, 3, 2))) == 12
    with pytest.raises(ValueError):
        session_schedule(d(2026, 4, 1), 0)


def small_plan(roles, lines=(), items=(), start=d(2026, 4, 1), end=d(2027, 3, 31), contingency="0"):
    return Plan("Small", start, end, D(contingency), tuple(roles), tuple(lines), tuple(items))


def test_a_rise_part_way_through_a_month_counts_for_the_whole_month():
    role = PlanRole("r", "Panel member", RoleKind.LIVED_EXPERIENCE, None, (
        terms(d(2026, 4, 1), PayBasis.HOUR, "20", "3", "1", True),
        terms(d(2026, 6, 15), PayBasis.HOUR, "22", "3", "1", True),
    ))
    costing = cost_plan(small_plan([role], [PlanLine("l", "r", "Panel", d(2026, 5, 1), 2, D("3"), D("1"))]), make_book())
    # May: £20 x 4 = £80. June is costed on the terms of 30 June: £22 x 4 = £88.
    assert [m.pay_per_session for m in costing.lines[0].months] == [D("80.00"), D("88.00")]


def test_fair_option_for_unpaid_preparation_uses_the_parity_rules():
    lived = PlanRole("lived", "Peer researcher", RoleKind.LIVED_EXPERIENCE, "Researcher",
                     (terms(d(2026, 4, 1), PayBasis.HOUR, "18", "3", "2"),))
    clinical = PlanRole("staff", "Research nurse", RoleKind.CLINICAL, "Researcher",
                        (terms(d(2026, 4, 1), PayBasis.SALARY, "30", "3"),))
    costing = cost_plan(small_plan([lived, clinical], [PlanLine("l", "lived", "Analysis day", d(2026, 4, 1), 1, D("3"), D("2"))]),
                        make_book())
    fair = costing.lines[0].months[0].fair
    # docs/rules.md §7: 30 x 5 / 3 = £50.00 an hour; £150.00 a session instead of £54.00.
    assert (fair.reason, fair.rate, fair.pay_per_session) == (Fairness.PARITY, D("50.00"), D("150.00"))
    assert costing.lines[0].difference == D("96.00")


def test_already_fair_roles_keep_their_pay_and_comparator_below_the_living_wage_is_lifted():
    lived = PlanRole("lived", "Co-chair", RoleKind.LIVED_EXPERIENCE, "Co-chair",
                     (terms(d(2026, 4, 1), PayBasis.HOUR, "35", "3", "1", True),))
    clinical = PlanRole("staff", "Clinical co-chair", RoleKind.CLINICAL, "Co-chair",
                        (terms(d(2026, 4, 1), PayBasis.SALARY, "30", "3"),))
    costing = cost_plan(small_plan([lived, clinical], [PlanLine("l", "lived", "Meeting", d(2026, 4, 1), 1, D("3"), D("1"))]),
                        make_book())
    fair = costing.lines[0].months[0].fair
    assert (fair.reason, fair.pay_per_session) == (Fairness.ALREADY_FAIR, D("140.00"))
    assert costing.fair_difference == D("0")

    # A comparator paid £12 an hour is below the £13.45 living wage: the floor wins.
    low = PlanRole("staff", "Support worker", RoleKind.PROFESSIONAL, "Co-chair",
                   (terms(d(2026, 4, 1), PayBasis.SALARY, "12", "3"),))
    lived_low = PlanRole("lived", "Co-chair", RoleKind.LIVED_EXPERIENCE, "Co-chair",
                         (terms(d(2026, 4, 1), PayBasis.SESSION, "30", "3"),))
    costing = cost_plan(small_plan([lived_low, low], [PlanLine("l", "lived", "Meeting", d(2026, 4, 1), 1, D("3"))]),
                        make_book())
    fair = costing.lines[0].months[0].fair
    # Parity with £12 would be £36; the living wage needs £13.45 x 3 = £40.35.
    assert (fair.reason, fair.pay_per_session) == (Fairness.LIVING_WAGE, D("40.35"))


def test_no_paid_hours_cannot_be_priced_and_says_so():
    lived = PlanRole("lived", "Reviewer", RoleKind.LIVED_EXPERIENCE, None,
                     (terms(d(2026, 4, 1), PayBasis.HOUR, "20", "0", "2"),))
    costing = cost_plan(small_plan([lived], [PlanLine("l", "lived", "Reading", d(2026, 4, 1), 1, D("0"), D("2"))]),
                        make_book())
    assert costing.lines[0].months[0].fair.reason is Fairness.CANNOT_PRICE
    assert costing.lines[0].fair_total is None
    assert [p.kind for p in costing.problems] == [ProblemKind.FAIR_CANNOT_PRICE]


def test_contingency_is_rounded_each_year():
    assert contingency_on(D("3414.13"), D("10")) == D("341.41")
    assert contingency_on(D("0.05"), D("10")) == D("0.01")  # 0.005 rounds half up
    items = [PlanItem("a", BudgetCategory.OTHER, "Stamp", D("1"), D("0.05"), None, d(2026, 4, 1)),
             PlanItem("b", BudgetCategory.OTHER, "Stamp", D("1"), D("0.05"), None, d(2027, 4, 1))]
    costing = cost_plan(small_plan([], items=items, end=d(2028, 3, 31), contingency="10"), make_book())
    # Each year: 10% of £0.05 is £0.005, rounded to £0.01. The total is the sum of the years, £0.02.
    assert [y.contingency for y in costing.years] == [D("0.01"), D("0.01")]
    assert costing.contingency == D("0.02")


def test_missing_figures_and_dates_outside_the_plan_are_reported_not_guessed():
    role = PlanRole("r", "Panel member", RoleKind.LIVED_EXPERIENCE, None,
                    (terms(d(2026, 4, 1), PayBasis.HOUR, None, "2", ref="test-band/unknown"),))
    items = [PlanItem("a", BudgetCategory.STAFF_TIME, "Old band", D("1"), None, "test-band/band-5", d(2024, 3, 1))]
    costing = cost_plan(small_plan([role], [PlanLine("l", "r", "Panel", d(2027, 3, 1), 2, D("2"))], items), make_book())
    kinds = [(p.kind, p.title, p.month) for p in costing.problems]
    assert (ProblemKind.NO_FIGURE, "Panel", d(2027, 3, 1)) in kinds
    assert (ProblemKind.NO_FIGURE, "Old band", d(2024, 3, 1)) in kinds  # the band has no figure before April 2024
    assert (ProblemKind.OUTSIDE_DATES, "Panel", d(2027, 4, 1)) in kinds
    assert costing.subtotal == D("0")


def test_a_plan_is_at_most_ten_years():
    with pytest.raises(ValueError):
        cost_plan(small_plan([], end=d(2036, 4, 1)), make_book())
