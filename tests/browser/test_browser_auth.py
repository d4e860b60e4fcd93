"""Accounts in a real browser: hostile names render as typed and run nothing, signing in and
out works with the real forms and cookies, and the account pages pass axe.

Debian's Chromium through Playwright, as in tests/browser/test_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import WIDTHS, _check

from tests.helpers.live_site import served_app  # noqa: E402
from tests.helpers.browser import _outside_the_browsers_event_loop  # noqa: F401  (fixtures too)

pytestmark = pytest.mark.browser

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.org", "browser tests password"
PARTICIPANT_PASSWORD = "participant password"


@pytest.fixture(scope="module")
def site(backend, tmp_path_factory):
    """A served app holding a project whose people have hostile names; their ids; an admin and a participant.

    On each database backend (SQLite, and PostgreSQL when it is running)."""
    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.project_records.enums import PayBasis, RoleKind
    from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleTerms

    from tests.conftest import create_postgres_database

    def fill(session):
        project = Project(name="Hostile names project", start_date=dt.date(2026, 4, 1))
        role = Role(project=project, title="Peer researcher", kind=RoleKind.LIVED_EXPERIENCE)
        role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.HOUR, rate=Decimal("20"),
                                    session_hours=Decimal("2")))
        meeting = Meeting(project=project, date=dt.date(2026, 5, 1), title="Workshop", hours=Decimal("2"))
        people = [Person(name=name) for name in HOSTILE]
        session.add_all([project, meeting, *people])
        session.flush()
        for person in people:
            session.add(Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1)))
            session.add(Attendance(meeting=meeting, person=person, role=role, hours=Decimal("2")))
        create_user(session, ADMIN_EMAIL, "admin", password=ADMIN_PASSWORD, using=hasher("test"))
        create_user(session, "participant@example.org", "participant", person_id=people[0].id,
                    password=PARTICIPANT_PASSWORD, using=hasher("test"))
        session.flush()
        return {"project": project.id, "meeting": meeting.id, "role": role.id, "people": [p.id for p in people]}

    folder = tmp_path_factory.mktemp("browser-auth")
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'browser.sqlite3'}"
    else:
        url, drop = create_postgres_database()
    try:
        with served_app(url, folder, fill, secret="browser-auth-tests", run=_outside_the_browsers_event_loop) as site:
            yield site
    finally:
        if drop:
            drop()


def sign_in(page, base, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    page.goto(base + "/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)  # waits for the navigation, failing if it never comes


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_hostile_names_render_as_typed_and_run_nothing(site, page):
    base, ids = site
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base)
    project, meeting = ids["project"], ids["meeting"]
    addresses = ["/people/", f"/projects/{project}", f"/projects/{project}/sessions/{meeting}",
                 f"/projects/{project}/sessions/{meeting}/attendance/new", f"/projects/{project}/appointments/new",
                 f"/projects/{project}/parity", f"/projects/{project}/claims", f"/projects/{project}/ledger",
                 "/audit/", "/accounts/"]
    for person_id, name in zip(ids["people"], HOSTILE):
        addresses += [f"/people/{person_id}", f"/people/{person_id}/edit", f"/people/{person_id}/delete",
                      f"/people/{person_id}/data", f"/people/{person_id}/erase", f"/people/{person_id}/account",
                      f"/people/{person_id}/statement"]
    for address in addresses:
        response = page.goto(base + address)
        assert response.status == 200, address
        # Injected markup would be an element; escaped, it is only text.
        assert page.locator("img[src='x']").count() == 0, address
        assert page.locator("main script").count() == 0, address
    for person_id, name in zip(ids["people"], HOSTILE):
        page.goto(base + f"/people/{person_id}")
        assert page.locator("h1").inner_text() == name
        assert page.title().startswith(name)
        page.goto(base + f"/people/{person_id}/edit")
        assert page.locator("#name").input_value() == name
        page.goto(base + "/people/")
        assert page.get_by_role("link", name=name, exact=True).count() == 1
        page.goto(base + f"/projects/{project}/sessions/{meeting}/attendance/new")
        assert page.locator("#person_id option", has_text=name).count() == 1
    page.wait_for_timeout(300)
    assert dialogs == []


def test_typing_a_hostile_name_into_the_form_keeps_it_as_text(site, page):
    base, _ids = site
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base)
    page.goto(base + "/people/new")
    name = "<svg onload=alert(2)>Ann</svg>"
    page.locator("#name").fill(name)
    page.get_by_role("button", name="Save person").click()
    expect(page.locator("h1")).to_have_text(name)
    page.wait_for_timeout(300)
    assert dialogs == []


def test_sign_in_with_the_real_form_then_out(site, page):
    base, ids = site
    page.goto(base + f"/people/{ids['people'][0]}")
    assert "/sign-in" in page.url
    page.get_by_role("button", name="Sign in").click()
    # Wait for the answer to the form (on a busy machine it can come after the click returns).
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    _check(page, "/sign-in-errors", "desktop")
    page.locator("#email").fill("participant@example.org")
    page.locator("#password").fill(PARTICIPANT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back where they were going: their own page, with the hostile name shown as typed.
    page.wait_for_url(f"**/people/{ids['people'][0]}")
    expect(page.locator("h1")).to_have_text(HOSTILE[0])
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    # Nobody else's page, and no menu items they cannot use.
    assert page.goto(base + f"/people/{ids['people'][1]}").status == 403
    assert page.get_by_role("link", name="Projects").count() == 0
    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url("**/sign-out")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    expect(page.locator("main")).to_contain_text("You have signed out")
    assert page.goto(base + f"/people/{ids['people'][0]}").url.startswith(base + "/sign-in")


ACCOUNT_PAGES = ["/sign-out", "/account", "/account/password", "/accounts/", "/accounts/new", "/accounts/1",
                 "/accounts/1/edit", "/accounts/2/link/reset", "/accounts/2/deactivate", "/audit/",
                 "/people/{person}/data", "/people/{person}/erase", "/people/{person}/account",
                 "/reset/not-a-real-link", "/settings/", "/projects/{project}/leads"]


@pytest.mark.parametrize("width_name", WIDTHS)
def test_account_pages_pass_axe(site, browser, width_name):  # noqa: F811
    base, ids = site
    context = browser.new_context(viewport={"width": WIDTHS[width_name], "height": 900})
    page = context.new_page()
    page.goto(base + "/sign-in")
    _check(page, "/sign-in", width_name)
    sign_in(page, base)
    for address in ACCOUNT_PAGES:
        address = address.format(person=ids["people"][1], project=ids["project"])
        response = page.goto(base + address)
        assert response.status == (404 if address.startswith("/reset/") else 200), address
        _check(page, re.sub(r"\d+", "n", address), width_name)
    # The page that shows a new link.
    page.goto(base + "/accounts/2/link/reset")
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator("#link")).to_have_value(re.compile("/reset/"))
    _check(page, "/accounts/n/link/made", width_name)
    context.close()
