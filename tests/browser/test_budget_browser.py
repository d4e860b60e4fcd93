"""The budget planner in a real browser: from a blank draft to the exported workbook, checked with axe.

Uses the live server, browser and sign-in of tests/browser/test_browser.py (Debian's Chromium through
Playwright). Screenshots go to test-artifacts/screenshots like the other browser tests.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.helpers.browser import WIDTHS, _check, signed_in_page
from tests.helpers.budget import Evaluator, find_row

pytestmark = pytest.mark.browser


def _fill_date(page, name: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{name}-day").fill(day)
    page.locator(f"#{name}-month").fill(month)
    page.locator(f"#{name}-year").fill(year)


def _add_role(page, title, kind, basis, rate, prep_paid=False):
    page.get_by_role("button", name="Add a role").click()
    page.locator("#title").fill(title)
    page.get_by_label(kind, exact=True).check()
    page.locator("#group_name").fill("Co-chair")
    page.get_by_label(basis).check()
    page.locator("#rate").fill(rate)
    page.locator("#session_hours").fill("3")
    page.locator("#prep_hours").fill("2")
    if prep_paid:
        page.locator("#prep_paid").check()  # the first radio: Yes
    page.locator("#travel_hours").fill("0")
    page.get_by_role("button", name="Save role").click()
    assert "Role added" in page.inner_text(".govuk-notification-banner")


def _plan_sessions(page, role, in_total=True):
    page.get_by_role("button", name="Plan sessions").click()
    page.locator("#role_id").select_option(label=role)
    page.locator("#description").fill("Steering group")
    page.locator("#sessions").fill("12")
    page.locator("#first_month").select_option(label="May 2026")
    page.locator("#every_months").select_option(label="Every 2 months")
    if not in_total:
        page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save sessions").click()
    assert "Sessions added to the plan" in page.inner_text(".govuk-notification-banner")


def test_a_budget_from_a_blank_draft_to_the_workbook(live_server, browser, tmp_path):
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS["desktop"], "height": 900})
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(live_server + "/")
    page.get_by_role("link", name="Budgets").click()
    _check(page, "/budgets/", "desktop")
    page.get_by_role("button", name="Start a draft budget").click()
    page.get_by_role("button", name="Save budget").click()  # nothing filled in: the error summary
    assert page.title().startswith("Error:")
    assert "Enter the name of the project" in page.locator(".govuk-error-summary").inner_text()
    _check(page, "/budgets/new-errors", "desktop")
    page.locator("#name").fill("Peer support pilot")
    _fill_date(page, "start_date", "1", "4", "2026")
    _fill_date(page, "end_date", "31", "3", "2028")
    page.locator("#contingency_percent").fill("10")
    page.get_by_role("button", name="Save budget").click()
    assert "Draft budget started" in page.inner_text(".govuk-notification-banner")
    _check(page, "/budgets/blank-draft", "desktop")

    _add_role(page, "Lived experience co-chair", "Lived experience", "A fee for each session", "90")
    _add_role(page, "Clinical co-chair", "Clinical", "Salary", "30", prep_paid=True)
    _plan_sessions(page, "Lived experience co-chair")
    _plan_sessions(page, "Clinical co-chair", in_total=False)

    page.get_by_role("link", name="Add an item Accessibility and communication support").click()
    page.locator("#description").fill("BSL interpreters")
    page.locator("#quantity").fill("2")
    page.locator("#unit_cost").fill("250")
    page.locator("#first_month").select_option(label="September 2026")
    page.locator("#times").fill("2")
    page.locator("#every_months").select_option(label="Once a year")
    page.locator("#notes").fill("Two interpreters at each annual event")
    page.get_by_role("button", name="Save item").click()
    assert "Item added" in page.inner_text(".govuk-notification-banner")

    text = page.inner_text("main")
    assert "£2,288.00" in text  # £1,080 of sessions + £1,000 of interpreters + 10%
    assert "£720.00 more" in text  # the fair option: £150 a session, not £90
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        _check(page, "/budgets/plan", width_name)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    # Print: the controls go and the "printed from" line comes; the print button works with scripts on.
    assert page.get_by_role("button", name="Print this budget").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Download the workbook").is_visible()
    assert page.locator(".remun-print-only").first.is_visible()
    page.emulate_media(media="screen")

    budget_url = page.url
    page.get_by_role("button", name="Download the workbook").click()
    # The workbook is made in the background; its page shows progress, then the link.
    page.wait_for_url("**/jobs/*")
    link = page.get_by_role("link", name=re.compile(r"^Download budget-"))
    expect(link).to_be_visible(timeout=60_000)  # the page refreshes itself until the file is ready
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "budget.xlsx"
    info.value.save_as(saved)
    workbook = load_workbook(io.BytesIO(saved.read_bytes()))
    assert workbook.sheetnames[:3] == ["Summary", "Payment for time", "Fair pay"]
    summary = workbook["Summary"]
    evaluate = Evaluator(workbook)
    total_row = find_row(summary, "Total")
    assert evaluate.cell("Summary", total_row, 4) == Decimal("2288.00")
    assert evaluate.cell("Summary", find_row(summary, "Total with the fair option"), 4) == Decimal("3080.00")

    # The administrator turns the draft into the project, with its roles.
    page.goto(budget_url)
    page.get_by_role("button", name="Turn into a project").click()
    _check(page, "/budgets/make-project", "desktop")
    page.get_by_role("button", name="Create the project").click()
    assert "Project created from the draft budget" in page.inner_text(".govuk-notification-banner")
    assert "Plan against actual" in page.inner_text("main")
    _check(page, "/budgets/project-budget", "desktop")
    assert problems == []
    page.close()
