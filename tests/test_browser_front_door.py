"""Every person's journey from the front door, in Chromium (issue 15).

A crawler per kind of account, in each language, starts at ``/``, signs in through the real
form, and follows every internal link and GET form shown on every page it reaches (bounded),
failing on any refusal (403), missing page (404) or error (5xx) reached that way. Then three
journeys from a fresh browser: a lead sets up a project, finance pays and closes a month, and
a participant chooses how to be thanked and tells the project about a session.

Browser tests wait for what they check (a navigation, a locator), never read at once.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.link_crawler import crawl
from tests.live_site import demo, served_app
from tests.test_browser import browser  # noqa: F401  (a fixture: Debian's Chromium)

pytestmark = pytest.mark.browser

PASSWORD = "front door password"
OTHER_PROJECT = "A project someone else leads"
EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "finance": "finance@example.org",
    "participant": "morag.henderson@example.org",  # the demo's participant, Morag Henderson
}
#: Pages opened of any one kind (the demo has dozens of people and sessions; every kind is reached).
PER_KIND = 3
LIMIT = 500


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo project, another project led by someone else, and one account of each kind."""
    from sqlalchemy import select

    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.models import Meeting, Person, Project

    def fill(session):
        demo(session)
        demo_project = session.scalar(select(Project))
        other = Project(name=OTHER_PROJECT, cost_centre="ZZ-999", start_date=dt.date(2026, 1, 1))
        other.meetings = [Meeting(date=dt.date(2026, 2, 1), title="Someone else's session", hours=2)]
        session.add(other)
        session.flush()
        fast = hasher("test")
        create_user(session, EMAILS["admin"], "admin", password=PASSWORD, using=fast)
        create_user(session, EMAILS["lead"], "lead", password=PASSWORD, project_ids=[demo_project.id], using=fast)
        create_user(session, "other.lead@example.org", "lead", password=PASSWORD, project_ids=[other.id], using=fast)
        create_user(session, EMAILS["finance"], "finance", password=PASSWORD, using=fast)
        morag = session.scalar(select(Person).where(Person.email == EMAILS["participant"]))
        create_user(session, EMAILS["participant"], "participant", password=PASSWORD, person_id=morag.id, using=fast)
        session.flush()
        return {"project": demo_project.id, "other": other.id, "person": morag.id}

    folder = tmp_path_factory.mktemp("front-door")
    with served_app(f"sqlite:///{folder / 'front-door.sqlite3'}", folder, fill, secret="front-door-tests") as served:
        yield served


def new_page(browser, *, assets=True):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    if not assets:
        # The crawl reads pages, not pictures, fonts or scripts (the axe tests check those).
        context.route(re.compile(r"/static/"), lambda route: route.abort())
    return context, context.new_page()


def sign_in_at_the_front_door(page, base, who):
    """Open /, be sent to the sign-in form, sign in there; wait until the person has landed."""
    page.goto(base + "/")
    page.wait_for_url("**/sign-in**")
    page.locator("#email").fill(EMAILS[who])
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def choose_language(page, code):
    if code == "en":
        return
    page.locator(f"a[hreflang='{code}']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def browser_fetch(page, base):
    def fetch(path):
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            download = page.request.get(base + path)  # a file (a workbook, a CSV): its answer is enough
            return download.status, None, path
        final = page.url[len(base):]
        if response is None:
            return 200, None, final
        html = page.content() if "text/html" in (response.headers.get("content-type") or "") else None
        return response.status, html, final
    return fetch


@pytest.mark.parametrize("language", ["en", "gd", "pl"])
@pytest.mark.parametrize("who", ["admin", "lead", "finance", "participant"])
def test_every_link_shown_can_be_followed(site, browser, who, language):  # noqa: F811
    base, ids = site
    context, page = new_page(browser, assets=False)
    try:
        sign_in_at_the_front_door(page, base, who)
        if who == "participant":
            assert page.url.endswith(f"/people/{ids['person']}/home")
        choose_language(page, language)
        start = page.url[len(base):]
        result = crawl(browser_fetch(page, base), start, limit=LIMIT, per_kind=PER_KIND)
        print(f"\ncrawl {who} {language}: {result.pages} pages")
        assert result.dead_ends == [], f"{who} ({language}): {result.dead_ends[:20]}"
        assert result.pages > (5 if who == "participant" else 20)
        expect(page.locator("html")).to_have_attribute("lang", language)  # the language held throughout
        if who == "lead":
            assert not any(path.startswith(f"/projects/{ids['other']}") for path in result.visited)
    finally:
        context.close()
