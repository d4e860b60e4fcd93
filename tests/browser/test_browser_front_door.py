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
from decimal import Decimal

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.helpers.link_crawler import crawl
from tests.helpers.live_site import demo, served_app
from tests.helpers.browser import _outside_the_browsers_event_loop

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
    from remun.project_records.models import Meeting, Person, Project

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
        if response is not None and response.status == 503 and response.headers.get("retry-after"):
            # "Someone else is changing this just now: try again shortly" (the workbook jobs of the crawls
            # before this one may still be writing): a person tries again, once, after the time it says.
            page.wait_for_timeout(1000 * min(int(response.headers["retry-after"]), 10))
            response = page.goto(base + path)
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
        page.goto(base + start)  # (the crawl may end on a letter, which is in the person's own language)
        expect(page.locator("html")).to_have_attribute("lang", language)  # the language held throughout
        if who == "lead":
            assert not any(path.startswith(f"/projects/{ids['other']}") for path in result.visited)
    finally:
        context.close()


# --- Three journeys from the front door, each in a fresh browser on a fresh site ---------------------

@pytest.fixture
def fresh_site(tmp_path):
    """Its own copy of the site, so one journey (closing a month, say) never changes another's."""
    from sqlalchemy import select

    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.project_records.models import Meeting, Person, Project
    from remun.sessions.models import MeetingRole

    def fill(session):
        demo(session)
        fast = hasher("test")
        project = session.scalar(select(Project))
        create_user(session, EMAILS["lead"], "lead", password=PASSWORD, project_ids=[project.id], using=fast)
        create_user(session, EMAILS["finance"], "finance", password=PASSWORD, using=fast)
        morag = session.scalar(select(Person).where(Person.email == EMAILS["participant"]))
        create_user(session, EMAILS["participant"], "participant", password=PASSWORD, person_id=morag.id, using=fast)
        # A session of her role last week that nobody has recorded her at yet: hers to tell the project about.
        role = morag.appointments[0].role
        catch_up = Meeting(project=role.project, date=dt.date.today() - dt.timedelta(days=7),
                           title="Co-chairs' catch-up", hours=Decimal("2"))
        session.add(catch_up)
        session.flush()
        session.add(MeetingRole(meeting_id=catch_up.id, role_id=role.id))
        session.flush()
        return {"project": project.id, "project_name": project.name, "person": morag.id}

    with served_app(f"sqlite:///{tmp_path / 'journey.sqlite3'}", tmp_path, fill, secret="journey-tests",
                    run=_outside_the_browsers_event_loop) as served:
        yield served


def _no_problem(page):
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def fill_date(page, field: str, day: dt.date) -> None:
    """GOV.UK's date input: day, month and year boxes."""
    boxes = page.locator(f"#{field} input")
    for index, value in enumerate((day.day, day.month, day.year)):
        boxes.nth(index).fill(str(value))


