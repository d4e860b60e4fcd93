"""Phones (issue 16): at 390 px no page of the demo scrolls sideways, in any language, for anyone.

Debian's Chromium, driven by Playwright, opens every page of the demo (with its
ledger, a payment batch and a budget) at 390 px wide as an administrator, a
project lead, finance and a participant, in English, Gaelic and Polish. A page
fails when ``document.documentElement.scrollWidth`` is wider than the window, or
when a chart's label is drawn smaller than 12 px. Wide tables either stack into
rows with their headings or sit in a labelled scroll region a keyboard can
reach (.remun-scroll): scrolling inside such a region is allowed, the page
itself must not scroll.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium at /usr/bin/chromium (make test installs Debian's chromium)")
    pytest.skip("Chromium is not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.helpers.live_site import served_app  # noqa: E402

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "phone tests password"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
LANGUAGES = ("en", "gd", "pl")
PERSONAS = ("admin", "lead", "finance", "participant")


def _fill(session):
    """The demo with everything a person can see: ledger, choices, a payment batch, a budget, accounts."""
    from flask import current_app
    from sqlalchemy import select

    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.budget.demo import load_demo_budget
    from remun.project_records.demo import load_demo
    from remun.ledger import settlement
    from remun.ledger.demo import load_demo_ledger
    from remun.ledger.models import Claim
    from remun.project_records.models import Person
    from remun.reciprocity.demo import record_demo_changes_of_mind, record_demo_choices

    book = current_app.extensions["remun.rates"]
    project = load_demo(session, book)
    session.flush()
    record_demo_choices(session, project)
    load_demo_ledger(session, book, project)
    record_demo_changes_of_mind(session)
    budget = load_demo_budget(session, project)
    batch = settlement.create_batch(session, project.id, None)
    # The participant: someone with claims, so their home, statement and thanks pages have figures.
    person_id = session.scalar(select(Claim.person_id).order_by(Claim.person_id).limit(1))
    person = session.get(Person, person_id)
    for code in LANGUAGES:
        create_user(session, f"admin-{code}@example.org", "admin", password=PASSWORD, using=hasher("test"))
        create_user(session, f"lead-{code}@example.org", "lead", password=PASSWORD, project_ids=[project.id],
                    using=hasher("test"))
        create_user(session, f"finance-{code}@example.org", "finance", password=PASSWORD, using=hasher("test"))
    # One participant account (the account belongs to the person); the language is chosen per run.
    create_user(session, "participant@example.org", "participant", password=PASSWORD, person_id=person.id,
                using=hasher("test"))
    session.flush()
    meeting_id = project.meetings[0].id
    return {"project": project.id, "person": person.id, "batch": batch.id if batch else None, "budget": budget.id,
            "meeting": meeting_id}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phones")
    with served_app(f"sqlite:///{folder / 'phones.sqlite3'}", folder, _fill, secret="phone-tests") as (url, facts):
        yield url, facts


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def pages_for(persona: str, facts: dict) -> list[str]:
    p, person, meeting = facts["project"], facts["person"], facts["meeting"]
    own = [f"/people/{person}/home", f"/people/{person}/statement", f"/people/{person}/sessions",
           f"/people/{person}/thanks", f"/people/{person}/thanks/vouchers",
           f"/people/{person}/thanks/split-by-percentage", f"/people/{person}/sessions/tell", "/account", "/glossary"]
    if persona == "participant":
        return own
    project = [f"/projects/{p}", f"/projects/{p}/parity", f"/projects/{p}/roles/1", f"/projects/{p}/sessions/",
               f"/projects/{p}/sessions/{meeting}", f"/projects/{p}/claims", f"/projects/{p}/ledger",
               f"/projects/{p}/thanks", f"/projects/{p}/budget", f"/projects/{p}/roles/new",
               f"/projects/{p}/sessions/{meeting}/attendance/new", f"/projects/{p}/sessions/{meeting}/attendance/several",
               f"/projects/{p}/appointments/new", "/projects/", "/calculator", "/budgets/",
               f"/budgets/{facts['budget']}", f"/people/{person}", f"/people/{person}/statement",
               f"/people/{person}/home", "/people/", "/glossary", "/account", "/rates/"]
    finance = [f"/projects/{p}/batches", "/finance/periods", "/exports/", "/finance/vouchers",
               "/finance/training", "/finance/donations", "/parity"]
    if facts["batch"]:
        finance.append(f"/projects/{p}/batches/{facts['batch']}")
    admin = ["/", "/accounts/", "/audit/", "/import/", f"/people/{person}/data", "/budgets/new", "/projects/new"]
    return {"lead": project, "finance": project + finance, "admin": project + finance + admin}[persona]


#: What each page is measured for: how much wider than the window the page is, and its smallest chart label.
MEASURE = """() => {
  const root = document.documentElement;
  const labels = Array.from(document.querySelectorAll('main svg text')).map(text => {
    const box = text.getBoundingClientRect();
    if (!box.width && !box.height) return null;
    const matrix = text.getScreenCTM();
    const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
    return parseFloat(getComputedStyle(text).fontSize) * scale;
  }).filter(size => size !== null);
  const wide = Array.from(document.querySelectorAll('body *')).filter(el => {
    const box = el.getBoundingClientRect();
    return box.right > window.innerWidth + 1 && !el.closest('.remun-scroll');
  }).slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + (el.className || '').toString().split(' ').join('.'));
  return {scrollWidth: root.scrollWidth, width: window.innerWidth, smallestLabel: labels.length ? Math.min(...labels) : null,
          wide: wide};
}"""


def sign_in(browser, url: str, email: str):
    page = browser.new_page(viewport=PHONE)
    page.goto(url + "/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "/sign-in" not in page.url, f"signing in as {email} failed"
    return page


def choose_language(page, url: str, code: str) -> None:
    page.goto(url + f"/language/{code}?next=/account")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("code", LANGUAGES)
def test_no_page_scrolls_sideways_on_a_phone(site, browser, persona, code):
    url, facts = site
    email = "participant@example.org" if persona == "participant" else f"{persona}-{code}@example.org"
    page = sign_in(browser, url, email)
    choose_language(page, url, code)
    problems = []
    for path in pages_for(persona, facts):
        response = page.goto(url + path)
        if response.status in (403, 404):
            continue  # not this person's page
        page.wait_for_load_state("load")
        facts_now = page.evaluate(MEASURE)
        if facts_now["scrollWidth"] > facts_now["width"]:
            problems.append(f"{path}: {facts_now['scrollWidth']} px wide at {facts_now['width']} ({facts_now['wide']})")
        if facts_now["smallestLabel"] is not None and facts_now["smallestLabel"] < 12:
            problems.append(f"{path}: a chart label is {facts_now['smallestLabel']:.1f} px")
    # The navigation fits: every item is within the window.
    page.goto(url + "/glossary")
    nav_right = page.evaluate("Math.max(0, ...Array.from(document.querySelectorAll('.govuk-service-navigation *'))"
                              ".map(el => el.getBoundingClientRect().right))")
    if nav_right > PHONE["width"] + 1:
        problems.append(f"navigation reaches {nav_right} px")
    page.close()
    assert problems == [], f"{persona} in {code}:\n" + "\n".join(problems)


FIGURE_PAGES = {
    "parity": "/projects/{project}/parity",
    "project": "/projects/{project}",
    "claims": "/projects/{project}/claims",
    "batch": "/projects/{project}/batches/{batch}",
    "statement": "/people/{person}/statement",
}


def test_screenshots_of_the_figures_pages_at_both_widths(site, browser):
    """Pictures for review (test-artifacts/issue16): the pages whose figures issue 16 put right."""
    url, facts = site
    folder = ARTIFACTS / "issue16"
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page = sign_in(browser, url, "admin-en@example.org")
        page.set_viewport_size({"width": width, "height": 900})
        choose_language(page, url, "en")
        for name, path in FIGURE_PAGES.items():
            if "{batch}" in path and not facts["batch"]:
                continue
            response = page.goto(url + path.format(**facts))
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        page.close()


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_administrator_s_navigation_fits_on_a_computer(site, browser, code):
    """All twelve items on one row in English; Gaelic and Polish words are longer, so a second row is
    allowed there, but never an item outside the window."""
    url, _facts = site
    page = sign_in(browser, url, f"admin-{code}@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    choose_language(page, url, code)
    page.goto(url + "/glossary")
    boxes = page.evaluate("Array.from(document.querySelectorAll('.govuk-service-navigation__item'))"
                          ".map(item => [Math.round(item.getBoundingClientRect().top),"
                          " Math.round(item.getBoundingClientRect().right)])")
    page.close()
    assert len(boxes) >= 10 and all(right <= 1280 for _top, right in boxes)
    if code == "en":
        assert len({top for top, _right in boxes}) == 1, "the English menu wraps onto a second row"
