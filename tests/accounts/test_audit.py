"""The audit log: what is recorded, that the database refuses to change it, and who may read it.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from html import unescape

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from remun.accounts import audit
from remun.accounts.models import AuditEvent
from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Person, Project, Role, RoleTerms


def events(session, action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query).all()


# --- The database itself refuses changes ------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'nothing.happened'",
    "UPDATE audit_events SET user_id = NULL",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_to_change_or_remove_events(session, statement):
    audit.record(session, None, "person.viewed", "person", 1)
    session.commit()
    savepoint = session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    savepoint.rollback()
    assert [e.action for e in events(session)] == ["person.viewed"]


def test_orm_updates_and_deletes_are_refused_too(session):
    event = audit.record(session, None, "person.viewed", "person", 1)
    session.commit()
    for change in (update(AuditEvent).values(object_id="2"), delete(AuditEvent)):
        savepoint = session.begin_nested()
        with pytest.raises(DatabaseError):
            session.execute(change)
        savepoint.rollback()
    savepoint = session.begin_nested()
    event.detail = '{"changed": true}'
    with pytest.raises(DatabaseError):
        session.flush()
    savepoint.rollback()


def test_truncate_is_refused_on_postgresql(session, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    audit.record(session, None, "person.viewed", "person", 1)
    session.commit()
    savepoint = session.begin_nested()
    with pytest.raises(DatabaseError):
        session.execute(text("TRUNCATE audit_events"))
    savepoint.rollback()


def test_record_keeps_detail_as_json_and_never_personal_values(session):
    person = Person(name="Morag Fraser", email="morag@example.org", payee_reference="SUP-1")
    session.add(person)
    session.commit()
    person.name = "Morag F. Fraser"
    person.email = "new@example.org"
    person.reciprocity = "vouchers"
    detail = audit.changes(person)
    assert detail["fields"] == ["email", "name", "reciprocity"]
    assert detail["values"] == {"reciprocity": ["not_chosen", "vouchers"]}
    event = audit.record(session, None, "person.changed", "person", person.id, detail)
    session.commit()
    assert "Morag" not in event.detail and "example.org" not in event.detail
    assert audit.decode(event.detail) == detail


def test_an_event_for_a_new_record_gets_its_id(session):
    person = Person(name="New")
    session.add(person)
    audit.record_for(session, None, "person.created", person)
    session.commit()
    [event] = events(session, "person.created")
    assert event.object_type == "person" and event.object_id == str(person.id)


def test_nothing_is_recorded_when_the_change_is_rolled_back(session):
    person = Person(name="Gone")
    session.add(person)
    session.commit()
    audit.record_when_deleted(session, None, "person.removed", person)
    session.commit()  # not deleted: nothing recorded
    assert events(session, "person.removed") == []
    session.delete(person)
    session.commit()
    assert [e.object_id for e in events(session, "person.removed")] == [str(person.id)]


# --- What the pages record ---------------------------------------------------------------------------

@pytest.fixture
def role(db_session):
    project = Project(name="Crisis pathway redesign", start_date=dt.date(2026, 4, 1))
    role = Role(project=project, title="Lived experience co-chair", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                session_hours=Decimal("3")))
    db_session.add(project)
    db_session.commit()
    return role


def test_viewing_and_changing_a_persons_details_is_recorded(client, db_session, admin_user):
    response = client.post("/people/new", data={"name": "Morag Fraser", "email": "morag@example.org",
                                                "preferred_language": "en", "reciprocity": "not_chosen"})
    person = db_session.scalar(select(Person).where(Person.name == "Morag Fraser"))
    assert response.status_code == 302
    client.get(f"/people/{person.id}")
    client.post(f"/people/{person.id}/edit", data={"name": "Morag Fraser", "email": "m.fraser@example.org",
                                                    "preferred_language": "en", "reciprocity": "not_chosen",
                                                    "payee_reference": "SUP-9"})
    recorded = [(e.action, e.user_id, e.object_type, e.object_id) for e in events(db_session)
                if e.action.startswith("person.")]
    assert recorded == [
        ("person.created", admin_user.id, "person", str(person.id)),
        ("person.viewed", admin_user.id, "person", str(person.id)),
        ("person.changed", admin_user.id, "person", str(person.id)),
    ]
    changed = audit.decode(events(db_session, "person.changed")[0].detail)
    assert changed == {"fields": ["email", "payee_reference"]}  # names only: these values are personal


def test_a_failed_save_records_nothing(client, db_session):
    db_session.add_all([Person(name="A", email="a@example.org"), Person(name="B", email="b@example.org")])
    db_session.commit()
    b = db_session.scalar(select(Person).where(Person.name == "B"))
    response = client.post(f"/people/{b.id}/edit", data={"name": "B", "email": "a@example.org",
                                                         "preferred_language": "en", "reciprocity": "not_chosen"})
    assert "Someone else already has this email address" in response.get_data(as_text=True)
    assert events(db_session, "person.changed") == []


def test_removing_a_person_is_recorded_only_when_removed(client, db_session):
    person = Person(name="Leaving")
    db_session.add(person)
    db_session.commit()
    client.get(f"/people/{person.id}/delete")  # only asked
    client.get("/people/")
    assert events(db_session, "person.removed") == []
    client.post(f"/people/{person.id}/delete")
    assert [e.object_id for e in events(db_session, "person.removed")] == [str(person.id)]


def test_pay_terms_changes_are_recorded_with_the_rates(client, db_session, role):
    response = client.post(f"/projects/{role.project_id}/roles/{role.id}/terms/new", data={
        "effective_from": ["1", "10", "2026"], "basis": "session", "rate": "120", "rate_card_ref": "",
        "session_hours": "3", "prep_hours": "2", "prep_paid": "yes", "travel_hours": "0", "travel_paid": "no",
    })
    assert response.status_code == 302
    [event] = events(db_session, "role_terms.saved")
    detail = audit.decode(event.detail)
    assert detail["role_id"] == role.id and detail["effective_from"] == "2026-10-01"
    assert detail["values"]["rate"] == [None, "120"]
    assert "prep_paid" in detail["fields"]


def test_a_new_role_is_recorded_with_its_first_terms(client, db_session, role):
    response = client.post(f"/projects/{role.project_id}/roles/new", data={
        "title": "Clinical co-chair", "kind": "clinical", "group_id": "", "basis": "hour", "rate": "45",
        "rate_card_ref": "", "session_hours": "3", "prep_hours": "0", "prep_paid": "no", "travel_hours": "0",
        "travel_paid": "no",
    })
    assert response.status_code == 302
    new_role = db_session.scalar(select(Role).where(Role.title == "Clinical co-chair"))
    [created] = events(db_session, "role.created")
    assert created.object_id == str(new_role.id)
    [terms] = events(db_session, "role_terms.saved")
    assert audit.decode(terms.detail)["values"]["rate"] == [None, "45"]


def test_signing_in_and_failing_are_recorded_without_the_typed_email(anonymous_client, db_session, lead_user):
    anonymous_client.post("/sign-in", data={"email": "lead@example.org", "password": "wrong guess"})
    anonymous_client.post("/sign-in", data={"email": "stranger@example.org", "password": "wrong guess"})
    anonymous_client.post("/sign-in", data={"email": "lead@example.org", "password": "correct horse battery staple"})
    recorded = [(e.action, e.user_id, e.object_id, e.detail) for e in events(db_session)]
    assert recorded == [
        ("user.sign_in_failed", None, str(lead_user.id), None),
        ("user.sign_in_failed", None, None, None),
        ("user.signed_in", lead_user.id, str(lead_user.id), None),
    ]


# --- Reading the log -----------------------------------------------------------------------------------

def test_only_administrators_read_the_log_and_nobody_can_change_it(app, client, client_for, make_user, db_session):
    person = Person(name="Morag Fraser")
    db_session.add(person)
    db_session.commit()
    client.get(f"/people/{person.id}")
    page = client.get("/audit/")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "A person's details were viewed" in html and "admin@example.org" in html and "Morag Fraser" in html
    filtered = client.get("/audit/?action=user.signed_in").get_data(as_text=True)
    assert "0 events" in filtered
    for role in ("lead", "finance", "participant"):
        assert client_for(make_user(role, person=Person(name=role) if role == "participant" else None)) \
            .get("/audit/").status_code == 403
    # The log has no pages that change it: every route under /audit takes GET only.
    methods = {method for rule in app.url_map.iter_rules() if rule.rule.startswith("/audit")
               for method in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}
    assert client.post("/audit/").status_code == 405


def test_the_log_pages_through_many_events(client, db_session):
    for number in range(120):
        audit.record(db_session, None, "person.viewed", "person", number)
    db_session.commit()
    first = client.get("/audit/").get_data(as_text=True)
    assert "120 events" in first and "Next" in first
    last = client.get("/audit/?page=3").get_data(as_text=True)
    assert "Previous" in last
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == 120


# --- Approvals, batches, payments, closed months, statements and exports ----------------------------

def test_approvals_batches_payments_and_statements_are_recorded(client, db_session, admin_user):
    from remun.project_records.enums import Reciprocity
    from remun.ledger.models import Claim, PaymentBatch
    from tests.helpers.ledger import build_project

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    client.get(f"/projects/{project.id}/claims")  # attendance becomes claims
    first, *others = db_session.scalars(select(Claim).order_by(Claim.id)).all()
    client.post(f"/projects/{project.id}/claims/{first.id}/reject", data={"reason": "Ann was not there"})
    client.post(f"/projects/{project.id}/claims", data={"claim_id": [str(claim.id) for claim in others]})
    client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    batch = db_session.scalar(select(PaymentBatch))
    client.post(f"/projects/{project.id}/batches/{batch.id}")
    client.post(f"/projects/{project.id}/batches/{batch.id}")  # twice: paid once, recorded once
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    client.get(f"/people/{ann.id}/statement")
    month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    client.post("/finance/periods", data={"month": month.replace(day=1).isoformat()})
    client.post(f"/finance/periods/{month:%Y-%m}")  # closing is confirmed on its own page (issue 16)

    recorded = [(e.action, e.object_type, e.object_id, e.user_id) for e in events(db_session)
                if not e.action.startswith("user.")]
    assert recorded == [
        ("claim.rejected", "claim", str(first.id), admin_user.id),
        ("claims.approved", "project", str(project.id), admin_user.id),
        ("batch.created", "batch", str(batch.id), admin_user.id),
        ("batch.paid", "batch", str(batch.id), admin_user.id),
        ("person.statement_viewed", "person", str(ann.id), admin_user.id),
        ("month.closed", "month", month.replace(day=1).isoformat(), admin_user.id),
    ]
    approved = audit.decode(events(db_session, "claims.approved")[0].detail)
    assert approved["claims"] == [claim.id for claim in others]
    # The rejection's words may name someone, so they are not in the log.
    assert "Ann" not in (events(db_session, "claim.rejected")[0].detail or "")
    # The administrators' log page shows them in words.
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get("/audit/").get_data(as_text=True)).split())
    assert "A payment batch was marked paid" in page and "Claims were approved" in page


def test_ledger_commands_are_recorded_too(cli_env):
    from tests.helpers.cli import run

    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "close-month", "2026-01").returncode == 0
    from sqlalchemy import create_engine

    engine = create_engine(cli_env["REMUN_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT action, object_type, object_id, user_id FROM audit_events")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("month.closed", "month", "2026-01-01", None)]


def test_every_action_the_code_records_is_described_in_words():
    """The audit log page shows each action in words; a new action without them fails here."""
    import re
    from pathlib import Path

    import remun
    from remun import create_app  # noqa: F401  (importing the app registers every part's actions)
    from remun.accounts import audit as audit_log
    from remun.web import app as _web_app  # noqa: F401

    for module in ("remun.budget.store", "remun.reciprocity.choices"):
        __import__(module)
    call = re.compile(r'audit\w*(?:\.record\w*)?\([^"()]*"([a-z_]+\.[a-z_]+)"')
    recorded = {code for path in Path(remun.__file__).parent.rglob("*.py") for code in call.findall(path.read_text())}
    assert len(recorded) > 20  # the pattern still finds the calls
    assert recorded - set(audit_log.ACTIONS) == set()
