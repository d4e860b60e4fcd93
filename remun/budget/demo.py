"""The demo project's budget, so "Budgets" shows a plan against what the ledger has spent.

The plan is made from the demo's own plan (remun/project_records/demo.py): for each role, the
sessions it is invited to over the project, with the people in the role and
the hours its terms set; and the expenses the demo's people claim. Salaried
roles are planned but left out of the total (their employer pays). No figure
here is a published one: rates come from the roles' terms and the rate cards.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.budget.models import Budget, BudgetCategory, BudgetItem, BudgetLine
from remun.project_records.demo import demo_plan
from remun.project_records.enums import PayBasis
from remun.project_records.models import Project, Role
from remun.money import ZERO


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def load_demo_budget(session: Session, project: Project, today: dt.date | None = None) -> Budget:
    """The demo project's budget, made once (an existing budget for the project is returned untouched)."""
    existing = session.scalar(select(Budget).where(Budget.project_id == project.id))
    if existing is not None:
        return existing
    plan = demo_plan(today or dt.date.today())
    roles = {role.title: role for role in session.scalars(select(Role).where(Role.project_id == project.id))}
    budget = Budget(project=project, name=project.name, currency=project.currency, start_date=project.start_date,
                    end_date=project.end_date, contingency_percent=Decimal("5"),
                    notes="Demo budget: the sessions each role is invited to, and the expenses people claim.")
    for planned in plan.roles:
        meetings = sorted(m.date for m in plan.meetings if planned.title in m.roles)
        role = roles.get(planned.title)
        if not meetings or role is None:
            continue
        first = meetings[0].replace(day=1)
        months = _months_between(first, meetings[-1])
        people = max(1, max(sum(1 for a in plan.appointments if a.role == planned.title and a.covers(day))
                            for day in meetings))
        terms = planned.terms[0]
        budget.lines.append(BudgetLine(
            role=role, description=planned.title, first_month=first, sessions=len(meetings),
            per_month=max(1, math.ceil(len(meetings) / months)), every_months=1, people=people,
            session_hours=terms.session_hours, prep_hours=terms.prep_hours, travel_hours=terms.travel_hours,
            in_total=terms.basis is not PayBasis.SALARY))
    claims = [expense.amount for attendance in plan.attendances for expense in attendance.expenses]
    if claims:
        average = (sum(claims, ZERO) / len(claims)).quantize(Decimal("0.01"))
        budget.items.append(BudgetItem(
            category=BudgetCategory.EXPENSES, description="Travel and care expenses", quantity=Decimal(len(claims)),
            unit_cost=average, first_month=project.start_date.replace(day=1), times=1, every_months=1))
    session.add(budget)
    session.flush()
    return budget
