"""Failures in words (issue 14): a held lock gives a 503 page, a lost race says "This was already done",
server errors use Remun's own page, and the command line names a bad database in one sentence."""

from __future__ import annotations


import pytest
from sqlalchemy import select, text

from remun.project_records.enums import Reciprocity
from remun.ledger.models import Claim, ClaimKind, ClaimStatus
from remun.project_records.models import Attendance
from tests.conftest import BACKENDS
from tests.helpers.cli import run
from tests.helpers.ledger import build_project
from tests.helpers.pages import text_of

ALREADY = "This was already done"


@pytest.fixture
def quick_lock_timeout(monkeypatch):
    """Pages give up waiting for a lock after one second (listed before ``app`` so the app sees it)."""
    monkeypatch.setenv("REMUN_DB_LOCK_TIMEOUT", "1")


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")
def test_a_held_ledger_lock_gives_a_503_page_not_a_hung_worker(quick_lock_timeout, backend, client, db_session,
                                                               database_url):
    if backend != "postgresql":
        pytest.skip("lock timeouts are PostgreSQL's")
    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    from remun.database import make_engine

    other = make_engine(database_url)
    holder = other.connect()
    holder.execute(text("UPDATE ledger_head SET last_hash = last_hash WHERE id = 1"))  # held, as in the issue
    try:
        response = client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    finally:
        holder.rollback()
        holder.close()
        other.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = text_of(response)
    assert "Someone else is changing this ledger" in page and "try again" in page
    assert ClaimStatus.APPROVED not in db_session.scalars(select(Claim.status)).all()  # nothing half-done


def test_the_loser_of_a_double_reverse_is_told_it_was_already_done(client, db_session):
    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    claim = db_session.scalar(select(Claim).where(Claim.kind == ClaimKind.TIME))
    address = f"/projects/{project.id}/claims/{claim.id}/reverse"
    first = client.post(address, data={"reason": "Wrong session"})
    assert "Claim reversed" in text_of(client.get(first.headers["Location"]))
    second = client.post(address, data={"reason": "Wrong session"})  # the other tab, a moment later
    assert second.status_code == 302
    assert ALREADY in text_of(client.get(second.headers["Location"]))
    db_session.refresh(claim)
    assert claim.status == ClaimStatus.REVERSED


def test_a_duplicate_session_submit_that_loses_the_race_says_already_done(client_for, setup, db_session,  # noqa: F811
                                                                           monkeypatch):
    from remun.web.views import participant_sessions

    person, meeting, user = setup["person"], setup["meeting"], setup["user"]
    role = setup["project"].roles[0]
    # As if the other request had not committed when this one checked: the session still looks open.
    monkeypatch.setattr(participant_sessions, "open_sessions", lambda _person: [(meeting, role)])
    client = client_for(user)
    address = f"/people/{person.id}/sessions/{meeting.id}"
    form = {"hours": "3", "expense_category": "travel"}
    assert client.post(address, data=dict(form), content_type="multipart/form-data").status_code == 302
    lost = client.post(address, data=dict(form), content_type="multipart/form-data")
    assert lost.status_code == 303 and lost.headers["Location"].endswith(address)
    assert ALREADY in text_of(client.get(lost.headers["Location"]))
    assert len(db_session.scalars(select(Attendance).where(Attendance.person_id == person.id)).all()) == 1


def test_a_server_error_uses_remuns_own_page_even_without_the_layout(app, client, db_session, monkeypatch):
    from remun.web import failures
    from remun.web.views import ledger

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error becomes a page

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ledger.ledger_balances, "project_balances", broken)
    response = client.get(f"/projects/{project.id}/ledger")
    page = text_of(response)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page and "Internal Server Error" not in page
    # When the usual layout cannot be drawn (the database is down), the plain page is still Remun's.
    monkeypatch.setattr(failures, "render_template", broken)
    response = client.get(f"/projects/{project.id}/ledger")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert "Internal Server Error" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "says"), [
    ("postgresql+psycopg://", "names no database server and no database"),
    ("postgresql+psycopg://nobody@127.0.0.1:1/remun", "could not connect to the database"),
    ("not a url", "is not a database address"),
])
def test_the_command_line_names_a_bad_database_in_one_sentence(cli_env, url, says):  # noqa: F811
    result = run(dict(cli_env, REMUN_DATABASE_URL=url), "claims", "list", "--project", "Any")
    assert result.returncode == 1
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
