"""Mileage at HMRC's approved rates: the 10,000-mile step counted per person across the tax year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.project_records.enums import ExpenseCategory, PayBasis, RoleKind
from remun.pay.mileage import Vehicle, mileage_amount, price_mileage, tax_year_start
from remun.project_records.models import Appointment, Attendance, Expense, Meeting, Person, Project, Role, RoleTerms

#: 45p a mile for a car before 6 April 2026 (rates/hmrc.toml).
BEFORE_APRIL_2026 = dt.date(2026, 3, 10)


def test_thirty_miles_by_car_is_13_50(rate_book):
    priced = mileage_amount(rate_book, BEFORE_APRIL_2026, "car", Decimal("30"))
    assert priced.amount == Decimal("13.50") and priced.rate == Decimal("0.45")


def test_the_10001st_mile_in_a_tax_year_is_paid_at_25p(rate_book):
    priced = mileage_amount(rate_book, BEFORE_APRIL_2026, Vehicle.CAR, Decimal("2"), miles_before=Decimal("9999"))
    assert [(part.miles, part.rate) for part in priced.parts] == [(Decimal("1"), Decimal("0.45")), (Decimal("1"), Decimal("0.25"))]
    assert priced.amount == Decimal("0.70")
    after = mileage_amount(rate_book, BEFORE_APRIL_2026, Vehicle.CAR, Decimal("1"), miles_before=Decimal("10000"))
    assert after.amount == Decimal("0.25")


def test_motorcycles_and_bicycles_have_one_rate(rate_book):
    assert mileage_amount(rate_book, BEFORE_APRIL_2026, "motorcycle", Decimal("10"), Decimal("20000")).amount == Decimal("2.40")
    assert mileage_amount(rate_book, BEFORE_APRIL_2026, "bicycle", Decimal("10")).amount == Decimal("2.00")


def test_the_tax_year_starts_on_6_april():
    assert tax_year_start(dt.date(2026, 4, 5)) == dt.date(2025, 4, 6)
    assert tax_year_start(dt.date(2026, 4, 6)) == dt.date(2026, 4, 6)


def _person_with_sessions(session, days):
    project = Project(name="Mileage test", start_date=dt.date(2025, 4, 1))
    role = Role(project=project, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=project.start_date, basis=PayBasis.HOUR, rate=Decimal("20"),
                                session_hours=Decimal("2")))
    person = Person(name="Morag")
    session.add_all([project, person, Appointment(person=person, role=role, start_date=project.start_date)])
    attendances = []
    for number, day in enumerate(days):
        meeting = Meeting(project=project, date=day, title=f"Panel {number}", hours=Decimal("2"))
        attendance = Attendance(meeting=meeting, person=person, role=role, hours=Decimal("2"))
        session.add_all([meeting, attendance])
        attendances.append(attendance)
    session.flush()
    return person, attendances


def test_a_persons_miles_are_counted_across_the_tax_year(session, rate_book):
    person, (earlier, later, next_year) = _person_with_sessions(
        session, [dt.date(2025, 5, 1), dt.date(2026, 2, 1), dt.date(2026, 4, 7)])
    earlier.expenses.append(Expense(amount=Decimal("4499.55"), category=ExpenseCategory.MILEAGE,
                                    miles=Decimal("9999"), vehicle="car"))
    session.flush()
    priced = price_mileage(session, rate_book, person.id, dt.date(2026, 2, 1), "car", Decimal("2"))
    assert priced.amount == Decimal("0.70")  # the 10,000th mile at 45p, the 10,001st at 25p
    # A new tax year starts the count again (and uses the rate in force on that day).
    fresh = price_mileage(session, rate_book, person.id, dt.date(2026, 4, 7), "car", Decimal("2"))
    assert [part.miles for part in fresh.parts] == [Decimal("2")]
    assert fresh.rate == rate_book.lookup("hmrc/car-first-10000-miles", dt.date(2026, 4, 7)).amount


def _workbook(miles_rows, location=None):
    import io

    from openpyxl import load_workbook

    from tests.helpers.workbooks import template_bytes

    book = load_workbook(io.BytesIO(template_bytes()))
    book["Project"]["B2"] = "Mileage import"
    book["Project"]["B5"] = dt.date(2025, 4, 1)
    if location:
        book["Project"]["B7"] = location
    book["Roles"].append(["Panel member", "Panel", "Lived experience", "Session", 90, None, 3, 0, "No", 1, "No"])
    book["People"].append(["Alex Morgan", "Panel member", dt.date(2025, 4, 1), None, None, None, None, None])
    attendance = book["Attendance"]
    if miles_rows is not None:
        attendance["J1"], attendance["K1"] = "Miles", "Vehicle"
    for day, miles, vehicle in miles_rows or [(dt.date(2025, 5, 14), None, None)]:
        book["Sessions"].append([day, f"Panel {day}", 3])
        attendance.append([day, f"Panel {day}", "Alex Morgan", None, None, None, None, None, None, miles, vehicle])
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    return filled


def test_the_workbook_takes_miles_and_vehicle_and_counts_the_tax_year(session, rate_book):
    from remun.imports.importer import import_workbook

    summary = import_workbook(session, _workbook([(dt.date(2025, 6, 1), 9999, "Car"), (dt.date(2025, 5, 14), 30, "car"),
                                                  (dt.date(2025, 7, 1), 10, "Bicycle")], location="London"),
                              rate_book, today=dt.date(2025, 9, 1))
    expenses = session.execute(select(Meeting.date, Expense.miles, Expense.vehicle, Expense.amount)
                               .join(Attendance, Expense.attendance_id == Attendance.id)
                               .join(Meeting, Attendance.meeting_id == Meeting.id)
                               .where(Meeting.project_id == summary.project_id).order_by(Meeting.date)).all()
    # 30 miles first (the earlier session): £13.50; then 9,970 at 45p and 29 at 25p; the bicycle at 20p.
    assert [(row.miles, row.vehicle, row.amount) for row in expenses] == [
        (Decimal("30"), "car", Decimal("13.50")), (Decimal("9999"), "car", Decimal("4493.75")),
        (Decimal("10"), "bicycle", Decimal("2.00"))]
    assert session.get(Project, summary.project_id).location == "london"


def test_older_workbooks_without_miles_still_import(session, rate_book):
    from remun.imports.importer import import_workbook

    summary = import_workbook(session, _workbook(None), rate_book, today=dt.date(2025, 9, 1))
    assert session.get(Project, summary.project_id).location is None


def test_miles_without_a_vehicle_is_a_plain_problem(session, rate_book):
    from remun.imports.importer import ImportFailed, import_workbook

    with pytest.raises(ImportFailed) as failure:
        import_workbook(session, _workbook([(dt.date(2025, 5, 14), 30, None)]), rate_book, today=dt.date(2025, 9, 1))
    assert [(p.sheet, p.column, p.text) for p in failure.value.problems] == [
        ("Attendance", "Vehicle", "Say which vehicle the miles were in. Use one of: Car, Motorcycle, Bicycle.")]


def test_the_export_shows_miles_vehicle_and_rate(session, rate_book, tmp_path):
    import openpyxl

    from remun.exports import ExportContext, ExportFilters
    from remun.exports.finance_workbook import write_finance_workbook
    from remun.ledger import claims

    person, (attendance,) = _person_with_sessions(session, [BEFORE_APRIL_2026])
    priced = price_mileage(session, rate_book, person.id, BEFORE_APRIL_2026, "car", Decimal("30"))
    attendance.expenses.append(Expense(amount=priced.amount, category=ExpenseCategory.MILEAGE, miles=Decimal("30"),
                                       vehicle="car"))
    session.flush()
    project_id = attendance.meeting.project_id
    claims.sync_claims(session, rate_book, project_id=project_id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project_id)], user_id=None)
    path = tmp_path / "mileage.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project_id,)), ExportContext(made_by="test"),
                           rate_book=rate_book)
    sheet = openpyxl.load_workbook(path)["Expenses"]
    headings = [cell.value for cell in sheet[1]]
    row = {heading: cell.value for heading, cell in zip(headings, sheet[2])}
    assert (row["Category"], row["Amount"], row["Miles"], row["Vehicle"], row["Rate a mile"]) == (
        "Mileage", 13.5, 30, "Car or van", 0.45)


def test_importing_the_same_workbook_again_keeps_the_mileage(session, rate_book):
    from remun.imports.importer import import_workbook

    rows = [(dt.date(2025, 5, 14), 30, "Car")]
    first = import_workbook(session, _workbook(rows), rate_book, today=dt.date(2025, 9, 1))
    again = import_workbook(session, _workbook(rows), rate_book, today=dt.date(2025, 9, 1))
    assert again.expenses.created == 0 and again.expenses.removed == 0 and again.expenses.unchanged == 1
    amounts = session.scalars(select(Expense.amount).join(Attendance, Expense.attendance_id == Attendance.id)
                              .join(Meeting, Attendance.meeting_id == Meeting.id)
                              .where(Meeting.project_id == first.project_id)).all()
    assert amounts == [Decimal("13.50")]
    # Without the columns the next time, the mileage goes (the row no longer claims it).
    gone = import_workbook(session, _workbook([(dt.date(2025, 5, 14), None, None)]), rate_book,
                           today=dt.date(2025, 9, 1))
    assert gone.expenses.removed == 1
