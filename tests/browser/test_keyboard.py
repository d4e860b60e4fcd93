"""The three main journeys with the keyboard alone, in a real browser (Chromium via Playwright).

Every action is a key press: Tab (and Shift+Tab) to move, typing into fields,
Space and the arrow keys for radios and checkboxes, Enter to follow a link or
press a button. The test reads the page only to know where focus is and what
the page says; it never clicks. Each journey also checks that focus is always
visible (the focused element has an outline or GOV.UK's yellow focus style).

1. A project lead sets up their project (an equal role and two roles) and reads its parity.
2. Finance downloads the ledger export.
3. A participant chooses how they would like to be thanked.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.helpers.browser import CHROMIUM, WIDTHS, _check

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed", allow_module_level=True)

from tests.helpers.live_site import demo, served_app  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "keyboard journeys password"
LEAD, FINANCE, PARTICIPANT = "lead@keyboard.example", "finance@keyboard.example", "pat@keyboard.example"
PROJECT = "Keyboard project"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo, plus an empty project with its lead, a finance account and a participant in a role."""
    import datetime as dt

    from sqlalchemy import select

    from remun.accounts.models import UserRole
    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.project_records.enums import RoleKind
    from remun.project_records.models import Appointment, Person, Project, Role

    def fill(session):
        demo(session)
        project = Project(name=PROJECT)
        session.add(project)
        session.flush()
        lead = create_user(session, LEAD, UserRole.LEAD, password=PASSWORD, using=hasher("test"))
        lead.led_projects.append(project)
        create_user(session, FINANCE, UserRole.FINANCE, password=PASSWORD, using=hasher("test"))
        role = session.scalars(select(Role).where(Role.kind == RoleKind.LIVED_EXPERIENCE).order_by(Role.id)).first()
        pat = Person(name="Pat Keys", email=PARTICIPANT)
        session.add(pat)
        session.flush()
        session.add(Appointment(person=pat, role=role, start_date=dt.date.today() - dt.timedelta(days=30)))
        create_user(session, PARTICIPANT, UserRole.PARTICIPANT, person_id=pat.id, password=PASSWORD,
                    using=hasher("test"))
        return {"project_id": project.id, "person_id": pat.id}

    folder = tmp_path_factory.mktemp("keyboard")
    with served_app(f"sqlite:///{folder / 'keyboard.sqlite3'}", folder, fill, secret="keyboard-tests") as (url, facts):
        yield {"url": url, **facts}


# --- Moving with the keyboard ---------------------------------------------------------------------

MAX_TABS = 120

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                  || style.boxShadow !== 'none' || style.backgroundColor === 'rgb(255, 221, 0)';
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), type: el.type || null,
          value: el.value === undefined ? null : el.value, text: (el.innerText || el.value || '').trim(),
          label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : null, visible: visible};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, matches, what: str) -> dict:
    """Press Tab until the focused element matches; fails if it is never reached."""
    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if element and matches(element):
            assert element["visible"], f"focus on {what} is not visible"
            return element
    raise AssertionError(f"Tab never reached {what} on {page.url}")


def tab_to_link(page, text: str) -> None:
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == text, f"the link “{text}”")


def tab_to_button(page, text: str) -> None:
    tab_to(page, lambda el: el["tag"] in ("button", "input") and el["text"] == text, f"the button “{text}”")


def tab_to_field(page, field_id: str) -> None:
    tab_to(page, lambda el: el["id"] == field_id, f"the field #{field_id}")


