"""Every page, used as a project lead would, through the Flask test client.

Runs on SQLite and PostgreSQL. Forms are posted as a browser would (dates as
three boxes); each test checks what was saved and what the page says.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
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


def date_boxes(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def error_messages(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [
        " ".join(message.split())
        for message in re.findall(r'class="govuk-error-message">\s*<span[^>]*>[^<]*</span>([^<]*)', html)
    ]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def project(db_session):
    project = Project(name="Crisis pathway redesign", cost_centre="MH-01", start_date=dt.date(2026, 4, 1),
                      end_date=dt.date(2027, 3, 31))
    group = RoleGroup(project=project, name="Co-chair")
    lived = Role(project=project, group=group, title="Lived experience co-chair", kind=RoleKind.LIVED_EXPERIENCE)
    lived.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                 session_hours=Decimal("3"), prep_hours=Decimal("2")))
    clinical = Role(project=project, group=group, title="Clinical co-chair", kind=RoleKind.CLINICAL)
    clinical.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SALARY,
                                    rate_card_ref="nhs-scotland-afc/band-8a-entry", session_hours=Decimal("3"),
                                    prep_hours=Decimal("2")))
    person = Person(name="Morag Fraser", email="morag@example.org")
    db_session.add_all([project, person])
    db_session.flush()
    db_session.add(Appointment(person=person, role=lived, start_date=dt.date(2026, 4, 1)))
    db_session.commit()
    return project


def test_start_page_and_lists_show(client, project):
    for url, text in [
        ("/", "Fair pay for co-production"),
        ("/projects/", "Crisis pathway redesign"),
        ("/people/", "Morag Fraser"),
        ("/rates/", "Real Living Wage"),
        ("/import/", "Download the blank workbook"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url


def test_pages_carry_security_headers_and_no_crown(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "govuk-header__logotype" not in html and "Crown copyright" not in html


def test_create_a_project(client, db_session):
    response = client.post("/projects/new", data={
        "name": "Peer support review", "cost_centre": "PS-7", "currency": "GBP",
        "start_date": date_boxes(dt.date(2026, 5, 1)), "end_date": date_boxes(dt.date(2026, 11, 30)),
    })
    assert response.status_code == 302
    project = db_session.scalar(select(Project).where(Project.name == "Peer support review"))
    assert project.start_date == dt.date(2026, 5, 1) and project.cost_centre == "PS-7"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Project created" in page and "1 May 2026" in page


def test_project_form_says_what_to_fix(client, db_session, project):
    before = count(db_session, Project)
    response = client.post("/projects/new", data={
        "name": "", "currency": "GBP",
        "start_date": ["31", "2", "2026"],
        "end_date": date_boxes(dt.date(2026, 1, 1)),
    })
    assert response.status_code == 200
    assert error_messages(response) == ["Enter the project name", "Enter a real date, like 27 3 2026"]
    assert "There is a problem" in response.get_data(as_text=True)
    assert "<title>Error:" in response.get_data(as_text=True)

    response = client.post("/projects/new", data={"name": "Crisis pathway redesign", "currency": "GBP",
                                                  "start_date": date_boxes(dt.date(2026, 5, 1)),
                                                  "end_date": date_boxes(dt.date(2026, 4, 1))})
    assert error_messages(response) == ["The end date must be the same as or after the start date"]
    response = client.post("/projects/new", data={"name": "Crisis pathway redesign", "currency": "GBP"})
    assert error_messages(response) == ["A project with this name already exists. Choose another name."]
    assert count(db_session, Project) == before


def test_edit_a_project(client, db_session, project):
    response = client.post(f"/projects/{project.id}/edit", data={
        "name": "Crisis pathway redesign", "cost_centre": "MH-02", "currency": "GBP",
        "start_date": date_boxes(dt.date(2026, 4, 1)), "end_date": ["", "", ""],
    })
    assert response.status_code == 302
    db_session.refresh(project)
    assert project.cost_centre == "MH-02" and project.end_date is None


def test_equal_role_groups(client, db_session, project):
    response = client.post(f"/projects/{project.id}/groups/new", data={"name": "Panel member"})
    assert response.status_code == 302
    group = db_session.scalar(select(RoleGroup).where(RoleGroup.name == "Panel member"))
    assert client.post(f"/projects/{project.id}/groups/new", data={"name": "Panel member"}).status_code == 200
    response = client.post(f"/projects/{project.id}/groups/{group.id}/edit", data={"name": "Panel members"})
    assert response.status_code == 302
    db_session.refresh(group)
    assert group.name == "Panel members"
    # A group with roles in it cannot be removed; an empty one can.
    co_chair = db_session.scalar(select(RoleGroup).where(RoleGroup.name == "Co-chair"))
    page = client.get(f"/projects/{project.id}/groups/{co_chair.id}/delete").get_data(as_text=True)
    assert "2 roles are in it" in page
    assert client.post(f"/projects/{project.id}/groups/{co_chair.id}/delete").status_code == 200
    assert db_session.get(RoleGroup, co_chair.id) is not None
    assert client.post(f"/projects/{project.id}/groups/{group.id}/delete").status_code == 302
    assert db_session.get(RoleGroup, group.id) is None


ROLE_FORM = {
    "title": "Peer researcher", "kind": "lived_experience", "group_id": "", "basis": "hour", "rate": "£21.50",
    "rate_card_ref": "", "session_hours": "3", "prep_hours": "1.5", "prep_paid": "yes", "travel_hours": "1",
    "travel_paid": "no",
}


def test_form_pages_show_no_empty_hints(client, project):
    for url in ["/projects/new", f"/projects/{project.id}/roles/new", "/people/new", "/calculator",
                f"/projects/{project.id}/sessions/new"]:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r'govuk-hint">\s*None\s*<', html), url


def test_add_a_role_with_a_typed_rate(client, db_session, project):
    response = client.post(f"/projects/{project.id}/roles/new", data=ROLE_FORM)
    assert response.status_code == 302
    role = db_session.scalar(select(Role).where(Role.title == "Peer researcher"))
    terms = role.current_terms
    assert (terms.basis, terms.rate, terms.prep_paid, terms.travel_paid) == (PayBasis.HOUR, Decimal("21.5"), True, False)
    assert terms.effective_from == project.start_date
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "£21.50" in page and "1.5 hours, paid" in page


def test_add_a_role_on_a_published_rate(client, db_session, project):
    data = dict(ROLE_FORM, title="Staff researcher", kind="clinical", basis="salary", rate="",
                rate_card_ref="nhs-scotland-afc/band-5-entry")
    assert client.post(f"/projects/{project.id}/roles/new", data=data).status_code == 302
    role = db_session.scalar(select(Role).where(Role.title == "Staff researcher"))
    assert role.current_terms.rate is None and role.current_terms.rate_card_ref == "nhs-scotland-afc/band-5-entry"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rate": "", "rate_card_ref": ""}, "Enter a rate, or choose a published rate"),
        ({"rate": "20", "rate_card_ref": "nhs-scotland-afc/band-5-entry"}, "Enter a rate or choose a published rate, not both"),
        ({"rate": "twenty"}, "Enter a number, like 25.00"),
        ({"rate": "-3"}, "Enter zero or more"),
        ({"session_hours": ""}, "Enter the number of hours"),
        ({"title": ""}, "Enter the role title"),
        ({"kind": ""}, "Select the kind of role"),
        ({"basis": "session", "rate": "", "rate_card_ref": "nhs-scotland-afc/band-5-entry"},
         "This published rate is not paid in the way you chose. Choose a rate that matches how the role is paid."),
        ({"title": "Clinical co-chair"}, "This project already has a role with this title."),
    ],
)
def test_role_form_says_what_to_fix(client, db_session, project, changes, message):
    before = count(db_session, Role)
    response = client.post(f"/projects/{project.id}/roles/new", data=dict(ROLE_FORM, **changes))
    assert response.status_code == 200
    assert message in error_messages(response)
    assert count(db_session, Role) == before


def test_changing_pay_terms_keeps_the_earlier_terms(client, db_session, project):
    role = db_session.scalar(select(Role).where(Role.title == "Lived experience co-chair"))
    form = client.get(f"/projects/{project.id}/roles/{role.id}/terms/new").get_data(as_text=True)
    assert 'value="90' in form  # starts from the current terms
    data = dict(ROLE_FORM, basis="session", rate="150", prep_paid="no",
                effective_from=date_boxes(dt.date(2026, 10, 1)))
    assert client.post(f"/projects/{project.id}/roles/{role.id}/terms/new", data=data).status_code == 302
    db_session.refresh(role)
    assert [t.rate for t in role.terms] == [Decimal("90"), Decimal("150")]
    assert role.terms_on(dt.date(2026, 9, 30)).rate == Decimal("90")
    assert role.terms_on(dt.date(2026, 10, 1)).rate == Decimal("150")
    # The same date again corrects that change rather than adding another.
    data["rate"] = "140"
    client.post(f"/projects/{project.id}/roles/{role.id}/terms/new", data=data)
    db_session.refresh(role)
    assert [t.rate for t in role.terms] == [Decimal("90"), Decimal("140")]


def test_edit_role_details(client, db_session, project):
    role = db_session.scalar(select(Role).where(Role.title == "Clinical co-chair"))
    response = client.post(f"/projects/{project.id}/roles/{role.id}/edit",
                           data={"title": "Consultant co-chair", "kind": "clinical", "group_id": ""})
    assert response.status_code == 302
    db_session.refresh(role)
    assert role.title == "Consultant co-chair" and role.group_id is None


def test_a_role_in_use_cannot_be_removed(client, db_session, project):
    lived = db_session.scalar(select(Role).where(Role.title == "Lived experience co-chair"))
    page = client.get(f"/projects/{project.id}/roles/{lived.id}/delete").get_data(as_text=True)
    assert "1 person is appointed to it" in page
    clinical = db_session.scalar(select(Role).where(Role.title == "Clinical co-chair"))
    assert client.post(f"/projects/{project.id}/roles/{clinical.id}/delete").status_code == 302
    assert db_session.get(Role, clinical.id) is None


def test_records_are_only_reached_through_their_own_project(client, db_session, project):
    other = Project(name="Another project")
    db_session.add(other)
    db_session.commit()
    role = project.roles[0]
    assert client.get(f"/projects/{other.id}/roles/{role.id}").status_code == 404
    assert client.get("/projects/999999").status_code == 404


def test_people(client, db_session, project):
    response = client.post("/people/new", data={
        "name": "Iain Macleod", "email": "Iain@Example.org", "preferred_language": "en",
        "payee_reference": "SUP-1", "reciprocity": "not_chosen",
    })
    assert response.status_code == 302
    person = db_session.scalar(select(Person).where(Person.name == "Iain Macleod"))
    assert person.email == "iain@example.org" and person.reciprocity == Reciprocity.NOT_CHOSEN
    response = client.post("/people/new", data={"name": "Copy", "email": "iain@example.org",
                                                "preferred_language": "en", "reciprocity": "not_chosen"})
    assert error_messages(response) == ["Someone else already has this email address."]
    response = client.post("/people/new", data={"name": "X", "email": "not-an-email", "preferred_language": "en",
                                                "reciprocity": "not_chosen"})
    assert error_messages(response) == ["Enter an email address like name@example.com"]
    response = client.post(f"/people/{person.id}/edit", data={
        "name": "Iain Macleod", "email": "", "preferred_language": "en", "reciprocity": "vouchers"})
    assert response.status_code == 302
    db_session.refresh(person)
    # Their choice of thanks is not changed here: it has its own pages, which keep its history.
    assert person.email is None and person.reciprocity == Reciprocity.NOT_CHOSEN
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Not chosen yet" in page and f"/people/{person.id}/thanks" in page
    assert client.post(f"/people/{person.id}/delete").status_code == 302
    assert db_session.get(Person, person.id) is None


def test_appointments(client, db_session, project):
    person = Person(name="Eilidh Ross")
    db_session.add(person)
    db_session.commit()
    role = db_session.scalar(select(Role).where(Role.title == "Lived experience co-chair"))
    response = client.post(f"/projects/{project.id}/appointments/new", data={
        "person_id": str(person.id), "role_id": str(role.id),
        "start_date": date_boxes(dt.date(2026, 6, 1)), "end_date": date_boxes(dt.date(2026, 5, 1)),
    })
    assert error_messages(response) == ["The end date must be the same as or after the start date"]
    response = client.post(f"/projects/{project.id}/appointments/new", data={
        "person_id": str(person.id), "role_id": str(role.id), "start_date": date_boxes(dt.date(2026, 6, 1)),
    })
    assert response.status_code == 302
    appointment = db_session.scalar(select(Appointment).where(Appointment.person_id == person.id))
    assert appointment.start_date == dt.date(2026, 6, 1) and appointment.end_date is None
    assert "Eilidh Ross" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/appointments/{appointment.id}/edit", data={
        "person_id": str(person.id), "role_id": str(role.id), "start_date": date_boxes(dt.date(2026, 6, 1)),
        "end_date": date_boxes(dt.date(2026, 12, 31)),
    })
    assert response.status_code == 302
    db_session.refresh(appointment)
    assert appointment.end_date == dt.date(2026, 12, 31)
    assert client.post(f"/projects/{project.id}/appointments/{appointment.id}/delete").status_code == 302


def test_sessions_and_attendance(client, db_session, project):
    response = client.post(f"/projects/{project.id}/sessions/new", data={
        "date": date_boxes(dt.date(2026, 5, 6)), "title": "Steering group", "hours": "3"})
    assert response.status_code == 302
    meeting = db_session.scalar(select(Meeting).where(Meeting.title == "Steering group"))
    duplicate = client.post(f"/projects/{project.id}/sessions/new", data={
        "date": date_boxes(dt.date(2026, 5, 6)), "title": "Steering group", "hours": "2"})
    assert error_messages(duplicate) == ["There is already a session with this title on this date."]

    morag = db_session.scalar(select(Person).where(Person.name == "Morag Fraser"))
    url = f"/projects/{project.id}/sessions/{meeting.id}/attendance/new"
    form = client.get(url).get_data(as_text=True)
    assert "Morag Fraser" in form
    response = client.post(url, data={
        "person_id": str(morag.id), "hours": "3", "prep_hours": "2", "travel_hours": "1.25",
        "expense_amount": "6.80", "expense_category": "travel", "expense_note": "Bus there and back"})
    assert response.status_code == 302
    attendance = db_session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id))
    assert attendance.role.title == "Lived experience co-chair"
    assert attendance.hours_given == Decimal("6.25")
    assert [(e.amount, e.category) for e in attendance.expenses] == [(Decimal("6.80"), ExpenseCategory.TRAVEL)]
    page = client.get(f"/projects/{project.id}/sessions/{meeting.id}").get_data(as_text=True)
    assert "£6.80" in page and "Bus there and back" in page

    # Recording the same person twice is refused; changing works and replaces the expense.
    again = client.post(url, data={"person_id": str(morag.id), "hours": "3", "expense_category": "travel"})
    assert "already recorded" in " ".join(error_messages(again))
    edit_url = f"/projects/{project.id}/sessions/{meeting.id}/attendance/{attendance.id}/edit"
    assert 'value="6.80"' in client.get(edit_url).get_data(as_text=True)
    response = client.post(edit_url, data={"person_id": str(morag.id), "hours": "2.5", "expense_category": "travel"})
    assert response.status_code == 302
    assert count(db_session, Expense) == 0
    db_session.expire_all()
    assert attendance.hours == Decimal("2.5") and attendance.expenses == []

    # A session with attendance cannot be removed until the attendance is.
    assert "1 attendance record uses it" in client.get(
        f"/projects/{project.id}/sessions/{meeting.id}/delete").get_data(as_text=True)
    client.post(f"/projects/{project.id}/sessions/{meeting.id}/attendance/{attendance.id}/delete")
    assert client.post(f"/projects/{project.id}/sessions/{meeting.id}/delete").status_code == 302
    assert db_session.get(Meeting, meeting.id) is None


def test_attendance_needs_a_role_on_the_day(client, db_session, project):
    meeting = Meeting(project=project, date=dt.date(2026, 3, 1), title="Before anyone started", hours=Decimal("2"))
    db_session.add(meeting)
    db_session.commit()
    morag = db_session.scalar(select(Person).where(Person.name == "Morag Fraser"))
    response = client.post(f"/projects/{project.id}/sessions/{meeting.id}/attendance/new",
                           data={"person_id": str(morag.id), "hours": "2", "expense_category": "travel"})
    assert error_messages(response) == [
        "Morag Fraser did not have a role in this project on this date. Check their appointment dates."
    ]
    assert count(db_session, Attendance) == 0


def test_removing_a_project_with_attendance_is_refused(client, db_session, project):
    morag = db_session.scalar(select(Person).where(Person.name == "Morag Fraser"))
    lived = db_session.scalar(select(Role).where(Role.title == "Lived experience co-chair"))
    meeting = Meeting(project=project, date=dt.date(2026, 5, 1), title="Panel", hours=Decimal("2"))
    db_session.add(meeting)
    db_session.add(Attendance(meeting=meeting, person=morag, role=lived, hours=Decimal("2")))
    db_session.commit()
    assert client.post(f"/projects/{project.id}/delete").status_code == 200
    assert db_session.get(Project, project.id) is not None


def test_an_empty_project_can_be_removed(client, db_session, project):
    assert client.post(f"/projects/{project.id}/delete").status_code == 302
    assert db_session.get(Project, project.id) is None
    assert count(db_session, Role) == 0


def test_unknown_pages_get_a_plain_error_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_forms_refuse_a_post_without_the_csrf_token(app, db_session):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/projects/new", data={"name": "Sneaky", "currency": "GBP"})
    assert response.status_code == 400
    assert db_session.scalar(select(Project).where(Project.name == "Sneaky")) is None
