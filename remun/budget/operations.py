"""Every change a person makes to a budget, one function each: check, write, record in the audit log.

The budget pages (remun/web/views/budget.py) call these; they do not add,
change or delete rows themselves. Each function works in the caller's
session and leaves the commit to the caller's one unit of work (the request),
so a change and its audit entry are saved together or not at all. No Flask
here: the inputs are plain values (the ``*Details`` below).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.budget import drafts
from remun.budget.models import Budget, BudgetCategory, BudgetDraftRole, BudgetItem, BudgetLine
from remun.budget.store import budget_for_project
from remun.project_records.enums import RoleKind
from remun.project_records.models import Project, RoleTerms
from remun.pay.terms import Terms


class BudgetProblem(ValueError):
    """A change that cannot be made; ``code`` says which rule, for a plain message."""

    def __init__(self, code: str, **facts):
        self.code = code  # "exists", "not_a_draft", "role_planned", "unknown_role", "no_terms"
        self.facts = facts
        super().__init__(code)


def _text(value: str | None) -> str | None:
    """Typed text without surrounding spaces; nothing typed is None."""
    return (value or "").strip() or None


# --- A budget's details ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetDetails:
    start_date: dt.date
    end_date: dt.date
    contingency_percent: Decimal
    notes: str | None = None
    #: A draft's own name and currency; a project's budget takes the project's.
    name: str | None = None
    currency: str | None = None


def _is_draft(budget: Budget) -> bool:
    # ``Budget.is_draft`` reads project_id, which a new project's budget lacks until it is flushed.
    return budget.is_draft and budget.project is None


def _fill_budget(budget: Budget, details: BudgetDetails) -> None:
    if _is_draft(budget) and details.name is not None:
        budget.name = details.name.strip()
    if _is_draft(budget) and details.currency is not None:
        budget.currency = details.currency
    budget.start_date = details.start_date
    budget.end_date = details.end_date
    budget.contingency_percent = details.contingency_percent
    budget.notes = _text(details.notes)


def start_draft(session: Session, details: BudgetDetails, *, by_user_id: int | None) -> Budget:
    """A draft budget, planned before its project exists."""
    budget = drafts.new_draft(details.name or "", details.start_date, details.end_date,
                              currency=details.currency or "GBP", contingency_percent=details.contingency_percent,
                              created_by_id=by_user_id, notes=_text(details.notes))
    session.add(budget)
    audit.record_for(session, by_user_id, "budget.created", budget, {"draft": True})
    return budget


def start_project_budget(session: Session, project: Project, details: BudgetDetails, *,
                         by_user_id: int | None) -> Budget:
    """The budget of a project (a project has at most one)."""
    if budget_for_project(session, project.id) is not None:
        raise BudgetProblem("exists")
    budget = Budget(project=project, name=project.name, currency=project.currency, created_by_id=by_user_id)
    _fill_budget(budget, details)
    session.add(budget)
    audit.record_for(session, by_user_id, "budget.created", budget, {"project_id": project.id})
    return budget


def save_details(budget: Budget, details: BudgetDetails) -> None:
    """Dates, contingency and notes; a draft's name and currency too."""
    _fill_budget(budget, details)


def remove_budget(session: Session, budget: Budget, *, by_user_id: int | None) -> None:
    audit.record(session, by_user_id, "budget.removed", "budget", budget.id)
    session.delete(budget)


def record_workbook_download(session: Session, budget: Budget, *, by_user_id: int | None,
                             file_format: str = "xlsx") -> None:
    audit.record(session, by_user_id, "budget.exported", "budget", budget.id, {"format": file_format})


# --- A draft's roles ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftRoleDetails(Terms):
    """A draft role: its title, kind and equal role, and its pay terms (the fields of ``remun.pay.terms.Terms``)."""

    title: str = field(kw_only=True)
    kind: RoleKind = field(kw_only=True)
    group_name: str | None = field(default=None, kw_only=True)


def _fill_draft_role(role: BudgetDraftRole, details: DraftRoleDetails) -> None:
    role.title = details.title.strip()
    role.kind = details.kind
    role.group_name = _text(details.group_name)
    details.copy_to(role)
    role.rate_card_ref = details.rate_card_ref or None


def _draft_only(budget: Budget) -> None:
    if not _is_draft(budget):
        raise BudgetProblem("not_a_draft")


def add_draft_role(session: Session, budget: Budget, details: DraftRoleDetails) -> BudgetDraftRole:
    """A role planned in a draft. A second role with the same title is refused when saved (unique)."""
    _draft_only(budget)
    role = BudgetDraftRole(budget=budget)
    _fill_draft_role(role, details)
    session.add(role)
    return role


