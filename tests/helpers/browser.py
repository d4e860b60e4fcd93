"""Debian's Chromium driven by Playwright, a served app with the demo, and the axe check.

A test module that imports from here is skipped when Chromium is missing (outside CI)."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.helpers.live_site import demo, served_app


CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 375}


#: WCAG 2.2 A and AA, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium at /usr/bin/chromium (make test installs Debian's chromium)")
    pytest.skip("Chromium is not installed (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app with the demo project, served on 127.0.0.1 from a background thread."""
    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user

    def fill(session):
        demo(session)
        create_user(session, ADMIN_EMAIL, "admin", password=ADMIN_PASSWORD, using=hasher("test"))
        for code in LANGUAGE_CODES:  # one account per language, so choosing a language changes no other test
            create_user(session, admin_for(code), "admin", password=ADMIN_PASSWORD, using=hasher("test"))

    folder = tmp_path_factory.mktemp("browser")
    with served_app(f"sqlite:///{folder / 'browser.sqlite3'}", folder, fill, secret="browser-tests") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.org", "browser tests password"
LANGUAGE_CODES = ("en", "gd", "pl")


def admin_for(code: str) -> str:
    return f"admin-{code}@example.org"


def signed_in_page(browser, live_server, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, **options):
    """A new page, signed in through the real sign-in page."""
    page = browser.new_page(**options)
    page.goto(live_server + "/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)  # waits for the navigation, failing if it never comes
    return page


PAGES = [
    "/",
    "/projects/",
    "/projects/new",
    "/projects/1",
    "/projects/1/edit",
    "/projects/1/groups/new",
    "/projects/1/groups/1/edit",
    "/projects/1/roles/new",
    "/projects/1/roles/1",
    "/projects/1/roles/1/edit",
    "/projects/1/roles/1/terms/new",
    "/projects/1/appointments/new",
    "/projects/1/sessions/",
    "/projects/1/sessions/new",
    "/projects/1/sessions/1",
    "/projects/1/sessions/1/edit",
    "/projects/1/sessions/1/attendance/new",
    "/projects/1/sessions/1/attendance/several",
    "/projects/1/leads",
    "/projects/1/parity",
    "/projects/1/claims",
    "/projects/1/claims/1/reject",  # (the claims page has made the claims)
    "/projects/1/ledger",
    "/projects/1/batches",
    "/projects/1/thanks",
    "/projects/1/budget",
    "/parity",
    "/calculator",
    "/budgets/",
    "/budgets/new",
    "/exports/",
    "/finance/periods",
    "/finance/periods/" + (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
    "/finance/vouchers",
    "/finance/training",
    "/finance/donations",
    "/people/",
    "/people/1",
    "/people/1/edit",
    "/people/1/statement",
    "/people/1/data",
    "/people/1/account",
    "/people/1/home",
    "/people/1/thanks",
    "/people/1/thanks/vouchers",
    "/people/1/thanks/split-by-percentage",
    "/people/1/sessions",
    "/people/1/sessions/tell",
    "/people/1/letters/benefits-adviser",
    "/people/1/tax-years/" + str(dt.date.today().year - (dt.date.today() < dt.date(dt.date.today().year, 4, 6))) + "/statement",
    "/people/new",
    "/import/",
    "/rates/",
    "/rates/add",
    "/accounts/",
    "/accounts/new",
    "/audit/",
    "/settings/",
    "/settings/parity",
    "/settings/accounting",
    "/settings/projects/1/accounting",
    "/account",
    "/account/password",
    "/account/tokens/",  # issue 20
    "/account/tokens/new",
    "/api/v1/docs",
    "/glossary",
    "/no-such-page",
]


def _check(page, label: str, width_name: str, screenshot: bool = True) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{width_name}_{label.strip('/').replace('/', '_') or 'home'}.png"),
                        full_page=True)
    assert results.violations_count == 0, f"{label} at {width_name} width:\n{results.generate_report()}"


def _outside_the_browsers_event_loop(work):
    """Run ``work`` in its own thread: leaving a Flask app context runs an async teardown, which
    cannot run in the thread where Playwright's event loop is running (between backends)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back to the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


#: The smallest valid PNG: a 1×1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
