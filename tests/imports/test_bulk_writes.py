"""The import's bulk writes (remun/bulk_insert.py: COPY on PostgreSQL, executemany elsewhere).

What they store must be what an ORM INSERT would store, and the project's figures version must move
as it does for any other write. Run on SQLite and PostgreSQL (the ``session`` fixture).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from remun.bulk_insert import insert_rows
from remun.imports.operations import import_project
from remun.ledger.models import Claim, ClaimKind, ClaimStatus
from remun.project_records.enums import ExpenseCategory
from remun.project_records.models import Attendance, Expense, Meeting
from tests.helpers.workbooks import good_sheets, workbook

#: Text that COPY's format must escape (tab, newline, backslash, its own null marker) and some that it need not.
AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "\\N", "'quoted' \"twice\"", "Łódź, Gàidhlig", ""]


def figures_token(session) -> str:
    return session.execute(text("SELECT token FROM figures_version WHERE id = 1")).scalar_one()


def test_bulk_rows_read_back_as_given_with_python_defaults_filled(session, rate_book):
    import_project(session, workbook(good_sheets()), rate_book, by_user_id=None, led_project_ids=None)
    attendance = session.scalars(select(Attendance).order_by(Attendance.id)).first()
    insert_rows(session, Expense.__table__, [
        {"attendance_id": attendance.id, "amount": Decimal(index) + Decimal("0.05"), "category": ExpenseCategory.OTHER,
         "note": note}
        for index, note in enumerate(AWKWARD)] + [
        {"attendance_id": attendance.id, "amount": Decimal("1.10"), "category": ExpenseCategory.TRAVEL, "note": None}])
    stored = session.execute(select(Expense.amount, Expense.category, Expense.note, Expense.miles)
                             .where(Expense.attendance_id == attendance.id, Expense.amount < 100)
                             .order_by(Expense.id.desc()).limit(len(AWKWARD) + 1)).all()
    assert [tuple(row) for row in reversed(stored)] == [
        (Decimal(index) + Decimal("0.05"), ExpenseCategory.OTHER, note, None) for index, note in enumerate(AWKWARD)
    ] + [(Decimal("1.10"), ExpenseCategory.TRAVEL, None, None)]

    # Left out of the rows, prep and travel hours take the model's Python default (zero), as an INSERT would.
    meeting = Meeting(project_id=attendance.meeting.project_id, date=attendance.meeting.date,
                      title="Another session", hours=Decimal("2"))
    session.add(meeting)
    session.flush()
    insert_rows(session, Attendance.__table__, [{"meeting_id": meeting.id, "person_id": attendance.person_id,
                                                 "role_id": attendance.role_id, "hours": Decimal("1.5")}])
    assert session.execute(select(Attendance.hours, Attendance.prep_hours, Attendance.travel_hours)
                           .where(Attendance.meeting_id == meeting.id)).one() == (Decimal("1.5"), 0, 0)


def project_tokens(session) -> dict[int, str]:
    return dict(session.execute(text("SELECT project_id, token FROM project_figures_versions")).all())


def test_an_import_with_claims_moves_the_figures_version_and_claims_every_attendance(session, rate_book):
    summary = import_project(session, workbook(good_sheets()), rate_book, by_user_id=None, led_project_ids=None)
    before = project_tokens(session)
    assert before.get(summary.project_id)  # a new project has its figures version
    sheets = good_sheets()  # again, with one more attendance: written by COPY on PostgreSQL, with its claims
    sheets["Attendance"].append([dt.date(2025, 7, 9), "Panel meeting", "Sam Lee", 2.5, 1, None, None, None, None])
    assert import_project(session, workbook(sheets), rate_book, by_user_id=None,
                          led_project_ids=None).project_id == summary.project_id
    after = project_tokens(session)
    assert after[summary.project_id] != before[summary.project_id]  # moved in the same transaction
    assert {key: value for key, value in after.items() if key != summary.project_id} == {
        key: value for key, value in before.items() if key != summary.project_id}  # no other project's
    claims = session.scalars(select(Claim).where(Claim.project_id == summary.project_id)).all()
    assert claims and all(claim.status == ClaimStatus.SUBMITTED for claim in claims)
    expenses_claimed = {claim.attendance_id: claim.amount for claim in claims if claim.kind == ClaimKind.EXPENSES}
    assert expenses_claimed == {
        attendance_id: amount for attendance_id, amount in session.execute(
            select(Expense.attendance_id, Expense.amount).join(Attendance).join(Meeting)
            .where(Meeting.project_id == summary.project_id))}
    time_claims = [claim for claim in claims if claim.kind == ClaimKind.TIME]
    assert time_claims and all(claim.basis is not None and claim.amount > 0 for claim in time_claims)
    assert all(claim.rate is None and claim.hours is None for claim in claims if claim.kind == ClaimKind.EXPENSES)


@pytest.mark.parametrize("rows", [[]])
def test_no_rows_writes_nothing(session, rows):
    before = figures_token(session), project_tokens(session)
    insert_rows(session, Claim.__table__, rows)
    assert (figures_token(session), project_tokens(session)) == before
