"""Signing in and out, passwords, one-time links, rate limiting, CSRF, cookies, error pages and
the `remun user` commands. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from remun.accounts import passwords, tokens, users
from remun.accounts.models import OneTimeToken, TokenPurpose, User, UserRole
from remun.project_records.models import Person
from tests.conftest import PASSWORD
from tests.helpers.cli import run
from tests.helpers.mail import _use_mail_server


def sign_in(client, email, password=PASSWORD, next_url=None):
    address = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(address, data={"email": email, "password": password})


def link_on(response) -> str:
    match = re.search(r'value="(https?://[^"]+/(?:reset|invitation)/[^"]+)"', response.get_data(as_text=True))
    assert match, "no link on the page"
    return match.group(1).split("localhost", 1)[-1]


# --- Passwords and links, without the web ---------------------------------------------------------

def test_passwords_are_argon2id_and_only_the_right_one_matches():
    hashed = passwords.hash_password("three random words", passwords.hasher("test"))
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "three random words", passwords.hasher("test"))
    assert not passwords.verify_password(hashed, "three random word", passwords.hasher("test"))
    assert not passwords.verify_password(None, "anything", passwords.hasher("test"))
    assert not passwords.verify_password("not a hash", "anything", passwords.hasher("test"))
    # A weak test-profile hash is upgraded when someone signs in under the real settings.
    assert passwords.needs_rehash(hashed, passwords.hasher("default"))


def test_password_rules():
    assert passwords.password_problems("short") == ["too_short"]
    assert passwords.password_problems("x" * 300) == ["too_long"]
    assert passwords.password_problems("me@example.org", "Me@Example.org") == ["is_email"]
    assert passwords.password_problems("three random words") == []


def test_links_store_only_a_hash_expire_and_work_once(db_session, make_user):
    user = make_user("participant", person=Person(name="Ann"), password=None)
    link = users.issue_link(db_session, user, TokenPurpose.INVITATION)
    db_session.commit()
    stored = db_session.scalars(select(OneTimeToken)).all()
    assert [t.token_hash for t in stored] == [tokens.hash_token(link.token)]
    assert link.token not in {t.token_hash for t in stored}
    assert link.expires_at - tokens.now() > dt.timedelta(days=13, hours=23)
    # A reset link lasts a day.
    reset = tokens.issue(db_session, user, TokenPurpose.PASSWORD_RESET)
    assert dt.timedelta(hours=23) < reset.expires_at - tokens.now() <= dt.timedelta(hours=24)
    # The wrong kind, or after it expires, does not work.
    assert tokens.find(db_session, link.token, TokenPurpose.PASSWORD_RESET) is None
    assert tokens.find(db_session, link.token, TokenPurpose.INVITATION, at=link.expires_at) is None
    assert tokens.find(db_session, link.token, TokenPurpose.INVITATION) is not None
    users.set_password_from_link(db_session, link.token, TokenPurpose.INVITATION, "a brand new password",
                                 passwords.hasher("test"))
    db_session.commit()
    assert tokens.find(db_session, link.token, TokenPurpose.INVITATION) is None  # spent
    assert tokens.find(db_session, reset.token, TokenPurpose.PASSWORD_RESET) is None  # others cancelled
    with pytest.raises(users.AccountProblem):
        users.set_password_from_link(db_session, link.token, TokenPurpose.INVITATION, "another new password")


def test_a_new_link_cancels_the_previous_one(db_session, make_user):
    user = make_user("lead")
    first = users.issue_link(db_session, user, TokenPurpose.PASSWORD_RESET)
    second = users.issue_link(db_session, user, TokenPurpose.PASSWORD_RESET)
    assert tokens.find(db_session, first.token, TokenPurpose.PASSWORD_RESET) is None
    assert tokens.find(db_session, second.token, TokenPurpose.PASSWORD_RESET) is not None


def test_the_last_administrator_cannot_be_removed(db_session, admin_user):
    with pytest.raises(users.AccountProblem) as problem:
        users.deactivate(db_session, admin_user)
    assert problem.value.code == "last_admin"
    with pytest.raises(users.AccountProblem):
        users.set_access(db_session, admin_user, "finance")


# --- Signing in and out ------------------------------------------------------------------------

def test_sign_in_and_out(anonymous_client, lead_user, db_session):
    response = sign_in(anonymous_client, "  LEAD@example.org ")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = anonymous_client.get("/").get_data(as_text=True)
    assert "Signed in as lead@example.org" in page
    assert db_session.get(User, lead_user.id).last_sign_in_at is not None
    assert "Sign out" in anonymous_client.get("/sign-out").get_data(as_text=True)  # asks first
    assert anonymous_client.post("/sign-out").status_code == 302
    response = anonymous_client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("email,password", [("lead@example.org", "wrong password"), ("nobody@example.org", PASSWORD)])
def test_a_wrong_email_or_password_says_the_same_thing(anonymous_client, lead_user, email, password):
    response = sign_in(anonymous_client, email, password)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert anonymous_client.get("/").status_code == 302


def test_a_deactivated_account_cannot_sign_in_and_is_signed_out(client, client_for, make_user, db_session):
    finance = make_user("finance")
    their_browser = client_for(finance)
    assert their_browser.get("/").status_code == 200
    assert client.post(f"/accounts/{finance.id}/deactivate").status_code == 302
    assert not db_session.get(User, finance.id).active
    assert their_browser.get("/").status_code == 302  # signed out at once
    assert "Enter a correct email" in sign_in(client_for(None), finance.email).get_data(as_text=True)
    assert client.post(f"/accounts/{finance.id}/reactivate").status_code == 302
    assert sign_in(client_for(None), finance.email).status_code == 302


def test_sign_in_goes_back_only_to_this_site(anonymous_client, lead_user):
    assert sign_in(anonymous_client, lead_user.email, next_url="/rates/").headers["Location"] == "/rates/"
    anonymous_client.post("/sign-out")
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert sign_in(anonymous_client, lead_user.email, next_url=bad).headers["Location"] == "/"
        anonymous_client.post("/sign-out")


def test_a_participant_lands_on_their_own_page(anonymous_client, participant_user):
    response = sign_in(anonymous_client, participant_user.email)
    assert response.headers["Location"] == f"/people/{participant_user.person_id}/home"


def test_changing_the_password_ends_other_sessions(client_for, lead_user):
    here, elsewhere = client_for(lead_user), client_for(lead_user)
    response = here.post("/account/password", data={"current": "wrong", "password": "a new long password",
                                                     "confirm": "a new long password"})
    assert "Your current password is not right" in response.get_data(as_text=True)
    response = here.post("/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"})
    assert "at least 10 characters" in response.get_data(as_text=True)
    response = here.post("/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                     "confirm": "a new long passwort"})
    assert "The passwords do not match" in response.get_data(as_text=True)
    response = here.post("/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                     "confirm": "a new long password"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/").status_code == 302  # the other is signed out
    assert sign_in(client_for(None), lead_user.email, "a new long password").status_code == 302


# --- Links handed over by an administrator or lead ---------------------------------------------------

def test_admin_invites_a_participant_who_sets_their_own_password(client, client_for, db_session):
    person = Person(name="Eilidh Ross", email="eilidh@example.org")
    db_session.add(person)
    db_session.commit()
    response = client.post("/accounts/new", data={"email": "Eilidh@example.org", "role": "participant",
                                                  "person_id": str(person.id)})
    assert response.status_code == 200
    assert "It works once" in response.get_data(as_text=True)
    address = link_on(response)
    assert "/invitation/" in address
    account = db_session.scalar(select(User).where(User.email == "eilidh@example.org"))
    assert account.role is UserRole.PARTICIPANT and account.password_hash is None

    visitor = client_for(None)
    assert visitor.get(address).status_code == 200
    response = visitor.post(address, data={"password": "my own password", "confirm": "my own password"})
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{person.id}/home"
    assert visitor.get(f"/people/{person.id}").status_code == 200
    # The link works once.
    assert client_for(None).get(address).status_code == 404
    assert sign_in(client_for(None), "eilidh@example.org", "my own password").status_code == 302


def test_new_account_form_explains_problems(client, db_session, lead_user):
    response = client.post("/accounts/new", data={"email": "not an email", "role": "lead", "person_id": ""})
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    response = client.post("/accounts/new", data={"email": "lead@example.org", "role": "lead", "person_id": ""})
    assert "There is already an account with this email address" in response.get_data(as_text=True)
    response = client.post("/accounts/new", data={"email": "new@example.org", "role": "participant", "person_id": ""})
    assert "Choose which person this participant is" in response.get_data(as_text=True)


def test_admin_changes_access(client, db_session, make_user, led_project):
    user = make_user("finance")
    response = client.post(f"/accounts/{user.id}/edit", data={"role": "lead", "projects": [str(led_project.id)],
                                                               "person_id": ""})
    assert response.status_code == 302
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert user.role is UserRole.LEAD and [p.id for p in user.led_projects] == [led_project.id]


def test_reset_link_from_an_administrator(client, client_for, lead_user):
    assert "Make the link" in client.get(f"/accounts/{lead_user.id}/link/reset").get_data(as_text=True)
    address = link_on(client.post(f"/accounts/{lead_user.id}/link/reset"))
    assert "/reset/" in address
    visitor = client_for(None)
    response = visitor.post(address, data={"password": "tiny", "confirm": "tiny"})
    assert "at least 10 characters" in response.get_data(as_text=True)
    response = visitor.post(address, data={"password": "lead@example.org", "confirm": "lead@example.org"})
    assert "must not be your email address" in response.get_data(as_text=True)
    assert visitor.post(address, data={"password": "a reset password", "confirm": "a reset password"}).status_code == 302
    assert sign_in(client_for(None), lead_user.email, PASSWORD).status_code == 200  # the old one is gone
    assert sign_in(client_for(None), lead_user.email, "a reset password").status_code == 302


def test_an_expired_link_does_not_work(client_for, db_session, lead_user):
    link = users.issue_link(db_session, lead_user, TokenPurpose.PASSWORD_RESET)
    token = db_session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == tokens.hash_token(link.token)))
    token.expires_at = tokens.now() - dt.timedelta(minutes=1)
    db_session.commit()
    response = client_for(None).get(f"/reset/{link.token}")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_a_lead_hands_a_participant_in_their_project_a_link(client_for, db_session, make_user, led_project, lead_user):
    from remun.project_records.enums import PayBasis, RoleKind
    from remun.project_records.models import Appointment, Role, RoleTerms

    role = Role(project=led_project, title="Peer researcher", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.HOUR, rate=20))
    person = Person(name="Rory Bain", email="rory@example.org")
    db_session.add_all([role, person, Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1))])
    db_session.commit()
    lead = client_for(lead_user)
    page = lead.get(f"/people/{person.id}/account")
    assert page.status_code == 200 and "rory@example.org" in page.get_data(as_text=True)
    address = link_on(lead.post(f"/people/{person.id}/account", data={"email": "rory@example.org"}))
    assert "/invitation/" in address
    assert client_for(None).post(address, data={"password": "rory's password", "confirm": "rory's password"}).status_code == 302
    # Now they have a password, the account is theirs: the lead cannot come to hold a way into it
    # (issue 15); an administrator can, and it is recorded.
    page = lead.get(f"/people/{person.id}/account").get_data(as_text=True)
    assert "only they can use this account" in page and "Make a password reset link" not in page
    assert lead.post(f"/people/{person.id}/account").status_code == 403
    # But not for a member of staff.
    staff = make_user("finance", person=None)
    db_session.get(User, staff.id).person_id = None
    other = Person(name="Staff Member")
    db_session.add(other)
    db_session.flush()
    db_session.add(Appointment(person=other, role=role, start_date=dt.date(2026, 4, 1)))
    staff.person_id = other.id
    db_session.commit()
    assert lead.post(f"/people/{other.id}/account").status_code == 403


# --- Rate limiting -------------------------------------------------------------------------------

def test_sign_in_is_limited_per_account(app, client_for, lead_user):
    app.config["REMUN_SIGN_IN_LIMIT_PER_ACCOUNT"] = "3 per hour"
    for attempt in range(3):
        assert sign_in(client_for(None), lead_user.email, "wrong guess").status_code == 200
    response = sign_in(client_for(None), lead_user.email)  # even the right password, from anywhere
    assert response.status_code == 429
    assert "too many attempts" in response.get_data(as_text=True)
    # Another account is not affected.
    other = sign_in(client_for(None), "nobody@example.org", "wrong guess")
    assert other.status_code == 200


def test_sign_in_is_limited_per_address(app, client_for, lead_user, finance_user):
    app.config["REMUN_SIGN_IN_LIMIT_PER_ADDRESS"] = "4 per hour"
    visitor = client_for(None)
    for number in range(4):
        assert sign_in(visitor, f"guess{number}@example.org", "wrong").status_code == 200
    assert sign_in(visitor, finance_user.email).status_code == 429
    # From another address it still works.
    response = client_for(None).post("/sign-in", data={"email": finance_user.email, "password": PASSWORD},
                                     environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302


def test_a_successful_sign_in_clears_the_account_count(app, client_for, lead_user):
    app.config["REMUN_SIGN_IN_LIMIT_PER_ACCOUNT"] = "2 per hour"
    assert sign_in(client_for(None), lead_user.email, "wrong").status_code == 200
    assert sign_in(client_for(None), lead_user.email).status_code == 302
    assert sign_in(client_for(None), lead_user.email, "wrong").status_code == 200
    assert sign_in(client_for(None), lead_user.email).status_code == 302


# --- Web safety --------------------------------------------------------------------------------------

def test_forms_refuse_a_post_without_the_csrf_token(app, client_for, lead_user, led_project):
    app.config["WTF_CSRF_ENABLED"] = True
    signed_in = client_for(lead_user)
    for address, data in [(f"/projects/{led_project.id}/edit", {"name": "Sneaky"}),
                          ("/account/password", {"current": PASSWORD, "password": "x" * 12, "confirm": "x" * 12}),
                          ("/sign-out", {})]:
        assert signed_in.post(address, data=data).status_code == 400, address
    assert client_for(None).post("/sign-in", data={"email": lead_user.email, "password": PASSWORD}).status_code == 400
    # With the token from the page, signing in works.
    visitor = client_for(None)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', visitor.get("/sign-in").get_data(as_text=True))
    response = visitor.post("/sign-in", data={"email": lead_user.email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert response.status_code == 302


def test_session_cookies_are_secure_outside_tests(database_url, tmp_path, monkeypatch):
    from remun import create_app

    monkeypatch.setenv("REMUN_DATABASE_URL", database_url)
    monkeypatch.setenv("REMUN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REMUN_HTTPS", raising=False)
    production = create_app({"SECRET_KEY": "x"})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=12)
    monkeypatch.setenv("REMUN_HTTPS", "0")
    assert create_app({"SECRET_KEY": "x"}).config["SESSION_COOKIE_SECURE"] is False
    for app in (production,):
        with app.app_context():
            from remun.web.extensions import db

            db.engine.dispose()


def test_the_session_cookie_is_http_only_and_expires(anonymous_client, lead_user):
    response = sign_in(anonymous_client, lead_user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_error_pages_leak_nothing(app, client_for, make_user, db_session):
    @app.get("/explode-for-test")
    def explode():
        raise RuntimeError("database password is hunter2")

    person = Person(name="Secret Name", email="secret@example.org")
    db_session.add(person)
    db_session.commit()
    lead = client_for(make_user("lead"))
    forbidden = lead.get(f"/people/{person.id}")
    assert forbidden.status_code == 403
    body = forbidden.get_data(as_text=True)
    assert "You cannot see this page" in body and "Secret Name" not in body and "secret@" not in body
    missing = lead.get("/people/999999/nothing")
    assert missing.status_code == 404 and "Traceback" not in missing.get_data(as_text=True)
    bad = client_for(None).post("/sign-in", data={"email": "x"}, headers={"Content-Type": "application/json"})
    assert bad.status_code in (200, 400)

    from remun.web import permissions

    permissions.RULES["explode"] = permissions.ADMIN
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    try:
        response = client_for(make_user("admin", email="boom@example.org")).get("/explode-for-test")
    finally:
        app.testing = True
        del permissions.RULES["explode"]
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body
    assert "hunter2" not in body and "Traceback" not in body and "RuntimeError" not in body


def test_security_headers_on_the_sign_in_page(anonymous_client):
    response = anonymous_client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert 'autocomplete="current-password"' in response.get_data(as_text=True)


def test_templates_have_no_inline_script_event_handlers_or_unescaped_output():
    """The Content-Security-Policy allows no inline script (only GOV.UK's own one-line snippet, by nonce);
    these would be refused by browsers, and unescaped output could carry someone's hostile name."""
    from remun.config import TEMPLATES_DIR

    problems = []
    for template in sorted(TEMPLATES_DIR.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        name = template.relative_to(TEMPLATES_DIR)
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            if "src=" not in tag:
                problems.append(f"{name}: inline script {tag}")
        problems += [f"{name}: event handler {m}" for m in re.findall(r"<[^>]*\s(on[a-z]+\s*=)", text, re.I)]
        problems += [f"{name}: unescaped output {m}" for m in re.findall(r"\|\s*safe\b|autoescape\s+false", text)]
        problems += [f"{name}: javascript: address" for _ in re.findall(r"javascript:", text, re.I)]
    assert problems == []


def test_every_page_has_only_the_one_inline_script_and_it_carries_the_nonce(client, lead_user):
    for address in ("/", "/accounts/", f"/accounts/{lead_user.id}", "/audit/", "/people/", "/account"):
        response = client.get(address)
        nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        scripts = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
        inline = [tag for tag in scripts if "src=" not in tag]
        assert inline == [f'<script nonce="{nonce}">'], address


def test_a_bad_request_page_leaks_nothing(app, client_for, lead_user, led_project):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client_for(lead_user).post(f"/projects/{led_project.id}/edit", data={"name": "Sneaky"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Something in the request was not right" in body
    for detail in ("CSRF", "csrf", "token", "Traceback", "werkzeug", "Bad Request"):
        assert detail not in body, detail
    assert response.headers["Content-Security-Policy"]  # error pages are protected too


# --- The command line ---------------------------------------------------------------------------

def test_user_commands(cli_env):  # noqa: F811
    env = dict(cli_env, REMUN_ARGON2_PROFILE="test")
    assert run(env, "migrate").returncode == 0
    created = run(env, "user", "create", "First@Example.org", "--role", "admin", input_text="the first password\n")
    assert created.returncode == 0, created.stderr
    assert "first@example.org" in created.stdout
    # The password read from standard input is the one that works, and only an argon2 hash is kept.
    from sqlalchemy import create_engine, text

    engine = create_engine(env["REMUN_DATABASE_URL"])
    with engine.connect() as connection:
        role, stored = connection.execute(text("SELECT role, password_hash FROM users")).one()
    engine.dispose()
    assert role == "admin" and stored.startswith("$argon2id$") and "the first password" not in stored
    assert passwords.verify_password(stored, "the first password", passwords.hasher("test"))
    assert not passwords.verify_password(stored, "the first password\n", passwords.hasher("test"))
    again = run(env, "user", "create", "first@example.org", "--role", "admin", input_text="the first password\n")
    assert again.returncode == 1 and "already an account" in again.stderr and "Traceback" not in again.stderr
    weak = run(env, "user", "create", "second@example.org", "--role", "finance", input_text="short\n")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    bad_role = run(env, "user", "create", "third@example.org", "--role", "owner", input_text="long enough password\n")
    assert bad_role.returncode == 2
    invited = run(env, "user", "invite", "finance@example.org", "--role", "finance",
                  "--base-url", "https://remun.example.org")
    assert invited.returncode == 0, invited.stderr
    assert re.search(r"^https://remun\.example\.org/invitation/\S{40,}$", invited.stdout, re.M)
    reset = run(env, "user", "reset-link", "first@example.org")
    assert reset.returncode == 0 and "/reset/" in reset.stdout
    unknown = run(env, "user", "reset-link", "nobody@example.org")
    assert unknown.returncode == 1 and "no account" in unknown.stderr
    listed = run(env, "user", "list")
    assert "first@example.org" in listed.stdout and "invited" in listed.stdout


def test_a_fresh_install_says_how_to_create_the_first_administrator(anonymous_client, db_session):
    assert "remun user create" in anonymous_client.get("/sign-in").get_data(as_text=True)


def test_once_there_are_accounts_the_sign_in_page_says_nothing_about_them(anonymous_client, lead_user):
    assert "remun user create" not in anonymous_client.get("/sign-in").get_data(as_text=True)


# --- Sending links by email, when a mail server is configured -------------------------------------


def test_mail_settings_are_optional_and_checked():
    from remun.accounts.mail import SmtpSettings

    assert SmtpSettings.from_config({}) is None
    settings = SmtpSettings.from_config({"REMUN_SMTP_HOST": "mail.example.org", "REMUN_SMTP_FROM": "r@example.org"})
    assert (settings.port, settings.security) == (587, "starttls")
    with pytest.raises(ValueError, match="REMUN_SMTP_FROM"):
        SmtpSettings.from_config({"REMUN_SMTP_HOST": "mail.example.org"})
    with pytest.raises(ValueError, match="REMUN_SMTP_SECURITY"):
        SmtpSettings.from_config({"REMUN_SMTP_HOST": "m", "REMUN_SMTP_FROM": "r@example.org",
                                  "REMUN_SMTP_SECURITY": "maybe"})


def test_without_a_mail_server_the_link_is_only_shown(client, lead_user, smtp_server):
    page = client.post(f"/accounts/{lead_user.id}/link/reset").get_data(as_text=True)
    assert "/reset/" in page and "emailed" not in page
    assert smtp_server.received == []


def test_a_reset_link_is_emailed_when_a_mail_server_is_configured(app, client, client_for, lead_user, smtp_server):
    _use_mail_server(app, smtp_server.server_address[1])
    response = client.post(f"/accounts/{lead_user.id}/link/reset")
    address = link_on(response)
    assert "We have emailed this link to lead@example.org and told them" in response.get_data(as_text=True)
    [sent] = smtp_server.received
    assert sent["from"] == "remun@example.org" and sent["to"] == ["lead@example.org"]
    message = sent["message"]
    assert message["Subject"] == "Choose a new password for Remun"
    body = message.get_content()
    assert "/reset/" in body
    emailed_address = re.search(r"https?://\S+/reset/\S+", body).group(0).split("localhost", 1)[-1]
    assert emailed_address == address
    # The emailed link works, once.
    assert client_for(None).post(emailed_address, data={"password": "an emailed password",
                                                        "confirm": "an emailed password"}).status_code == 302
    assert client_for(None).get(emailed_address).status_code == 404


def test_an_invitation_is_emailed_in_the_persons_language(app, client, db_session, smtp_server):
    _use_mail_server(app, smtp_server.server_address[1])
    person = Person(name="Ola Nowak", email="ola@example.org", preferred_language="pl")
    db_session.add(person)
    db_session.commit()
    response = client.post(f"/people/{person.id}/account", data={"email": "ola@example.org"})
    assert "/invitation/" in link_on(response)
    [sent] = smtp_server.received
    assert sent["to"] == ["ola@example.org"]
    assert "/invitation/" in sent["message"].get_content()


def test_a_mail_server_that_is_down_does_not_lose_the_link(app, client, lead_user, smtp_server):
    port = smtp_server.server_address[1]
    smtp_server.shutdown()
    smtp_server.server_close()  # nothing listens there now
    _use_mail_server(app, port)
    response = client.post(f"/accounts/{lead_user.id}/link/reset")
    assert "/reset/" in link_on(response)
    assert "We could not email this link to them" in response.get_data(as_text=True)


def test_the_command_line_emails_links_when_configured(cli_env, smtp_server):  # noqa: F811
    env = dict(cli_env, REMUN_ARGON2_PROFILE="test", REMUN_SMTP_HOST="127.0.0.1",
               REMUN_SMTP_PORT=str(smtp_server.server_address[1]), REMUN_SMTP_SECURITY="none",
               REMUN_SMTP_FROM="remun@example.org")
    assert run(env, "migrate").returncode == 0
    invited = run(env, "user", "invite", "lead@example.org", "--role", "lead", "--base-url", "https://remun.example.org")
    assert invited.returncode == 0, invited.stderr
    assert "emailed to lead@example.org" in invited.stdout
    [sent] = smtp_server.received
    printed = re.search(r"^https://remun\.example\.org/invitation/\S+$", invited.stdout, re.M).group(0)
    assert printed in sent["message"].get_content()
    assert sent["message"]["Subject"] == "Your invitation to sign in to Remun"


# --- Sign-in limits shared by several workers ---------------------------------------------------------

@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of this test's own (Flask-Limiter's shared store for several workers)."""
    import shutil
    import socket
    import subprocess
    import time

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_workers_share_the_sign_in_counts_through_the_configured_store(redis_url, tmp_path, monkeypatch):
    from remun import create_app
    from remun.database import upgrade

    url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    upgrade(url)
    monkeypatch.setenv("REMUN_DATABASE_URL", url)
    monkeypatch.setenv("REMUN_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "x", "REMUN_ARGON2_PROFILE": "test",
                "REMUN_RATELIMIT_STORAGE_URI": redis_url, "REMUN_SIGN_IN_LIMIT_PER_ACCOUNT": "3 per hour"}
    first, second = create_app(dict(settings)), create_app(dict(settings))
    assert first.config["RATELIMIT_STORAGE_URI"] == redis_url
    for _ in range(3):
        assert sign_in(first.test_client(), "someone@example.org", "wrong guess").status_code == 200
    # The other worker knows: the account is refused there too.
    assert sign_in(second.test_client(), "someone@example.org", "wrong guess").status_code == 429
    assert sign_in(second.test_client(), "another@example.org", "wrong guess").status_code == 200
    # Each worker alone (memory://) would not have known.
    alone = create_app(dict(settings, REMUN_RATELIMIT_STORAGE_URI="memory://"))
    assert sign_in(alone.test_client(), "someone@example.org", "wrong guess").status_code == 200
    for app in (first, second, alone):
        with app.app_context():
            from remun.web.extensions import db

            db.engine.dispose()


def test_signed_in_pages_are_not_cached_and_https_is_kept(client, anonymous_client):
    assert client.get("/people/").headers["Cache-Control"] == "no-store"
    stylesheet = anonymous_client.get("/static/remun.css")
    stylesheet.close()
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in anonymous_client.get("/sign-in").headers
    secure = anonymous_client.get("/sign-in", base_url="https://remun.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_mail_server_without_starttls_is_refused_rather_than_sent_in_the_clear(app, client, lead_user, smtp_server):
    from remun.accounts import mail

    app.extensions["remun.smtp"] = mail.SmtpSettings.from_config({
        "REMUN_SMTP_HOST": "127.0.0.1", "REMUN_SMTP_PORT": str(smtp_server.server_address[1]),
        "REMUN_SMTP_FROM": "remun@example.org",  # starttls by default, which this server does not offer
    })
    response = client.post(f"/accounts/{lead_user.id}/link/reset")
    assert "We could not email this link to them" in response.get_data(as_text=True)
    assert smtp_server.received == []
