"""The budget pages through the Flask test client: a draft from blank to a project, errors, who may do
what, plan against actual on the page, print and the workbook download."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from remun.budget.models import Budget, BudgetDraftRole, BudgetItem, BudgetLine
from remun.project_records.models import Project
from tests.helpers.budget import build_ledger, project_with_budget
from tests.helpers.pages import add_item, add_line, add_role, build_draft, start_draft, the_budget  # noqa: F401  (fixtures too)

d = dt.date


def workbook_download(client, budget_id: int):
    """The budget's workbook: asked for, made by a background job (at once in tests), downloaded from its page."""
    asked = client.get(f"/budgets/{budget_id}/workbook.xlsx")
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"], asked.status_code
    download = client.get(asked.headers["Location"] + "/download")
    download.get_data()  # read, then closed: the file is sent from disk
    download.close()
    return download


def page_text(response) -> str:
    """The page's words without its markup (terms may be links to the glossary)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_draft_from_blank_to_a_project(client, db_session):
    response = client.get("/budgets/")
    assert response.status_code == 200 and "Start a draft budget" in response.get_data(as_text=True)
    budget = build_draft(client, db_session)
    page = page_text(client.get(f"/budgets/{budget.id}"))
    # 12 sessions at £90 (hours left blank take the role's: 3 + 2); the fair option is £150 a session.
    assert "£1,080.00" in page
    assert "£1,800.00" in page  # the clinical co-chair's time, not in the total, and the fair option
    assert "£1,000.00" in page  # BSL interpreters
    assert "£2,080.00" in page and "£208.00" in page and "£2,288.00" in page  # subtotal, 10%, total
    assert "Paying every lived experience and carer role fairly would cost £720.00 more" in page
    assert "Parity with the role “Clinical co-chair”, paid £30.00 for each hour given" in page
    assert "Year by year" in page
    assert "A draft: the project is not in Remun yet." in page
    line = db_session.scalar(select(BudgetLine).where(BudgetLine.budget_id == budget.id).limit(1))
    assert (line.session_hours, line.prep_hours, line.travel_hours) == (D("3.00"), D("2.00"), D("0.00"))

    # The admin turns it into the project.
    confirm = page_text(client.get(f"/budgets/{budget.id}/make-project"))
    assert "the equal roles Co-chair" in confirm
    response = client.post(f"/budgets/{budget.id}/make-project", data={})
    assert response.status_code == 302
    db_session.expire_all()
    project = db_session.scalar(select(Project).where(Project.name == "Peer support pilot"))
    assert project is not None and len(project.roles) == 2
    assert client.get(f"/projects/{project.id}/budget").headers["Location"].endswith(f"/budgets/{budget.id}")
    page = client.get(f"/budgets/{budget.id}").get_data(as_text=True)
    assert "£2,288.00" in page and "Plan against actual" in page and "Committed" in page


def test_forms_show_errors_with_a_summary(client, db_session):
    response = client.post("/budgets/new", data={"name": "", "start_date": ["1", "4", "2027"],
                                                 "end_date": ["1", "4", "2026"], "contingency_percent": "150",
                                                 "currency": "GBP"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the name of the project" in page
    assert "The end date must be the same as or after the start date" in page
    assert "Enter a percentage from 0 to 100" in page

    start_draft(client)
    budget = the_budget(db_session)
    assert add_role(client, budget, rate="", rate_card_ref="").status_code == 200
    add_role(client, budget)
    role = db_session.scalar(select(BudgetDraftRole).where(BudgetDraftRole.budget_id == budget.id))
    page = add_line(client, budget, f"draft-{role.id}", sessions="30", every_months="1").get_data(as_text=True)
    assert "The last would be in October 2028, after the budget ends in March 2028" in page
    page = add_line(client, budget, "", sessions="x").get_data(as_text=True)
    assert "Enter a whole number, like 12" in page and "Choose the role" in page
    page = add_item(client, budget, rate_card_ref="nhs-scotland-afc/band-5-entry").get_data(as_text=True)
    assert "Enter a cost or choose a published rate, not both" in page
    page = add_item(client, budget, unit_cost="", rate_card_ref="").get_data(as_text=True)
    assert "Enter the cost each, or choose a published rate" in page
    assert db_session.scalars(select(BudgetItem).where(BudgetItem.budget_id == budget.id)).all() == []
    # A role with planned sessions cannot be removed until they are.
    add_line(client, budget, f"draft-{role.id}")
    page = client.get(f"/budgets/{budget.id}/roles/{role.id}/delete").get_data(as_text=True)
    assert "sessions are planned for it" in page


def test_changing_and_removing_lines_and_items(client, db_session):
    budget = build_draft(client, db_session)
    line = db_session.scalars(select(BudgetLine).where(BudgetLine.budget_id == budget.id)).first()
    form = client.get(f"/budgets/{budget.id}/sessions/{line.id}/edit").get_data(as_text=True)
    assert 'value="Steering group"' in form
    response = client.post(f"/budgets/{budget.id}/sessions/{line.id}/edit", data={
        "role_id": f"draft-{line.draft_role_id}", "description": "Steering group", "sessions": "6",
        "first_month": "2026-05", "every_months": "2", "per_month": "1", "people": "2", "session_hours": "3",
        "prep_hours": "2", "travel_hours": "1", "in_total": "yes", "notes": "Two co-chairs"})
    assert response.status_code == 302
    db_session.expire_all()
    line = db_session.get(BudgetLine, line.id)
    assert (line.sessions, line.people, line.travel_hours, line.notes) == (6, 2, D("1.00"), "Two co-chairs")
    item = db_session.scalar(select(BudgetItem).where(BudgetItem.budget_id == budget.id))
    response = client.post(f"/budgets/{budget.id}/items/{item.id}/edit", data={
        "category": "staff_time", "description": "Coordinator", "quantity": "10", "unit_cost": "",
        "rate_card_ref": "nhs-scotland-afc/band-5-entry", "first_month": "2026-04", "times": "24",
        "every_months": "1", "notes": ""})
    assert response.status_code == 302
    db_session.expire_all()
    item = db_session.get(BudgetItem, item.id)
    assert (item.category.value, item.rate_card_ref, item.unit_cost) == ("staff_time", "nhs-scotland-afc/band-5-entry", None)
    assert "Published rate nhs-scotland-afc/band-5-entry" in client.get(f"/budgets/{budget.id}").get_data(as_text=True)
    assert client.post(f"/budgets/{budget.id}/items/{item.id}/delete", data={}).status_code == 302
    assert client.post(f"/budgets/{budget.id}/sessions/{line.id}/delete", data={}).status_code == 302
    db_session.expire_all()
    assert db_session.get(BudgetItem, item.id) is None and db_session.get(BudgetLine, line.id) is None
    # Another budget's line is not reachable through this one.
    start_draft(client, name="Another")
    other = the_budget(db_session, "Another")
    remaining = db_session.scalars(select(BudgetLine).where(BudgetLine.budget_id == budget.id)).first()
    assert client.get(f"/budgets/{other.id}/sessions/{remaining.id}/edit").status_code == 404
    assert client.post(f"/budgets/{budget.id}/delete", data={}).status_code == 302
    assert the_budget(db_session) is None


def test_who_may_do_what(client_for, make_user, db_session, led_project, lead_user, finance_user, participant_user):
    led_project.start_date, led_project.end_date = d(2026, 4, 1), d(2027, 3, 31)
    db_session.commit()
    lead = client_for(lead_user)
    # A lead starts their project's budget, with the project's dates.
    form = lead.get(f"/projects/{led_project.id}/budget", follow_redirects=True).get_data(as_text=True)
    assert "Start a budget" in form and 'value="2026"' in form
    response = lead.post(f"/projects/{led_project.id}/budget/new", data={
        "start_date": ["1", "4", "2026"], "end_date": ["31", "3", "2027"], "contingency_percent": "5"})
    assert response.status_code == 302
    project_budget = db_session.scalar(select(Budget).where(Budget.project_id == led_project.id))
    assert project_budget.name == led_project.name
    # ...and a draft of their own.
    start_draft(lead, name="Lead's draft")
    own_draft = the_budget(db_session, "Lead's draft")
    other_lead = client_for(make_user("lead"))
    finance = client_for(finance_user)
    participant = client_for(participant_user)
    for budget in (project_budget, own_draft):
        assert lead.get(f"/budgets/{budget.id}").status_code == 200
        assert lead.get(f"/budgets/{budget.id}/items/new").status_code == 200
        assert other_lead.get(f"/budgets/{budget.id}").status_code == 403
        assert other_lead.get(f"/budgets/{budget.id}/edit").status_code == 403
        assert finance.get(f"/budgets/{budget.id}").status_code == 200
        assert workbook_download(finance, budget.id).status_code == 200
        assert finance.get(f"/budgets/{budget.id}/edit").status_code == 403
        assert finance.post(f"/budgets/{budget.id}/items/new", data={}).status_code == 403
        assert participant.get(f"/budgets/{budget.id}").status_code == 403
    # A lead may turn their own draft into a project while the organisation lets leads create projects
    # (issue 15); when it keeps that to administrators, the lead is refused and told who can.
    assert lead.get(f"/budgets/{own_draft.id}/make-project").status_code == 200
    assert other_lead.get(f"/budgets/{own_draft.id}/make-project").status_code == 403
    from remun.organisation.settings import change_setting

    change_setting(db_session, "projects.leads_may_create", False, by_user_id=None)
    db_session.commit()
    assert lead.get(f"/budgets/{own_draft.id}/make-project").status_code == 403
    assert "an administrator can turn this draft into the project" in lead.get(f"/budgets/{own_draft.id}").get_data(as_text=True)
    change_setting(db_session, "projects.leads_may_create", True, by_user_id=None)
    db_session.commit()
    # Finance sees the list; the lead's list has only theirs.
    assert "Lead&#39;s draft" in finance.get("/budgets/").get_data(as_text=True)
    other_list = other_lead.get("/budgets/").get_data(as_text=True)
    assert "Lead&#39;s draft" not in other_list and led_project.name not in other_list
    assert participant.get("/budgets/").status_code == 403
    # Finance can read a project budget page that does not exist yet, but not start one.
    unbudgeted = Project(name="No budget yet")
    db_session.add(unbudgeted)
    db_session.commit()
    assert "This project has no budget yet" in finance.get(f"/projects/{unbudgeted.id}/budget").get_data(as_text=True)
    assert finance.get(f"/projects/{unbudgeted.id}/budget/new").status_code == 403


def test_the_menu_has_budgets_for_staff(client_for, finance_user, participant_user):
    assert 'href="/budgets/"' in client_for(finance_user).get("/account").get_data(as_text=True)
    assert 'href="/budgets/"' not in client_for(participant_user).get("/account").get_data(as_text=True)


def test_plan_against_actual_on_the_page_and_in_the_workbook(client, db_session, app):
    from remun.web.pages import rate_book

    project, budget, roles = project_with_budget(db_session)
    with app.test_request_context():
        build_ledger(db_session, rate_book(), project, roles)
    db_session.commit()
    page = client.get(f"/budgets/{budget.id}").get_data(as_text=True)
    assert "In all, £226.40 committed and £312.00 spent." in page
    assert "Carer reviewer" in page and "Not in the plan" in page and "Over budget" in page
    assert "Not paid through Remun" in page  # the venue
    workbook = load_workbook(io.BytesIO(workbook_download(client, budget.id).data))
    sheet = workbook["Plan against actual"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert rows["Panel member"][3:5] == (D("220.00"), D("240.00")) or rows["Panel member"][3:5] == (220, 240)


def test_the_page_prints_and_downloads(client, db_session):
    budget = build_draft(client, db_session)
    response = client.get(f"/budgets/{budget.id}")
    page = response.get_data(as_text=True)
    assert 'id="print-budget" hidden' in page and 'src="/static/print-button.js"' in page
    assert "window.print()" not in page  # no inline script (the Content-Security-Policy allows none)
    assert "remun-no-print" in page and "remun-print-only" in page
    download = workbook_download(client, budget.id)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].replace('"', "") == "attachment; filename=budget-peer-support-pilot.xlsx"
    assert download.headers["Cache-Control"] == "no-store"
    from remun.accounts.models import AuditEvent

    exported = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "budget.exported")).all()
    assert [(event.object_type, event.object_id) for event in exported] == [("budget", str(budget.id))]
    workbook = load_workbook(io.BytesIO(download.data))
    assert workbook.properties.creator == "admin@example.org"
    assert workbook.sheetnames[:3] == ["Summary", "Payment for time", "Fair pay"]
    assert workbook.sheetnames[3:] == ["Expenses", "Access and communication", "Training and support",
                                       "Venue and refreshments", "Voucher fees", "Staff time", "Other costs", "By month"]


@pytest.mark.parametrize("path", ["/budgets/999999", "/budgets/999999/workbook.xlsx", "/budgets/999999/edit"])
def test_missing_budgets_are_not_found(client, path):
    assert client.get(path).status_code == 404
