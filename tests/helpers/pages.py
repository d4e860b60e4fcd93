"""Page tests: a participant's setup, the text of a page, a budget draft made through the pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.budget.models import Budget, BudgetDraftRole
from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Appointment, Meeting, Person, Project, Role, RoleTerms


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@pytest.fixture
def setup(db_session, make_user, participant_user):
    person = db_session.get(Person, participant_user.person_id)
    project = Project(name="Participant pages", start_date=dt.date(2026, 4, 1))
    role = Role(project=project, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                session_hours=Decimal("3")))
    meeting = Meeting(project=project, date=dt.date.today() - dt.timedelta(days=1), title="Panel", hours=Decimal("3"))
    db_session.add_all([project, meeting, Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1))])
    db_session.commit()
    lead = make_user("lead", projects=[project])
    return {"person": person, "project": project, "meeting": meeting, "user": participant_user, "lead": lead}


def start_draft(client, name="Peer support pilot", **extra) -> Budget:
    data = {"name": name, "start_date": ["1", "4", "2026"], "end_date": ["31", "3", "2028"], "currency": "GBP",
            "contingency_percent": "10", "notes": "For the health board's panel.", **extra}
    response = client.post("/budgets/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def the_budget(db_session, name="Peer support pilot") -> Budget:
    return db_session.scalar(select(Budget).where(Budget.name == name))


def add_role(client, budget, **fields):
    data = {"title": "Lived experience co-chair", "kind": "lived_experience", "group_name": "Co-chair",
            "basis": "session", "rate": "90", "rate_card_ref": "", "session_hours": "3", "prep_hours": "2",
            "prep_paid": "no", "travel_hours": "0", "travel_paid": "no", **fields}
    return client.post(f"/budgets/{budget.id}/roles/new", data=data)


def add_line(client, budget, role_value, **fields):
    data = {"role_id": role_value, "description": "Steering group", "sessions": "12", "first_month": "2026-05",
            "every_months": "2", "per_month": "1", "people": "1", "session_hours": "", "prep_hours": "",
            "travel_hours": "", "in_total": "yes", "notes": "", **fields}
    return client.post(f"/budgets/{budget.id}/sessions/new", data=data)


def add_item(client, budget, **fields):
    data = {"category": "accessibility", "description": "BSL interpreters", "quantity": "2", "unit_cost": "250",
            "rate_card_ref": "", "first_month": "2026-09", "times": "2", "every_months": "12",
            "notes": "Two interpreters for each annual event", **fields}
    return client.post(f"/budgets/{budget.id}/items/new", data=data)


def build_draft(client, db_session) -> Budget:
    start_draft(client)
    budget = the_budget(db_session)
    assert add_role(client, budget).status_code == 302
    assert add_role(client, budget, title="Clinical co-chair", kind="clinical", basis="salary", rate="30",
                    prep_paid="yes").status_code == 302
    roles = {role.title: role for role in db_session.scalars(select(BudgetDraftRole).where(
        BudgetDraftRole.budget_id == budget.id))}
    assert add_line(client, budget, f"draft-{roles['Lived experience co-chair'].id}").status_code == 302
    assert add_line(client, budget, f"draft-{roles['Clinical co-chair'].id}", in_total="no").status_code == 302
    assert add_item(client, budget).status_code == 302
    return budget
