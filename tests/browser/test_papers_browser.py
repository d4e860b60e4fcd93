"""The papers and the pages of issue 18 in a real browser: axe (WCAG 2.2 AA) at phone and desktop widths,
and the letter prints on A4 (print styles hide the navigation)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.browser import WIDTHS, _check, signed_in_page

pytestmark = pytest.mark.browser


def _pages():
    from remun.papers.tax_year import tax_year_of

    year = tax_year_of(dt.date.today())
    return ["/people/1/letters/benefits-adviser", f"/people/1/tax-years/{year}/statement", "/settings/parity",
            "/projects/1/parity", "/people/1/home"]


@pytest.mark.parametrize("width_name", ["phone", "desktop"])
def test_papers_and_settings_pass_axe(live_server, browser, width_name):  # noqa: F811
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS[width_name], "height": 900})
    for path in _pages():
        response = page.goto(live_server + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        _check(page, f"papers{path}", width_name, screenshot=False)
        # Nothing is wider than the screen (390 px phones included).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (path, width_name)


def test_the_letter_prints_on_a4_without_the_navigation(live_server, browser, tmp_path):  # noqa: F811
    page = signed_in_page(browser, live_server)
    page.goto(live_server + "/people/1/letters/benefits-adviser")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation__wrapper").first.is_visible()
    assert not page.get_by_role("button", name="Print or save as PDF").is_visible()
    assert page.get_by_role("heading", name="These are involvement payments, not wages").is_visible()
    pdf = page.pdf(path=str(tmp_path / "letter.pdf"), prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
