"""Parity on what was paid, from the ledger, on a stated comparator basis; the pay gap counts each person once.

Worked example (build_project in tests/helpers/ledger.py): a £20-an-hour panel role, 3 hours and 1 hour of paid
preparation a session (£80.00 for 4 hours given), beside a clinician salaried at £30.00 an hour.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.parity.comparator_basis import ComparatorBasis, median
from remun.project_records.enums import PayBasis, Reciprocity, RoleKind
from remun.ledger import claims, settlement
from remun.ledger.models import Claim, ClaimKind
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Role
from remun.organisation.settings import SettingError, change_setting
from remun.parity.report import organisation_parity, project_parity
from remun.parity.report_json import report_as_json
from tests.helpers.ledger import build_project

PEOPLE = {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS, "Cat": Reciprocity.NO_PAYMENT,
          "Dee": Reciprocity.BANK_TRANSFER, "Eve": Reciprocity.BANK_TRANSFER, "Fay": Reciprocity.BANK_TRANSFER}


def _time_claim(session, project, name):
    return session.scalars(select(Claim).join(Person, Claim.person_id == Person.id).where(
        Claim.project_id == project.id, Person.name == name, Claim.kind == ClaimKind.TIME)).one()


@pytest.fixture
def settled_project(session, rate_book):
    """Ann paid by bank, Bea given vouchers, Cat declined, Dee approved and waiting, Eve rejected, Fay reversed."""
    project = build_project(session, PEOPLE)
    claims.sync_claims(session, rate_book, project_id=project.id)
    claim = {name: _time_claim(session, project, name) for name in PEOPLE}
    assert claims.reject(session, claim["Eve"].id, "Not at this meeting", user_id=None)
    claims.approve(session, [claim[name].id for name in ("Ann", "Bea", "Cat", "Fay")], user_id=None)
    claims.reverse_claim(session, claim["Fay"].id, "Wrong role", user_id=None)
    settlement.settle_in_kind(session, project.id, user_id=None)
    batch = settlement.create_batch(session, project.id, user_id=None)
    settlement.mark_paid(session, batch.id, user_id=None)
    claims.approve(session, [claim["Dee"].id], user_id=None)
    session.flush()
    return project


def _role(report, title):
    return next(role for role in report["roles"] if role["role"] == title)


def test_offered_due_and_paid_or_given_from_the_ledger(session, rate_book, settled_project):
    report = report_as_json(project_parity(session, settled_project.id, rate_book))
    panel = _role(report, "Panel member")
    assert panel["offered"] == {"hourly_rate": "20.00"}
    # Ann's £80 by bank and Bea's £80 in vouchers, for 8 hours given: £20.00 an hour, 33.3% below £30.00.
    assert panel["paid_or_given"] == {"amount": "160.00", "hours": "8.00", "hourly_rate": "20.00",
                                      "gap_percent": "33.3", "parity": False}
    assert panel["due"] == {"amount": "80.00", "hours": "4.00"}  # Dee: approved, not paid yet
    assert panel["declined"] == {"amount": "80.00", "hours": "4.00"}  # Cat's choice, not a gap
    assert panel["source"] == "ledger"
    # Eve (rejected) and Fay (reversed) count for nothing anywhere.
    names = {person["name"] for person in report["paid"]}
    assert "Eve" not in names and "Fay" not in names
    cat = next(person for person in report["paid"] if person["name"] == "Cat")
    assert (cat["received"], cat["hourly_rate"], cat["gap_percent"], cat["declined"]) == ("0.00", None, None, "80.00")
    clinician = _role(report, "Clinician")
    assert clinician["source"] == "terms" and clinician["paid_or_given"]["hourly_rate"] == "30.00"


def test_a_declined_payment_never_counts_as_a_gap(session, rate_book):
    project = build_project(session, {"Cat": Reciprocity.NO_PAYMENT})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [_time_claim(session, project, "Cat").id], user_id=None)
    panel = _role(report_as_json(project_parity(session, project.id, rate_book)), "Panel member")
    assert panel["paid_or_given"]["hours"] == "0.00" and panel["paid_or_given"]["gap_percent"] is None
    assert panel["declined"] == {"amount": "80.00", "hours": "4.00"}


def test_the_basis_is_stated_and_defaults_to_best_paid_per_contracted_hour(session, rate_book, settled_project):
    report = report_as_json(project_parity(session, settled_project.id, rate_book))
    assert report["basis"]["comparator"] == "best" and report["basis"]["salary_hours"] == "contracted"
    assert report["basis"]["on_costs_percent"] is None and report["basis"]["salary_factor"] == "1.0000"
    assert report["basis"]["sentence"] == (
        "The comparator is the best-paid clinical or professional role in each group; a salary's hourly rate is per "
        "contracted hour (paid leave counts as hours); employer on-costs are not added.")


def test_per_hour_worked_and_on_costs_raise_a_salary(session, rate_book, settled_project):
    # Worked example (docs/rules.md): 27 days of leave and 8 public holidays out of 365 × 5/7 working days:
    # £30.00 × 1825 ÷ (1825 − 7 × 35) = £30.00 × 1825/1580 = £34.65 an hour worked.
    change_setting(session, "parity.salary_hours", "worked", by_user_id=None)
    change_setting(session, "parity.leave_days", "27", by_user_id=None)
    change_setting(session, "parity.public_holiday_days", "8", by_user_id=None)
    report = report_as_json(project_parity(session, settled_project.id, rate_book))
    assert report["basis"]["salary_factor"] == "1.1551"
    assert report["groups"][0]["comparator"]["effective_hourly_rate"] == "34.65"
    # £20.00 against £34.6519…: (34.6519 − 20) ÷ 34.6519 = 42.3%.
    assert _role(report, "Panel member")["paid_or_given"]["gap_percent"] == "42.3"
    # With employer on-costs of 20% as well: £34.6519 × 1.2 = £41.58.
    change_setting(session, "parity.on_costs_percent", "20", by_user_id=None)
    report = report_as_json(project_parity(session, settled_project.id, rate_book))
    assert report["groups"][0]["comparator"]["effective_hourly_rate"] == "41.58"
    assert "employer on-costs of 20% are added to salaries" in report["basis"]["sentence"]
    with pytest.raises(SettingError):
        change_setting(session, "parity.leave_days", "lots", by_user_id=None)


def test_the_median_comparator(session, rate_book, settled_project):
    # A second clinical role at £40 an hour (3 hours a session): best-paid is £40.00, the median of £30 and £40 £35.00.
    role = Role(project=settled_project, group=settled_project.groups[0], title="Consultant", kind=RoleKind.CLINICAL)
    from remun.project_records.models import RoleTerms
    role.terms.append(RoleTerms(effective_from=settled_project.start_date, basis=PayBasis.SALARY, rate=Decimal("40"),
                                session_hours=Decimal("3")))
    session.add(role)
    session.flush()
    best = report_as_json(project_parity(session, settled_project.id, rate_book))
    assert best["groups"][0]["comparator"] == {"role": "Consultant", "effective_hourly_rate": "40.00"}
    change_setting(session, "parity.comparator", "median", by_user_id=None)
    middle = report_as_json(project_parity(session, settled_project.id, rate_book))
    assert middle["groups"][0]["comparator"]["effective_hourly_rate"] == "35.00"
    # £20 against £35: 42.9% less.
    assert _role(middle, "Panel member")["paid_or_given"]["gap_percent"] == "42.9"
    assert median([Decimal(1), Decimal(3), Decimal(2)]) == 2


def test_the_pay_gap_counts_each_person_once_weighted_by_hours(session, rate_book):
    """Gus gives 4 hours in the £20 panel role and 2 hours in a £35-an-hour role: (80 + 70) ÷ 6 = £25.00, once."""
    project = build_project(session, {"Gus": Reciprocity.BANK_TRANSFER})
    group = project.groups[0]
    gus = session.scalars(select(Person).where(Person.name == "Gus")).one()
    from remun.project_records.models import RoleTerms
    adviser = Role(project=project, group=group, title="Lived experience adviser", kind=RoleKind.LIVED_EXPERIENCE)
    adviser.terms.append(RoleTerms(effective_from=project.start_date, basis=PayBasis.HOUR, rate=Decimal("35"),
                                   session_hours=Decimal("2")))
    meeting = Meeting(project=project, date=project.start_date + dt.timedelta(days=1), title="Advice", hours=Decimal("2"))
    session.add_all([adviser, meeting, Appointment(person=gus, role=adviser, start_date=project.start_date)])
    session.add(Attendance(meeting=meeting, person=gus, role=adviser, hours=Decimal("2")))
    session.flush()
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None)
    batch = settlement.create_batch(session, project.id, user_id=None)
    settlement.mark_paid(session, batch.id, user_id=None)
    report = project_parity(session, project.id, rate_book, threshold=1)
    assert len([person for person in report.paid if person.name == "Gus"]) == 2  # a row per role…
    # …but one person on each side in the gap: Gus at £25.00, Dr Staff at £30.00 → (30 − 25) ÷ 30 = 16.7%.
    assert report.pay_gap.mean_gap_percent == Decimal("16.7")
    assert organisation_parity(session, rate_book, threshold=1).pay_gap.mean_gap_percent == Decimal("16.7")


def test_an_organisation_basis_for_a_salary_needs_working_days(session):
    with pytest.raises(ValueError):
        ComparatorBasis(salary_hours="worked", leave_days=Decimal(200), public_holiday_days=Decimal(70)).worked_factor


def test_the_workbook_parity_sheet_shows_offered_due_paid_and_the_basis(session, rate_book, settled_project, tmp_path):
    import openpyxl

    from remun.exports import ExportContext, ExportFilters
    from remun.exports.finance_workbook import write_finance_workbook

    path = tmp_path / "parity.xlsx"
    filters = ExportFilters(project_ids=(settled_project.id,), date_from=dt.date(2020, 1, 1), date_to=dt.date(2099, 12, 31))
    write_finance_workbook(session, path, filters, ExportContext(made_by="finance@example.org",
                                                                 made_at=dt.datetime(2026, 5, 4, 9, 30)),
                           rate_book=rate_book)
    sheet = openpyxl.load_workbook(path)["Parity"]
    heads = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert heads[13:19] == ["Due", "Paid or given", "Hours paid or given", "Paid or given per hour",
                            "Gap on what was paid or given", "Declined"]
    rows = {row[2].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if len(row) > 2 and row[2].value}
    assert rows["Panel member"][7] == 20  # offered per hour
    assert rows["Panel member"][13:16] == [80, 160, 8] and rows["Panel member"][16] == 20
    assert round(rows["Panel member"][17], 3) == 0.333 and rows["Panel member"][18] == 80
    basis = next(row for row in sheet.iter_rows() if row[0].value == "How pay is compared")
    assert basis[1].value.startswith("The comparator is the best-paid clinical or professional role")


def test_an_administrator_sets_the_basis_and_every_parity_page_states_it(app, client, db_session):
    import re

    from remun.project_records.demo import load_demo
    from remun.web.pages import rate_book

    with app.test_request_context():
        project = load_demo(db_session, rate_book())
    db_session.commit()
    page = client.get("/settings/parity").get_data(as_text=True)
    assert "How pay is compared" in page and "How pay parity is compared, the tax year and letters" in page
    response = client.post("/settings/parity", data={"comparator": "best", "salary_hours": "worked", "leave_days": "300",
                                                     "public_holiday_days": "8", "on_costs_percent": "",
                                                     "payee_threshold": "1000"})
    assert "Enter a number of days from 0 to 100" in response.get_data(as_text=True)
    response = client.post("/settings/parity", data={"comparator": "median", "salary_hours": "worked",
                                                     "leave_days": "27", "public_holiday_days": "8",
                                                     "on_costs_percent": "20", "payee_threshold": "1000"})
    assert response.status_code == 302
    sentence = ("The comparator is the median hourly rate of the clinical and professional roles in each group; a "
                "salary's hourly rate is per hour actually worked (27 days of leave and 8 public holidays a year are "
                "not worked); employer on-costs of 20% are added to salaries.")
    for address in (f"/projects/{project.id}/parity", "/parity"):
        text = " ".join(re.sub(r"<[^>]+>", " ", client.get(address).get_data(as_text=True)).split())
        assert sentence in text.replace("&#39;", "'"), address
    assert client.get(f"/projects/{project.id}/parity.json").get_json()["basis"]["sentence"] == sentence


def test_settings_on_the_command_line(app, db_session):
    from remun.cli.main import cli

    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["settings", "set", "parity.salary_hours", "worked"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(cli, ["settings", "show"]).output
    assert 'parity.salary_hours = "worked"' in shown and "per hour actually worked" in shown
    bad = runner.invoke(cli, ["settings", "set", "parity.comparator", "mean"])
    assert bad.exit_code == 2 and "Choose one of: best, median." in bad.output
    assert runner.invoke(cli, ["settings", "set", "no.such", "1"]).exit_code == 2
