"""Importing a project from a workbook (remun/imports/importer.py).

Every workbook here is built at run time with openpyxl. Tests that use the
``session`` fixture run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.project_records.models import (
    Appointment,
    Attendance,
    Expense,
    Meeting,
    Person,
    Project,
    Role,
    RoleGroup,
    RoleTerms,
)
from remun.money import NotANumber
from remun.imports.cells import MONEY_PLACES, RATE_PLACES, read_date, read_number
from remun.imports.importer import ImportFailed, ImportSummary, Problem, import_workbook
from tests.helpers.workbooks import ATTENDANCE_HEADINGS, FIRST_DAY, PEOPLE_HEADINGS, PROJECT_NAME, ROLE_HEADINGS, SESSION_HEADINGS, good_sheets, set_cell, workbook  # noqa: F401  (fixtures too)

TODAY = dt.date(2025, 9, 1)
TABLES = (Project, RoleGroup, Role, RoleTerms, Person, Appointment, Meeting, Attendance, Expense)


GOOD_COUNTS = {
    Project: 1, RoleGroup: 1, Role: 3, RoleTerms: 3, Person: 3, Appointment: 4, Meeting: 2, Attendance: 5,
    Expense: 2,
}


def counts(session) -> dict:
    session.flush()
    return {model: session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def run(session, sheets, rate_book, today=TODAY) -> ImportSummary:
    return import_workbook(session, workbook(sheets), rate_book, today=today)


def failing(session, sheets, rate_book, today=TODAY) -> list[Problem]:
    """Import a workbook that must fail; check nothing was written, and return the problems."""
    before = counts(session)
    with pytest.raises(ImportFailed) as failure:
        run(session, sheets, rate_book, today)
    assert not session.new and not session.dirty and not session.deleted
    assert counts(session) == before
    assert failure.value.problems
    return failure.value.problems


def where(problems: list[Problem]) -> list[tuple]:
    return [(problem.sheet, problem.row, problem.column) for problem in problems]


def project(session) -> Project:
    return session.scalars(select(Project).where(Project.name == PROJECT_NAME)).one()


def role(session, title: str) -> Role:
    return session.scalars(select(Role).where(Role.title == title)).one()


def person(session, name: str) -> Person:
    return session.scalars(select(Person).where(Person.name == name)).one()


def attendance(session, day: dt.date, name: str) -> Attendance:
    return session.scalars(
        select(Attendance).join(Meeting).join(Person).where(Meeting.date == day, Person.name == name)
    ).one()


# --- a good workbook ----------------------------------------------------------------------


def test_a_good_workbook_imports_everything(session, rate_book):
    before = counts(session)
    summary = run(session, good_sheets(), rate_book)
    after = counts(session)
    assert {model: after[model] - before[model] for model in TABLES} == GOOD_COUNTS

    imported = project(session)
    assert summary.project_id == imported.id
    assert (imported.cost_centre, imported.currency) == ("CC-101", "GBP")
    assert (imported.start_date, imported.end_date) == (FIRST_DAY, dt.date(2026, 3, 31))

    co_chair = role(session, "Lived experience co-chair")
    clinical = role(session, "Clinical co-chair")
    member = role(session, "Panel member")
    assert co_chair.kind is RoleKind.LIVED_EXPERIENCE and clinical.kind is RoleKind.CLINICAL
    assert member.kind is RoleKind.CARER
    assert co_chair.group is clinical.group and co_chair.group.name == "Co-chairs"
    assert member.group is None

    [terms] = co_chair.terms
    assert terms.effective_from == FIRST_DAY  # a new role's terms start with the project
    assert (terms.basis, terms.rate, terms.rate_card_ref) == (PayBasis.SESSION, Decimal("90"), None)
    assert (terms.session_hours, terms.prep_hours, terms.prep_paid) == (Decimal(3), Decimal(2), False)
    assert (terms.travel_hours, terms.travel_paid) == (Decimal(1), False)
    [terms] = clinical.terms
    assert (terms.basis, terms.rate, terms.rate_card_ref) == (PayBasis.SALARY, None, "nhs-scotland-afc/band-7-entry")
    assert terms.prep_paid is True
    [terms] = member.terms
    assert (terms.basis, terms.rate, terms.session_hours) == (PayBasis.HOUR, Decimal("18.50"), Decimal("2.50"))
    assert (terms.prep_paid, terms.travel_paid) == (True, True)

    alex = person(session, "Alex Morgan")
    assert (alex.email, alex.preferred_language, alex.payee_reference) == ("alex@example.org", "en", "P-001")
    assert alex.reciprocity is Reciprocity.BANK_TRANSFER
    sam = person(session, "Sam Lee")
    assert (sam.email, sam.preferred_language, sam.reciprocity) == ("Sam.Lee@Example.org", "en", Reciprocity.NOT_CHOSEN)
    jo = person(session, "Jo Bloggs")
    assert (jo.email, jo.preferred_language, jo.reciprocity) == (None, "gd", Reciprocity.VOUCHERS)
    assert sorted((a.role.title, a.start_date, a.end_date) for a in jo.appointments) == [
        ("Lived experience co-chair", dt.date(2025, 7, 1), None),
        ("Panel member", FIRST_DAY, dt.date(2025, 6, 30)),
    ]

    # Blank hours are the session's; the role is the one held that day.
    may_alex = attendance(session, dt.date(2025, 5, 14), "Alex Morgan")
    assert (may_alex.hours, may_alex.prep_hours, may_alex.travel_hours) == (Decimal(3), Decimal(2), Decimal(1))
    assert [(e.amount, e.category, e.note) for e in may_alex.expenses] == [
        (Decimal("12.40"), ExpenseCategory.TRAVEL, "Bus fare")
    ]
    may_jo = attendance(session, dt.date(2025, 5, 14), "Jo Bloggs")
    assert may_jo.role is member and may_jo.hours == Decimal("2.5")
    assert [(e.amount, e.category) for e in may_jo.expenses] == [(Decimal("7.50"), ExpenseCategory.CARE)]
    july_jo = attendance(session, dt.date(2025, 7, 9), "Jo Bloggs")
    assert july_jo.role is co_chair
    assert (july_jo.hours, july_jo.prep_hours, july_jo.travel_hours) == (Decimal("2.5"), Decimal(1), Decimal("0.5"))
    assert july_jo.expenses == []

    assert summary.roles.created == 3 and summary.attendance.created == 5 and summary.expenses.created == 2
    assert summary.changed
    lines = summary.lines()
    assert lines[0] == f"Project '{PROJECT_NAME}' added."
    assert "Roles: 3 added, 0 updated, 0 unchanged." in lines
    assert "Attendance: 5 added, 0 updated, 0 unchanged." in lines
    # Each line also carries its message for translation.
    roles_line = lines[lines.index("Roles: 3 added, 0 updated, 0 unchanged.")]
    assert roles_line.message_id % roles_line.params == roles_line
    assert "%(created)d" in roles_line.message_id


def test_importing_the_same_workbook_again_changes_nothing(session, rate_book):
    run(session, good_sheets(), rate_book, today=FIRST_DAY)
    before = counts(session)
    summary = run(session, good_sheets(), rate_book, today=TODAY)
    assert counts(session) == before
    assert not summary.changed
    for kind, tally in summary.tallies().items():
        assert (tally.created, tally.updated, tally.removed) == (0, 0, 0), kind
    assert summary.roles.unchanged == 3 and summary.terms.unchanged == 3 and summary.people.unchanged == 3
    assert summary.appointments.unchanged == 4 and summary.sessions.unchanged == 2
    assert summary.attendance.unchanged == 5 and summary.expenses.unchanged == 2
    assert summary.project.unchanged == 1 and summary.groups.unchanged == 1
    assert summary.lines()[0] == f"Project '{PROJECT_NAME}' was already up to date."
    assert not session.dirty


def test_a_changed_workbook_updates_what_changed(session, rate_book):
    run(session, good_sheets(), rate_book, today=FIRST_DAY)
    before = counts(session)
    sheets = good_sheets()
    set_cell(sheets, "Roles", 2, "Rate", 100)  # a pay rise
    sheets["People"].append(["Priya Shah", "Panel member", "2025-07-01", None, "priya@example.org", "pl", None, None])
    set_cell(sheets, "Sessions", 3, "Hours", 3)  # the July session was longer
    sheets["Attendance"].append([dt.date(2025, 7, 9), "Panel meeting", "Priya Shah", None, None, None, None, None,
                                 None])
    summary = run(session, sheets, rate_book)
    after = counts(session)
    assert {model: after[model] - before[model] for model in TABLES} == {
        Project: 0, RoleGroup: 0, Role: 0, RoleTerms: 1, Person: 1, Appointment: 1, Meeting: 0, Attendance: 1,
        Expense: 0,
    }

    # The new rate starts today; earlier sessions keep the terms they had.
    co_chair = role(session, "Lived experience co-chair")
    assert [(t.effective_from, t.rate) for t in co_chair.terms] == [(FIRST_DAY, Decimal(90)), (TODAY, Decimal(100))]
    assert co_chair.terms_on(dt.date(2025, 7, 9)).rate == Decimal(90)
    assert co_chair.current_terms.rate == Decimal(100)

    priya = person(session, "Priya Shah")
    assert (priya.email, priya.preferred_language) == ("priya@example.org", "pl")
    july = session.scalars(select(Meeting).where(Meeting.date == dt.date(2025, 7, 9))).one()
    assert july.hours == Decimal(3)
    # Blank hours follow the session's new length.
    assert attendance(session, dt.date(2025, 7, 9), "Jo Bloggs").hours == Decimal(3)
    assert attendance(session, dt.date(2025, 7, 9), "Priya Shah").role == role(session, "Panel member")

    assert (summary.terms.created, summary.terms.unchanged) == (1, 2)
    assert (summary.people.created, summary.people.unchanged) == (1, 3)
    assert (summary.sessions.updated, summary.sessions.unchanged) == (1, 1)
    assert (summary.attendance.created, summary.attendance.updated, summary.attendance.unchanged) == (1, 2, 3)
    assert summary.roles.unchanged == 3 and summary.expenses.unchanged == 2

    # The same changed workbook again, the same day: nothing more.
    again = run(session, sheets, rate_book)
    assert not again.changed
    # Another change the same day updates today's terms rather than adding more.
    set_cell(sheets, "Roles", 2, "Rate", 105)
    third = run(session, sheets, rate_book)
    assert (third.terms.created, third.terms.updated) == (0, 1)
    session.expire_all()
    assert [(t.effective_from, t.rate) for t in role(session, "Lived experience co-chair").terms] == [
        (FIRST_DAY, Decimal(90)), (TODAY, Decimal(105))
    ]


def test_changes_to_roles_people_and_project_are_updated(session, rate_book):
    run(session, good_sheets(), rate_book, today=FIRST_DAY)
    sheets = good_sheets()
    set_cell(sheets, "Project", 3, "Value", "CC-202")
    set_cell(sheets, "Roles", 4, "Kind", "Lived experience")
    set_cell(sheets, "Roles", 4, "Equal role group", "Members")
    set_cell(sheets, "People", 2, "Payee reference", "P-999")
    set_cell(sheets, "People", 4, "End", "2025-06-29")
    summary = run(session, sheets, rate_book)
    assert summary.project.updated == 1 and project(session).cost_centre == "CC-202"
    assert (summary.groups.created, summary.groups.unchanged) == (1, 1)
    assert (summary.roles.updated, summary.roles.unchanged) == (1, 2)
    member = role(session, "Panel member")
    assert member.kind is RoleKind.LIVED_EXPERIENCE and member.group.name == "Members"
    assert person(session, "Alex Morgan").payee_reference == "P-999"
    assert summary.people.updated == 1
    assert (summary.appointments.updated, summary.appointments.unchanged) == (1, 3)
    assert summary.terms.unchanged == 3


def test_expenses_are_replaced_by_the_rows_expense(session, rate_book):
    run(session, good_sheets(), rate_book)
    sheets = good_sheets()
    set_cell(sheets, "Attendance", 2, "Expenses", "15.00")  # Alex's bus fare was more
    for column in ("Expenses", "Expense category", "Expense note"):
        set_cell(sheets, "Attendance", 4, column, None)  # Jo had no expenses after all
    set_cell(sheets, "Attendance", 5, "Expenses", 3)  # Jo's July coffee
    set_cell(sheets, "Attendance", 5, "Expense category", "Meals")
    summary = run(session, sheets, rate_book)
    assert (summary.expenses.created, summary.expenses.updated, summary.expenses.removed) == (1, 1, 1)
    assert summary.attendance.updated == 3
    amounts = sorted(
        (e.attendance.person.name, e.attendance.meeting.date, e.amount, e.category)
        for e in session.scalars(select(Expense))
    )
    assert amounts == [
        ("Alex Morgan", dt.date(2025, 5, 14), Decimal("15.00"), ExpenseCategory.TRAVEL),
        ("Jo Bloggs", dt.date(2025, 7, 9), Decimal("3.00"), ExpenseCategory.MEALS),
    ]
    assert "Expenses: 1 added, 1 updated, 0 unchanged, 1 removed." in summary.lines()


def test_terms_from_sets_when_new_terms_start(session, rate_book):
    sheets = good_sheets()
    sheets["Roles"][0].append("Terms from")
    for row in sheets["Roles"][1:]:
        row.append(None)
    set_cell(sheets, "Roles", 2, "Terms from", dt.date(2025, 5, 1))
    run(session, sheets, rate_book)
    assert [t.effective_from for t in role(session, "Lived experience co-chair").terms] == [dt.date(2025, 5, 1)]
    assert [t.effective_from for t in role(session, "Panel member").terms] == [FIRST_DAY]

    set_cell(sheets, "Roles", 2, "Rate", 95)
    set_cell(sheets, "Roles", 2, "Terms from", "2025-08-01")
    summary = run(session, sheets, rate_book)
    assert summary.terms.created == 1
    assert [(t.effective_from, t.rate) for t in role(session, "Lived experience co-chair").terms] == [
        (dt.date(2025, 5, 1), Decimal(90)), (dt.date(2025, 8, 1), Decimal(95))
    ]
    assert not run(session, sheets, rate_book).changed


def test_new_roles_start_today_when_the_project_has_no_start(session, rate_book):
    sheets = good_sheets()
    set_cell(sheets, "Project", 5, "Value", None)
    run(session, sheets, rate_book)
    assert [t.effective_from for t in role(session, "Panel member").terms] == [TODAY]


def test_a_person_is_found_by_email_in_any_case(session, rate_book):
    existing = Person(name="Samuel Lee", email="sam.lee@example.org", reciprocity=Reciprocity.DONATION)
    session.add(existing)
    session.flush()
    summary = run(session, good_sheets(), rate_book)
    assert (summary.people.created, summary.people.updated) == (2, 1)
    assert session.scalar(select(func.count()).select_from(Person)) == 3
    assert existing.name == "Sam Lee"  # the workbook has their name now
    assert existing.email == "sam.lee@example.org"  # only the case differed: left alone
    assert existing.reciprocity is Reciprocity.DONATION  # blank does not undo a choice


def test_blank_details_never_clear_what_is_recorded(session, rate_book):
    run(session, good_sheets(), rate_book)
    sam = person(session, "Sam Lee")
    sam.reciprocity = Reciprocity.TRAINING
    sam.preferred_language = "pl"
    sam.payee_reference = "S-1"
    session.flush()
    summary = run(session, good_sheets(), rate_book)
    assert not summary.changed
    assert (sam.reciprocity, sam.preferred_language, sam.payee_reference) == (Reciprocity.TRAINING, "pl", "S-1")


def test_a_person_without_email_is_found_by_name_in_the_project(session, rate_book):
    run(session, good_sheets(), rate_book)
    sheets = good_sheets()
    set_cell(sheets, "People", 4, "Email", "jo@example.org")
    summary = run(session, sheets, rate_book)
    assert (summary.people.created, summary.people.updated) == (0, 1)
    assert person(session, "Jo Bloggs").email == "jo@example.org"


def test_someone_renamed_on_the_people_sheet_is_still_one_person(session, rate_book):
    sheets = good_sheets()
    set_cell(sheets, "People", 3, "Name", "Samuel Lee")
    set_cell(sheets, "Attendance", 3, "Name", "Samuel Lee")
    run(session, sheets, rate_book)
    renamed = good_sheets()  # Sam Lee now, found by email
    renamed["Attendance"].append([dt.date(2025, 5, 14), "Panel meeting", "Samuel Lee", 1, None, None, None, None,
                                  None])
    problems = failing(session, renamed, rate_book)
    assert where(problems) == [("Attendance", 7, "Name")]
    assert problems[0].text.startswith("Row 3 already has Samuel Lee at this session.")
    # The old name alone still finds them, with the roles the People sheet gives.
    renamed["Attendance"][2][2] = "Samuel Lee"
    del renamed["Attendance"][6]
    summary = run(session, renamed, rate_book)
    assert (summary.people.updated, summary.attendance.unchanged) == (1, 5)
    assert person(session, "Sam Lee").email == "Sam.Lee@Example.org"


def test_a_blank_start_is_the_start_of_the_project(session, rate_book):
    sheets = good_sheets()
    set_cell(sheets, "People", 2, "Start", None)
    set_cell(sheets, "Project", 2, "Value", None)  # a problem elsewhere does not hide the project start
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [("Project", 2, "Value")]
    set_cell(sheets, "Project", 2, "Value", PROJECT_NAME)
    run(session, sheets, rate_book)
    assert [a.start_date for a in person(session, "Alex Morgan").appointments] == [FIRST_DAY]
    set_cell(sheets, "Project", 5, "Value", None)
    assert where(failing(session, sheets, rate_book)) == [("People", 2, "Start")]


def test_rows_may_refer_to_what_is_already_in_the_project(session, rate_book):
    run(session, good_sheets(), rate_book)
    before = counts(session)
    sheets = good_sheets()
    sheets["Roles"] = [ROLE_HEADINGS]
    sheets["Sessions"] = [SESSION_HEADINGS]
    sheets["People"] = [PEOPLE_HEADINGS, ["Priya Shah", "Panel member", "2025-07-01", None, None, None, None, None]]
    sheets["Attendance"] = [
        ATTENDANCE_HEADINGS,
        [dt.date(2025, 7, 9), "Panel meeting", "Priya Shah", None, None, None, None, None, None],
        [dt.date(2025, 7, 9), "Panel meeting", "Sam Lee", 1, None, None, None, None, None],
    ]
    summary = run(session, sheets, rate_book)
    after = counts(session)
    assert after[Person] == before[Person] + 1 and after[Attendance] == before[Attendance] + 2
    assert attendance(session, dt.date(2025, 7, 9), "Priya Shah").hours == Decimal("2.5")  # the session's hours
    assert attendance(session, dt.date(2025, 7, 9), "Sam Lee").role == role(session, "Clinical co-chair")
    assert summary.roles.total == 0 and summary.sessions.total == 0


def test_empty_sheets_are_fine(session, rate_book):
    sheets = good_sheets()
    for name, headings in (("Roles", ROLE_HEADINGS), ("People", PEOPLE_HEADINGS), ("Sessions", SESSION_HEADINGS),
                           ("Attendance", ATTENDANCE_HEADINGS)):
        sheets[name] = [headings]
    summary = run(session, sheets, rate_book)
    assert summary.project.created == 1
    assert summary.lines() == [f"Project '{PROJECT_NAME}' added."]


def test_headings_and_choices_ignore_case_and_spaces_and_extra_columns_and_blank_rows(session, rate_book):
    sheets = good_sheets()
    sheets["Roles"][0] = [f"  {heading.upper()} " for heading in ROLE_HEADINGS]
    for name in ("People", "Attendance"):
        sheets[name][0].append("Notes")  # a column of their own
        for row in sheets[name][1:]:
            row.append("anything")
    sheets["Roles"][0].insert(0, "Row notes")
    for row in sheets["Roles"][1:]:
        row.insert(0, "ignored")
    sheets["Roles"][1][3] = "  lived EXPERIENCE "
    sheets["Roles"][3][4] = "hour"
    sheets["Sessions"].insert(1, [None, None, None])  # a blank row
    sheets["Attendance"].insert(2, [None, "  ", None, None, None, None, None, None, None, "a note"])
    summary = run(session, sheets, rate_book)
    assert summary.roles.created == 3 and summary.sessions.created == 2 and summary.attendance.created == 5

    # Row numbers stay as Excel shows them, blank rows included.
    sheets = good_sheets()
    sheets["Attendance"].insert(2, [None] * 9)
    set_cell(sheets, "Attendance", 4, "Hours", -1)
    assert where(failing(session, sheets, rate_book)) == [("Attendance", 4, "Hours")]


def test_sheet_names_ignore_case(session, rate_book):
    sheets = {name.upper(): rows for name, rows in good_sheets().items()}
    assert run(session, sheets, rate_book).attendance.created == 5


def test_a_path_can_be_imported(session, rate_book, tmp_path):
    path = tmp_path / "project.xlsx"
    path.write_bytes(workbook(good_sheets()).getvalue())
    assert import_workbook(session, path, rate_book, today=TODAY).project.created == 1
    assert not import_workbook(session, str(path), rate_book, today=TODAY).changed


def test_the_import_never_commits(session, rate_book, monkeypatch):
    def refuse():
        raise AssertionError("the import must leave committing to the caller")

    monkeypatch.setattr(session, "commit", refuse)
    run(session, good_sheets(), rate_book)
    with pytest.raises(ImportFailed):
        run(session, {"Project": [["Field", "Value"]]}, rate_book)


def test_a_clash_in_the_database_while_writing_keeps_nothing(session, rate_book, monkeypatch):
    from remun.imports import importer

    write = importer._Import._write

    def clashing_write(job):
        # Someone else adds the same project between the checks and the writing.
        job.session.add(Project(name=PROJECT_NAME))
        job.session.flush()
        return write(job)

    monkeypatch.setattr(importer._Import, "_write", clashing_write)
    problems = failing(session, good_sheets(), rate_book)
    assert where(problems) == [(None, None, None)]
    assert "Nothing was imported" in problems[0].text
    monkeypatch.undo()
    assert run(session, good_sheets(), rate_book).project.created == 1  # the session is still usable


# --- numbers and dates ------------------------------------------------------------------


def test_numbers_may_be_text_with_pounds_and_thousands(session, rate_book):
    sheets = good_sheets()
    set_cell(sheets, "Roles", 4, "Rate", "£1,234.5")
    set_cell(sheets, "Roles", 2, "Rate", 12.1)
    set_cell(sheets, "Attendance", 2, "Expenses", " £ 2,675.005 ")
    run(session, sheets, rate_book)
    assert role(session, "Panel member").terms[0].rate == Decimal("1234.5")
    assert role(session, "Lived experience co-chair").terms[0].rate == Decimal("12.1")
    assert attendance(session, dt.date(2025, 5, 14), "Alex Morgan").expenses[0].amount == Decimal("2675.01")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (12.1, MONEY_PLACES, "12.10"),
        (2.675, MONEY_PLACES, "2.68"),  # the typed figure, rounded half up; not 2.67499999…
        (12.100000000000001, MONEY_PLACES, "12.10"),
        (0.1 + 0.2, MONEY_PLACES, "0.30"),
        (7, MONEY_PLACES, "7.00"),
        ("£1,234.50", MONEY_PLACES, "1234.50"),
        ("  18.5 ", MONEY_PLACES, "18.50"),
        (28.1149, RATE_PLACES, "28.1149"),
        ("28.11495", RATE_PLACES, "28.1150"),
    ],
)
def test_the_number_rule(value, places, expected):
    result = read_number(value, places)
    assert isinstance(result, Decimal) and str(result) == expected


@pytest.mark.parametrize("value", ["12,50", "1,23", "abc", "", "NaN", "Infinity", True, dt.date(2025, 1, 1),
                                   float("nan"), float("inf"), "1.2.3"])
def test_what_is_not_a_number(value):
    with pytest.raises(NotANumber):
        read_number(value, MONEY_PLACES)


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False))
def test_a_typed_amount_reads_back_exactly(amount):
    # Whatever pennies someone types, the float Excel stores reads back as the same amount.
    assert read_number(float(amount), MONEY_PLACES) == amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2025, 3, 31), dt.date(2025, 3, 31)),
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31)),
        ("2025-03-31", dt.date(2025, 3, 31)),
        (" 31/03/2025 ", dt.date(2025, 3, 31)),
        ("1/4/2025", dt.date(2025, 4, 1)),
        ("2025-03-31 00:00:00", dt.date(2025, 3, 31)),
    ],
)
def test_dates(value, expected):
    assert read_date(value) == expected


# --- bad rows -----------------------------------------------------------------------------


def _set(sheet, row, column, value):
    return lambda sheets: set_cell(sheets, sheet, row, column, value)


def _both(*changes):
    def apply(sheets):
        for change in changes:
            change(sheets)
    return apply


def _append(sheet, row):
    return lambda sheets: sheets[sheet].append(row)


KIND_MESSAGE = "'Clinician' is not a kind of role. Use one of: Lived experience, Carer, Clinical, Professional, Other."

BAD_ROWS = {
    # name: (change to the good workbook, (sheet, row, column), words the message contains)
    "unknown kind": (_set("Roles", 3, "Kind", "Clinician"), ("Roles", 3, "Kind"), KIND_MESSAGE),
    "no kind": (_set("Roles", 3, "Kind", None), ("Roles", 3, "Kind"), "Say what kind of role"),
    "unknown pay basis": (_set("Roles", 2, "Pay basis", "Weekly"), ("Roles", 2, "Pay basis"),
                          "'Weekly' is not a way of paying a role. Use one of: Hour, Session, Half day, Day, Salary."),
    "negative rate": (_set("Roles", 2, "Rate", -90), ("Roles", 2, "Rate"), "-90 is less than zero"),
    "rate not a number": (_set("Roles", 2, "Rate", "ninety"), ("Roles", 2, "Rate"), "'ninety' is not a number."),
    "decimal comma": (_set("Roles", 2, "Rate", "90,50"), ("Roles", 2, "Rate"), "'90,50' is not a number."),
    "rate and rate card": (_set("Roles", 3, "Rate", 30), ("Roles", 3, "Rate card"), "not both"),
    "no rate nor rate card": (_set("Roles", 2, "Rate", None), ("Roles", 2, "Rate"), "Give the rate, or a rate card"),
    "unknown rate card": (_set("Roles", 3, "Rate card", "nhs-scotland-afc/band-99"), ("Roles", 3, "Rate card"),
                          "'nhs-scotland-afc/band-99' is not a rate card Remun knows"),
    "rate card in the wrong unit": (
        _both(_set("Roles", 3, "Pay basis", "Session")), ("Roles", 3, "Rate card"),
        "The rate card 'nhs-scotland-afc/band-7-entry' is a rate per hour, but the pay basis is Session. "
        "Choose a rate card per session, or change the pay basis.",
    ),
    "session hours over a day": (_set("Roles", 2, "Session hours", 25), ("Roles", 2, "Session hours"),
                                 "25 hours is longer than a day"),
    "negative prep hours": (_set("Roles", 4, "Prep hours", "-1"), ("Roles", 4, "Prep hours"), "less than zero"),
    "prep paid not yes or no": (_set("Roles", 2, "Prep paid", "Sometimes"), ("Roles", 2, "Prep paid"),
                                "'Sometimes' is not Yes or No."),
    "role without a name": (_append("Roles", [None, None, "Carer", "Hour", 18, None, 2, 0, "No", 0, "No"]),
                            ("Roles", 5, "Role"), "Give the role a name."),
    "the same role twice": (
        _append("Roles", ["panel MEMBER", None, "Carer", "Hour", 18, None, 2, 0, "No", 0, "No"]),
        ("Roles", 5, "Role"), "The role 'panel MEMBER' is also on row 4.",
    ),
    "bad terms from": (
        _both(lambda s: s["Roles"][0].append("Terms from"), _set("Roles", 2, "Terms from", "soon")),
        ("Roles", 2, "Terms from"), "'soon' is not a date",
    ),
    "project without a name": (_set("Project", 2, "Value", None), ("Project", 2, "Value"), "Give the project a name."),
    "project name row missing": (_set("Project", 2, "Field", "Title"), ("Project", None, "Field"),
                                 "The project has no name."),
    "currency not a code": (_set("Project", 4, "Value", "pounds"), ("Project", 4, "Value"),
                            "'pounds' is not a currency code. Use a three-letter code such as GBP."),
    "project ends before it starts": (_set("Project", 6, "Value", "2025-03-31"), ("Project", 6, "Value"),
                                      "The end date 2025-03-31 is before the start date 2025-04-01."),
    "project date not a date": (_set("Project", 5, "Value", "April"), ("Project", 5, "Value"), "'April' is not a date"),
    "a project field twice": (_append("Project", ["currency", "EUR"]), ("Project", 7, "Field"),
                              "'Currency' is given twice, also on row 4."),
    "person in a role not on the Roles sheet": (
        _set("People", 3, "Role", "Consultant"), ("People", 3, "Role"),
        "There is no role called 'Consultant' on the Roles sheet.",
    ),
    "appointment ends before it starts": (_set("People", 4, "End", "2025-03-01"), ("People", 4, "End"),
                                          "The end date 2025-03-01 is before the start date 2025-04-01."),
    "impossible date": (_set("People", 5, "Start", "31/02/2025"), ("People", 5, "Start"), "'31/02/2025' is not a date"),
    "invalid email": (_set("People", 2, "Email", "alex at example.org"), ("People", 2, "Email"),
                      "'alex at example.org' is not an email address."),
    "unknown language": (_set("People", 2, "Language", "fr"), ("People", 2, "Language"),
                         "'fr' is not a language Remun has. Use one of: en, gd, pl."),
    "unknown reciprocity": (_set("People", 2, "Reciprocity", "Cash"), ("People", 2, "Reciprocity"),
                            "'Cash' is not a way of being paid or thanked"),
    "person without a name": (_append("People", [None, "Panel member", FIRST_DAY, None, None, None, None, None]),
                              ("People", 6, "Name"), "Give the person's name."),
    "the same appointment twice": (
        _append("People", ["Jo Bloggs", "Panel member", FIRST_DAY, None, None, None, None, None]),
        ("People", 6, "Role"), "Row 4 already puts Jo Bloggs in the role 'Panel member' from 2025-04-01.",
    ),
    "two emails for one name": (
        _both(_set("People", 4, "Email", "jo@example.org"), _set("People", 5, "Email", "jo@elsewhere.org")),
        ("People", 5, "Email"), "Row 4 gives Jo Bloggs a different email.",
    ),
    "one email for two names": (
        _set("People", 3, "Email", "alex@example.org"), ("People", 3, "Email"),
        "Row 2 gives this email to Alex Morgan.",
    ),
    "two languages for one person": (_set("People", 5, "Language", "en"), ("People", 5, "Language"),
                                     "Row 4 gives Jo Bloggs a different Language."),
    "session hours over a day (sessions)": (_set("Sessions", 2, "Hours", 30), ("Sessions", 2, "Hours"),
                                            "30 hours is longer than a day. Use 24 hours or fewer."),
    "session without hours": (_set("Sessions", 3, "Hours", None), ("Sessions", 3, "Hours"),
                              "Give the length of the session in hours."),
    "negative session hours": (_set("Sessions", 3, "Hours", -2), ("Sessions", 3, "Hours"), "less than zero"),
    "session date not a date": (_set("Sessions", 3, "Date", "next week"), ("Sessions", 3, "Date"),
                                "'next week' is not a date"),
    "the same session twice": (_append("Sessions", ["09/07/2025", "PANEL meeting", 2]), ("Sessions", 4, "Title"),
                               "The session 'PANEL meeting' on 2025-07-09 is also on row 3."),
    "attendance at a session not on the Sessions sheet": (
        _set("Attendance", 3, "Session", "Workshop"), ("Attendance", 3, "Session"),
        "There is no session called 'Workshop' on 2025-05-14 on the Sessions sheet.",
    ),
    "attendance on a date with no session": (
        _set("Attendance", 3, "Date", dt.date(2025, 5, 15)), ("Attendance", 3, "Session"),
        "There is no session called 'Panel meeting' on 2025-05-15",
    ),
    "attendance by someone not on the People sheet": (
        _set("Attendance", 3, "Name", "Sam Leigh"), ("Attendance", 3, "Name"),
        "There is no one called Sam Leigh on the People sheet.",
    ),
    "attendance by someone with no role that day": (
        _set("People", 2, "Start", "2025-06-01"), ("Attendance", 2, "Name"),
        "Alex Morgan had no role in this project on 2025-05-14.",
    ),
    "attendance by someone with two roles that day": (
        _set("People", 4, "End", "2025-07-31"), ("Attendance", 5, "Name"),
        "Jo Bloggs had more than one role in this project on 2025-07-09 (Lived experience co-chair, Panel member).",
    ),
    "attendance over a day": (_set("Attendance", 3, "Hours", 24.5), ("Attendance", 3, "Hours"),
                              "24.5 hours is longer than a day"),
    "negative travel": (_set("Attendance", 3, "Travel hours", -1), ("Attendance", 3, "Travel hours"),
                        "less than zero"),
    "negative expenses": (_set("Attendance", 2, "Expenses", "-£5"), ("Attendance", 2, "Expenses"),
                          "-£5 is less than zero."),
    "expenses less than zero": (_set("Attendance", 2, "Expenses", -5), ("Attendance", 2, "Expenses"),
                                "-5 is less than zero."),
    "expenses without a category": (
        _set("Attendance", 2, "Expense category", None), ("Attendance", 2, "Expense category"),
        "Say what the expenses were for. Use one of: Travel, Care, Meals, Communication, Other.",
    ),
    "an expense category without an amount": (
        _set("Attendance", 3, "Expense category", "Meals"), ("Attendance", 3, "Expenses"),
        "There is an expense category but no amount.",
    ),
    "unknown expense category": (_set("Attendance", 2, "Expense category", "Bus"),
                                 ("Attendance", 2, "Expense category"), "'Bus' is not a kind of expense."),
    "the same person at a session twice": (
        _append("Attendance", [dt.date(2025, 7, 9), "Panel meeting", "jo bloggs", 1, None, None, None, None, None]),
        ("Attendance", 7, "Name"), "Row 5 already has jo bloggs at this session.",
    ),
    "attendance without a name": (_set("Attendance", 4, "Name", None), ("Attendance", 4, "Name"),
                                  "Give the name of the person who came."),
    "too long": (_set("Roles", 2, "Equal role group", "x" * 201), ("Roles", 2, "Equal role group"),
                 "This is 201 characters long. Use 200 or fewer."),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_bad_row_is_reported_and_nothing_is_written(session, rate_book, case):
    change, expected, words = BAD_ROWS[case]
    sheets = good_sheets()
    change(sheets)
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [expected], [str(problem) for problem in problems]
    assert words in problems[0].text


def test_a_bad_workbook_changes_nothing_in_an_existing_project(session, rate_book):
    run(session, good_sheets(), rate_book, today=FIRST_DAY)
    sheets = good_sheets()
    set_cell(sheets, "Roles", 2, "Rate", 120)
    set_cell(sheets, "Project", 3, "Value", "CC-999")
    set_cell(sheets, "Sessions", 2, "Hours", 4)
    sheets["People"].append(["New Person", "Panel member", FIRST_DAY, None, None, None, None, None])
    set_cell(sheets, "Attendance", 3, "Name", "Nobody")  # the one problem
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [("Attendance", 3, "Name")]
    session.expire_all()
    assert project(session).cost_centre == "CC-101"
    assert [t.rate for t in role(session, "Lived experience co-chair").terms] == [Decimal(90)]


def test_a_name_shared_by_two_people_in_the_project_must_be_told_apart(session, rate_book):
    run(session, good_sheets(), rate_book)
    twin = Person(name="Jo Bloggs", email="other.jo@example.org")
    session.add(twin)
    session.flush()
    session.add(Appointment(person_id=twin.id, role_id=role(session, "Panel member").id, start_date=FIRST_DAY))
    session.flush()
    sheets = good_sheets()
    sheets["People"] = [PEOPLE_HEADINGS]
    sheets["Attendance"] = [ATTENDANCE_HEADINGS,
                            [dt.date(2025, 5, 14), "Panel meeting", "Jo Bloggs", None, None, None, None, None, None]]
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [("Attendance", 2, "Name")]
    assert "More than one person called Jo Bloggs" in problems[0].text
    # With their email on the People sheet, Remun knows which Jo is meant.
    sheets["People"].append(["Jo Bloggs", "Panel member", FIRST_DAY, None, "other.jo@example.org", None, None, None])
    summary = run(session, sheets, rate_book)
    assert summary.attendance.created == 1 and summary.people.unchanged == 1


def test_every_problem_is_reported_in_one_go(session, rate_book):
    sheets = good_sheets()
    set_cell(sheets, "Project", 4, "Value", "Pounds")
    set_cell(sheets, "Roles", 2, "Kind", "Clinician")
    set_cell(sheets, "Roles", 2, "Rate", -1)
    set_cell(sheets, "Roles", 3, "Rate card", "no-such/rate")
    set_cell(sheets, "People", 3, "Email", "not-an-email")
    set_cell(sheets, "People", 4, "Role", "Observer")
    set_cell(sheets, "Sessions", 3, "Hours", 48)
    set_cell(sheets, "Attendance", 2, "Expense category", None)
    set_cell(sheets, "Attendance", 3, "Name", "Nobody")
    set_cell(sheets, "Attendance", 6, "Session", "Workshop")
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [
        ("Project", 4, "Value"),
        ("Roles", 2, "Kind"),
        ("Roles", 2, "Rate"),
        ("Roles", 3, "Rate card"),
        ("People", 3, "Email"),
        ("People", 4, "Role"),
        ("Sessions", 3, "Hours"),
        ("Attendance", 2, "Expense category"),
        ("Attendance", 3, "Name"),
        ("Attendance", 6, "Session"),
    ]
    # Each message is kept for translation: an English template and its parameters.
    kind = problems[1]
    assert kind.text == KIND_MESSAGE
    assert kind.message_id == "'%(value)s' is not a kind of role. Use one of: %(choices)s."
    assert kind.params["value"] == "Clinician"
    assert str(kind) == f"sheet Roles, row 2, column Kind: {KIND_MESSAGE}"


# --- bad files ----------------------------------------------------------------------------


def _zip_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        random.Random(7).randbytes(4096),
        b"",
        b"Name,Role\nAlex,Chair\n",
        _zip_without_a_workbook(),
    ],
    ids=["random bytes", "empty", "csv", "zip"],
)
def test_a_file_that_is_not_a_workbook(session, rate_book, content):
    before = counts(session)
    with pytest.raises(ImportFailed) as failure:
        import_workbook(session, io.BytesIO(content), rate_book)
    [problem] = failure.value.problems
    assert (problem.sheet, problem.row, problem.column) == (None, None, None)
    assert "could not be read as an Excel workbook" in problem.text
    assert counts(session) == before


def test_a_truncated_workbook(session, rate_book):
    content = workbook(good_sheets()).getvalue()
    with pytest.raises(ImportFailed) as failure:
        import_workbook(session, io.BytesIO(content[: len(content) // 2]), rate_book)
    assert where(failure.value.problems) == [(None, None, None)]


def test_a_missing_sheet(session, rate_book):
    sheets = good_sheets()
    del sheets["Sessions"]
    del sheets["Attendance"]
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [("Sessions", None, None), ("Attendance", None, None)]
    assert problems[0].text == "The workbook has no sheet called 'Sessions'. Add it, or start from the blank workbook."


def test_a_missing_column(session, rate_book):
    sheets = good_sheets()
    index = ROLE_HEADINGS.index("Kind")
    for row in sheets["Roles"]:
        del row[index]
    sheets["Attendance"][0][ATTENDANCE_HEADINGS.index("Expense note")] = "Notes"
    problems = failing(session, sheets, rate_book)
    assert where(problems) == [("Roles", 1, "Kind"), ("Attendance", 1, "Expense note")]
    assert problems[0].text == "The column 'Kind' is missing. Add it to the first row of the sheet."


def test_a_column_given_twice(session, rate_book):
    sheets = good_sheets()
    sheets["Sessions"][0].append("hours")
    assert where(failing(session, sheets, rate_book)) == [("Sessions", 1, "Hours")]


# --- a big workbook -------------------------------------------------------------------------


def big_workbook(people: int = 100, sessions: int = 100) -> io.BytesIO:
    """people × sessions attendance rows (10,000 by default)."""
    book = Workbook(write_only=True)
    project_sheet = book.create_sheet("Project")
    for row in (["Field", "Value"], ["Name", "Big project"], ["Start", dt.date(2025, 1, 1)]):
        project_sheet.append(row)
    roles = book.create_sheet("Roles")
    roles.append(ROLE_HEADINGS)
    roles.append(["Panel member", "Panel", "Lived experience", "Hour", 20, None, 2, 1, "Yes", 1, "No"])
    roles.append(["Clinician", "Panel", "Clinical", "Salary", None, "nhs-scotland-afc/band-6-entry", 2, 1, "Yes",
                  1, "Yes"])
    people_sheet = book.create_sheet("People")
    people_sheet.append(PEOPLE_HEADINGS)
    names = [f"Person {number:04d}" for number in range(people)]
    for number, name in enumerate(names):
        people_sheet.append([name, "Clinician" if number % 10 == 0 else "Panel member", dt.date(2025, 1, 1), None,
                             f"person{number}@example.org", None, None, None])
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=number) for number in range(sessions)]
    session_sheet = book.create_sheet("Sessions")
    session_sheet.append(SESSION_HEADINGS)
    for day in days:
        session_sheet.append([day, "Panel meeting", 2])
    attendance_sheet = book.create_sheet("Attendance")
    attendance_sheet.append(ATTENDANCE_HEADINGS)
    count = 0
    for day in days:
        for name in names:
            expense = count % 10 == 0
            attendance_sheet.append([day, "Panel meeting", name, None if count % 3 else 1.5, 1, 0.5,
                                     6.8 if expense else None, "Travel" if expense else None, None])
            count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_ten_thousand_row_attendance_sheet_imports_whole(session, rate_book):
    # Behaviour only: the speed (2,000+ rows a second) is measured by bench/, not asserted here.
    content = big_workbook().getvalue()
    summary = import_workbook(session, io.BytesIO(content), rate_book, today=TODAY)
    assert summary.attendance.created == 10_000 and summary.expenses.created == 1_000
    assert session.scalar(select(func.count()).select_from(Attendance)) == 10_000
    again = import_workbook(session, io.BytesIO(content), rate_book, today=TODAY)
    assert not again.changed and again.attendance.unchanged == 10_000