def test_a_lead_sets_up_a_project_from_the_front_door(fresh_site, browser):  # noqa: F811
    base, _ids = fresh_site
    context, page = new_page(browser)
    try:
        sign_in_at_the_front_door(page, base, "lead")
        page.get_by_role("button", name="Create a project").click()
        page.wait_for_url("**/projects/new")
        page.get_by_label("Project name").fill("Peer support pilot")
        page.get_by_role("button", name="Save project").click()
        expect(page.locator("h1")).to_have_text("Peer support pilot")
        project_url = page.url
        expect(page.locator("main")).to_contain_text(EMAILS["lead"])  # they lead what they made

        page.get_by_role("button", name="Add an equal role").click()
        page.get_by_label("Name of the equal role").fill("Co-chair")
        page.get_by_role("button", name="Save equal role").click()
        page.wait_for_url(project_url)
        for title, kind, basis, rate in (("Lived experience co-chair", "Lived experience", "A fee for each session", "50"),
                                         ("Clinical co-chair", "Clinical", "By the hour", "40")):
            page.get_by_role("button", name="Add a role").click()
            page.get_by_label("Role title").fill(title)
            page.get_by_label(kind, exact=True).check()
            page.locator("#group_id").select_option(label="Co-chair")
            page.get_by_label(basis, exact=True).check()
            page.locator("#rate").fill(rate)
            page.locator("#session_hours").fill("2")
            page.locator("#prep_hours").fill("0")
            page.locator("#travel_hours").fill("0")
            page.get_by_role("button", name="Save role").click()
            expect(page.locator("h1")).to_have_text(title)
            page.locator(".govuk-breadcrumbs").get_by_role("link", name="Peer support pilot").click()
            page.wait_for_url(project_url)

        people = (("Ailsa Brown", "Lived experience co-chair"), ("Dr Sam Patel", "Clinical co-chair"))
        for name, _role in people:
            page.get_by_role("link", name="People", exact=True).first.click()
            page.get_by_role("button", name="Add a person").click()
            page.get_by_label("Full name").fill(name)
            page.get_by_role("button", name="Save person").click()
            expect(page.locator("h1")).to_have_text(name)
        start = dt.date.today().replace(day=1)
        for name, role in people:
            page.goto(project_url)
            page.get_by_role("button", name="Put a person in a role").click()
            page.locator("#person_id").select_option(label=name)
            page.locator("#role_id").select_option(label=role)
            fill_date(page, "start_date", start)
            page.get_by_role("button", name="Save").click()
            page.wait_for_url(project_url)
            _no_problem(page)

        page.get_by_role("link", name="Sessions and attendance").click()
        page.get_by_role("button", name="Add a session").click()
        fill_date(page, "date", dt.date.today())
        page.get_by_label("Title").fill("Steering group")
        page.locator("#hours").fill("2")
        page.get_by_role("button", name="Save session").click()
        expect(page.locator("h1")).to_have_text("Steering group")
        for name, _role in people:
            page.get_by_role("button", name="Record one person").click()
            option = page.locator("#person_id option", has_text=name).first
            page.locator("#person_id").select_option(value=option.get_attribute("value"))
            page.locator("#hours").fill("2")
            page.get_by_role("button", name="Save attendance").click()
            expect(page.locator("h1")).to_have_text("Steering group")
            expect(page.locator("main")).to_contain_text(name)

        page.goto(project_url)
        page.get_by_role("button", name="Check pay parity").click()
        page.wait_for_url("**/parity")
        # £50 for a 2-hour session is £25 an hour, against £40 an hour: 37.5% less.
        expect(page.locator("main")).to_contain_text("Co-chair: below parity")
        expect(page.locator("main")).to_contain_text("37.5% less")
    finally:
        context.close()


