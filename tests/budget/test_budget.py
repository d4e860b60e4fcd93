"""Budgets in the database: a project's plan with a pay rise part way through, drafts turned into
projects, and plan against actual matching the ledger to the penny (on SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from remun.accounts.models import ProjectLead, User, UserRole
from remun.budget import drafts
from remun.budget.actuals import ledger_actuals, plan_against_actual
from remun.budget.models import Budget, BudgetCategory, BudgetDraftRole, BudgetItem, BudgetLine
from remun.budget.planning import TIME, cost_plan
from remun.budget.store import load_budget, plan_of, visible_budgets
from remun.project_records.enums import PayBasis, RoleKind
from remun.ledger import balances
from remun.project_records.models import Project
from tests.helpers.budget import build_ledger, d, project_with_budget  # noqa: F401  (fixtures too)


def test_a_project_budget_counts_a_pay_rise_from_its_date(session, rate_book):
    project, budget, roles = project_with_budget(session)
    costing = cost_plan(plan_of(load_budget(session, budget.id)), rate_book)
    panel = costing.lines[0]
    assert [(p.first_month, p.count, p.each) for p in panel.pieces()] == [
        (d(2026, 4, 1), 3, D("80.00")), (d(2026, 7, 1), 3, D("88.00"))]
    assert panel.total == D("1008.00")  # 2 people x (3 x £80 + 3 x £88)
    assert costing.by_section[BudgetCategory.EXPENSES.value] == D("76.80")
    assert costing.subtotal == D("1134.80")
    # Against the clinician's £30 an hour (4 hours given), fair is £120 a session: £80 → £120, £88 → £120.
    assert panel.fair_total == D("1440.00")
    assert panel.difference == D("432.00")  # 2 x (3 x £40 + 3 x £32)


def test_plan_against_actual_matches_the_ledger_to_the_penny(session, rate_book):
    project, budget, roles = project_with_budget(session)
    build_ledger(session, rate_book, project, roles)
    ledger = ledger_actuals(session, project.id)
    book = balances.project_balances(session, project.id)

    # Committed is what people are owed; spent is what was paid or given; together, the project cost.
    assert ledger.total.committed == sum((p.owed for p in book.people), D(0)) == D("226.40")
    assert ledger.total.spent == sum((p.paid + p.in_kind for p in book.people), D(0)) == D("312.00")
    assert ledger.total.total == book.project_cost == D("538.40")
    assert ledger.section(TIME).total == book.cost_time == D("500.00")
    assert ledger.section(BudgetCategory.EXPENSES.value).total == book.cost_expenses == D("38.40")

    # By role: the panel member's (Cal declined; Eve's £80 reversed, then £60), and the unplanned reviewer.
    panel = ledger.by_role[roles["panel"].id]
    assert (panel.committed, panel.spent) == (D("220.00"), D("240.00"))
    reviewer = ledger.by_role[roles["reviewer"].id]
    assert (reviewer.committed, reviewer.spent) == (D("0.00"), D("40.00"))
    # By month of the session.
    assert {month: (a.committed, a.spent) for month, a in ledger.by_month[TIME].items()} == {
        d(2026, 4, 1): (D("80.00"), D("160.00")), d(2026, 5, 1): (D("60.00"), D("120.00")),
        d(2026, 6, 1): (D("80.00"), D("0.00"))}
    assert {month: (a.committed, a.spent) for month, a in ledger.by_month["expenses"].items()} == {
        d(2026, 4, 1): (D("0.00"), D("25.60")), d(2026, 5, 1): (D("0.00"), D("6.40")),
        d(2026, 6, 1): (D("6.40"), D("0.00"))}
    assert ledger.unattributed.total == D("0")

    costing = cost_plan(plan_of(load_budget(session, budget.id)), rate_book)
    versus = plan_against_actual(costing, ledger, today=d(2026, 6, 20))
    rows = {row.title: row for row in versus.roles}
    assert (rows["Panel member"].planned, rows["Panel member"].planned_to_date) == (D("1008.00"), D("480.00"))
    assert rows["Panel member"].remaining == D("548.00")
    assert not rows["Panel member"].will_overrun  # £460 so far against £480 planned to the end of June
    assert rows["Carer reviewer"].planned == D("0") and rows["Carer reviewer"].overrun  # paid, never planned
    sections = {row.key: row for row in versus.sections}
    assert sections["expenses"].actual.total == D("38.40") and sections["expenses"].planned == D("76.80")
    assert sections["venue"].actual is None  # not paid through the ledger
    assert sum((row.actual.total for row in versus.months), D(0)) == book.project_cost
    # The reviewer's £40 also takes payment for time (£500) past the £480 planned to the end of June.
    assert [row.title for row in versus.warnings] == ["Carer reviewer", "time"]
    assert sections["time"].over_by == D("20.00")


def test_overrun_warnings(session, rate_book):
    project, budget, roles = project_with_budget(session)
    build_ledger(session, rate_book, project, roles)
    costing = cost_plan(plan_of(load_budget(session, budget.id)), rate_book)
    ledger = ledger_actuals(session, project.id)
    # Seen from April: £460 of panel time is more than the £160 planned for April. If the rest goes as
    # planned, the panel will cost £460 + £848 = £1,308: £300 more than the £1,008 planned.
    versus = plan_against_actual(costing, ledger, today=d(2026, 4, 30))
    panel = next(row for row in versus.roles if row.title == "Panel member")
    assert panel.will_overrun and not panel.overrun
    assert (panel.forecast, panel.over_by) == (D("1308.00"), D("300.00"))
    expenses = next(row for row in versus.sections if row.key == "expenses")
    assert expenses.will_overrun and expenses.over_by == D("25.60")  # £38.40 against £12.80 for April
    # With only one panel planned, it is over budget.
    budget.lines[0].sessions = 1
    session.flush()
    costing = cost_plan(plan_of(load_budget(session, budget.id)), rate_book)
    panel = next(row for row in plan_against_actual(costing, ledger, today=d(2026, 6, 20)).roles
                 if row.title == "Panel member")
    assert panel.overrun and panel.planned == D("160.00")


def test_a_project_budget_goes_with_its_project_and_lines_with_their_role(session, rate_book):
    project, budget, roles = project_with_budget(session)
    budget_id = budget.id
    line_ids = [line.id for line in budget.lines]
    session.delete(roles["panel"])
    session.flush()
    session.expire_all()
    assert session.scalars(select(BudgetLine).where(BudgetLine.id.in_(line_ids))).all() == []
    session.delete(session.get(Project, project.id))
    session.flush()
    session.expire_all()
    assert session.get(Budget, budget_id) is None


def draft(session, owner=None) -> Budget:
    budget = drafts.new_draft("Recovery college co-design", d(2026, 9, 1), d(2027, 8, 31),
                              contingency_percent=D("5"), created_by_id=owner.id if owner else None)
    co_chair = BudgetDraftRole(title="Lived experience co-chair", kind=RoleKind.LIVED_EXPERIENCE, group_name="Co-chair",
                               basis=PayBasis.SESSION, rate=D("90"), session_hours=D("3"), prep_hours=D("2"))
    clinical = BudgetDraftRole(title="Clinical co-chair", kind=RoleKind.CLINICAL, group_name=" co-chair ",
                               basis=PayBasis.SALARY, rate=D("30"), session_hours=D("3"), prep_hours=D("2"),
                               prep_paid=True)
    budget.draft_roles.extend([co_chair, clinical])
    budget.lines.append(BudgetLine(draft_role=co_chair, description="Steering group", first_month=d(2026, 9, 1),
                                   sessions=12, session_hours=D("3"), prep_hours=D("2"), travel_hours=D("0")))
    budget.lines.append(BudgetLine(draft_role=clinical, description="Steering group", first_month=d(2026, 9, 1),
                                   sessions=12, session_hours=D("3"), prep_hours=D("2"), travel_hours=D("0"),
                                   in_total=False))
    budget.items.append(BudgetItem(category=BudgetCategory.ACCESSIBILITY, description="Easy read versions",
                                   quantity=D("4"), unit_cost=D("120"), first_month=d(2026, 9, 1), times=1))
    session.add(budget)
    session.flush()
    return budget


def test_a_draft_costs_its_own_roles_and_the_fair_option(session, rate_book):
    budget = draft(session)
    costing = cost_plan(plan_of(load_budget(session, budget.id)), rate_book)
    # 12 x £90 + £480 of easy read, 5% contingency. "Co-chair" and " co-chair " are one equal role, so the
    # lived experience co-chair is compared with the clinical co-chair's £30 an hour: £150 a session.
    assert costing.subtotal == D("1560.00")
    assert costing.contingency == D("78.00")
    assert costing.not_in_total == D("1800.00")  # 12 x £30 x 5 hours
    assert costing.fair_difference == D("720.00")


def test_turning_a_draft_into_a_project(session, rate_book):
    lead = User(email="drafter@example.org", role=UserRole.LEAD)
    session.add(lead)
    session.flush()
    budget = draft(session, owner=lead)
    before = cost_plan(plan_of(load_budget(session, budget.id)), rate_book)
    assert before.fair_difference == D("720.00")  # parity with £30 x 5 = £150: 12 x £60 more

    project = drafts.make_project(session, budget)
    session.flush()
    session.expire_all()
    budget = load_budget(session, budget.id)
    assert budget.project_id == project.id and not budget.is_draft
    assert budget.draft_roles == []
    project = session.get(Project, project.id)
    assert (project.name, project.start_date, project.end_date, project.currency) == (
        "Recovery college co-design", d(2026, 9, 1), d(2027, 8, 31), "GBP")
    assert [group.name for group in project.groups] == ["Co-chair"]
    assert sorted(role.title for role in project.groups[0].roles) == ["Clinical co-chair", "Lived experience co-chair"]
    clinical = next(role for role in project.roles if role.title == "Clinical co-chair")
    assert [(t.effective_from, t.basis, t.rate, t.prep_paid) for t in clinical.terms] == [
        (d(2026, 9, 1), PayBasis.SALARY, D("30.0000"), True)]
    assert all(line.role_id is not None and line.draft_role_id is None for line in budget.lines)
    assert session.get(ProjectLead, (lead.id, project.id)) is not None  # the lead who drafted it leads it

    after = cost_plan(plan_of(budget), rate_book)
    assert (after.subtotal, after.total, after.fair_total, after.not_in_total) == (
        before.subtotal, before.total, before.fair_total, before.not_in_total)
    assert visible_budgets(session, lead) == [budget]


def test_a_draft_with_roles_but_no_sessions_planned_becomes_a_project(session):
    # Its equal roles used to be left out of the session (nothing planned pointed at them) and the flush failed.
    budget = draft(session)
    budget.lines.clear()
    budget.items.clear()
    session.flush()
    project = drafts.make_project(session, budget)
    session.flush()
    session.expire_all()
    project = session.get(Project, project.id)
    assert [group.name for group in project.groups] == ["Co-chair"]
    assert sorted(role.title for role in project.groups[0].roles) == ["Clinical co-chair", "Lived experience co-chair"]


def test_a_draft_that_cannot_become_a_project_says_why(session):
    session.add(Project(name="Recovery college co-design"))
    budget = draft(session)
    assert [p.code for p in drafts.problems_making_project(session, budget)] == ["name_taken"]
    with pytest.raises(drafts.DraftProblem):
        drafts.make_project(session, budget)
    empty = drafts.new_draft("Nothing yet", d(2026, 4, 1), d(2026, 9, 30))
    session.add(empty)
    session.flush()
    assert [p.code for p in drafts.problems_making_project(session, empty)] == ["no_roles"]


def test_leads_see_their_projects_budgets_and_their_own_drafts(session):
    mine = User(email="mine@example.org", role=UserRole.LEAD)
    other = User(email="other@example.org", role=UserRole.LEAD)
    finance = User(email="money@example.org", role=UserRole.FINANCE)
    participant = User(email="p@example.org", role=UserRole.PARTICIPANT)
    project = Project(name="Led project")
    session.add_all([mine, other, finance, participant, project])
    session.flush()
    session.add(ProjectLead(user_id=mine.id, project_id=project.id))
    led = Budget(project=project, name="Led project", start_date=d(2026, 4, 1), end_date=d(2026, 9, 30))
    my_draft = drafts.new_draft("My draft", d(2026, 4, 1), d(2026, 9, 30), created_by_id=mine.id)
    their_draft = drafts.new_draft("Their draft", d(2026, 4, 1), d(2026, 9, 30), created_by_id=other.id)
    session.add_all([led, my_draft, their_draft])
    session.flush()
    assert [b.name for b in visible_budgets(session, mine)] == ["Led project", "My draft"]
    assert [b.name for b in visible_budgets(session, other)] == ["Their draft"]
    assert {b.name for b in visible_budgets(session, finance)} >= {"Led project", "My draft", "Their draft"}
    assert visible_budgets(session, participant) == []
