"""Overdue rate cards said plainly on the pages, and an administrator adding a published figure."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from remun.pay import rate_review
from remun.accounts.models import AuditEvent
from remun.organisation.rate_figures import OrganisationRateFigure

#: Every figure a test adds is a TEST FIGURE, not a published rate: nothing in rates/ is made up.
TEST_SOURCE = "https://example.org/test-figure-not-a-published-rate"


@pytest.fixture
def december_2026(monkeypatch):
    monkeypatch.setattr(rate_review, "today", lambda: dt.date(2026, 12, 7))


def _text(response) -> str:
    """The page with glossary links taken out (they wrap terms such as "Real Living Wage")."""
    page = response.get_data(as_text=True).replace("&#39;", "'").replace("&#x27;", "'")
    return re.sub(r'<a class="govuk-link remun-term"[^>]*>([^<]*)</a>', r"\1", page)


@pytest.mark.parametrize("path", ["/", "/rates/", "/parity", "/calculator"])
def test_the_overdue_real_living_wage_is_said_plainly(client, december_2026, path):
    page = _text(client.get(path))
    assert "data-rate-overdue=\"real-living-wage\"" in page
    assert "The Real Living Wage is normally updated in late October." in page
    assert "£13.45, from 22 October 2025. An administrator can add the new figure." in page


def test_no_warning_before_the_announcement_time(client, monkeypatch):
    monkeypatch.setattr(rate_review, "today", lambda: dt.date(2026, 10, 30))
    assert "data-rate-overdue" not in _text(client.get("/rates/"))


def test_an_administrator_adds_a_figure_and_the_pages_say_where_it_is_from(client, db_session, december_2026):
    form = client.get("/rates/add?ref=real-living-wage/uk")
    assert form.status_code == 200
    response = client.post("/rates/add", data={
        "ref": "real-living-wage/uk", "amount": "14.10", "start_date": ["21", "10", "2026"], "source_url": TEST_SOURCE, "note": "TEST FIGURE, not a published rate"})
    assert response.status_code == 302, _text(response)
    figure = db_session.query(OrganisationRateFigure).one()
    assert figure.amount == Decimal("14.10") and figure.effective_from == dt.date(2026, 10, 21)
    assert db_session.query(AuditEvent).filter_by(action="rate_figure.added", object_id=str(figure.id)).count() == 1
    page = _text(client.get("/rates/"))
    assert "Added by your organisation on" in page and TEST_SOURCE in page
    # Only the London figure is still waiting.
    assert "data-rate-overdue=\"real-living-wage\"" in page and "£14.80, from 22 October 2025" in page


def test_a_bad_figure_gets_a_plain_error(client, db_session):
    response = client.post("/rates/add", data={"ref": "real-living-wage/uk", "amount": "0", "source_url": "example"})
    page = _text(response)
    assert response.status_code == 200
    assert "Enter an amount more than zero" in page and "Enter the day the figure starts" in page
    assert "starting https://" in page
    assert db_session.query(OrganisationRateFigure).count() == 0


def test_only_an_administrator_adds_figures(client_for, lead_user):
    assert client_for(lead_user).get("/rates/add").status_code in (403, 404)


def test_end_and_withdraw_a_mistaken_figure(client, db_session):
    client.post("/rates/add", data={
        "ref": "real-living-wage/uk", "amount": "99.99", "start_date": ["1", "11", "2026"], "source_url": TEST_SOURCE, "note": "TEST FIGURE, added by mistake"})
    figure = db_session.query(OrganisationRateFigure).one()
    bad = client.post(f"/rates/figures/{figure.id}/end", data={
        "last_day": ["1", "10", "2026"]})
    assert "must be on or after the day the figure starts" in _text(bad)
    assert client.post(f"/rates/figures/{figure.id}/end", data={
        "last_day": ["30", "11", "2026"]}).status_code == 302
    assert figure.effective_to == dt.date(2026, 11, 30)
    assert client.post(f"/rates/figures/{figure.id}/withdraw").status_code == 302
    assert figure.withdrawn_at is not None
    actions = {event.action for event in db_session.query(AuditEvent).filter_by(object_type="rate_figure")}
    assert actions == {"rate_figure.added", "rate_figure.ended", "rate_figure.withdrawn"}
    audit_page = _text(client.get("/audit/"))
    assert "A published rate was added by the organisation" in audit_page
    assert "An organisation's published rate was withdrawn" in audit_page
    assert "99.99" not in _text(client.get("/calculator"))


def test_london_work_uses_the_london_living_wage_in_the_calculator(client):
    data = {"session_hours": "2", "comparator_rate": "1.00", "band": ""}
    uk = _text(client.post("/calculator", data=data))
    london = _text(client.post("/calculator", data=dict(data, location="london")))
    today = dt.date.today()
    from remun.pay.rate_cards import load_rate_book
    from remun.config import rates_dir

    book = load_rate_book(rates_dir())
    assert f"Real Living Wage (£{book.living_wage(today):.2f} an hour)" in uk
    assert f"Real Living Wage (£{book.living_wage(today, london=True):.2f} an hour)" in london


def test_a_london_project_is_compared_with_the_london_living_wage(client, db_session):
    from remun.project_records.models import Project

    response = client.post("/projects/new", data={"name": "London panel", "currency": "GBP", "location": "london",
                                                  "start_date": ["", "", ""], "end_date": ["", "", ""]})
    assert response.status_code == 302, _text(response)
    project = db_session.query(Project).filter_by(name="London panel").one()
    assert project.location == "london"
    page = _text(client.get(f"/projects/{project.id}/parity"))
    from remun.pay.rate_cards import load_rate_book
    from remun.config import rates_dir

    wage = load_rate_book(rates_dir()).living_wage(dt.date.today(), london=True)
    assert f"The Real Living Wage that day was £{wage:.2f} an hour." in page


def test_a_london_budget_never_plans_below_the_london_living_wage(rate_book):
    from remun.budget.planning import PlanRole, fair_option
    from remun.project_records.enums import PayBasis, RoleKind
    from remun.pay.terms import PayTerms

    role = PlanRole(key=1, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE, group=None, terms=())
    terms = PayTerms(basis=PayBasis.HOUR, rate=Decimal("1"), session_hours=Decimal("2"))
    day = dt.date(2026, 6, 1)
    assert fair_option(role, terms, [role], rate_book, day).living_wage == Decimal("13.45")
    assert fair_option(role, terms, [role], rate_book, day, london=True).living_wage == Decimal("14.80")


def test_the_parity_page_flags_against_a_new_figure_and_says_the_window(client, db_session):
    from remun.project_records.models import Project

    client.post("/rates/add", data={
        "ref": "real-living-wage/uk", "amount": "14.10", "start_date": ["21", "10", "2026"], "source_url": TEST_SOURCE,
        "note": "TEST FIGURE, not a published rate"})
    client.post("/projects/new", data={"name": "Window panel", "currency": "GBP",
                                       "start_date": ["1", "4", "2026"], "end_date": ["1", "12", "2026"]})
    project = db_session.query(Project).filter_by(name="Window panel").one()
    page = _text(client.get(f"/projects/{project.id}/parity"))
    assert "The Real Living Wage that day was £14.10 an hour." in page
    assert "Added by your organisation on" in page and TEST_SOURCE in page
    assert ("Accredited employers have until 1 May 2027 to move to it, so the previous rate, £13.45, "
            "is still within their time.") in page
    assert "data-rate-overdue" not in page