def test_a_participant_chooses_and_tells_the_project_from_the_front_door(fresh_site, browser, tmp_path):  # noqa: F811
    from tests.helpers.browser import PNG

    base, ids = fresh_site
    person = ids["person"]
    context, page = new_page(browser)
    try:
        sign_in_at_the_front_door(page, base, "participant")
        page.wait_for_url(f"**/people/{person}/home")  # their own home, not a refusal
        expect(page.locator("h1")).not_to_have_text("You cannot see this page")

        page.get_by_role("link", name=re.compile("how you would like to be thanked")).first.click()
        page.get_by_label("Vouchers", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/thanks/vouchers")
        page.get_by_label("Love2shop").check()
        page.get_by_role("button", name="Save my choice").click()
        page.wait_for_url(f"**/people/{person}/home")
        expect(page.locator("#current-choice")).to_contain_text("Vouchers (Love2shop)")

        page.get_by_role("link", name=re.compile("how you would like to be thanked")).first.click()
        page.get_by_label("A mix of these").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/thanks/split-by-percentage")
        page.locator("#percent_bank_transfer").fill("50")
        page.locator("#percent_vouchers").fill("50")
        page.locator("#voucher_provider").select_option(label="Love2shop")
        page.get_by_role("button", name="Save my choice").click()
        page.wait_for_url(f"**/people/{person}/home")
        expect(page.locator("#current-choice")).to_contain_text("50")

        page.get_by_role("link", name="Tell us about a session you took part in, and any expenses").click()
        page.wait_for_url("**/sessions")
        page.locator("#open-sessions a", has_text="Co-chairs' catch-up").click()
        page.locator("#hours").fill("2")
        page.locator("#expense_amount").fill("6.40")
        receipt = tmp_path / "bus-ticket.png"
        receipt.write_bytes(PNG)
        page.locator("#receipt").set_input_files(str(receipt))
        page.get_by_role("button", name="Send to the project lead").click()
        page.wait_for_url(f"**/people/{person}/home")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Your project lead will check it")

        page.get_by_role("link", name="See each session and where its money is").click()
        page.wait_for_url(f"**/people/{person}/statement")
        expect(page.locator("#statement-choice")).to_contain_text("Payment by bank transfer: 50%")  # the split's shares
        expect(page.locator("#statement-choice")).to_contain_text("Vouchers: 50% (Love2shop)")
        # The breadcrumbs lead only where they may go: no link to the list of everyone.
        expect(page.locator(".govuk-breadcrumbs a", has_text="People")).to_have_count(0)
    finally:
        context.close()


def test_finance_pays_closes_a_month_and_downloads_the_workbook_from_the_front_door(fresh_site, browser):  # noqa: F811
    import io
    from pathlib import Path

    import openpyxl
    from babel.dates import format_date

    base, ids = fresh_site
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in_at_the_front_door(page, base, "finance")
        page.get_by_role("link", name="Projects", exact=True).first.click()
        page.get_by_role("link", name=ids["project_name"]).click()
        page.get_by_role("link", name="Claims to approve").click()
        page.get_by_role("button", name=re.compile("Approve all")).click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
        page.get_by_role("link", name="Payments").click()
        page.get_by_role("button", name="Create a payment batch").click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
        if not re.search(r"/batches/\d+$", page.url):
            page.get_by_role("link", name=re.compile(r"^Batch \d+")).first.click()
        page.get_by_role("button", name="Mark as paid").click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
        _no_problem(page)

        page.locator(".govuk-service-navigation__service-name a").first.click()  # back to the start page
        page.wait_for_url(base + "/")
        page.get_by_role("link", name="Close a month").click()
        previous = dt.date.today().replace(day=1) - dt.timedelta(days=1)
        month = format_date(previous, "MMMM y", locale="en_GB")
        expect(page.locator("#month option:checked")).to_have_text(month)  # the last complete month
        # Months close in order: the confirmation page leads to each earlier open month first.
        for _earlier in range(24):
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url("**/finance/periods/*")
            earlier = page.get_by_role("link", name=re.compile(r"^Close "))
            if earlier.count() == 0:
                break
            earlier.first.click()
            page.wait_for_url("**/finance/periods/*")
            page.get_by_role("button", name=re.compile(r"^Close ")).click()
            expect(page.locator(".govuk-notification-banner")).to_contain_text("is closed")
        page.get_by_role("button", name=f"Close {month}").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{month} is closed")

        page.locator(".govuk-service-navigation__service-name a").first.click()
        page.wait_for_url(base + "/")
        page.get_by_role("link", name="Download the finance workbook and other exports").click()
        page.get_by_label("Finance workbook (Excel, .xlsx)").check()
        page.get_by_role("button", name="Download").click()
        # The workbook is made in the background; its page shows progress, then the link.
        page.wait_for_url("**/jobs/*")
        link = page.get_by_role("link", name=re.compile(r"^Download "))
        expect(link).to_be_visible(timeout=60_000)  # the page refreshes itself until the file is ready
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        assert "Ledger" in book.sheetnames
    finally:
        context.close()
