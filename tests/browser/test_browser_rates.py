"""The rates page in a browser: the overdue warning, and an administrator adding a figure, at phone width, with axe."""

from __future__ import annotations

import pytest

from tests.helpers.browser import WIDTHS, _check, signed_in_page

pytestmark = pytest.mark.browser

#: A TEST FIGURE, not a published rate: nothing in rates/ is made up.
TEST_SOURCE = "https://example.org/test-figure-not-a-published-rate"


def test_an_administrator_adds_the_overdue_figure_at_phone_width(live_server, browser):
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS["phone"], "height": 900})
    page.goto(live_server + "/rates/")
    warning = page.locator('[data-rate-overdue="real-living-wage"]')
    warning.wait_for()
    assert "normally updated in late October" in warning.inner_text()
    _check(page, "/rates/ (overdue)", "phone")
    warning.get_by_role("link", name="Add the new figure").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#ref").input_value() == "real-living-wage/uk"
    page.get_by_role("button", name="Add this figure").click()  # nothing filled in: plain errors
    page.locator(".govuk-error-summary").wait_for()
    _check(page, "/rates/add (errors)", "phone")
    page.locator("#amount").fill("14.10")
    page.locator("#start_date-day").fill("21")
    page.locator("#start_date-month").fill("10")
    page.locator("#start_date-year").fill("2026")
    page.locator("#source_url").fill(TEST_SOURCE)
    page.locator("#note").fill("TEST FIGURE, not a published rate")
    page.get_by_role("button", name="Add this figure").click()
    page.get_by_text("The figure was added.").wait_for()
    page.get_by_text("Added by your organisation on").first.wait_for()
    _check(page, "/rates/ (added)", "phone")
    page.close()
