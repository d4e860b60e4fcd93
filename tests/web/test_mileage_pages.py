"""A participant types miles and a vehicle; Remun works out the amount at HMRC's rate on the session's date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.project_records.enums import ExpenseCategory, PayBasis, RoleKind
from remun.ledger.models import Claim
from remun.project_records.models import Appointment, Attendance, Expense, Meeting, Person, Project, Role, RoleTerms


@pytest.fixture
def march_session(db_session, participant_user):
    person = db_session.get(Person, participant_user.person_id)
    project = Project(name="Mileage pages", start_date=dt.date(2026, 3, 1))
    role = Role(project=project, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=project.start_date, basis=PayBasis.SESSION, rate=Decimal("90"),
                                session_hours=Decimal("3")))
    meeting = Meeting(project=project, date=dt.date(2026, 3, 10), title="Panel", hours=Decimal("3"))
    db_session.add_all([project, meeting, Appointment(person=person, role=role, start_date=project.start_date)])
    db_session.commit()
    return person, meeting


def test_thirty_miles_by_car_is_paid_13_50(client_for, participant_user, march_session, db_session):
    person, meeting = march_session
    client = client_for(participant_user)
    address = f"/people/{person.id}/sessions/{meeting.id}"
    page = client.post(address, data={"hours": "3", "expense_category": "travel", "miles": "30"}).get_data(as_text=True)
    assert "Choose the vehicle you travelled in" in page  # never assumed
    assert db_session.scalar(select(Attendance).where(Attendance.person_id == person.id)) is None
    assert client.post(address, data={"hours": "3", "expense_category": "travel", "miles": "30", "vehicle": "car"}).status_code == 302
    expense = db_session.scalar(select(Expense).join(Attendance).where(Attendance.person_id == person.id))
    assert (expense.category, expense.miles, expense.vehicle, expense.amount) == (
        ExpenseCategory.MILEAGE, Decimal("30"), "car", Decimal("13.50"))
    claim = db_session.scalar(select(Claim).where(Claim.person_id == person.id, Claim.kind == "expenses"))
    assert claim.amount == Decimal("13.50")


def test_a_lead_records_mileage_and_changing_it_prices_it_again(client, march_session, db_session):
    person, meeting = march_session
    url = f"/projects/{meeting.project_id}/sessions/{meeting.id}/attendance/new"
    data = {"person_id": str(person.id), "hours": "3", "expense_category": "travel", "miles": "30",
            "vehicle": "motorcycle"}
    assert client.post(url, data=data).status_code == 302
    attendance = db_session.scalar(select(Attendance).where(Attendance.person_id == person.id))
    (expense,) = attendance.expenses
    assert (expense.vehicle, expense.amount) == ("motorcycle", Decimal("7.20"))  # 30 at 24p
    edit = f"/projects/{meeting.project_id}/sessions/{meeting.id}/attendance/{attendance.id}/edit"
    assert client.post(edit, data=dict(data, vehicle="car")).status_code == 302
    db_session.refresh(attendance)
    assert [(e.vehicle, e.amount) for e in attendance.expenses] == [("car", Decimal("13.50"))]