def type_into(page, field_id: str, text: str) -> None:
    tab_to_field(page, field_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose_radio(page, name: str, label: str) -> None:
    """Tab into a radio group, then move with the arrow keys (which also selects) to the option."""
    element = tab_to(page, lambda el: el["type"] == "radio" and el["name"] == name, f"the radios “{name}”")
    for _press in range(20):
        if element["label"] == label:
            page.keyboard.press("Space")
            assert page.evaluate("() => document.activeElement.checked")
            return
        page.keyboard.press("ArrowDown")
        element = focused(page)
    raise AssertionError(f"no radio labelled “{label}” in “{name}”")


def choose_option(page, field_id: str, label: str) -> None:
    """A select: focus it, then arrow down to the option."""
    tab_to_field(page, field_id)
    page.keyboard.press("Home")
    for _press in range(200):
        if page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option “{label}” in #{field_id}")


def press_enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/sign-in")
    type_into(page, "email", email)
    type_into(page, "password", PASSWORD)
    press_enter(page)
    assert "/sign-in" not in page.url, "signing in with the keyboard failed"


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


# --- The journeys ----------------------------------------------------------------------------------

def test_a_lead_sets_up_a_project_and_reads_its_parity_with_the_keyboard(world, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    sign_in(page, world["url"], LEAD)

    tab_to_link(page, PROJECT)
    press_enter(page)
    assert page.url.endswith(f"/projects/{world['project_id']}")

    tab_to_link(page, "Add an equal role")
    press_enter(page)
    type_into(page, "name", "Co-chair")
    tab_to_button(page, "Save equal role")
    press_enter(page)

    for title, kind, basis, rate in (("Lived experience co-chair", "Lived experience", "A fee for each session", "50"),
                                     ("Clinical co-chair", "Clinical", "By the hour", "40")):
        tab_to_link(page, "Add a role")
        press_enter(page)
        type_into(page, "title", title)
        choose_radio(page, "kind", kind)
        choose_option(page, "group_id", "Co-chair")
        choose_radio(page, "basis", basis)
        type_into(page, "rate", rate)
        type_into(page, "session_hours", "2")
        type_into(page, "prep_hours", "0")
        type_into(page, "travel_hours", "0")
        tab_to_button(page, "Save role")
        press_enter(page)
        assert "There is a problem" not in page.content(), main_text(page)
        assert title in main_text(page)
        tab_to_link(page, PROJECT)  # the breadcrumb back to the project
        press_enter(page)

    tab_to_link(page, "Check pay parity")
    press_enter(page)
    text = main_text(page)
    # £50 for a 2-hour session is £25 an hour, against £40 an hour: 37.5% less.
    assert re.search(r"“Lived experience co-chair” is paid £25\.00 an hour and the role “Clinical co-chair” £40\.00\. "
                     r"That is 37\.5% less\.", text), text
    assert "Co-chair: below parity" in text
    _check(page, "/keyboard/parity", "desktop")
    page.close()


def test_finance_downloads_the_ledger_export_with_the_keyboard(world, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900}, accept_downloads=True)
    sign_in(page, world["url"], FINANCE)
    tab_to_link(page, "Exports")
    press_enter(page)
    assert page.url.endswith("/exports/")
    choose_radio(page, "format", "Finance workbook (Excel, .xlsx)")
    tab_to_button(page, "Download")
    press_enter(page)  # to the workbook's own page: it is made in the background, then offered
    page.get_by_role("link", name=re.compile(r"^Download ")).wait_for(timeout=60_000)
    tab_to(page, lambda el: el["tag"] == "a" and el["text"].startswith("Download "), "the download link")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.startswith("remun-finance-") and download.suggested_filename.endswith(".xlsx")
    import io
    from pathlib import Path

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert "Ledger" in book.sheetnames and "Summary" in book.sheetnames
    page.close()


def test_a_participant_chooses_how_to_be_thanked_with_the_keyboard(world, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 900})
    sign_in(page, world["url"], PARTICIPANT)
    # On a phone the menu is folded away: open it with the keyboard.
    menu = page.locator(".govuk-service-navigation__toggle")
    if menu.is_visible():
        tab_to_button(page, "Menu")
        page.keyboard.press("Enter")
    tab_to_link(page, "Your home")
    press_enter(page)
    assert page.url.endswith(f"/people/{world['person_id']}/home")

    tab_to_link(page, "Choose how you would like to be thanked")
    press_enter(page)
    choose_radio(page, "option", "Vouchers")
    tab_to_button(page, "Continue")
    press_enter(page)
    assert page.url.endswith("/thanks/vouchers")
    choose_radio(page, "provider", "Love2shop")
    tab_to_button(page, "Save my choice")
    press_enter(page)
    assert "Vouchers (Love2shop)" in page.locator("#current-choice").inner_text()
    _check(page, "/keyboard/participant-home", "phone")
    page.close()