def change_draft_role(role: BudgetDraftRole, details: DraftRoleDetails) -> None:
    _draft_only(role.budget)
    _fill_draft_role(role, details)


def draft_role_blockers(budget: Budget, role: BudgetDraftRole) -> list[str]:
    """Why a draft role cannot be removed now (codes): sessions are planned for it."""
    return ["role_planned"] if any(line.draft_role_id == role.id for line in budget.lines) else []


def remove_draft_role(session: Session, budget: Budget, role: BudgetDraftRole) -> None:
    _draft_only(budget)
    blockers = draft_role_blockers(budget, role)
    if blockers:
        raise BudgetProblem(blockers[0])
    session.delete(role)


# --- Planned sessions -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LineDetails:
    description: str
    sessions: int
    per_month: int
    first_month: dt.date
    every_months: int
    people: int
    in_total: bool
    notes: str | None = None
    #: The role: one of the project's roles, or one of a draft's.
    role_id: int | None = None
    draft_role_id: int | None = None
    #: None: the role's usual hours.
    session_hours: Decimal | None = None
    prep_hours: Decimal | None = None
    travel_hours: Decimal | None = None


def usual_terms(budget: Budget, *, role_id: int | None = None,
                draft_role_id: int | None = None) -> RoleTerms | BudgetDraftRole:
    """The planned role's usual terms (a project role's latest; a draft role's own)."""
    if role_id is not None and budget.project is not None:
        role = next((role for role in budget.project.roles if role.id == role_id), None)
        if role is not None:
            if role.current_terms is None:
                raise BudgetProblem("no_terms")
            return role.current_terms
    if draft_role_id is not None and budget.is_draft:
        role = next((role for role in budget.draft_roles if role.id == draft_role_id), None)
        if role is not None:
            return role
    raise BudgetProblem("unknown_role")


def _fill_line(budget: Budget, line: BudgetLine, details: LineDetails) -> None:
    terms = usual_terms(budget, role_id=details.role_id, draft_role_id=details.draft_role_id)
    line.role_id = details.role_id if details.draft_role_id is None else None
    line.draft_role_id = details.draft_role_id if details.role_id is None else None
    line.description = details.description.strip()
    line.sessions = details.sessions
    line.per_month = details.per_month
    line.first_month = details.first_month
    line.every_months = details.every_months
    line.people = details.people
    for name in ("session_hours", "prep_hours", "travel_hours"):
        value = getattr(details, name)
        setattr(line, name, value if value is not None else getattr(terms, name))
    line.in_total = details.in_total
    line.notes = _text(details.notes)


def add_line(session: Session, budget: Budget, details: LineDetails) -> BudgetLine:
    line = BudgetLine()
    _fill_line(budget, line, details)  # checks the role before the line joins the budget
    line.budget = budget
    session.add(line)
    return line


def change_line(budget: Budget, line: BudgetLine, details: LineDetails) -> None:
    _fill_line(budget, line, details)


def remove_line(session: Session, line: BudgetLine) -> None:
    session.delete(line)


# --- Other costs (items) --------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemDetails:
    category: BudgetCategory
    description: str
    quantity: Decimal
    first_month: dt.date
    times: int
    every_months: int
    #: A cost each, or a published rate (one of the two).
    unit_cost: Decimal | None = None
    rate_card_ref: str | None = None
    notes: str | None = None


def _fill_item(item: BudgetItem, details: ItemDetails) -> None:
    item.category = details.category
    item.description = details.description.strip()
    item.quantity = details.quantity
    item.unit_cost = details.unit_cost
    item.rate_card_ref = details.rate_card_ref or None
    item.first_month = details.first_month
    item.times = details.times
    item.every_months = details.every_months
    item.notes = _text(details.notes)


def add_item(session: Session, budget: Budget, details: ItemDetails) -> BudgetItem:
    item = BudgetItem(budget=budget)
    _fill_item(item, details)
    session.add(item)
    return item


def change_item(item: BudgetItem, details: ItemDetails) -> None:
    _fill_item(item, details)


def remove_item(session: Session, item: BudgetItem) -> None:
    session.delete(item)


# --- Turning a draft into a project ---------------------------------------------------------------

def make_project(session: Session, budget: Budget, *, by_user_id: int | None) -> Project:
    """The project, with its roles, from a draft (raises ``drafts.DraftProblem`` when it cannot be made)."""
    project = drafts.make_project(session, budget)
    audit.record_for(session, by_user_id, "budget.project_made", project, {"budget_id": budget.id})
    return project
