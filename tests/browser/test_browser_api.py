"""The API's pages in a real browser (issue 20): make a token, use it against the served app, revoke it;
the token pages and the API documentation pass axe and work under the Content-Security-Policy."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import _check, signed_in_page

pytestmark = pytest.mark.browser


def _get(url: str, token: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.loads(error.read())


def test_a_token_made_in_the_browser_works_until_revoked(live_server, browser):
    page = signed_in_page(browser, live_server)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server + "/account")
    page.get_by_role("link", name="Personal access tokens for the API").click()
    _check(page, "/account/tokens/", "desktop", screenshot=False)
    page.get_by_role("button", name="Make a token").click()
    _check(page, "/account/tokens/new", "desktop", screenshot=False)
    page.get_by_role("button", name="Make token").click()  # no name: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.locator("#name").fill("Browser test")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Make token").click()
    _check(page, "/account/tokens/new (made)", "desktop", screenshot=False)
    token = page.locator("#token").input_value()
    assert token.startswith("remun_")
    status, kind, body = _get(live_server + "/api/v1/me", token)
    assert status == 200 and body["role"] == "admin" and body["token_scope"] == "read"
    status, kind, body = _get(live_server + "/api/v1/projects", token)
    assert status == 200 and body["items"] and all(isinstance(p["id"], int) for p in body["items"])
    page.get_by_role("link", name="Done").click()
    revoke = page.get_by_role("button", name="Revoke Browser test")
    expect(revoke).to_be_visible()  # back on the list of tokens
    assert token not in page.content()  # shown once only
    revoke.click()
    row = page.get_by_role("row", name=re.compile("Browser test"))
    expect(row.get_by_role("cell", name="Revoked", exact=True)).to_be_visible()
    expect(revoke).to_have_count(0)
    status, kind, body = _get(live_server + "/api/v1/me", token)
    assert status == 401 and kind == "application/problem+json"
    assert problems == []  # nothing refused by the Content-Security-Policy, no script errors


def test_the_api_documentation_passes_axe(live_server, browser):
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server + "/api/v1/docs")
    expect(page.get_by_role("heading", name="POST /api/v1/projects/{project_id}/claims/approve")).to_be_visible()
    _check(page, "/api/v1/docs", "desktop", screenshot=False)
    assert problems == []
