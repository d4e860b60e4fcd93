"""The tax year (6 April to 5 April): totals by the date money was paid or given, the CLI, the workbook sheet.

Worked example (build_project in tests/helpers/ledger.py: £80.00 for a session and a £6.40 bus fare each):
claims approved on 1 March 2027; Ann paid by bank on 5 April 2027 (the last day of 2026-27); Bea given
vouchers on 6 April 2027 (the first day of 2027-28); Cat declined when approved; everyone's bus fare repaid
with Ann's pay on 5 April 2027.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from remun.project_records.enums import Reciprocity
from remun.ledger import claims, settlement
from remun.project_records.models import Person
from remun.papers.tax_year import (
    TaxYearError,
    bounds,
    label,
    parse,
    payees_tax_year,
    person_tax_year,
    person_tax_years,
    tax_year_of,
)
from tests.helpers.ledger import build_project

APPROVED, LAST_DAY, FIRST_DAY = dt.date(2027, 3, 1), dt.date(2027, 4, 5), dt.date(2027, 4, 6)


def test_the_tax_year_runs_from_6_april_to_5_april():
    assert tax_year_of(dt.date(2027, 4, 5)) == 2026 and tax_year_of(dt.date(2027, 4, 6)) == 2027
    assert bounds(2026) == (dt.date(2026, 4, 6), dt.date(2027, 4, 5)) and label(2026) == "2026-27"
    assert label(2099) == "2099-00"
    assert parse("2026") == parse("2026-27") == parse("2026/2027") == 2026
    for bad in ("26", "2026-28", "next year"):
        with pytest.raises(TaxYearError):
            parse(bad)


def _settle(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS,
                                      "Cat": Reciprocity.NO_PAYMENT})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None, posted_on=APPROVED)
    batch = settlement.create_batch(session, project.id, user_id=None)
    settlement.mark_paid(session, batch.id, user_id=None, posted_on=LAST_DAY)
    settlement.settle_in_kind(session, project.id, user_id=None, posted_on=FIRST_DAY)
    session.flush()
    return project, {person.name: person for person in session.query(Person).filter(Person.name.in_(["Ann", "Bea", "Cat"]))}


def test_totals_by_the_date_paid_or_given(session, rate_book):
    _project, people = _settle(session, rate_book)
    ann = person_tax_year(session, people["Ann"], 2026)
    assert (ann.paid, ann.expenses_repaid, ann.income_total) == (Decimal("80.00"), Decimal("6.40"), Decimal("80.00"))
    bea_before, bea_after = (person_tax_year(session, people["Bea"], year) for year in (2026, 2027))
    assert (bea_before.vouchers, bea_before.expenses_repaid, bea_before.income_total) == (0, Decimal("6.40"), 0)
    assert (bea_after.vouchers, bea_after.income_total) == (Decimal("80.00"), Decimal("80.00"))
    cat = person_tax_year(session, people["Cat"], 2026)
    assert (cat.declined, cat.income_total) == (Decimal("80.00"), 0)  # declined is not income
    years = person_tax_years(session, people["Bea"], today=dt.date(2027, 5, 1))
    assert [totals.tax_year for totals in years] == ["2027-28", "2026-27"]
    assert [t.name for t in payees_tax_year(session, 2026)] == ["Ann", "Bea", "Cat"]


def test_remun_statement_prints_exactly_the_fields(app, db_session, rate_book):
    from remun.cli.main import cli

    _settle(db_session, rate_book)
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["statement", "--person", "Ann", "--tax-year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "person": "Ann", "tax_year": "2026-27", "paid": "80.00", "vouchers": "0.00", "training": "0.00",
        "donations": "0.00", "declined": "0.00", "expenses_repaid": "6.40", "income_total": "80.00",
    }
    table = runner.invoke(cli, ["statement", "--person", "Bea", "--tax-year", "2027-28"]).output
    assert "tax year 2027-28 (06 April 2027 to 05 April 2028)" in table and "80.00" in table
    assert runner.invoke(cli, ["statement", "--person", "Nobody", "--tax-year", "2026"]).exit_code == 2
    assert runner.invoke(cli, ["statement", "--person", "Ann", "--tax-year", "soon"]).exit_code == 2


def test_the_workbook_tax_year_sheet_marks_payees_above_the_threshold(session, rate_book, tmp_path):
    import openpyxl

    from remun.exports import ExportContext, ExportFilters
    from remun.exports.finance_workbook import write_finance_workbook
    from remun.organisation.settings import change_setting

    project, _people = _settle(session, rate_book)
    change_setting(session, "tax.payee_threshold", "50", by_user_id=None)  # so £80 is above it
    path = tmp_path / "tax.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)),
                           ExportContext(made_by="finance@example.org", made_at=dt.datetime(2027, 5, 4, 9, 30)),
                           rate_book=rate_book)
    sheet = openpyxl.load_workbook(path)["Tax year"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if row[0].value and len(row) > 9]
    by_year = {(row[0], row[1]): row for row in rows}
    assert by_year[("2026-27", "Ann")][2:] == [80, 0, 0, 0, 0, 6.4, 80, "Yes"]
    assert by_year[("2026-27", "Cat")][2:] == [0, 0, 0, 0, 80, 6.4, 0, "No"]
    assert by_year[("2027-28", "Bea")][2:] == [0, 80, 0, 0, 0, 0, 80, "Yes"]
    note = [row[0].value for row in sheet.iter_rows() if row[0].value and "6 April to 5 April" in str(row[0].value)]
    assert note and "£50.00" in note[0]
