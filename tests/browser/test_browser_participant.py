"""A participant in a real browser, from their invitation link to being thanked with vouchers.

They set a password from the link, choose vouchers (one question per page),
tell the project about a session with an expense and a receipt photo, the lead
(here an administrator) approves it, and their statement shows it owed and then
given as vouchers. Every page they see passes axe (WCAG 2.2 AA).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest

from tests.helpers.browser import ADMIN_EMAIL, ADMIN_PASSWORD, CHROMIUM, WIDTHS, _check, signed_in_page

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.helpers.live_site import demo, served_app  # noqa: E402
from tests.helpers.browser import PNG  # noqa: F401  (fixtures too)

pytestmark = pytest.mark.browser

PASSWORD = "a long participant passphrase 42"
LEAD_EMAIL, FINANCE_EMAIL, STAFF_PASSWORD = "lead@example.org", "finance@example.org", "staff browser passphrase 7"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo project, plus Rowan: in a lived-experience role, with a past session not yet recorded."""
    from sqlalchemy import select

    from remun.accounts.models import TokenPurpose, UserRole
    from remun.accounts.passwords import hasher
    from remun.accounts.users import create_user, issue_link
    from remun.project_records.enums import PayBasis, RoleKind
    from remun.project_records.models import Appointment, Meeting, Person, Role

    def fill(session):
        demo(session)
        create_user(session, ADMIN_EMAIL, "admin", password=ADMIN_PASSWORD, using=hasher("test"))
        roles = session.scalars(select(Role).where(Role.kind == RoleKind.LIVED_EXPERIENCE).order_by(Role.id)).all()
        role = next(role for role in roles if role.terms and role.terms[0].basis != PayBasis.SALARY
                    and role.terms[0].rate is not None)
        day = dt.date.today() - dt.timedelta(days=2)
        rowan = Person(name="Rowan Reid", email="rowan@example.org")
        meeting = Meeting(project_id=role.project_id, date=day, title="Reciprocity check-in", hours=Decimal("2"))
        session.add_all([rowan, meeting])
        session.flush()
        session.add(Appointment(person=rowan, role=role, start_date=day - dt.timedelta(days=30)))
        create_user(session, LEAD_EMAIL, UserRole.LEAD, password=STAFF_PASSWORD, project_ids=[role.project_id],
                    using=hasher("test"))
        create_user(session, FINANCE_EMAIL, UserRole.FINANCE, password=STAFF_PASSWORD, using=hasher("test"))
        user = create_user(session, "rowan@example.org", UserRole.PARTICIPANT, person_id=rowan.id)
        session.flush()
        link = issue_link(session, user, TokenPurpose.INVITATION)
        return {"person_id": rowan.id, "project_id": role.project_id, "meeting_id": meeting.id, "token": link.token}

    folder = tmp_path_factory.mktemp("browser-participant")
    with served_app(f"sqlite:///{folder / 'browser.sqlite3'}", folder, fill, secret="browser-tests") as (url, facts):
        yield {"url": url, "folder": folder, **facts}


def _money(text: str) -> Decimal:
    return Decimal(re.sub(r"[^0-9.]", "", text))


