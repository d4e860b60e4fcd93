"""The header's account links on a phone and a computer, in Chromium: "Your account" and "Sign out" stay in
sight beside the service navigation, never folded under (or drawn over by) its Menu button.

Each kind of account signs in through the real form from ``/``, chooses a language with the switcher
(English, Gaelic, Polish: the longer words wrap differently), and at 390 px and 1280 px the account's
links must be on screen, overlap neither the Menu button, the service name nor any menu item (the
menu open or closed), and take Playwright's own click (which waits until nothing else would receive it).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.live_site import demo, served_app

pytestmark = pytest.mark.browser

PASSWORD = "header tests password"
ROLES = ("admin", "lead", "finance", "participant")
LANGUAGES = ("en", "gd", "pl")
PHONE, COMPUTER = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
#: Quick to fail: a link covered by something else never becomes clickable.
CLICK_MS = 5000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo, and one account of each kind for each language (a language chosen is kept on the account)."""
    from sqlalchemy import select

    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.project_records.models import Person, Project

    def fill(session):
        demo(session)
        project = session.scalar(select(Project))
        people = list(session.scalars(select(Person).order_by(Person.id).limit(len(LANGUAGES))))
        fast = hasher("test")
        for code, person in zip(LANGUAGES, people):
            # Long addresses, as people have: the "Signed in as" line must wrap, not push the links aside.
            create_user(session, f"administrator.header-{code}@example.org", "admin", password=PASSWORD, using=fast)
            create_user(session, f"lead.header-{code}@example.org", "lead", password=PASSWORD,
                        project_ids=[project.id], using=fast)
            create_user(session, f"finance.header-{code}@example.org", "finance", password=PASSWORD, using=fast)
            create_user(session, f"participant.header-{code}@example.org", "participant", password=PASSWORD,
                        person_id=person.id, using=fast)
        session.flush()
        return {}

    folder = tmp_path_factory.mktemp("header")
    with served_app(f"sqlite:///{folder / 'header.sqlite3'}", folder, fill, secret="header-tests") as (url, _facts):
        yield url


def _email(role: str, code: str) -> str:
    return f"{'administrator' if role == 'admin' else role}.header-{code}@example.org"


def _sign_in(browser, base: str, role: str, code: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_url("**/sign-in**")
    page.locator("#email").fill(_email(role, code))
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    if page.locator("html").get_attribute("lang") != code:  # (an account keeps the language it chose before)
        page.locator(f"a[hreflang='{code}']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    return context, page


def _overlap(one: dict, other: dict) -> bool:
    return (one["x"] < other["x"] + other["width"] and other["x"] < one["x"] + one["width"]
            and one["y"] < other["y"] + other["height"] and other["y"] < one["y"] + one["height"])


def _check_clear(page, width: int) -> None:
    """Each account link is drawn, inside the window, clear of the Menu button, the name and every menu item."""
    header = page.locator(".govuk-service-navigation")
    others = header.locator(".govuk-service-navigation__toggle, .govuk-service-navigation__service-name, "
                            ".govuk-service-navigation__item:not(:has(a[href='/account'], a[href='/sign-out']))").all()
    boxes = [box for box in (other.bounding_box() for other in others) if box and box["width"] and box["height"]]
    for href in ("/account", "/sign-out"):
        link = header.locator(f"a[href='{href}']")
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, f"{href} is not drawn"
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, f"{href} is outside the window: {box}"
        covered = [other for other in boxes if _overlap(box, other)]
        assert not covered, f"{href} at {box} overlaps {covered}"


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_the_account_links_are_clear_of_the_menu_on_a_phone(site, browser, role, code):
    context, page = _sign_in(browser, site, role, code, PHONE)
    try:
        menu = page.locator(".govuk-service-navigation__toggle")
        if role != "participant":  # a participant's one menu item is shown without a Menu button
            expect(menu).to_be_visible()
        _check_clear(page, PHONE["width"])
        if menu.is_visible():
            menu.click()  # the menu open: its items come down above the account's links, not under them
            expect(menu).to_have_attribute("aria-expanded", "true")
            _check_clear(page, PHONE["width"])
        page.locator(".govuk-service-navigation a[href='/account']").click(timeout=CLICK_MS)  # no force
        page.wait_for_url("**/account")
        expect(page.locator("html")).to_have_attribute("lang", code)
        page.locator(".govuk-service-navigation a[href='/sign-out']").click(timeout=CLICK_MS)
        page.wait_for_url("**/sign-out")
        expect(page.locator("main form button")).to_be_visible()  # sign-out asks first
    finally:
        context.close()


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("role", ("admin", "participant"))
def test_the_account_links_are_clear_of_the_menu_on_a_computer(site, browser, role, code):
    context, page = _sign_in(browser, site, role, code, COMPUTER)
    try:
        _check_clear(page, COMPUTER["width"])
        page.locator(".govuk-service-navigation a[href='/account']").click(timeout=CLICK_MS)
        page.wait_for_url("**/account")
    finally:
        context.close()
