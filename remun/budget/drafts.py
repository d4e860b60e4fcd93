"""Budgets before the project exists (drafts), and turning a draft into the project.

A draft has its own roles, each with the pay terms it is planned on. Turning
it into a project creates, in the caller's one transaction: the project (with
the draft's name, dates and currency), an equal-role group for each group
name, each role with its terms from the project's start date, and points the
planned sessions at the new roles. The draft roles then go: the budget is the
project's budget from then on. The person who made the draft, if a project
lead, becomes a lead of the new project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.accounts.models import ProjectLead, User, UserRole
from remun.budget.models import Budget
from remun.project_records.models import Project, Role, RoleGroup, RoleTerms
from remun.money import ZERO


class DraftProblem(ValueError):
    """Why a draft cannot be turned into a project; ``code`` says which rule."""

    def __init__(self, code: str, **facts):
        self.code = code  # "not_a_draft", "name_taken", "no_roles"
        self.facts = facts
        super().__init__(code)


def new_draft(name: str, start: dt.date, end: dt.date, *, currency: str = "GBP",
              contingency_percent: Decimal = ZERO, created_by_id: int | None = None, notes: str | None = None) -> Budget:
    return Budget(name=name.strip(), start_date=start, end_date=end, currency=currency,
                  contingency_percent=contingency_percent, created_by_id=created_by_id, notes=notes)


def problems_making_project(session: Session, budget: Budget) -> list[DraftProblem]:
    problems = []
    if not budget.is_draft:
        problems.append(DraftProblem("not_a_draft"))
        return problems
    if session.scalar(select(Project.id).where(Project.name == budget.name)) is not None:
        problems.append(DraftProblem("name_taken", name=budget.name))
    if not budget.draft_roles:
        problems.append(DraftProblem("no_roles"))
    return problems


def make_project(session: Session, budget: Budget) -> Project:
    """Create the project, its groups and roles from a draft; raise DraftProblem if it cannot be done."""
    problems = problems_making_project(session, budget)
    if problems:
        raise problems[0]
    project = Project(name=budget.name, currency=budget.currency, start_date=budget.start_date,
                      end_date=budget.end_date)
    session.add(project)
    groups: dict[str, RoleGroup] = {}
    roles: dict[int, Role] = {}
    for draft in budget.draft_roles:
        group_name = (draft.group_name or "").strip()
        group = None
        if group_name:
            group = groups.get(group_name.casefold())
            if group is None:
                group = groups[group_name.casefold()] = RoleGroup(project=project, name=group_name)
                session.add(group)  # as for roles below: a backref alone does not bring it into the session
        role = Role(project=project, group=group, title=draft.title, kind=draft.kind)
        role.terms.append(RoleTerms(
            effective_from=budget.start_date, basis=draft.basis, rate=draft.rate, rate_card_ref=draft.rate_card_ref,
            session_hours=draft.session_hours, prep_hours=draft.prep_hours, prep_paid=draft.prep_paid,
            travel_hours=draft.travel_hours, travel_paid=draft.travel_paid,
        ))
        # Added itself: joining its project (a backref) does not bring it into the session, and
        # without planned sessions pointing at it nothing else would, so the project lost its roles.
        session.add(role)
        roles[draft.id] = role
    for line in budget.lines:
        if line.draft_role_id is not None:
            line.role = roles[line.draft_role_id]
            line.draft_role = None
    budget.draft_roles.clear()
    budget.project = project
    session.flush()
    owner = session.get(User, budget.created_by_id) if budget.created_by_id is not None else None
    if owner is not None and owner.role is UserRole.LEAD:
        session.add(ProjectLead(user_id=owner.id, project_id=project.id))
    session.flush()
    return project
