"""A person's data: downloading everything held about them, and erasing their identity
while the finance records stay whole. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from remun.accounts import users
from remun.accounts.models import AuditEvent, TokenPurpose, User
from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.project_records.models import Appointment, Attendance, Expense, Meeting, Person, Project, Role, RoleTerms

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


def test_their_claims_and_ledger_are_in_the_download_and_survive_erasure(client, db_session, morag):
    from remun.ledger.models import Claim, ClaimKind, LedgerTransaction

    project = db_session.scalar(select(Project))
    client.get(f"/projects/{project.id}/claims")  # their attendance becomes claims
    time_claim = db_session.scalar(select(Claim).where(Claim.kind == ClaimKind.TIME))
    expenses = db_session.scalar(select(Claim).where(Claim.kind == ClaimKind.EXPENSES))
    client.post(f"/projects/{project.id}/claims", data={"claim_id": [str(time_claim.id)]})
    client.post(f"/projects/{project.id}/claims/{expenses.id}/reject",
                data={"reason": "Morag, the taxi from Leith was not agreed"})
    data = users.personal_data(db_session, morag)
    assert {(c["kind"], c["status"]) for c in data["claims"]} == {("time", "approved"), ("expenses", "rejected")}
    assert any(c["reason_given"] and "Leith" in c["reason_given"] for c in data["claims"])
    assert sorted(entry["account"] for entry in data["ledger"]) == ["owed"]
    owed_before = data["ledger"][0]["amount"]
    json.dumps(data)

    client.post(f"/people/{morag.id}/erase")
    db_session.expire_all()
    assert db_session.get(Claim, expenses.id).decision_reason is None
    after = users.personal_data(db_session, morag)
    assert after["ledger"][0]["amount"] == owed_before  # the ledger is whole
    assert db_session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1
    for address in (f"/people/{morag.id}/statement", f"/projects/{project.id}/claims", f"/projects/{project.id}/ledger",
                    f"/people/{morag.id}/data.json", "/audit/"):
        body = client.get(address).get_data(as_text=True)
        for clue in ("Morag", "Leith", "SUP-0042", "morag@"):
            assert clue not in body, f"{clue} on {address}"


def test_erasure_removes_receipts_and_the_benefits_answer_and_clears_choice_details(app, client, db_session, morag):
    from remun.reciprocity import receipts
    from remun.reciprocity.models import BenefitsAnswer, ChoicePart, Receipt, ReciprocityChoice

    now = dt.datetime(2026, 5, 7, 10, 0, tzinfo=dt.timezone.utc)
    db_session.add(ReciprocityChoice(person_id=morag.id, summary=Reciprocity.DONATION, chosen_at=now,
                                     reason="Morag gives to the food bank in Leith",
                                     parts=[ChoicePart(method=Reciprocity.DONATION, percent=Decimal("100"),
                                                       detail="Leith Food Bank")]))
    db_session.add(BenefitsAnswer(person_id=morag.id, receives_benefits=True, answered_at=now))
    expense = db_session.scalar(select(Expense))
    receipt = receipts.store(db_session, expense, b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png", "morag-taxi.png",
                             app.instance_path, None)
    db_session.commit()
    stored = receipts.path_of(receipt, app.instance_path)
    assert stored.exists()
    held = users.personal_data(db_session, morag)
    assert held["benefits_answer"]["receives_benefits"] is True
    assert held["choices"][0]["parts"][0]["detail"] == "Leith Food Bank"
    assert held["receipts"][0]["file_name"] == "morag-taxi.png"
    json.dumps(held)

    assert client.post(f"/people/{morag.id}/erase").status_code == 302
    db_session.expire_all()
    assert not stored.exists()  # the file itself is gone
    assert db_session.scalar(select(func.count()).select_from(Receipt)) == 0
    assert db_session.get(BenefitsAnswer, morag.id) is None
    [choice] = db_session.scalars(select(ReciprocityChoice)).all()
    assert choice.summary is Reciprocity.DONATION and choice.reason is None and choice.parts[0].detail is None
    after = json.dumps(users.personal_data(db_session, morag))
    for clue in ("Morag", "Leith", "morag-taxi"):
        assert clue not in after
    for address in (f"/people/{morag.id}", f"/people/{morag.id}/home", f"/people/{morag.id}/sessions",
                    "/finance/donations", "/audit/"):
        body = client.get(address).get_data(as_text=True)
        assert "Leith" not in body and "Morag" not in body, address
