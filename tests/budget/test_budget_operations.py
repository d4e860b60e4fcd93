"""Budget operations (remun/budget/operations.py): each change checks, writes and records its audit
entry in the caller's session, and the budget pages make changes only through them."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from remun.accounts.models import AuditEvent
from remun.budget import operations
from remun.budget.drafts import DraftProblem
from remun.budget.models import Budget, BudgetCategory, BudgetDraftRole, BudgetItem, BudgetLine
from remun.budget.operations import (
    BudgetDetails,
    BudgetProblem,
    DraftRoleDetails,
    ItemDetails,
    LineDetails,
)
from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Project, Role, RoleTerms

d = dt.date
VIEWS = Path(__file__).resolve().parents[2] / "remun" / "web" / "views"


def _events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _draft(session) -> Budget:
    budget = operations.start_draft(
        session, BudgetDetails(start_date=d(2026, 4, 1), end_date=d(2027, 3, 31), contingency_percent=D("10"),
                               notes="  For the funder  ", name="  Peer panel  ", currency="GBP"),
        by_user_id=None)
    session.flush()
    return budget


def _role_details(**changes) -> DraftRoleDetails:
    values = dict(title=" Panel member ", kind=RoleKind.LIVED_EXPERIENCE, group_name=" Panel ", basis=PayBasis.HOUR,
                  rate=D("20"), rate_card_ref=None, session_hours=D("3"), prep_hours=D("1"), prep_paid=True,
                  travel_hours=D("0.5"), travel_paid=False)
    values.update(changes)
    return DraftRoleDetails(**values)


def _line_details(**changes) -> LineDetails:
    values = dict(description=" Panel ", sessions=6, per_month=1, first_month=d(2026, 4, 1), every_months=1, people=2,
                  in_total=True, notes="")
    values.update(changes)
    return LineDetails(**values)


def test_starting_a_draft_saves_it_with_its_audit_entry(session):
    budget = _draft(session)
    assert (budget.name, budget.notes, budget.created_by_id) == ("Peer panel", "For the funder", None)
    (event,) = _events(session, "budget.created")
    assert (event.object_type, event.object_id, event.detail) == ("budgets", str(budget.id), '{"draft": true}')


def test_a_project_has_one_budget(session):
    project = Project(name="Operations project", start_date=d(2026, 4, 1), end_date=d(2027, 3, 31))
    session.add(project)
    session.flush()
    details = BudgetDetails(start_date=d(2026, 4, 1), end_date=d(2027, 3, 31), contingency_percent=D("0"),
                            name="Ignored", currency="EUR")
    budget = operations.start_project_budget(session, project, details, by_user_id=None)
    session.flush()
    assert (budget.name, budget.currency, budget.project_id) == ("Operations project", project.currency, project.id)
    assert [event.object_id for event in _events(session, "budget.created")] == [str(budget.id)]
    with pytest.raises(BudgetProblem) as problem:
        operations.start_project_budget(session, project, details, by_user_id=None)
    assert problem.value.code == "exists"
    # A project's budget keeps the project's name and currency when its details are saved.
    operations.save_details(budget, details)
    assert (budget.name, budget.currency) == ("Operations project", project.currency)


def test_planned_sessions_take_the_roles_usual_hours_unless_given(session):
    budget = _draft(session)
    role = operations.add_draft_role(session, budget, _role_details())
    session.flush()
    assert (role.title, role.group_name) == ("Panel member", "Panel")
    line = operations.add_line(session, budget, _line_details(draft_role_id=role.id, prep_hours=D("2")))
    session.flush()
    assert (line.session_hours, line.prep_hours, line.travel_hours) == (D("3"), D("2"), D("0.5"))
    assert (line.description, line.notes, line.role_id, line.draft_role_id) == ("Panel", None, None, role.id)
    operations.change_line(budget, line, _line_details(draft_role_id=role.id, sessions=4, notes=" Monthly "))
    assert (line.sessions, line.prep_hours, line.notes) == (4, D("1"), "Monthly")


def test_a_line_for_a_role_that_is_not_the_budgets_is_refused_and_nothing_is_added(session):
    budget = _draft(session)
    with pytest.raises(BudgetProblem) as problem:
        operations.add_line(session, budget, _line_details(draft_role_id=999_999))
    assert problem.value.code == "unknown_role"
    session.flush()
    assert session.scalars(select(BudgetLine).where(BudgetLine.budget_id == budget.id)).all() == []
    assert budget.lines == []


def test_a_project_role_with_no_terms_cannot_be_planned(session):
    project = Project(name="No terms yet", start_date=d(2026, 4, 1), end_date=d(2027, 3, 31))
    bare = Role(project=project, title="Reviewer", kind=RoleKind.CARER)
    session.add_all([project, bare])
    session.flush()
    budget = operations.start_project_budget(
        session, project, BudgetDetails(start_date=d(2026, 4, 1), end_date=d(2027, 3, 31),
                                        contingency_percent=D("0")), by_user_id=None)
    session.flush()
    session.refresh(project)
    with pytest.raises(BudgetProblem) as problem:
        operations.usual_terms(budget, role_id=bare.id)
    assert problem.value.code == "no_terms"
    bare.terms.append(RoleTerms(effective_from=d(2026, 4, 1), basis=PayBasis.SESSION, rate=D("40"),
                                session_hours=D("2")))
    session.flush()
    assert operations.usual_terms(budget, role_id=bare.id).rate == D("40")


def test_a_draft_role_with_planned_sessions_cannot_be_removed(session):
    budget = _draft(session)
    role = operations.add_draft_role(session, budget, _role_details())
    session.flush()
    line = operations.add_line(session, budget, _line_details(draft_role_id=role.id))
    session.flush()
    assert operations.draft_role_blockers(budget, role) == ["role_planned"]
    with pytest.raises(BudgetProblem):
        operations.remove_draft_role(session, budget, role)
    operations.remove_line(session, line)
    session.flush()
    session.refresh(budget)
    operations.remove_draft_role(session, budget, role)
    session.flush()
    assert session.get(BudgetDraftRole, role.id) is None


def test_items_are_added_changed_and_removed(session):
    budget = _draft(session)
    details = ItemDetails(category=BudgetCategory.VENUE, description=" Room ", quantity=D("1"), unit_cost=D("50"),
                          first_month=d(2026, 4, 1), times=1, every_months=1, notes=" ")
    item = operations.add_item(session, budget, details)
    session.flush()
    assert (item.description, item.notes) == ("Room", None)
    operations.change_item(item, ItemDetails(category=BudgetCategory.EXPENSES, description="Fares", quantity=D("2"),
                                             rate_card_ref=None, unit_cost=D("6.40"), first_month=d(2026, 5, 1),
                                             times=3, every_months=1))
    session.flush()
    assert (item.category, item.times) == (BudgetCategory.EXPENSES, 3)
    operations.remove_item(session, item)
    session.flush()
    assert session.get(BudgetItem, item.id) is None


def test_making_a_project_and_removing_a_budget_are_audited(session):
    budget = _draft(session)
    operations.add_draft_role(session, budget, _role_details())
    session.flush()
    project = operations.make_project(session, budget, by_user_id=None)
    session.flush()
    # A draft with roles but no planned sessions keeps its roles (they were once left out of the session).
    session.expire_all()
    assert [(role.title, role.group.name) for role in session.get(Project, project.id).roles] == [("Panel member", "Panel")]
    (made,) = _events(session, "budget.project_made")
    assert (made.object_type, made.object_id) == ("project", str(project.id))
    with pytest.raises(DraftProblem):
        operations.make_project(session, budget, by_user_id=None)  # no longer a draft
    budget_id = budget.id
    operations.record_workbook_download(session, budget, by_user_id=None)
    operations.remove_budget(session, budget, by_user_id=None)
    session.flush()
    assert session.get(Budget, budget_id) is None
    assert [event.object_id for event in _events(session, "budget.removed")] == [str(budget_id)]
    assert [event.detail for event in _events(session, "budget.exported")] == ['{"format": "xlsx"}']


def test_draft_only_changes_are_refused_on_a_projects_budget(session):
    project = Project(name="Not a draft", start_date=d(2026, 4, 1), end_date=d(2027, 3, 31))
    session.add(project)
    session.flush()
    budget = operations.start_project_budget(
        session, project, BudgetDetails(start_date=d(2026, 4, 1), end_date=d(2027, 3, 31),
                                        contingency_percent=D("0")), by_user_id=None)
    with pytest.raises(BudgetProblem) as problem:
        operations.add_draft_role(session, budget, _role_details())
    assert problem.value.code == "not_a_draft"


def _calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]


def test_the_budget_pages_change_nothing_themselves():
    # Adding, deleting and auditing happen in remun/budget/operations.py; the pages commit through
    # remun/web/pages.py (save, try_save, commit), the request's one unit of work.
    for name in ("budget.py", "budget_forms.py"):
        calls = _calls(VIEWS / name)
        writes = [call for call in calls if call.startswith(("db.session.add", "db.session.delete",
                                                             "db.session.commit", "db.session.flush"))
                  or call.split(".")[-1] in ("audit", "audit_created", "audit_changes", "audit_removed", "record",
                                             "record_for", "record_when_deleted")]
        assert writes == [], f"{name} writes itself: {writes}"
        assert not any(call.startswith("drafts.make_project") for call in calls)
    assert any(call.startswith("budget_operations.") for call in _calls(VIEWS / "budget.py"))


def test_the_budget_page_modules_are_under_500_lines():
    for name in ("budget.py", "budget_forms.py"):
        assert len((VIEWS / name).read_text(encoding="utf-8").splitlines()) <= 500, name
