"""Pages in a real browser: Debian's Chromium driven by Playwright, checked with axe-core.

The app is served from a thread on a free local port, on an SQLite database
holding the demo project. Screenshots of each page at desktop and phone widths
are saved under test-artifacts/screenshots for review.
"""

from __future__ import annotations

import re
import shutil

import pytest


from playwright.sync_api import expect

from tests.helpers.browser import PAGES, SCREENSHOTS, WIDTHS, _check, admin_for, signed_in_page


pytestmark = pytest.mark.browser


#: Checked at phone width in Gaelic and Polish too (every page is checked at phone width in English).
PHONE_SAMPLE = ["/", "/projects/1", "/projects/1/parity", "/people/1/statement", "/people/1/home",
                "/people/1/thanks", "/exports/", "/glossary"]


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
