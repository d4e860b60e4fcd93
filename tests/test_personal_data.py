"""A person's data: downloading everything held about them, and erasing their identity
while the finance records stay whole. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.accounts import users
from remun.accounts.models import AuditEvent, TokenPurpose, User
from remun.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.models import Appointment, Attendance, Expense, Meeting, Person, Project, Role, RoleTerms

NAME = "Morag Fraser"


@pytest.fixture
def morag(db_session, make_user):
    project = Project(name="Crisis pathway redesign", start_date=dt.date(2026, 4, 1))
    role = Role(project=project, title="Lived experience co-chair", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                session_hours=Decimal("3")))
    person = Person(name=NAME, email="morag@example.org", payee_reference="SUP-0042", preferred_language="en",
                    reciprocity=Reciprocity.BANK_TRANSFER)
    meeting = Meeting(project=project, date=dt.date(2026, 5, 6), title="Steering group", hours=Decimal("3"))
    db_session.add_all([project, person, meeting])
    db_session.flush()
    attendance = Attendance(meeting=meeting, person=person, role=role, hours=Decimal("3"), prep_hours=Decimal("2"))
    attendance.expenses.append(Expense(amount=Decimal("12.40"), category=ExpenseCategory.TRAVEL,
                                       note="Taxi from Morag's flat in Leith"))
    db_session.add_all([Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1)), attendance])
    db_session.commit()
    account = make_user("participant", email="morag@example.org", person=person)
    users.issue_link(db_session, account, TokenPurpose.PASSWORD_RESET)
    db_session.commit()
    return person


def test_everything_held_about_a_person(db_session, morag):
    data = users.personal_data(db_session, morag)
    assert data["person"]["name"] == NAME and data["person"]["payee_reference"] == "SUP-0042"
    assert data["person"]["how_thanked"] == "bank_transfer" and data["person"]["erased"] is False
    assert data["roles"] == [{"project": "Crisis pathway redesign", "role": "Lived experience co-chair",
                              "role_kind": "lived_experience", "from": "2026-04-01", "to": None}]
    [session] = data["sessions_attended"]
    assert session["date"] == "2026-05-06" and session["preparation_hours"] == "2.00"
    assert session["expenses"] == [{"amount": "12.40", "category": "travel", "note": "Taxi from Morag's flat in Leith"}]
    assert data["account"]["email"] == "morag@example.org" and data["account"]["has_password"] is True
    assert [link["kind"] for link in data["account"]["links"]] == ["password_reset"]
    assert any(entry["action"] == "user.reset_link" for entry in data["log"])
    json.dumps(data)  # all plain data


def test_the_person_downloads_their_own_data(client_for, db_session, morag):
    account = db_session.scalar(select(User).where(User.person_id == morag.id))
    own = client_for(account)
    assert "Download the file" in own.get(f"/people/{morag.id}/data").get_data(as_text=True)
    response = own.get(f"/people/{morag.id}/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="remun-person-{morag.id}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.get_data(as_text=True))["person"]["name"] == NAME
    assert db_session.scalars(select(AuditEvent.action).where(AuditEvent.action == "person.exported")).all() == \
        ["person.exported"]
    # Someone else's is refused.
    other = Person(name="Someone Else")
    db_session.add(other)
    db_session.commit()
    assert own.get(f"/people/{other.id}/data.json").status_code == 403


def test_erasure_replaces_identity_and_keeps_the_finance_records(client, client_for, db_session, morag):
    account = db_session.scalar(select(User).where(User.person_id == morag.id))
    their_browser = client_for(account)
    page = client.get(f"/people/{morag.id}/erase").get_data(as_text=True)
    assert "6 years" in page and f"Erased person {morag.id}" in page
    response = client.post(f"/people/{morag.id}/erase")
    assert response.status_code == 302
    db_session.expire_all()
    person = db_session.get(Person, morag.id)
    assert person.name == f"Erased person {morag.id}"
    assert person.email is None and person.payee_reference is None and person.preferred_language == "en"
    # The ledger's facts are kept: the role, the session, hours and expenses, and how they were thanked.
    [attendance] = db_session.scalars(select(Attendance).where(Attendance.person_id == morag.id)).all()
    assert attendance.hours == Decimal("3.00") and attendance.expenses[0].amount == Decimal("12.40")
    assert attendance.expenses[0].note is None
    assert len(person.appointments) == 1 and person.reciprocity is Reciprocity.BANK_TRANSFER
    # Their account is closed and no longer names them.
    account = db_session.get(User, account.id)
    assert not account.active and account.password_hash is None and "morag" not in account.email
    assert their_browser.get(f"/people/{morag.id}").status_code == 302
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased")).all()
    assert event.object_id == str(morag.id) and "Morag" not in (event.detail or "")
    assert users.is_erased(db_session, person)


def test_after_erasure_nobody_can_tell_who_they_were(client, db_session, morag):
    client.get(f"/people/{morag.id}")  # leaves an audit entry that must not name them
    client.post(f"/people/{morag.id}/erase")
    project_id = db_session.scalar(select(Project.id))
    meeting_id = db_session.scalar(select(Meeting.id))
    for address in ("/people/", f"/people/{morag.id}", f"/projects/{project_id}",
                    f"/projects/{project_id}/sessions/{meeting_id}", "/audit/", "/accounts/",
                    f"/people/{morag.id}/data.json", f"/projects/{project_id}/parity"):
        body = client.get(address).get_data(as_text=True)
        for clue in ("Morag", "morag@example.org", "SUP-0042", "Leith"):
            assert clue not in body, f"{clue} on {address}"


def test_an_erased_person_cannot_be_given_their_identity_back(client, db_session, morag):
    client.post(f"/people/{morag.id}/erase")
    response = client.get(f"/people/{morag.id}/edit")
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{morag.id}"
    assert "identity has been erased" in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post(f"/people/{morag.id}/edit", data={"name": NAME, "preferred_language": "en",
                                                  "reciprocity": "not_chosen"})
    assert db_session.get(Person, morag.id).name == f"Erased person {morag.id}"
    # Erasing twice is refused plainly; their account cannot come back either.
    assert client.post(f"/people/{morag.id}/erase").status_code == 302
    with pytest.raises(users.AccountProblem):
        users.erase_person(db_session, db_session.get(Person, morag.id))
    account = db_session.scalar(select(User).where(User.person_id == morag.id))
    with pytest.raises(users.AccountProblem):
        users.reactivate(db_session, account)


def test_only_an_administrator_erases(client_for, make_user, db_session, morag):
    lead = make_user("lead", projects=[db_session.scalar(select(Project))])
    finance = make_user("finance")
    for user in (lead, finance):
        assert client_for(user).post(f"/people/{morag.id}/erase").status_code == 403
    assert db_session.get(Person, morag.id).name == NAME


def test_erasure_runs_the_ledgers_own_steps(db_session, morag, monkeypatch):
    seen = []
    monkeypatch.setattr(users, "ERASURE_STEPS", [lambda session, person: seen.append(person.id)])
    monkeypatch.setattr(users, "EXPORT_SECTIONS", {"ledger": lambda session, person: {"owed": "0.00"}})
    assert users.personal_data(db_session, morag)["ledger"] == {"owed": "0.00"}
    users.erase_person(db_session, morag)
    assert seen == [morag.id]
