"""The budget workbook: a sheet per section and a summary whose formulas give exactly Remun's figures.

No spreadsheet program is needed: a small evaluator here works out the formulas the workbook uses
(+ - * /, SUM, SUMIFS and ROUND) from the saved file, the way a spreadsheet would.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from remun.budget.planning import SECTIONS, TIME, cost_plan
from remun.budget.budget_workbook import budget_workbook
from remun.project_records.enums import RoleKind
from tests.helpers.budget import make_book, worked_example
from tests.helpers.budget import Evaluator, find_row  # noqa: F401  (fixtures too)

D = Decimal

LABELS = {TIME: "Payment for time", "expenses": "Expenses", "accessibility": "Accessibility and communication support",
          "training": "Training and support for participants", "venue": "Venue and refreshments",
          "voucher_fees": "Fees for buying vouchers", "staff_time": "Staff time to support involvement",
          "other": "Other costs"}
SHEETS = {**LABELS, "accessibility": "Access and communication", "training": "Training and support",
          "voucher_fees": "Voucher fees", "staff_time": "Staff time"}
KINDS = {kind: kind.value for kind in RoleKind}


def workbook_for(costing):
    data = budget_workbook(costing, section_labels=LABELS, kind_labels=KINDS, sheet_labels=SHEETS,
                           notes="Worked example")
    return load_workbook(io.BytesIO(data))


def test_the_summary_formulas_give_remuns_figures():
    costing = cost_plan(worked_example(), make_book())
    workbook = workbook_for(costing)
    assert workbook.sheetnames == ["Summary", "Payment for time", "Fair pay", "Expenses", "Access and communication",
                                   "Training and support", "Venue and refreshments", "Voucher fees", "Staff time",
                                   "Other costs", "By month"]
    summary = workbook["Summary"]
    evaluate = Evaluator(workbook)
    assert summary["B4"].value == Decimal("10")
    assert [summary.cell(row=6, column=c).value for c in range(1, 5)] == ["Section", "Year 1", "Year 2", "Total"]

    def figures(label):
        row = find_row(summary, label)
        return [evaluate.cell("Summary", row, column) for column in (2, 3, 4)]

    year1, year2 = costing.years
    for section in SECTIONS:
        assert figures(LABELS[section]) == [year1.by_section[section], year2.by_section[section],
                                            costing.by_section[section]], section
    assert figures("Subtotal") == [Decimal("3414.13"), Decimal("3457.60"), Decimal("6871.73")]
    assert figures("Contingency") == [Decimal("341.41"), Decimal("345.76"), Decimal("687.17")]
    assert figures("Total") == [Decimal("3755.54"), Decimal("3803.36"), Decimal("7558.90")]
    assert figures("Extra to pay lived experience and carer roles fairly") == [
        Decimal("730.80"), Decimal("330.00"), Decimal("1060.80")]
    assert figures("Total with the fair option") == [Decimal("4559.42"), Decimal("4166.36"), Decimal("8725.78")]
    assert figures("Not in the total: time paid by employers") == [Decimal("900.00"), Decimal("930.00"),
                                                                    Decimal("1830.00")]
    # Every formula in the summary is a formula, not a typed number.
    assert str(summary.cell(row=find_row(summary, "Total"), column=4).value).startswith("=SUM(")


def test_section_sheets_have_a_row_for_each_run_at_one_price():
    costing = cost_plan(worked_example(), make_book())
    workbook = workbook_for(costing)
    evaluate = Evaluator(workbook)
    time = workbook["Payment for time"]
    rows = [[time.cell(row=r, column=c).value for c in (1, 2, 4, 7, 8, 9, 11)] for r in range(2, 8)]
    # A run breaks where the pay for a session changes or a new year starts (numbers come back as numbers).
    assert rows == [
        [1, "Lived experience co-chair", "Steering group", 6, 1, 90, "Yes"],
        [2, "Lived experience co-chair", "Steering group", 6, 1, 100, "Yes"],
        [1, "Clinical co-chair", "Steering group", 6, 1, 150, "No"],
        [2, "Clinical co-chair", "Steering group", 6, 1, 155, "No"],
        [1, "Carer panel member", "Carers' workshop", 4, 3, 24, "Yes"],
        [None] * 7,
    ]
    assert [evaluate.cell("Payment for time", r, 10) for r in range(2, 7)] == [
        Decimal("540.00"), Decimal("600.00"), Decimal("900.00"), Decimal("930.00"), Decimal("288.00")]
    assert evaluate.cell("Payment for time", find_row(time, "Total in the budget"), 10) == Decimal("1428.00")

    fair = workbook["Fair pay"]
    assert evaluate.cell("Fair pay", find_row(fair, "Extra in all"), 11) == Decimal("1060.80")
    staff = workbook["Staff time"]
    assert [evaluate.cell("Staff time", r, 8) for r in (2, 3)] == [Decimal("165.30"), Decimal("172.30")]
    assert evaluate.cell("Staff time", find_row(staff, "Total"), 9) == Decimal("4051.20")
    venue = workbook["Venue and refreshments"]
    assert evaluate.cell("Venue and refreshments", 2, 8) == Decimal("12.53")  # ROUND(3 x 4.175, 2)
    assert venue.cell(row=2, column=11).value is None
    access = workbook["Access and communication"]
    assert access.cell(row=2, column=2).value == "BSL interpreters"
    by_month = workbook["By month"]
    assert by_month.max_row == 25  # a heading and 24 months
    assert evaluate.cell("By month", 7, 10) == Decimal("842.30")  # September 2026


def test_an_empty_plan_still_makes_a_workbook_that_adds_up():
    from remun.budget.planning import Plan

    costing = cost_plan(Plan("Empty", dt.date(2026, 4, 1), dt.date(2026, 6, 30), Decimal("10"), ()), make_book())
    workbook = workbook_for(costing)
    summary = workbook["Summary"]
    evaluate = Evaluator(workbook)
    assert evaluate.cell("Summary", find_row(summary, "Total"), 3) == Decimal("0")


INJECTION = '=HYPERLINK("http://x","click")'


def test_typed_text_never_becomes_a_formula_and_money_follows_the_locale():
    from dataclasses import replace

    plan = worked_example()
    roles = (replace(plan.roles[0], title=INJECTION),) + plan.roles[1:]
    lines = (replace(plan.lines[0], description="+SUM(1,2)", notes="-1 less"),) + plan.lines[1:]
    items = (replace(plan.items[0], description="@taxi", notes="\tnote"),) + plan.items[1:]
    costing = cost_plan(replace(plan, name="=1+1", roles=roles, lines=lines, items=items), make_book())
    workbook = load_workbook(io.BytesIO(budget_workbook(costing, section_labels=LABELS, kind_labels=KINDS,
                                                        sheet_labels=SHEETS, notes="=2*3", locale="de_DE")))
    time, expenses, summary = workbook["Payment for time"], workbook["Expenses"], workbook["Summary"]
    typed = [time["B2"], time["D2"], time["L2"], expenses["B2"], expenses["K2"], summary["A1"]]
    assert [cell.value for cell in typed] == [INJECTION, "+SUM(1,2)", "-1 less", "@taxi", "\tnote", "=1+1"]
    for cell in typed:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert any(cell.value == "=2*3" and cell.data_type == "s" for row in summary.iter_rows() for cell in row)
    # Remun's own formulas are still formulas, in the locale's currency format (Babel).
    assert time["J2"].data_type == "f" and time["J2"].number_format == '#,##0.00"\xa0£";"-"#,##0.00"\xa0£"'


def test_every_sheet_prints_on_a4_landscape_and_the_properties_say_what_it_is():
    costing = cost_plan(worked_example(), make_book())
    made_at = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.timezone.utc)
    workbook = load_workbook(io.BytesIO(budget_workbook(
        costing, section_labels=LABELS, kind_labels=KINDS, sheet_labels=SHEETS, made_by="lead@example.org",
        made_at=made_at)))
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth)) == ("landscape", 9, 1), sheet.title
    assert workbook["Payment for time"].print_title_rows == "$1:$1"
    assert workbook["Summary"]["B7"].number_format == '"£"#,##0.00;"-£"#,##0.00'
    props = workbook.properties
    assert props.title == "Budget: Crisis pathway co-design"
    assert props.creator == "lead@example.org" and props.created == dt.datetime(2026, 5, 4, 9, 30)


def test_libreoffice_recalculates_the_summary_to_remuns_figures(tmp_path):
    """A real spreadsheet opens the workbook, recalculates every formula, and gets Remun's totals."""
    from tests.helpers.exports import libreoffice_csv

    costing = cost_plan(worked_example(), make_book())
    path = tmp_path / "budget.xlsx"
    path.write_bytes(budget_workbook(costing, section_labels=LABELS, kind_labels=KINDS, sheet_labels=SHEETS))
    sheets = libreoffice_csv(path, tmp_path, ["Summary", "Staff time", "Venue and refreshments"])
    rows = {row[0]: row[1:4] for row in sheets["Summary"] if row and row[0]}

    def pennies(values):
        return [Decimal(value) for value in values]

    year1, year2 = costing.years
    for section in SECTIONS:
        assert pennies(rows[LABELS[section]]) == [year1.by_section[section], year2.by_section[section],
                                                  costing.by_section[section]], section
    assert pennies(rows["Subtotal"]) == [D("3414.13"), D("3457.60"), D("6871.73")]
    assert pennies(rows["Contingency"]) == [D("341.41"), D("345.76"), D("687.17")]
    assert pennies(rows["Total"]) == [D("3755.54"), D("3803.36"), D("7558.90")]
    assert pennies(rows["Total with the fair option"]) == [D("4559.42"), D("4166.36"), D("8725.78")]
    assert pennies(rows["Not in the total: time paid by employers"]) == [D("900.00"), D("930.00"), D("1830.00")]
    assert Decimal(sheets["Venue and refreshments"][1][7]) == D("12.53")  # ROUND(3 x 4.175, 2), as Remun rounds

