"""A participant's session form (issue 16): receipts kept after an error, empty files refused, accept listed,
blank hours taken as the role's usual; and sessions not in the list told to the lead."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from sqlalchemy import select

from remun.project_records.models import Attendance
from remun.reciprocity.models import Receipt
from tests.helpers.pages import PNG


def test_a_receipt_chosen_before_an_error_is_kept_and_an_empty_one_is_refused(client_for, setup, db_session):  # noqa: F811
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    address = f"/people/{person.id}/sessions/{meeting.id}"
    form = client.get(address).get_data(as_text=True)
    assert re.search(r'type="file"[^>]*accept="[^"]*image/png[^"]*application/pdf', form) or \
        re.search(r'accept="[^"]*image/png[^"]*application/pdf[^"]*"[^>]*type="file"', form)

    # An empty file is refused with a message, and nothing is saved.
    page = client.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(b""), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "The receipt file is empty" in page
    assert db_session.scalar(select(Attendance).where(Attendance.person_id == person.id)) is None

    # A good receipt with a mistake elsewhere: the page says it is kept, and sending again saves it.
    page = client.post(address, data={"hours": "three", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(PNG), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Enter a number" in page and "ticket.png is kept: you do not need to choose it again" in page
    token = re.search(r'name="kept_receipt" value="([0-9a-f]+)"', page).group(1)
    response = client.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                                          "kept_receipt": token}, content_type="multipart/form-data")
    assert response.status_code == 302
    receipt = db_session.scalar(select(Receipt))
    assert receipt is not None and receipt.original_name == "ticket.png" and receipt.size == len(PNG)


def test_someone_else_s_kept_receipt_cannot_be_used(client_for, setup, db_session, make_user):  # noqa: F811
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    address = f"/people/{person.id}/sessions/{meeting.id}"
    page = client.post(address, data={"hours": "x", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(PNG), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'name="kept_receipt" value="([0-9a-f]+)"', page).group(1)
    # Another browser (another sign-in) sending the token gets nothing from it.
    other = client_for(setup["user"])
    other.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                              "kept_receipt": token}, content_type="multipart/form-data")
    assert db_session.scalar(select(Receipt)) is None


def test_blank_preparation_is_the_role_s_usual(client_for, setup, db_session):  # noqa: F811
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    terms = setup["project"].roles[0].terms[0]
    terms.prep_hours, terms.travel_hours = Decimal("1"), Decimal("0.5")
    db_session.commit()
    client.post(f"/people/{person.id}/sessions/{meeting.id}", data={"hours": "3", "prep_hours": "", "travel_hours": "0",
                                                                   "expense_category": "travel"})
    attendance = db_session.scalar(select(Attendance).where(Attendance.person_id == person.id))
    assert (attendance.prep_hours, attendance.travel_hours) == (Decimal("1"), Decimal("0"))


def test_the_list_offers_only_sessions_of_the_person_s_own_roles(client_for, setup, db_session):  # noqa: F811
    import datetime as dt

    from remun.project_records.enums import PayBasis, RoleKind
    from remun.project_records.models import Meeting, Role, RoleTerms
    from remun.sessions.models import MeetingRole

    project, person = setup["project"], setup["person"]
    other = Role(project=project, title="Research panel", kind=RoleKind.LIVED_EXPERIENCE)
    other.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("50"),
                                 session_hours=Decimal("2")))
    theirs = Meeting(project=project, date=dt.date.today() - dt.timedelta(days=2), title="Research panel meets",
                     hours=Decimal("2"))
    db_session.add_all([other, theirs])
    db_session.flush()
    db_session.add(MeetingRole(meeting_id=theirs.id, role_id=other.id))
    db_session.commit()
    page = client_for(setup["user"]).get(f"/people/{person.id}/sessions").get_data(as_text=True)
    assert "Panel" in page and "Research panel meets" not in page
    assert f"/people/{person.id}/sessions/tell" in page


def test_a_session_not_in_the_list_reaches_the_lead_and_becomes_a_session_with_attendance(client_for, setup,
                                                                                           db_session):  # noqa: F811
    import datetime as dt

    from remun.ledger.models import Claim
    from remun.project_records.models import Meeting
    from remun.sessions.models import ToldSession

    person, project, client = setup["person"], setup["project"], client_for(setup["user"])
    day = dt.date.today() - dt.timedelta(days=3)
    address = f"/people/{person.id}/sessions/tell"
    role_id = str(project.roles[0].id)
    # A date in the future is refused plainly.
    future = dt.date.today() + dt.timedelta(days=3)
    page = client.post(address, data={"role_id": role_id, "date": [str(future.day), str(future.month), str(future.year)],
                                      "title": "Extra meeting", "hours": "2", "expense_category": "travel"})
    assert "The date must be today or before" in page.get_data(as_text=True)
    response = client.post(address, data={"role_id": role_id, "date": [str(day.day), str(day.month), str(day.year)],
                                          "title": "Extra meeting", "hours": "2", "prep_hours": "0.5",
                                          "travel_hours": "", "expense_amount": "4.80", "expense_category": "travel",
                                          "expense_note": "Bus"})
    assert response.status_code == 302
    told = db_session.scalar(select(ToldSession))
    assert (told.status, told.title, told.hours, told.expense_amount) == ("waiting", "Extra meeting", Decimal("2"),
                                                                         Decimal("4.80"))

    lead = client_for(setup["lead"])
    assert "1 session that people told us about is waiting" in lead.get(
        f"/projects/{project.id}/claims").get_data(as_text=True)
    sessions_page = lead.get(f"/projects/{project.id}/sessions/").get_data(as_text=True)
    assert "Extra meeting" in sessions_page and person.name in sessions_page
    response = lead.post(f"/projects/{project.id}/sessions/told/{told.id}/confirm")
    assert response.status_code == 302
    meeting = db_session.scalar(select(Meeting).where(Meeting.title == "Extra meeting"))
    assert meeting is not None and meeting.date == day
    attendance = db_session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id))
    assert attendance.person_id == person.id and attendance.prep_hours == Decimal("0.5")
    claims = sorted(c.amount for c in db_session.scalars(select(Claim).where(Claim.attendance_id == attendance.id)))
    assert claims == [Decimal("4.80"), Decimal("90.00")]  # the fare, and the session fee
    assert "Extra meeting" in client.get(f"/people/{person.id}/sessions").get_data(as_text=True)
    assert "added to the project" in client.get(f"/people/{person.id}/sessions").get_data(as_text=True)
    # Confirming twice adds nothing.
    lead.post(f"/projects/{project.id}/sessions/told/{told.id}/confirm")
    assert len(db_session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()) == 1


def test_a_declined_session_shows_its_reason_to_the_person(client_for, setup, db_session):  # noqa: F811
    import datetime as dt

    from remun.sessions.models import ToldSession

    person, project, client = setup["person"], setup["project"], client_for(setup["user"])
    day = dt.date.today() - dt.timedelta(days=2)
    client.post(f"/people/{person.id}/sessions/tell",
                data={"role_id": str(project.roles[0].id), "date": [str(day.day), str(day.month), str(day.year)],
                      "title": "Coffee chat", "hours": "1", "expense_category": "travel"})
    told = db_session.scalar(select(ToldSession))
    assert "waiting for your project lead to check" in client.get(f"/people/{person.id}/sessions").get_data(as_text=True)
    lead = client_for(setup["lead"])
    lead.post(f"/projects/{project.id}/sessions/told/{told.id}/decline", data={"reason": "It was not a project session."})
    db_session.refresh(told)
    assert told.status == "declined" and told.meeting_id is None
    page = client.get(f"/people/{person.id}/sessions").get_data(as_text=True)
    assert "not added. Reason: It was not a project session." in page
