"""Who may use which page: the rule table, and a walk over every route as every kind of user.

The walk requests every route of the app, with every method it takes, as an
administrator, the lead of the project in the address, the lead of another
project, finance, the participant whose record it is, another participant and
nobody. Each answer must be the one in EXPECTED below: allowed (the page does
its work), redirected to sign in, or forbidden (403). A new route fails the
suite until it has a rule in remun/web/permissions.py and a line here.

Forms are posted without a CSRF token, so an allowed POST is refused by the
CSRF check (400) and nothing changes, while a forbidden one never gets that far.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.accounts.models import UserRole
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
from remun.web.permissions import RULES

# Who may use each page. A = administrator, L = lead of the project (or of a project
# the person takes part in), O = lead of another project, F = finance,
# P = the participant whose record it is, Q = another participant, N = nobody signed in.
EVERYONE = "A L O F P Q N"
STAFF = "A L O F"
READ_PROJECT = "A L F"
CHANGE_PROJECT = "A L"
ADMIN = "A"
SIGNED_IN = "A L O F P Q"

EXPECTED = {
    "static": EVERYONE,
    "home.set_language": EVERYONE,
    "glossary.index": EVERYONE,
    "auth.sign_in": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.accept_invitation": EVERYONE,
    "health.healthz": EVERYONE,  # issue 21
    "health.readyz": EVERYONE,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.sign_out": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "tokens.index": SIGNED_IN,  # issue 20
    "tokens.new": SIGNED_IN,
    "tokens.revoke": SIGNED_IN,
    "home.index": SIGNED_IN,  # a participant is sent on to their own home (issue 15)
    "projects.index": STAFF,
    "parity.calculator": STAFF,
    "rates.index": STAFF,
    "rates.add_figure": ADMIN,
    "rates.end_figure": ADMIN,
    "rates.withdraw_figure": ADMIN,
    "imports.template": STAFF,
    "parity.organisation": "A F",
    "projects.new": "A L O",  # leads, while the organisation lets them (issue 15)
    "projects.delete": ADMIN,
    "projects.leads": ADMIN,
    "settings.index": ADMIN,
    "imports.upload": "A L O",
    "projects.show": READ_PROJECT,
    "projects.edit": CHANGE_PROJECT,
    "projects.new_group": CHANGE_PROJECT,
    "projects.edit_group": CHANGE_PROJECT,
    "projects.delete_group": CHANGE_PROJECT,
    "roles.show": READ_PROJECT,
    "roles.new": CHANGE_PROJECT,
    "roles.edit": CHANGE_PROJECT,
    "roles.new_terms": CHANGE_PROJECT,
    "roles.delete": CHANGE_PROJECT,
    "meetings.index": READ_PROJECT,
    "meetings.show": READ_PROJECT,
    "meetings.new": CHANGE_PROJECT,
    "meetings.edit": CHANGE_PROJECT,
    "meetings.delete": CHANGE_PROJECT,
    "meetings.new_attendance": CHANGE_PROJECT,
    "meetings.several_attendance": CHANGE_PROJECT,
    "meetings.confirm_told": CHANGE_PROJECT,
    "meetings.decline_told": CHANGE_PROJECT,
    "meetings.edit_attendance": CHANGE_PROJECT,
    "meetings.delete_attendance": CHANGE_PROJECT,
    "parity.project": READ_PROJECT,
    "parity.project_json": READ_PROJECT,
    "people.new_appointment": CHANGE_PROJECT,
    "people.edit_appointment": CHANGE_PROJECT,
    "people.delete_appointment": CHANGE_PROJECT,
    "people.index": STAFF,
    "people.new": "A L O",
    "people.show": "A L F P",
    "people.edit": "A L",
    "people.delete": ADMIN,
    "auth.person_account": "A L",
    "admin.person_data": "A P",
    "admin.person_data_download": "A P",
    "admin.erase_person": ADMIN,
    "auth.users": ADMIN,
    "auth.new_user": ADMIN,
    "auth.user": ADMIN,
    "auth.edit_user": ADMIN,
    "auth.user_link": ADMIN,
    "auth.deactivate_user": ADMIN,
    "auth.reactivate_user": ADMIN,
    "admin.audit": ADMIN,
    "settings.parity": ADMIN,
    "settings.accounting": "A F",  # issue 20: account codes for accounting import files
    "settings.project_accounting": "A F",
    "papers.benefits_letter": "A L P",
    "papers.year_statement": "A L F P",
    # The ledger (issue 4)
    "ledger.claims": "A L F",
    "ledger.reject": "A L F",
    "ledger.reverse": "A L F",
    "ledger.project_ledger": READ_PROJECT,
    "ledger.batches": "A F",
    "ledger.batch": "A F",
    "ledger.statement": "A L F P",
    "ledger.months": "A F",
    "ledger.close_month": "A F",
    # Budgets (issue 10). The walk has no budget, so an address with a budget id is one nobody leads:
    # only administrators and finance (reading) get past the rule. tests/web/test_budget_pages.py checks
    # leads on their own projects' budgets and drafts.
    "budget.index": STAFF,
    "budget.new_draft": "A L O",
    "budget.for_project": READ_PROJECT,
    "budget.new_for_project": CHANGE_PROJECT,
    "budget.show": "A F",
    "budget.workbook": "A F",
    "budget.edit": ADMIN,
    "budget.delete": ADMIN,
    "budget.new_role": ADMIN,
    "budget.edit_role": ADMIN,
    "budget.delete_role": ADMIN,
    "budget.new_line": ADMIN,
    "budget.edit_line": ADMIN,
    "budget.delete_line": ADMIN,
    "budget.new_item": ADMIN,
    "budget.edit_item": ADMIN,
    "budget.delete_item": ADMIN,
    "budget.make_project": ADMIN,
    # Finance exports (issue 7)
    "exports.index": STAFF,
    "exports.download": STAFF,
    "exports.batch_workbook_file": READ_PROJECT,
    "exports.batch_csv_file": READ_PROJECT,
    "exports.batch_accounting_file": READ_PROJECT,  # issue 20
    "exports.in_kind_accounting_file": READ_PROJECT,
    # Background jobs (issue 19): the view then refuses anyone but the owner and administrators
    "jobs.show": STAFF,
    "jobs.download": STAFF,
    "jobs.retry": STAFF,
    # Reciprocity (issue 6)
    "participant.home": "A L P",
    "participant.choose": "A L P",
    "participant.choose_details": "A L P",
    "participant.choose_split": "A L P",
    "participant.sessions": "A L P",
    "participant.submit_session": "A L P",
    "participant.tell_session": "A L P",
    "participant.receipt": "A L F P",
    "participant.benefits_question": "P",  # private: not even administrators
    "participant.benefits_information": "P",
    "reciprocity.project": READ_PROJECT,
    "reciprocity.vouchers": "A F",
    "reciprocity.training": "A F",
    "reciprocity.donations": "A F",
    # The JSON API (issue 20), walked with each person's token (a write token) instead of a cookie;
    # nobody (no token) is refused with 401.
    "api_docs.openapi_json": EVERYONE,
    "api_docs.docs": EVERYONE,
    "api.me": SIGNED_IN,
    "api.projects": STAFF,
    "api.project": READ_PROJECT,
    "api.equal_roles": READ_PROJECT,
    "api.roles": READ_PROJECT,
    "api.role": READ_PROJECT,
    "api.sessions": READ_PROJECT,
    "api.attendance": READ_PROJECT,
    "api.claims": READ_PROJECT,
    "api.parity": READ_PROJECT,
    "api.balances": READ_PROJECT,
    "api.people": "A L O F",
    "api.person": "A L F P",
    "api.person_claims": "A L F P",
    "api.person_balance": "A F P",
    "api.rates": STAFF,
    "api.approve_claims": READ_PROJECT,
    "api.reject_claim": READ_PROJECT,
    "api.reverse_claim": READ_PROJECT,
    "api.batches": "A F",
    "api.batch": "A F",
    "api.create_batch": "A F",
    "api.mark_batch_paid": "A F",
    "api.batch_file": "A F",
}

PERSONAS = ["A", "L", "O", "F", "P", "Q", "N"]


@pytest.fixture
def world(db_session, make_user):
    """Two projects with a role, group, session, attendance and appointment; one account of each kind."""
    def project(name: str, person_name: str):
        project = Project(name=name, start_date=dt.date(2026, 4, 1))
        group = RoleGroup(project=project, name="Co-chair")
        role = Role(project=project, group=group, title="Lived experience co-chair", kind=RoleKind.LIVED_EXPERIENCE)
        role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                    session_hours=Decimal("3")))
        person = Person(name=person_name, email=f"{person_name.split()[0].lower()}@example.org")
        meeting = Meeting(project=project, date=dt.date(2026, 5, 1), title="Panel", hours=Decimal("3"))
        db_session.add_all([project, person, meeting])
        db_session.flush()
        appointment = Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1))
        attendance = Attendance(meeting=meeting, person=person, role=role, hours=Decimal("3"))
        attendance.expenses.append(Expense(amount=Decimal("4.50"), category=ExpenseCategory.TRAVEL))
        db_session.add_all([appointment, attendance])
        db_session.flush()
        return {"project_id": project.id, "group_id": group.id, "role_id": role.id, "meeting_id": meeting.id,
                "attendance_id": attendance.id, "appointment_id": appointment.id, "person": person}

    mine = project("Crisis pathway redesign", "Morag Fraser")
    other = project("Peer support network", "Callum Reid")
    db_session.commit()
    users = {
        "A": make_user("admin"),
        "L": make_user("lead", projects=[db_session.get(Project, mine["project_id"])]),
        "O": make_user("lead", projects=[db_session.get(Project, other["project_id"])]),
        "F": make_user("finance"),
        "P": make_user("participant", person=mine["person"]),
        "Q": make_user("participant", person=other["person"]),
    }
    return {"mine": mine, "other": other, "users": users}


def _address(rule, world) -> str:
    """The rule's path with the first project's ids filled in (unknown ids get a number no record has)."""
    mine = world["mine"]
    values = {
        "project_id": mine["project_id"], "group_id": mine["group_id"], "role_id": mine["role_id"],
        "meeting_id": mine["meeting_id"], "attendance_id": mine["attendance_id"],
        "appointment_id": mine["appointment_id"], "person_id": mine["person"].id,
        "user_id": world["users"]["L"].id, "token": "not-a-real-link", "code": "en", "filename": "remun.css",
        "kind": "reset", "fmt": "xero", "session_id": mine["meeting_id"],
    }
    args = {name: values.get(name, 999_999) for name in rule.arguments}
    from flask import url_for

    return url_for(rule.endpoint, **args)


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_page_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(RULES))
    assert missing == [], f"pages without a permission rule (add them to remun/web/permissions.py): {missing}"


def test_every_page_has_an_expected_answer_here(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert missing == [], f"add who may use these pages to EXPECTED in this file: {missing}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_walk_every_route_as_every_kind_of_user(app, client_for, world, persona):
    app.config["WTF_CSRF_ENABLED"] = True
    client = client_for(world["users"].get(persona))
    api_headers = {}
    if persona != "N":  # the API takes a token, not the cookie
        from remun.accounts import api_tokens
        from remun.accounts.models import TokenScope
        from remun.web.extensions import db

        secret = api_tokens.create(db.session, world["users"][persona], "Walk", TokenScope.WRITE, 30).secret
        db.session.commit()
        api_headers = {"Authorization": f"Bearer {secret}"}
    wrong = []
    with app.test_request_context():
        routes = [(rule, _address(rule, world)) for rule in app.url_map.iter_rules()]
    for rule, address in routes:
        allowed = persona in EXPECTED.get(rule.endpoint, "").split()
        api = address.startswith("/api/v1/") and not EXPECTED.get(rule.endpoint) == EVERYONE
        for method in _methods(rule):
            response = client.open(address, method=method, headers=api_headers if api else {})
            response.close()
            location = response.headers.get("Location", "")
            to_sign_in = response.status_code == 302 and "/sign-in" in location
            if api:
                expected = "allowed" if allowed else "401" if persona == "N" else "403"
                ok = (response.status_code not in (401, 403) and response.status_code < 500 if allowed
                      else response.status_code == int(expected))
            elif allowed:
                ok = response.status_code != 403 and not to_sign_in and response.status_code < 500
                expected = "allowed"
            elif persona == "N":
                # Nobody signed in: sent to sign in; a form posted with no CSRF token is refused first.
                ok = to_sign_in or (method == "POST" and response.status_code == 400)
                expected = "sign in"
            else:
                ok = response.status_code == 403
                expected = "403"
            if not ok:
                wrong.append(f"{method} {address} ({rule.endpoint}) as {persona}: expected {expected}, "
                             f"got {response.status_code} {location}")
    assert wrong == []


def test_a_page_without_a_rule_is_refused_to_everyone(app, client_for, world, monkeypatch):
    from remun.web import permissions

    monkeypatch.delitem(permissions.RULES, "rates.index")
    for persona in ("A", "F"):
        assert client_for(world["users"][persona]).get("/rates/").status_code == 403
    response = client_for(None).get("/rates/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_anonymous_visitors_are_sent_to_sign_in_and_come_back(anonymous_client, world, app):
    response = anonymous_client.get(f"/projects/{world['mine']['project_id']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/sign-in?next=/projects/{world['mine']['project_id']}")


def test_lead_sees_only_people_they_work_with(client_for, world):
    lead = client_for(world["users"]["L"])
    page = lead.get("/people/").get_data(as_text=True)
    assert "Morag Fraser" in page and "Callum Reid" not in page
    form = lead.get(f"/projects/{world['mine']['project_id']}/appointments/new").get_data(as_text=True)
    assert "Morag Fraser" in form and "Callum Reid" not in form
    assert lead.get(f"/people/{world['other']['person'].id}").status_code == 403


def test_lead_sees_a_person_they_added_before_placing_them(client_for, world, db_session):
    lead = client_for(world["users"]["O"])
    response = lead.post("/people/new", data={"name": "Isla Grant", "preferred_language": "en",
                                              "reciprocity": "not_chosen"})
    assert response.status_code == 302
    isla = db_session.scalar(select(Person).where(Person.name == "Isla Grant"))
    assert lead.get(f"/people/{isla.id}").status_code == 200
    assert "Isla Grant" in lead.get("/people/").get_data(as_text=True)
    # ...and another lead does not.
    assert client_for(world["users"]["L"]).get(f"/people/{isla.id}").status_code == 403


def test_finance_reads_projects_and_people_but_changes_nothing(client_for, world):
    finance = client_for(world["users"]["F"])
    mine = world["mine"]
    assert finance.get(f"/projects/{mine['project_id']}").status_code == 200
    assert finance.get(f"/projects/{mine['project_id']}/roles/{mine['role_id']}").status_code == 200
    assert finance.get(f"/people/{mine['person'].id}").status_code == 200
    for address in (f"/projects/{mine['project_id']}/edit", f"/projects/{mine['project_id']}/roles/new",
                    f"/projects/{mine['project_id']}/roles/{mine['role_id']}/terms/new",
                    f"/people/{mine['person'].id}/edit", "/people/new"):
        assert finance.get(address).status_code == 403, address
        assert finance.post(address, data={"name": "Changed"}).status_code == 403, address


def test_participant_sees_only_their_own_record(client_for, world):
    participant = client_for(world["users"]["P"])
    assert participant.get(f"/people/{world['mine']['person'].id}").status_code == 200
    assert participant.get(f"/people/{world['other']['person'].id}").status_code == 403
    assert participant.get("/people/").status_code == 403
    start = participant.get("/")  # the front door sends a participant to their own home (issue 15)
    assert start.status_code == 302 and start.headers["Location"].endswith(f"/people/{world['mine']['person'].id}/home")
    assert participant.get("/account/password").status_code == 200


def test_the_menu_shows_only_pages_the_user_may_use(client_for, world):
    def menu(persona):
        html = client_for(world["users"].get(persona)).get("/account" if persona != "N" else "/sign-in")
        return html.get_data(as_text=True)

    admin, lead, finance, participant, nobody = menu("A"), menu("L"), menu("F"), menu("P"), menu("N")
    assert 'href="/accounts/"' in admin and 'href="/audit/"' in admin and 'href="/import/"' in admin
    assert 'href="/accounts/"' not in lead and 'href="/settings/"' not in lead and 'href="/parity"' not in lead
    assert 'href="/import/"' in lead  # leads may import while the organisation lets them create projects
    assert 'href="/parity"' in finance and 'href="/people/"' in finance
    assert 'href="/people/"' not in participant and 'href="/projects/"' not in participant
    assert "Sign out" in participant and "Signed in as" in participant
    assert 'href="/sign-in"' in nobody and 'href="/projects/"' not in nobody


def test_role_names_match_the_accounts_model():
    assert {role.value for role in UserRole} == {"admin", "lead", "finance", "participant"}