def test_participant_from_invitation_to_vouchers_given(world, browser, tmp_path):  # noqa: F811
    base, person = world["url"], world["person_id"]
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 900})
    # The invitation link: choose a password, and be signed in.
    page.goto(f"{base}/invitation/{world['token']}")
    _check(page, "/participant/invitation", "phone")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.get_by_role("button", name="Save password").click()
    page.wait_for_url(f"**/people/{person}/home")  # they land on their own home page
    assert "You have not chosen yet" in page.locator("#current-choice").inner_text()
    _check(page, "/participant/home-new", "phone")

    # How would you like to be thanked? One question per page.
    page.get_by_role("link", name="Choose how you would like to be thanked").click()
    _check(page, "/participant/choose", "phone")
    page.get_by_role("button", name="Continue").click()  # nothing chosen: a clear error, nothing saved
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    assert "Select how you would like to be thanked" in page.locator(".govuk-error-summary").inner_text()
    _check(page, "/participant/choose-error", "phone")
    page.get_by_label("Vouchers", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith("/thanks/vouchers")
    _check(page, "/participant/choose-vouchers", "phone")
    page.get_by_label("Love2shop").check()
    page.get_by_role("button", name="Save my choice").click()
    page.wait_for_url(f"**/people/{person}/home")
    assert "Vouchers (Love2shop)" in page.locator("#current-choice").inner_text()

    # Tell the project about a session, with an expense and a receipt photo.
    page.get_by_role("link", name="Tell us about a session you took part in, and any expenses").click()
    _check(page, "/participant/sessions", "phone")
    page.get_by_role("link", name=re.compile("Reciprocity check-in")).click()
    _check(page, "/participant/submit-session", "phone")
    page.locator("#hours").fill("2")
    page.locator("#prep_hours").fill("1")
    page.locator("#expense_amount").fill("6.40")
    receipt = tmp_path / "bus-ticket.png"
    receipt.write_bytes(PNG)
    page.locator("#receipt").set_input_files(str(receipt))
    page.get_by_role("button", name="Send to the project lead").click()
    page.wait_for_url(f"**/people/{person}/home")
    assert "Your project lead will check it" in page.locator(".govuk-notification-banner").inner_text()
    pending = _money(page.locator("#pending").inner_text())
    assert pending > Decimal("6.40")  # time and the £6.40 expense, waiting for the lead
    assert list((world["folder"] / "instance" / "receipts").glob("*.png")), "the receipt is stored under instance/"

    # The project lead approves it.
    lead = signed_in_page(browser, base, LEAD_EMAIL, STAFF_PASSWORD)
    lead.goto(f"{base}/projects/{world['project_id']}/claims")
    lead.get_by_role("button", name=re.compile("Approve all")).click()
    lead.locator(".govuk-notification-banner").wait_for()
    lead.goto(f"{base}/projects/{world['project_id']}/thanks")
    assert "Rowan Reid" in lead.locator("#people-choices").inner_text()
    _check(lead, "/reciprocity/project", "desktop")

    # Owed: the statement shows the time (and the expense) owed, chosen as vouchers.
    page.goto(f"{base}/people/{person}/statement")
    # The statement starts with what waits to be checked (as the home page does), then what is owed.
    assert _money(page.locator("#statement-pending").inner_text()) == Decimal("0")
    owed = _money(page.locator("dd.govuk-summary-list__value").nth(1).inner_text())
    assert owed == pending
    assert "Vouchers" in page.locator("#statement-choice").inner_text()
    _check(page, "/participant/statement-owed", "phone")

    # Finance records vouchers as given (the expense waits for the next payment batch).
    finance = signed_in_page(browser, base, FINANCE_EMAIL, STAFF_PASSWORD)
    finance.goto(f"{base}/projects/{world['project_id']}/batches")
    finance.get_by_role("button", name="Record vouchers, training and donations as given").click()
    finance.locator(".govuk-notification-banner").wait_for()
    finance.goto(f"{base}/finance/vouchers")
    listed = finance.locator("#vouchers").inner_text()
    assert "Rowan Reid" in listed and "Love2shop" in listed
    _check(finance, "/reciprocity/vouchers", "desktop")

    page.goto(f"{base}/people/{person}/statement")
    values = [_money(text) for text in page.locator("dd.govuk-summary-list__value").all_inner_texts()[1:4]]
    owed_now, paid, given = values
    assert given == pending - Decimal("6.40")  # the time, given as vouchers
    assert owed_now == Decimal("6.40") and paid == Decimal("0")  # the expense waits for the next payment batch
    assert "Vouchers" in page.content()

    # Benefits information: private, with figures and sources.
    page.goto(f"{base}/people/{person}/benefits")
    _check(page, "/participant/benefits-question", "phone")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/benefits/information")
    assert "information, not advice" in page.content() and "Citizens Advice Scotland" in page.content()
    _check(page, "/participant/benefits-information", "phone")
    page.locator("#period_day").fill("40")
    page.get_by_role("button", name="Work it out").click()
    expect(page.locator("#period_day-error")).to_contain_text("from 1 to 31")
    _check(page, "/participant/benefits-period-error", "phone")
    page.locator("#period_day").fill("15")
    page.get_by_role("button", name="Work it out").click()
    expect(page.locator("#estimate")).to_contain_text("Assessment period")
    assert lead.goto(f"{base}/people/{person}/benefits/information").status == 403  # the person's own

    # The other choice pages, at phone width, and finance's lists.
    for path in ("/thanks/split-by-percentage", "/thanks/no_bank", "/thanks/donation", "/thanks/third_party",
                 "/thanks/no_payment", "/thanks/training"):
        assert page.goto(f"{base}/people/{person}{path}").status == 200, path
        _check(page, "/participant" + path.replace("/", "-"), "phone")
    page.goto(f"{base}/people/{person}/thanks/split-by-percentage")
    page.locator("#percent_bank_transfer").fill("60")
    page.locator("#percent_vouchers").fill("30")
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Fill in the details for vouchers")
    page.locator("#voucher_provider").select_option("Tesco")
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must add up to 100")
    _check(page, "/participant/split-error", "phone")
    for path in ("/finance/training", "/finance/donations"):
        finance.goto(base + path)
        _check(finance, path, "desktop")
    page.close()
    lead.close()
    finance.close()
