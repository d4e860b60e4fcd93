"""Pages in a real browser: Debian's Chromium driven by Playwright, checked with axe-core.

The app is served from a thread on a free local port, on an SQLite database
holding the demo project. Screenshots of each page at desktop and phone widths
are saved under test-artifacts/screenshots for review.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 375}
#: WCAG 2.2 A and AA, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium at /usr/bin/chromium (make test installs Debian's chromium)")
    pytest.skip("Chromium is not installed (make test installs it)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.live_site import demo, served_app  # noqa: E402

pytestmark = pytest.mark.browser


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
#: Checked at phone width in Gaelic and Polish too (every page is checked at phone width in English).
PHONE_SAMPLE = ["/", "/projects/1", "/projects/1/parity", "/people/1/statement", "/people/1/home",
                "/people/1/thanks", "/exports/", "/glossary"]


def _check(page, label: str, width_name: str, screenshot: bool = True) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{width_name}_{label.strip('/').replace('/', '_') or 'home'}.png"),
                        full_page=True)
    assert results.violations_count == 0, f"{label} at {width_name} width:\n{results.generate_report()}"


#: (language, width, pages): every page in every language at desktop width, every page at phone
#: width in English, and a sample at phone width in Gaelic and Polish.
RUNS = [("en", "desktop", PAGES), ("en", "phone", PAGES), ("gd", "desktop", PAGES), ("pl", "desktop", PAGES),
        ("gd", "phone", PHONE_SAMPLE), ("pl", "phone", PHONE_SAMPLE)]

PAGE_FACTS = """() => ({
  lang: document.documentElement.lang,
  h1: Array.from(document.querySelectorAll('h1')).map(h => h.innerText.trim()),
  charts: Array.from(document.querySelectorAll('main svg')).map(svg => {
    if (svg.getAttribute('aria-hidden') === 'true') return 'hidden';
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const name = ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()
                 || svg.getAttribute('aria-label') || '';
    return svg.getAttribute('role') === 'img' ? name : '';
  }),
  wordlessTags: Array.from(document.querySelectorAll('main .govuk-tag')).filter(t => !t.innerText.trim()).length,
})"""


def choose_language(page, live_server: str, code: str) -> None:
    """Use the switcher at the top of the page, as a person would."""
    from remun.web.languages import LANGUAGES

    if page.evaluate("document.documentElement.lang") == code:
        return  # chosen already (the account remembers it)
    page.get_by_role("link", name=LANGUAGES[code], exact=True).first.click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == code


@pytest.mark.parametrize(("code", "width_name", "pages"), RUNS, ids=[f"{code}-{width}" for code, width, _p in RUNS])
def test_every_page_passes_axe_in_every_language(live_server, browser, code, width_name, pages):
    page = signed_in_page(browser, live_server, email=admin_for(code),
                          viewport={"width": WIDTHS[width_name], "height": 900})
    choose_language(page, live_server, code)
    problems, titles = [], {}
    page.on("console", lambda message: problems.append((page.url, message.text)) if message.type == "error" else None)
    for path in pages:
        response = page.goto(live_server + path)
        assert response.status == (404 if path == "/no-such-page" else 200), path
        assert "/sign-in" not in page.url, path
        facts = page.evaluate(PAGE_FACTS)
        if "/letters/" not in path and "/tax-years/" not in path:  # papers are in the person's own language
            assert facts["lang"] == code, path
        # One meaningful heading per page, which the page title repeats.
        assert len(facts["h1"]) == 1 and facts["h1"][0], (path, facts["h1"])
        title = page.title()
        assert title.endswith("– Remun"), path
        assert facts["h1"][0] in title or title.split(" – ")[0] in facts["h1"][0], (path, title, facts["h1"])
        titles[path] = title
        # Charts are pictures with a text name (their figures are in a table too); tags carry words, not only colour.
        assert all(facts["charts"]), (path, facts["charts"])
        assert facts["wordlessTags"] == 0, path
        # Screenshots: every page in English; the main pages in Gaelic and Polish.
        _check(page, path, width_name if code == "en" else f"{width_name}-{code}",
               screenshot=code == "en" or path in PHONE_SAMPLE)
    # Page titles say which page this is: no two pages share one.
    repeated = {title: [path for path, other in titles.items() if other == title]
                for title in set(titles.values()) if list(titles.values()).count(title) > 1}
    assert repeated == {}
    # Scripts run without errors (the strict Content-Security-Policy blocks nothing we need);
    # the only complaint allowed is the browser noting the 404 page's own status.
    assert [problem for problem in problems if not problem[0].endswith("/no-such-page")] == []
    page.close()


def test_a_form_with_errors_passes_axe_and_focuses_the_summary(live_server, browser):
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS["desktop"], "height": 900})
    page.goto(live_server + "/projects/1/roles/new")
    page.get_by_role("button", name="Save role").click()
    expect(page).to_have_title(re.compile(r"^Error:"))  # wait for the page that comes back
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter the role title")
    _check(page, "/projects/1/roles/new-errors", "desktop")
    page.close()


def test_no_crown_and_no_gds_transport_font(live_server, browser):
    page = signed_in_page(browser, live_server)
    page.goto(live_server + "/")
    assert page.locator(".govuk-header__logotype, .govuk-footer__crown").count() == 0
    font = page.evaluate("getComputedStyle(document.querySelector('.govuk-heading-xl')).fontFamily")
    assert "GDS Transport" not in font
    page.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshot_folder():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    yield
