"""Reading a stored budget as a ``Plan`` for the costing rules, and the budgets a user may see.

A project budget plans with the project's own roles, so a change of pay terms
recorded on a role (from its date) is counted from then on. A draft plans
with its draft roles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from remun.accounts.models import ProjectLead, User, UserRole
from remun.budget.models import Budget, BudgetDraftRole, BudgetItem, BudgetLine
from remun.budget.planning import Plan, PlanItem, PlanLine, PlanRole, TermsFrom, month_start
from remun.project_records.models import Project, Role, RoleTerms
from remun.pay.terms import terms_of

def role_key(line: BudgetLine) -> Hashable:
    return ("role", line.role_id) if line.role_id is not None else ("draft", line.draft_role_id)


def _terms(terms: RoleTerms | BudgetDraftRole, effective_from: dt.date) -> TermsFrom:
    return TermsFrom(effective_from=effective_from, **terms_of(terms))


def plan_roles(budget: Budget) -> tuple[PlanRole, ...]:
    if budget.project is not None:
        return tuple(
            PlanRole(key=("role", role.id), title=role.title, kind=role.kind,
                     group=role.group.name if role.group else None,
                     terms=tuple(_terms(terms, terms.effective_from) for terms in role.terms))
            for role in budget.project.roles
        )
    return tuple(
        PlanRole(key=("draft", role.id), title=role.title, kind=role.kind,
                 # Matched as turning the draft into a project will: spaces and capitals aside.
                 group=(role.group_name or "").strip().casefold() or None,
                 terms=(_terms(role, budget.start_date),))
        for role in budget.draft_roles
    )


def plan_line(line: BudgetLine) -> PlanLine:
    return PlanLine(
        key=line.id, role_key=role_key(line), description=line.description, first_month=line.first_month,
        sessions=line.sessions, per_month=line.per_month, every_months=line.every_months, people=line.people,
        session_hours=line.session_hours, prep_hours=line.prep_hours, travel_hours=line.travel_hours,
        in_total=line.in_total, notes=line.notes or "",
    )


def plan_item(item: BudgetItem) -> PlanItem:
    return PlanItem(
        key=item.id, category=item.category, description=item.description, quantity=item.quantity,
        unit_cost=item.unit_cost, rate_card_ref=item.rate_card_ref, first_month=item.first_month,
        times=item.times, every_months=item.every_months, notes=item.notes or "",
    )


def plan_of(budget: Budget) -> Plan:
    return Plan(
        name=budget.name, start=month_start(budget.start_date), end=budget.end_date,
        contingency_percent=budget.contingency_percent, currency=budget.currency,
        london=budget.project is not None and budget.project.location == "london",
        roles=plan_roles(budget),
        lines=tuple(plan_line(line) for line in budget.lines),
        items=tuple(plan_item(item) for item in budget.items),
    )


def load_budget(session: Session, budget_id: int) -> Budget | None:
    return session.scalars(
        select(Budget).where(Budget.id == budget_id).options(
            selectinload(Budget.draft_roles), selectinload(Budget.lines), selectinload(Budget.items),
            selectinload(Budget.project).selectinload(Project.roles).selectinload(Role.terms),
            selectinload(Budget.project).selectinload(Project.roles).selectinload(Role.group),
        )
    ).one_or_none()


def budget_for_project(session: Session, project_id: int) -> Budget | None:
    return session.scalar(select(Budget).where(Budget.project_id == project_id))


def may_change(user: User | None, budget: Budget, session: Session) -> bool:
    """Administrators; a lead for the budgets of their projects and their own drafts."""
    if user is None:
        return False
    if user.role is UserRole.ADMIN:
        return True
    if user.role is not UserRole.LEAD:
        return False
    if budget.project_id is not None:
        return session.get(ProjectLead, (user.id, budget.project_id)) is not None
    return budget.created_by_id == user.id


def visible_budgets(session: Session, user: User) -> list[Budget]:
    """Every budget for administrators and finance; for a lead, their projects' and their own drafts."""
    query = select(Budget).options(selectinload(Budget.project)).order_by(Budget.name, Budget.id)
    if user.role is UserRole.LEAD:
        led = select(ProjectLead.project_id).where(ProjectLead.user_id == user.id)
        query = query.where(or_(Budget.project_id.in_(led),
                                (Budget.project_id.is_(None)) & (Budget.created_by_id == user.id)))
    elif user.role not in (UserRole.ADMIN, UserRole.FINANCE):
        query = query.where(False)
    return list(session.scalars(query))


def projects_without_budget(session: Session, user: User) -> list[Project]:
    """Projects the user may start a budget for (administrators: all; leads: theirs)."""
    query = select(Project).where(~Project.id.in_(
        select(Budget.project_id).where(Budget.project_id.is_not(None)))).order_by(Project.name)
    if user.role is UserRole.LEAD:
        query = query.where(Project.id.in_(select(ProjectLead.project_id).where(ProjectLead.user_id == user.id)))
    elif user.role is not UserRole.ADMIN:
        return []
    return list(session.scalars(query))
