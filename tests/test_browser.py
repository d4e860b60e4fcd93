"""Pages in a real browser: Debian's Chromium driven by Playwright, checked with axe-core.

The app is served from a thread on a free local port, on an SQLite database
holding the demo project. Screenshots of each page at desktop and phone widths
are saved under test-artifacts/screenshots for review.
"""

from __future__ import annotations

import os
import shutil
import threading
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
from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app with the demo project, served on 127.0.0.1 from a background thread."""
    from werkzeug.serving import make_server

    from remun import create_app
    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user
    from remun.database import upgrade
    from remun.demo import load_demo
    from remun.web.extensions import db

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'browser.sqlite3'}"
    upgrade(url)
    previous = {name: os.environ.get(name) for name in ("REMUN_DATABASE_URL", "REMUN_INSTANCE_PATH")}
    os.environ["REMUN_DATABASE_URL"] = url
    os.environ["REMUN_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"SECRET_KEY": "browser-tests", "REMUN_ARGON2_PROFILE": "test"})
    with app.app_context():
        load_demo(db.session, app.extensions["remun.rates"])
        create_user(db.session, ADMIN_EMAIL, "admin", password=ADMIN_PASSWORD, using=hasher("test"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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


def signed_in_page(browser, live_server, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, **options):
    """A new page, signed in through the real sign-in page."""
    page = browser.new_page(**options)
    page.goto(live_server + "/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    assert "/sign-in" not in page.url, "signing in failed"
    return page


PAGES = [
    "/",
    "/projects/",
    "/projects/new",
    "/projects/1",
    "/projects/1/edit",
    "/projects/1/groups/new",
    "/projects/1/roles/new",
    "/projects/1/roles/1",
    "/projects/1/roles/1/terms/new",
    "/projects/1/appointments/new",
    "/projects/1/sessions/",
    "/projects/1/sessions/1",
    "/projects/1/sessions/1/attendance/new",
    "/projects/1/parity",
    "/parity",
    "/calculator",
    "/people/",
    "/people/1",
    "/people/new",
    "/import/",
    "/rates/",
    "/no-such-page",
]


def _check(page, label: str, width_name: str) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{width_name}{label.strip('/').replace('/', '_') or '_home'}.png"),
                    full_page=True)
    assert results.violations_count == 0, f"{label} at {width_name} width:\n{results.generate_report()}"


@pytest.mark.parametrize("width_name", WIDTHS)
def test_every_page_passes_axe(live_server, browser, width_name):
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS[width_name], "height": 900})
    problems = []
    page.on("console", lambda message: problems.append((page.url, message.text)) if message.type == "error" else None)
    for path in PAGES:
        response = page.goto(live_server + path)
        assert response.status == (404 if path == "/no-such-page" else 200), path
        assert page.title().endswith("– Remun"), path
        assert "/sign-in" not in page.url, path
        _check(page, path, width_name)
    # Scripts run without errors (the strict Content-Security-Policy blocks nothing we need);
    # the only complaint allowed is the browser noting the 404 page's own status.
    assert [problem for problem in problems if not problem[0].endswith("/no-such-page")] == []
    page.close()


def test_a_form_with_errors_passes_axe_and_focuses_the_summary(live_server, browser):
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS["desktop"], "height": 900})
    page.goto(live_server + "/projects/1/roles/new")
    page.get_by_role("button", name="Save role").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter the role title" in summary.inner_text()
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
