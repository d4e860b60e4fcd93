"""Every person's journey from the front door (issue 15), through the test client.

A crawl per kind of account follows every internal link and GET form each page shows and
fails on any refusal, missing page or error reached that way; and the accounts stay theirs.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import PASSWORD
from tests.helpers.link_crawler import crawl

OTHER_PROJECT = "A project someone else leads"


@pytest.fixture
def demo_site(app, db_session, make_user):
    """The demo project, another project with its own lead, and one account of each kind."""
    from flask import current_app
    from sqlalchemy import select

    from remun.project_records.demo import load_demo
    from remun.accounts.demo import DEMO_PARTICIPANT_EMAIL
    from remun.project_records.models import Meeting, Person, Project

    project = load_demo(db_session, current_app.extensions["remun.rates"])
    other = Project(name=OTHER_PROJECT, cost_centre="ZZ-999", start_date=dt.date(2026, 1, 1))
    other.meetings = [Meeting(date=dt.date(2026, 2, 1), title="Someone else's session", hours=2)]
    db_session.add(other)
    db_session.commit()
    morag = db_session.scalar(select(Person).where(Person.email == DEMO_PARTICIPANT_EMAIL))
    return {
        "project": project, "other": other, "person": morag,
        "admin": make_user("admin", email="admin@example.org"),
        "lead": make_user("lead", email="lead@example.org", projects=[project]),
        "other_lead": make_user("lead", email="other.lead@example.org", projects=[other]),
        "finance": make_user("finance", email="finance@example.org"),
        "participant": make_user("participant", email=DEMO_PARTICIPANT_EMAIL, person=morag),
    }


def sign_in_at_front_door(client, email):
    """Open /, follow to the sign-in form, sign in there: where does the person land?"""
    first = client.get("/")
    assert first.status_code == 302
    response = client.post(first.headers["Location"], data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client.get(response.headers["Location"], follow_redirects=True)


def summary(dead_ends) -> list[str]:
    """One line per kind of dead end (ids replaced by #), with one example."""
    import re

    kinds = {}
    for path, status, shown_on in dead_ends:
        key = (re.sub(r"\d+", "#", path.split("?")[0]), status, re.sub(r"\d+", "#", shown_on.split("?")[0]))
        kinds.setdefault(key, f"{status} {path} shown on {shown_on}")
    return sorted(kinds.values())


def fetcher(client):
    def fetch(path):
        response = client.get(path, follow_redirects=True)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else None
        response.close()  # a download is sent from its file: close it
        return response.status_code, html, response.request.path + (
            "?" + response.request.query_string.decode() if response.request.query_string else "")
    return fetch


@pytest.mark.parametrize("who", ["admin", "lead", "finance", "participant"])
def test_every_link_shown_can_be_followed(demo_site, anonymous_client, who):
    landed = sign_in_at_front_door(anonymous_client, demo_site[who].email)
    assert landed.status_code == 200
    result = crawl(fetcher(anonymous_client), landed.request.path, limit=500, per_kind=5)
    assert result.dead_ends == [], f"{who}: {result.pages} pages, dead ends: {summary(result.dead_ends)}"
    assert result.pages > 5


def test_a_participant_signing_in_at_the_front_door_lands_on_their_own_home(demo_site, anonymous_client):
    landed = sign_in_at_front_door(anonymous_client, demo_site["participant"].email)
    assert landed.request.path == f"/people/{demo_site['person'].id}/home"
    assert "You cannot see this page" not in landed.get_data(as_text=True)


def test_sign_in_from_a_page_the_person_may_not_open_goes_to_their_start(demo_site, anonymous_client):
    response = anonymous_client.post("/sign-in?next=/finance/periods",
                                     data={"email": demo_site["participant"].email, "password": PASSWORD})
    assert response.headers["Location"] == f"/people/{demo_site['person'].id}/home"
    lead = demo_site["lead"]
    other = demo_site["other"]
    response = anonymous_client.application.test_client().post(
        f"/sign-in?next=/projects/{other.id}", data={"email": lead.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_the_refusal_page_leads_to_the_persons_own_start(demo_site, client_for):
    participant = client_for(demo_site["participant"])
    refused = participant.get("/finance/periods")
    assert refused.status_code == 403
    assert f'href="/people/{demo_site["person"].id}/home">Go to the start' in refused.get_data(as_text=True)


def test_a_lead_sees_only_the_projects_they_lead(demo_site, client_for):
    lead = client_for(demo_site["lead"])
    for page in ("/", "/projects/", "/budgets/", "/exports/"):
        html = lead.get(page).get_data(as_text=True)
        assert OTHER_PROJECT not in html and "ZZ-999" not in html, page
    assert demo_site["project"].name in lead.get("/projects/").get_data(as_text=True)
    assert OTHER_PROJECT in client_for(demo_site["finance"]).get("/projects/").get_data(as_text=True)


def test_a_lead_creates_a_project_and_leads_it(demo_site, client_for, db_session):
    from sqlalchemy import select

    from remun.accounts.models import AuditEvent, ProjectLead
    from remun.project_records.models import Project

    lead = client_for(demo_site["lead"])
    home = lead.get("/").get_data(as_text=True)
    assert 'href="/projects/new"' in home and 'href="/import/"' in home
    response = lead.post("/projects/new", data={"name": "Peer support pilot", "currency": "GBP"})
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db_session.scalar(select(Project).where(Project.name == "Peer support pilot"))
    assert db_session.get(ProjectLead, (demo_site["lead"].id, project.id)) is not None
    assert lead.get(f"/projects/{project.id}").status_code == 200
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "project.lead_added",
                                                      AuditEvent.object_id == str(project.id))) is not None


def test_when_only_administrators_may_create_projects_nobody_else_is_shown_the_way(demo_site, client_for):
    admin = client_for(demo_site["admin"])
    page = admin.get("/settings/").get_data(as_text=True)
    assert "Who may create projects" in page
    assert admin.post("/settings/", data={"leads_may_create": "no"}).status_code == 302
    lead = client_for(demo_site["lead"])
    for page in ("/", "/projects/"):
        html = lead.get(page).get_data(as_text=True)
        assert 'href="/projects/new"' not in html and 'href="/import/"' not in html
    assert lead.get("/projects/new").status_code == 403
    assert lead.get("/import/").status_code == 403
    assert 'href="/projects/new"' in admin.get("/").get_data(as_text=True)


def test_a_lead_cannot_import_over_a_project_they_do_not_lead(demo_site, client_for, tmp_path):
    import io

    from openpyxl import load_workbook

    from remun.imports.template import write_template

    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    book = load_workbook(buffer)
    sheet = book["Project"]
    for row in sheet.iter_rows():
        if row[0].value == "Name":
            row[1].value = OTHER_PROJECT
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    response = client_for(demo_site["lead"]).post(
        "/import/", data={"workbook": (out, "other.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "you do not lead it" in response.get_data(as_text=True)


def test_an_administrator_sets_a_projects_leads_from_its_page(demo_site, client_for, db_session):
    from remun.accounts.models import ProjectLead

    admin = client_for(demo_site["admin"])
    other, lead = demo_site["other"], demo_site["lead"]
    page = admin.get(f"/projects/{other.id}").get_data(as_text=True)
    assert "other.lead@example.org" in page and f'href="/projects/{other.id}/leads"' in page
    form = admin.get(f"/projects/{other.id}/leads").get_data(as_text=True)
    assert "lead@example.org" in form
    response = admin.post(f"/projects/{other.id}/leads", data={"leads": [str(lead.id)]})
    assert response.status_code == 302
    assert db_session.get(ProjectLead, (lead.id, other.id)) is not None
    assert db_session.get(ProjectLead, (demo_site["other_lead"].id, other.id)) is None
    assert client_for(lead).get(f"/projects/{other.id}").status_code == 200
    assert client_for(demo_site["other_lead"]).get(f"/projects/{other.id}").status_code == 403
    # Nobody else is shown the way to change them, nor may use it.
    assert f'/projects/{other.id}/leads' not in client_for(lead).get(f"/projects/{other.id}").get_data(as_text=True)
    assert client_for(lead).get(f"/projects/{other.id}/leads").status_code == 403


# --- Accounts stay theirs --------------------------------------------------------------------------

def test_a_lead_is_refused_a_reset_link_for_a_participant_account_in_use(demo_site, client_for, db_session):
    """The issue's reproduction: a lead made a reset link, set a password, and read the benefits answer."""
    from sqlalchemy import select

    from remun.accounts.models import AuditEvent, OneTimeToken

    person, participant = demo_site["person"], demo_site["participant"]
    lead = client_for(demo_site["lead"])
    page = lead.get(f"/people/{person.id}/account")
    assert page.status_code == 200
    assert "Make a password reset link" not in page.get_data(as_text=True)
    assert lead.post(f"/people/{person.id}/account").status_code == 403
    assert db_session.scalar(select(OneTimeToken).where(OneTimeToken.user_id == participant.id)) is None
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_link_refused",
                                                      AuditEvent.object_id == str(participant.id))) is not None
    assert lead.get(f"/people/{person.id}/benefits").status_code == 403


def test_an_administrator_sees_a_reset_link_recorded_and_the_person_is_told(app, demo_site, client_for, db_session,
                                                                          smtp_server):
    from sqlalchemy import select

    from remun.accounts.models import AuditEvent
    from tests.helpers.mail import _use_mail_server

    _use_mail_server(app, smtp_server.server_address[1])
    person, participant = demo_site["person"], demo_site["participant"]
    page = client_for(demo_site["admin"]).post(f"/people/{person.id}/account").get_data(as_text=True)
    assert "/reset/" in page and "told them that you saw it" in page
    shown = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_link_shown",
                                                       AuditEvent.object_id == str(participant.id)))
    assert shown is not None and shown.user_id == demo_site["admin"].id
    [sent] = smtp_server.received
    assert sent["to"] == [participant.email]
    body = sent["message"].get_content()
    assert "/reset/" in body and "admin@example.org" in body and "saw it on screen" in body


