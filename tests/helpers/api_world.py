"""Two projects, a person in each, and a token for each kind of account (tests of the API, issue 20)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from remun.accounts import api_tokens
from remun.accounts.models import TokenScope
from remun.project_records.enums import ExpenseCategory, PayBasis, RoleKind
from remun.project_records.models import (
    Appointment,
    Attendance,
    Expense,
    Meeting,
    Person,
    Project,
    Role,
    RoleGroup,
    RoleTerms,
)


def make_project(db_session, name: str, person_name: str, sessions: int = 1) -> dict:
    project = Project(name=name, start_date=dt.date(2026, 4, 1))
    group = RoleGroup(project=project, name="Co-chair")
    role = Role(project=project, group=group, title="Lived experience co-chair", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                session_hours=Decimal("3")))
    person = Person(name=person_name, email=f"{person_name.split()[0].lower()}@example.org")
    db_session.add_all([project, person])
    db_session.flush()
    db_session.add(Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1)))
    meetings = []
    for number in range(sessions):
        meeting = Meeting(project=project, date=dt.date(2026, 5, 1 + number), title=f"Panel {number + 1}",
                          hours=Decimal("3"))
        attendance = Attendance(meeting=meeting, person=person, role=role, hours=Decimal("3"))
        attendance.expenses.append(Expense(amount=Decimal("4.50"), category=ExpenseCategory.TRAVEL))
        db_session.add_all([meeting, attendance])
        meetings.append(meeting)
    db_session.flush()
    return {"project_id": project.id, "role_id": role.id, "group_id": group.id, "person_id": person.id,
            "meeting_ids": [meeting.id for meeting in meetings], "project": project, "person": person}


@pytest.fixture
def world(db_session, make_user):
    mine = make_project(db_session, "Crisis pathway redesign", "Morag Fraser", sessions=3)
    other = make_project(db_session, "Peer support network", "Callum Reid")
    db_session.commit()
    users = {
        "admin": make_user("admin"),
        "lead": make_user("lead", projects=[mine["project"]]),
        "other_lead": make_user("lead", projects=[other["project"]]),
        "finance": make_user("finance"),
        "participant": make_user("participant", person=mine["person"]),
    }
    tokens = {name: api_tokens.create(db_session, user, "Tests", TokenScope.WRITE, 30).secret
              for name, user in users.items()}
    readers = {name: api_tokens.create(db_session, user, "Reading", TokenScope.READ, 30).secret
               for name, user in users.items()}
    db_session.commit()
    return {"mine": mine, "other": other, "users": users, "tokens": tokens, "readers": readers}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
