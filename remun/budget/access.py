"""Who may use a budget's pages: the permission rules' scope for budgets (see remun/web/permissions.py).

A lead may use the budget of a project they lead, and the drafts they made.
An address with no such budget is refused, so nobody learns which ids exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import object_session

from remun.accounts.models import ProjectLead, User
from remun.budget.models import Budget


def their_budgets(user: User, args: Mapping[str, Any]) -> bool:
    """A lead, on a budget of a project they lead or a draft they made (the address holds ``budget_id``)."""
    budget_id = args.get("budget_id")
    if budget_id is None:
        return False
    # The session the signed-in user was loaded in (the request's): no Flask needed here.
    # ``user`` may be the web's Account, which wraps the User.
    session = object_session(getattr(user, "user", user))
    if session is None:
        return False
    budget = session.get(Budget, int(budget_id))
    if budget is None:
        return False
    if budget.project_id is not None:
        return session.get(ProjectLead, (user.id, budget.project_id)) is not None
    return budget.created_by_id is not None and budget.created_by_id == user.id