# --- Sessions end on the server ---------------------------------------------------------------------

def _signed_in_copy(app, email):
    """Sign in through the form; return the browser and a second client holding a copy of its cookie."""
    browser = app.test_client()
    assert browser.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    cookie = browser.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return browser, thief


def test_a_copied_session_cookie_is_refused_after_signing_out(app, demo_site):
    browser, copy = _signed_in_copy(app, demo_site["finance"].email)
    assert copy.get("/finance/periods").status_code == 200
    assert browser.post("/sign-out").status_code == 302
    after = copy.get("/finance/periods")
    assert after.status_code == 302 and "/sign-in" in after.headers["Location"]


def test_changing_the_password_ends_every_other_session(app, demo_site):
    browser, copy = _signed_in_copy(app, demo_site["finance"].email)
    response = browser.post("/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                      "confirm": "a new long password"})
    assert response.status_code == 302
    assert browser.get("/finance/periods").status_code == 200  # this browser carries on
    assert copy.get("/finance/periods").status_code == 302


def test_a_password_reset_ends_every_session(app, demo_site, db_session):
    from remun.accounts import users
    from remun.accounts.models import TokenPurpose

    browser, copy = _signed_in_copy(app, demo_site["finance"].email)
    link = users.issue_link(db_session, demo_site["finance"], TokenPurpose.PASSWORD_RESET, demo_site["admin"].id)
    db_session.commit()
    fresh = app.test_client()
    assert fresh.post(f"/reset/{link.token}", data={"password": "reset long password",
                                                    "confirm": "reset long password"}).status_code == 302
    assert browser.get("/finance/periods").status_code == 302 and copy.get("/finance/periods").status_code == 302
    assert fresh.get("/finance/periods").status_code == 200


def test_sign_out_everywhere_from_the_account_page(app, demo_site):
    browser, copy = _signed_in_copy(app, demo_site["lead"].email)
    other_device = app.test_client()
    other_device.post("/sign-in", data={"email": demo_site["lead"].email, "password": PASSWORD})
    page = browser.get("/account").get_data(as_text=True)
    assert "You are also signed in on 1 other device or browser." in page and "Sign out everywhere" in page
    assert browser.post("/account/sign-out-everywhere").status_code == 302
    for client in (browser, copy, other_device):
        assert client.get("/projects/").status_code == 302


def test_a_session_ends_after_a_period_without_use(app, demo_site, db_session):
    import datetime as dt

    from sqlalchemy import update

    from remun.accounts.sign_in_sessions import SignInSession

    browser, _ = _signed_in_copy(app, demo_site["lead"].email)
    assert app.config["REMUN_SESSION_IDLE"] == dt.timedelta(hours=2)
    assert browser.get("/projects/").status_code == 200
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2, minutes=1)
    db_session.execute(update(SignInSession).values(last_seen_at=long_ago))
    db_session.commit()
    assert browser.get("/projects/").status_code == 302
    # Used within the period, it carries on; the overall lifetime still ends it.
    browser, _ = _signed_in_copy(app, demo_site["lead"].email)
    db_session.execute(update(SignInSession).values(
        last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1, minutes=50)))
    db_session.commit()
    assert browser.get("/projects/").status_code == 200
    db_session.execute(update(SignInSession).values(created_at=long_ago - dt.timedelta(hours=12)))
    db_session.commit()
    assert browser.get("/projects/").status_code == 302


def test_a_lead_turns_their_draft_budget_into_a_project_they_lead(client_for, lead_user, db_session):
    from remun.accounts.models import ProjectLead
    from tests.helpers.pages import build_draft

    lead = client_for(lead_user)
    budget = build_draft(lead, db_session)
    assert lead.post(f"/budgets/{budget.id}/make-project", data={}).status_code == 302
    db_session.refresh(budget)
    assert budget.project_id is not None
    assert db_session.get(ProjectLead, (lead_user.id, budget.project_id)) is not None
    assert lead.get(f"/projects/{budget.project_id}").status_code == 200
