"""Import a project from a filled-in workbook: all of it, or nothing.

``import_workbook(session, source, rate_book)`` reads the workbook, checks every
row against the workbook itself and what is already in the database, and
collects every problem it finds. If there is any, it raises ``ImportFailed``
with all of them, having written nothing. Otherwise it writes the records and
returns an ``ImportSummary``. It never commits: the caller commits on success
and rolls back on failure.

Importing the same workbook twice changes nothing; importing a changed one
updates what changed. Records are matched like this:

- the project by its name;
- an equal role group by its name, a role by its title, a session by its date
  and title (all within the project; case and extra spaces do not matter);
- a person by their email (any case) when there is one, otherwise by their
  name among the people already in the project;
- an appointment by person, role and start date; attendance by session and person.

A role's pay terms are effective-dated: a changed rate adds new terms from
today (or the row's "Terms from" date), so earlier sessions keep their terms.

Nothing is ever deleted, except that an attendance row's expenses replace the
expenses recorded for that attendance.

How numbers and dates are read is described in ``remun.workbook.cells``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from openpyxl import load_workbook
from sqlalchemy import func, or_, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from remun.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.mileage import NoMileageRate, mileage_amount, price_mileage
from remun.models import (
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
from remun.money import ZERO, NotANumber
from remun.rates import RateBook
from remun.records import UNIT_FOR_BASIS, RateCardProblem, check_rate_card
from remun.workbook import N_
from remun.workbook import layout as L
from remun.workbook.limits import measure_workbook
from remun.workbook.problems import Problem
from remun.workbook.cells import (
    HOURS_LIMIT,
    HOURS_PLACES,
    MONEY_LIMIT,
    MONEY_PLACES,
    RATE_LIMIT,
    RATE_PLACES,
    NotADate,
    choice_lookup,
    is_blank,
    read_choice,
    read_date,
    read_number,
    read_text,
    read_yes_no,
    show,
)
from remun.workbook.layout import heading_key

log = logging.getLogger(__name__)

__all__ = ["ImportFailed", "ImportSummary", "Problem", "SummaryLine", "Tally", "import_workbook"]

#: progress(rows done, rows to do)
Progress = Callable[[int, int], None]
HOURS_IN_A_DAY = Decimal(24)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_CURRENCY = "GBP"
DEFAULT_LANGUAGE = "en"

# Longest text each column can hold (the model's String lengths).
NAME_LIMIT = 200
COST_CENTRE_LIMIT = 50
RATE_CARD_LIMIT = 120
EMAIL_LIMIT = 254
PAYEE_LIMIT = 100

KIND_LOOKUP = choice_lookup(L.KIND_CHOICES)
BASIS_LOOKUP = choice_lookup(L.BASIS_CHOICES)
RECIPROCITY_LOOKUP = choice_lookup(L.RECIPROCITY_CHOICES)
EXPENSE_LOOKUP = choice_lookup(L.EXPENSE_CHOICES)
VEHICLE_LOOKUP = choice_lookup(L.VEHICLE_CHOICES)
LOCATION_LOOKUP = choice_lookup(L.LOCATION_CHOICES)
MILES_PLACES = Decimal("0.01")
MILES_LIMIT = Decimal("100000")
LANGUAGE_LOOKUP = {code: code for code in L.LANGUAGES}


def _choices(labels: Iterable[str]) -> str:
    return ", ".join(labels)


KIND_CHOICES_TEXT = _choices(L.KIND_CHOICES)
BASIS_CHOICES_TEXT = _choices(L.BASIS_CHOICES)
RECIPROCITY_CHOICES_TEXT = _choices(L.RECIPROCITY_CHOICES)
EXPENSE_CHOICES_TEXT = _choices(L.EXPENSE_CHOICES)
VEHICLE_CHOICES_TEXT = _choices(L.VEHICLE_CHOICES)
LOCATION_CHOICES_TEXT = _choices(L.LOCATION_CHOICES)
LANGUAGE_CHOICES_TEXT = _choices(L.LANGUAGES)


# --- problems and results ---------------------------------------------------------------


class ImportFailed(Exception):
    """The workbook has problems; nothing was written. ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the workbook"
            + (f"; the first: {self.problems[0]}" if self.problems else "")
        )


@dataclass
class Tally:
    """How many records of one kind the import added, changed, left alone or removed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.removed


class SummaryLine(str):
    """One line of an import summary: English text that also carries its
    ``message_id`` and ``params``, so a web page can translate it."""

    message_id: str
    params: dict[str, Any]

    def __new__(cls, message_id: str, params: dict[str, Any]) -> SummaryLine:
        line = super().__new__(cls, message_id % params)
        line.message_id = message_id
        line.params = params
        return line


_SUMMARY_MESSAGES = {
    "groups": N_("Equal role groups: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "roles": N_("Roles: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "terms": N_("Pay terms: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "people": N_("People: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "appointments": N_("People in roles: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "sessions": N_("Sessions: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "attendance": N_("Attendance: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "expenses": N_(
        "Expenses: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, %(removed)d removed."
    ),
}


@dataclass
class ImportSummary:
    """What an import did, kind by kind."""

    project_id: int
    project_name: str
    project: Tally = field(default_factory=Tally)
    groups: Tally = field(default_factory=Tally)
    roles: Tally = field(default_factory=Tally)
    terms: Tally = field(default_factory=Tally)
    people: Tally = field(default_factory=Tally)
    appointments: Tally = field(default_factory=Tally)
    sessions: Tally = field(default_factory=Tally)
    attendance: Tally = field(default_factory=Tally)
    expenses: Tally = field(default_factory=Tally)

    KINDS = ("project", "groups", "roles", "terms", "people", "appointments", "sessions", "attendance",
             "expenses")

    def tallies(self) -> dict[str, Tally]:
        return {kind: getattr(self, kind) for kind in self.KINDS}

    @property
    def changed(self) -> bool:
        """Whether the import added, changed or removed anything at all."""
        return any(t.created or t.updated or t.removed for t in self.tallies().values())

    def lines(self) -> list[SummaryLine]:
        """Plain lines such as "Roles: 3 added, 1 updated, 0 unchanged." (kinds with nothing left out)."""
        name = {"name": self.project_name}
        if self.project.created:
            lines = [SummaryLine(N_("Project '%(name)s' added."), name)]
        elif self.project.updated:
            lines = [SummaryLine(N_("Project '%(name)s' updated."), name)]
        else:
            lines = [SummaryLine(N_("Project '%(name)s' was already up to date."), name)]
        for kind, message in _SUMMARY_MESSAGES.items():
            tally: Tally = getattr(self, kind)
            if tally.total:
                lines.append(
                    SummaryLine(
                        message,
                        {"created": tally.created, "updated": tally.updated,
                         "unchanged": tally.unchanged, "removed": tally.removed},
                    )
                )
        return lines


# --- reading the file -------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    #: canonical heading -> column index
    columns: dict[str, int]
    #: (row number as Excel shows it, the row's cells) for each row that is not blank
    rows: list[tuple[int, tuple]]


def _open(source: str | os.PathLike | IO[bytes]):
    """The workbook opened to be read as a stream, and how many rows its data sheets hold."""
    if not isinstance(source, (str, os.PathLike)):
        seekable = getattr(source, "seekable", None)
        if not (callable(seekable) and seekable()):
            source = io.BytesIO(source.read())
    # Refused before parsing when it would unpack too large, or a sheet is too wide or long (issue 19).
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            problems, rows = measure_workbook(handle)
    else:
        problems, rows = measure_workbook(source)
    if problems:
        raise ImportFailed(problems)
    return load_workbook(source, read_only=True, data_only=True), rows


def _bad_file() -> ImportFailed:
    return ImportFailed(
        [
            Problem(
                None, None, None,
                N_("This file could not be read as an Excel workbook (.xlsx). Save it as an Excel "
                   "workbook and upload it again, or start from the blank workbook."),
            )
        ]
    )


class _Reading:
    """Counts the rows read, telling ``progress`` (rows read, rows to read) every ``EVERY`` rows."""

    EVERY = 500

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.done = 0
        self.total = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % self.EVERY == 0:
            self.progress(min(self.done, self.total), self.total)

    def finished(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def _read_workbook(source, progress: Progress | None = None) -> dict[str, _Sheet]:
    """Every data sheet's headings and non-blank rows; raises ImportFailed for a bad file or layout."""
    reading = _Reading(progress)
    problems: list[Problem] = []
    sheets: dict[str, _Sheet] = {}
    try:
        with warnings.catch_warnings():
            # Files from other programs make openpyxl warn (styles, extensions); they still read.
            warnings.simplefilter("ignore")
            book, reading.total = _open(source)
            try:
                by_key = {heading_key(name): name for name in book.sheetnames}
                for sheet_name in L.DATA_SHEETS:
                    actual = by_key.get(heading_key(sheet_name))
                    if actual is None:
                        problems.append(
                            Problem(sheet_name, None, None,
                                    N_("The workbook has no sheet called '%(sheet)s'. Add it, or start "
                                       "from the blank workbook."),
                                    {"sheet": sheet_name})
                        )
                        continue
                    sheet = _read_sheet(book[actual], sheet_name, problems, reading.tick)
                    if sheet is not None:
                        sheets[sheet_name] = sheet
            finally:
                book.close()
    except ImportFailed:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error for a file it cannot read
        log.info("workbook could not be read: %r", exc)
        raise _bad_file() from exc
    if problems:
        raise ImportFailed(problems)
    reading.finished()
    return sheets


def _read_sheet(worksheet, sheet_name: str, problems: list[Problem], tick: Callable[[], None]) -> _Sheet | None:
    worksheet.reset_dimensions()  # do not trust the size the file claims
    rows = worksheet.iter_rows(values_only=True)
    heading_row = 0
    headings: tuple = ()
    for number, cells in enumerate(rows, start=1):
        tick()
        if any(not is_blank(cell) for cell in cells):
            heading_row, headings = number, cells
            break
    wanted = {heading_key(name): name for name in L.COLUMNS[sheet_name] + L.OPTIONAL_COLUMNS[sheet_name]}
    columns: dict[str, int] = {}
    ok = True
    for index, cell in enumerate(headings):
        if not isinstance(cell, str):
            continue
        name = wanted.get(heading_key(cell))
        if name is None:
            continue  # other columns are allowed and ignored
        if name in columns:
            problems.append(
                Problem(sheet_name, heading_row, name,
                        N_("There are two columns called '%(column)s'. Keep only one."), {"column": name})
            )
            ok = False
        columns[name] = index
    for name in L.COLUMNS[sheet_name]:
        if name not in columns:
            problems.append(
                Problem(sheet_name, heading_row or 1, name,
                        N_("The column '%(column)s' is missing. Add it to the first row of the sheet."),
                        {"column": name})
            )
            ok = False
    if not ok:
        return None
    known = sorted(columns.values())
    data: list[tuple[int, tuple]] = []
    for number, cells in enumerate(rows, start=heading_row + 1):
        tick()
        # A row is blank when every known column is blank (notes in other columns do not count).
        for index in known:
            if index < len(cells) and not is_blank(cells[index]):
                data.append((number, cells))
                break
    return _Sheet(sheet_name, columns, data)


# --- checking cells ---------------------------------------------------------------------


class _Row:
    """One row's cells, read by column heading. A cell that cannot be read is a problem."""

    __slots__ = ("sheet", "row_number", "cells", "columns", "problems", "bad")

    def __init__(self, sheet: _Sheet, number: int, cells: tuple, problems: list[Problem]):
        self.sheet = sheet.name
        self.row_number = number
        self.cells = cells
        self.columns = sheet.columns
        self.problems = problems
        self.bad: set[str] = set()

    @property
    def ok(self) -> bool:
        return not self.bad

    def problem(self, column: str | None, message_id: str, /, **params: Any) -> None:
        self.bad.add(column or "")
        self.problems.append(Problem(self.sheet, self.row_number, column, message_id, params))

    def raw(self, column: str) -> object:
        index = self.columns.get(column)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, column: str, limit: int | None = None, required: str | None = None) -> str | None:
        value = read_text(self.raw(column))
        if value is None:
            if required:
                self.problem(column, required)
            return None
        if limit is not None and len(value) > limit:
            self.problem(column, N_("This is %(length)d characters long. Use %(limit)d or fewer."),
                         length=len(value), limit=limit)
            return None
        return value

    def number(self, column: str, places: Decimal, limit: Decimal, required: str | None = None) -> Decimal | None:
        value = self.raw(column)
        if is_blank(value):
            if required:
                self.problem(column, required)
            return None
        try:
            number = read_number(value, places)
        except NotANumber:
            self.problem(column, N_("'%(value)s' is not a number."), value=show(value))
            return None
        if number < 0:
            self.problem(column, N_("%(value)s is less than zero. Use zero or more."), value=show(value))
            return None
        if number >= limit:
            self.problem(column, N_("%(value)s is too large."), value=show(value))
            return None
        return number

    def hours(self, column: str, within_a_day: bool = False, required: str | None = None) -> Decimal | None:
        hours = self.number(column, HOURS_PLACES, HOURS_LIMIT, required)
        if hours is not None and within_a_day and hours > HOURS_IN_A_DAY:
            self.problem(column, N_("%(value)s hours is longer than a day. Use 24 hours or fewer."),
                         value=show(self.raw(column)))
            return None
        return hours

    def date(self, column: str, required: str | None = None) -> dt.date | None:
        value = self.raw(column)
        if is_blank(value):
            if required:
                self.problem(column, required)
            return None
        try:
            return read_date(value)
        except NotADate:
            self.problem(column, N_("'%(value)s' is not a date. Write dates like 2025-03-31 or 31/03/2025."),
                         value=show(value))
            return None

    def choice(self, column: str, lookup: dict, wrong: str, choices: str, required: str | None = None):
        value = self.raw(column)
        if is_blank(value):
            if required:
                self.problem(column, required, choices=choices)
            return None
        try:
            return read_choice(value, lookup)
        except KeyError:
            self.problem(column, wrong, value=show(value), choices=choices)
            return None

    def yes_no(self, column: str) -> bool | None:
        """Yes or No; blank is No."""
        value = self.raw(column)
        if is_blank(value):
            return False
        try:
            return read_yes_no(value)
        except ValueError:
            self.problem(column, N_("'%(value)s' is not Yes or No. Use Yes or No."), value=show(value))
            return None


def _key(text: str) -> str:
    """How names and titles are matched: case and extra spaces do not matter."""
    return heading_key(text)


def _unit(unit: str) -> str:
    return unit.replace("_", " ")


# --- what the workbook asks for -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Terms:
    basis: PayBasis
    rate: Decimal | None
    rate_card_ref: str | None
    session_hours: Decimal
    prep_hours: Decimal
    prep_paid: bool
    travel_hours: Decimal
    travel_paid: bool

    @classmethod
    def of(cls, terms: RoleTerms) -> _Terms:
        return cls(terms.basis, terms.rate, terms.rate_card_ref, terms.session_hours, terms.prep_hours,
                   terms.prep_paid, terms.travel_hours, terms.travel_paid)

    def apply(self, terms: RoleTerms) -> None:
        terms.basis = self.basis
        terms.rate = self.rate
        terms.rate_card_ref = self.rate_card_ref
        terms.session_hours = self.session_hours
        terms.prep_hours = self.prep_hours
        terms.prep_paid = self.prep_paid
        terms.travel_hours = self.travel_hours
        terms.travel_paid = self.travel_paid


@dataclass(slots=True)
class _ProjectPlan:
    name: str
    cost_centre: str | None
    currency: str | None
    start: dt.date | None
    end: dt.date | None
    location: str | None = None


@dataclass(slots=True)
class _RolePlan:
    row: int
    title: str
    key: str
    group: str | None
    kind: RoleKind
    terms: _Terms
    terms_from: dt.date | None


@dataclass(slots=True, eq=False)
class _PersonPlan:
    """One person as the People sheet describes them (over one or more rows)."""

    name: str
    row: int
    email: str | None = None
    language: str | None = None
    payee_reference: str | None = None
    reciprocity: Reciprocity | None = None
    #: the row that gave each detail, to point at when two rows disagree
    rows: dict[str, int] = field(default_factory=dict)
    existing: Person | None = None
    person: Person | None = None  # the record, once written
    #: (role key, start) -> end
    appointments: dict[tuple[str, dt.date], dt.date | None] = field(default_factory=dict)


@dataclass(slots=True)
class _AppointmentPlan:
    row: int
    person: _PersonPlan
    role_key: str
    start: dt.date
    end: dt.date | None


@dataclass(slots=True)
class _MeetingPlan:
    row: int
    date: dt.date
    title: str
    hours: Decimal


@dataclass(slots=True)
class _AttendancePlan:
    row: int
    meeting_key: tuple[dt.date, str]
    person: _PersonPlan | Person
    role_key: str
    hours: Decimal
    prep_hours: Decimal
    travel_hours: Decimal
    expense: tuple[Decimal, ExpenseCategory, str | None] | None
    #: (miles, vehicle): a mileage expense priced at HMRC's rate when written.
    mileage: tuple[Decimal, str] | None = None


# --- the import -------------------------------------------------------------------------


def import_workbook(
    session: Session,
    source: str | os.PathLike | IO[bytes],
    rate_book: RateBook,
    today: dt.date | None = None,
    may_update: Callable[[Project], bool] | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a workbook (a path or a binary stream) into ``session``, all or nothing.

    ``may_update`` says whether the workbook may change an existing project of the same name
    (a project lead may change only the projects they lead); by default it may.
    ``progress(rows read, rows to read)`` is told as the sheets are read (a background job's page shows it).
    Raises ImportFailed listing every problem, having written nothing. Never commits.
    """
    sheets = _read_workbook(source, progress)
    job = _Import(session, rate_book, today or dt.date.today(), sheets)
    job.may_update = may_update
    job.check()
    if job.problems:
        raise ImportFailed(job.problems)
    return job.write()


class _Import:
    def __init__(self, session: Session, rate_book: RateBook, today: dt.date, sheets: dict[str, _Sheet]):
        self.session = session
        self.rate_book = rate_book
        self.today = today
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.may_update: Callable[[Project], bool] | None = None

        self.project_plan: _ProjectPlan | None = None
        self.project_start: dt.date | None = None
        self.roles: list[_RolePlan] = []
        self.role_keys: set[str] = set()  # every role on the Roles sheet, even one with problems
        self.people: list[_PersonPlan] = []
        self.people_by_name: dict[str, _PersonPlan] = {}
        self.people_by_email: dict[str, _PersonPlan] = {}
        #: names on People rows with problems: their roles are not known for sure,
        #: so attendance is not checked against them (that would only repeat the problem)
        self.unsure_names: set[str] = set()
        self.appointments: list[_AppointmentPlan] = []
        self.meetings: dict[tuple[dt.date, str], _MeetingPlan] = {}
        #: every session on the Sessions sheet, even one with problems -> its row
        self.meeting_rows: dict[tuple[dt.date, str], int] = {}
        #: titles and dates of Sessions rows whose date or title could not be read:
        #: attendance at them is not called unknown (that would only repeat the problem)
        self.unsure_session_titles: set[str] = set()
        self.unsure_session_dates: set[dt.date] = set()
        self.attendances: list[_AttendancePlan] = []

        # What is already in the database.
        self.project: Project | None = None
        self.old_groups: dict[str, RoleGroup] = {}
        self.old_roles: dict[str, Role] = {}
        self.old_role_keys: dict[int, str] = {}  # role id -> key
        self.old_people_by_name: dict[str, list[Person]] = defaultdict(list)
        self.old_people_by_email: dict[str, Person] = {}
        self.planned: dict[int, _PersonPlan] = {}  # person id -> the People sheet's plan for them
        self.old_appointments: dict[int, list[Appointment]] = defaultdict(list)
        self.old_meetings: dict[tuple[dt.date, str], Meeting] = {}
        self.old_attendances: dict[tuple[int, int], Attendance] = {}
        #: attendance id -> when its (earliest still) approved claim was approved
        self.approved_on: dict[int, dt.date] = {}

    # -- checking --

    def check(self) -> None:
        self._check_project()
        self._load_existing()
        self._check_roles()
        self._check_people()
        self._match_people()
        self._check_sessions()
        self._check_attendance()
        self._check_approved()

    def _check_project(self) -> None:
        sheet = self.sheets[L.PROJECT]
        lookup = {heading_key(name): name for name in L.PROJECT_FIELDS}
        found: dict[str, tuple[int, object]] = {}
        for number, cells in sheet.rows:
            row = _Row(sheet, number, cells, self.problems)
            label = read_text(row.raw(L.FIELD))
            name = lookup.get(heading_key(label)) if label else None
            if name is None:
                continue  # other rows are notes
            if name in found:
                row.problem(L.FIELD, N_("'%(field)s' is given twice, also on row %(other_row)d. Keep only one."),
                            field=name, other_row=found[name][0])
                continue
            found[name] = (number, row.raw(L.VALUE))

        def row_for(name: str) -> _Row:
            number, value = found.get(name, (None, None))
            cells = [None] * (max(sheet.columns.values()) + 1)
            cells[sheet.columns[L.VALUE]] = value
            return _Row(sheet, number, tuple(cells), self.problems)  # type: ignore[arg-type]

        if L.PROJECT_NAME not in found:
            self.problems.append(
                Problem(L.PROJECT, None, L.FIELD,
                        N_("The project has no name. Put Name in the Field column, and the project's "
                           "name next to it in the Value column."))
            )
            name = None
        else:
            name = row_for(L.PROJECT_NAME).text(L.VALUE, NAME_LIMIT, N_("Give the project a name."))
        cost_centre = row_for(L.COST_CENTRE).text(L.VALUE, COST_CENTRE_LIMIT)
        currency_row = row_for(L.CURRENCY)
        currency = currency_row.text(L.VALUE)
        if currency is not None:
            if CURRENCY.match(currency.upper()):
                currency = currency.upper()
            else:
                currency_row.problem(L.VALUE, N_("'%(value)s' is not a currency code. Use a three-letter code "
                                                 "such as GBP."), value=currency)
        start = self.project_start = row_for(L.START).date(L.VALUE)
        end_row = row_for(L.END)
        end = end_row.date(L.VALUE)
        if start and end and end < start:
            end_row.problem(L.VALUE, N_("The end date %(end)s is before the start date %(start)s."),
                            end=end.isoformat(), start=start.isoformat())
        location = row_for(L.LOCATION).choice(L.VALUE, LOCATION_LOOKUP,
                                              N_("'%(value)s' is not a location. Use one of: %(choices)s."),
                                              LOCATION_CHOICES_TEXT)
        if name is not None:
            self.project_plan = _ProjectPlan(name, cost_centre, currency, start, end, location)

    def _load_existing(self) -> None:
        if self.project_plan is None:
            return
        session = self.session
        name = self.project_plan.name
        # lower() in SQLite only folds A-Z, so the exact name is looked for too.
        candidates = list(session.scalars(
            select(Project).where(or_(Project.name == name, func.lower(Project.name) == name.lower()))
        ))
        exact = [project for project in candidates if project.name == name]
        project = exact[0] if exact else (candidates[0] if len(candidates) == 1 else None)
        if project is None:
            return
        if self.may_update is not None and not self.may_update(project):
            self.problems.append(
                Problem(L.PROJECT, None, L.FIELD,
                        N_("There is already a project called %(name)s, and you do not lead it. "
                           "Give the project another name, or ask an administrator to import the workbook."),
                        {"name": project.name}))
            return
        self.project = project
        for group in session.scalars(select(RoleGroup).where(RoleGroup.project_id == project.id)):
            self.old_groups.setdefault(_key(group.name), group)
        for role in session.scalars(
            select(Role).where(Role.project_id == project.id).options(selectinload(Role.terms))
        ):
            self.old_roles.setdefault(_key(role.title), role)
            self.old_role_keys[role.id] = _key(role.title)
        appointments = list(session.scalars(select(Appointment).join(Role).where(Role.project_id == project.id)))
        for appointment in appointments:
            self.old_appointments[appointment.person_id].append(appointment)
        person_ids = sorted(self.old_appointments)
        for chunk in _chunks(person_ids):
            for person in session.scalars(select(Person).where(Person.id.in_(chunk))):
                self.old_people_by_name[_key(person.name)].append(person)
        for meeting in session.scalars(select(Meeting).where(Meeting.project_id == project.id)):
            self.old_meetings.setdefault((meeting.date, _key(meeting.title)), meeting)
        for attendance in session.scalars(
            select(Attendance)
            .join(Meeting)
            .where(Meeting.project_id == project.id)
            .options(selectinload(Attendance.expenses))
        ):
            self.old_attendances[(attendance.meeting_id, attendance.person_id)] = attendance
        from remun.ledger.models import Claim, ClaimStatus

        for attendance_id, decided_at in session.execute(
            select(Claim.attendance_id, Claim.decided_at)
            .where(Claim.project_id == project.id, Claim.status == ClaimStatus.APPROVED)
            .order_by(Claim.decided_at.desc())
        ):
            self.approved_on[attendance_id] = decided_at.date()

    def _check_roles(self) -> None:
        sheet = self.sheets[L.ROLES]
        seen: dict[str, int] = {}
        for number, cells in sheet.rows:
            row = _Row(sheet, number, cells, self.problems)
            title = row.text(L.ROLE, NAME_LIMIT, N_("Give the role a name."))
            group = row.text(L.GROUP, NAME_LIMIT)
            kind = row.choice(L.KIND, KIND_LOOKUP, N_("'%(value)s' is not a kind of role. Use one of: %(choices)s."),
                              KIND_CHOICES_TEXT, N_("Say what kind of role this is. Use one of: %(choices)s."))
            basis = row.choice(L.BASIS, BASIS_LOOKUP,
                               N_("'%(value)s' is not a way of paying a role. Use one of: %(choices)s."),
                               BASIS_CHOICES_TEXT, N_("Say how the role is paid. Use one of: %(choices)s."))
            rate = row.number(L.RATE, RATE_PLACES, RATE_LIMIT)
            ref = row.text(L.RATE_CARD, RATE_CARD_LIMIT)
            session_hours = row.hours(L.SESSION_HOURS, within_a_day=True)
            prep_hours = row.hours(L.PREP_HOURS)
            prep_paid = row.yes_no(L.PREP_PAID)
            travel_hours = row.hours(L.TRAVEL_HOURS)
            travel_paid = row.yes_no(L.TRAVEL_PAID)
            terms_from = row.date(L.TERMS_FROM)

            if ref is not None:
                ref = "".join(ref.split()).lower()
            if rate is not None and ref is not None:
                row.problem(L.RATE_CARD, N_("Give a rate or a rate card, not both. Clear one of them."))
            elif rate is None and ref is None and not {L.RATE, L.RATE_CARD} & row.bad:
                row.problem(L.RATE, N_("Give the rate, or a rate card in the Rate card column."))
            elif ref is not None and basis is not None:
                try:
                    check_rate_card(self.rate_book, basis, ref)
                except RateCardProblem as problem:
                    if problem.code == "wrong_unit":
                        row.problem(
                            L.RATE_CARD,
                            N_("The rate card '%(ref)s' is a rate per %(unit)s, but the pay basis is "
                               "%(basis)s. Choose a rate card per %(needed)s, or change the pay basis."),
                            ref=ref, unit=_unit(problem.unit or ""), basis=L.BASIS_LABEL[basis],
                            needed=_unit(UNIT_FOR_BASIS[basis]),
                        )
                    else:
                        row.problem(
                            L.RATE_CARD,
                            N_("'%(ref)s' is not a rate card Remun knows. Check it against the list on the "
                               "Rates page, for example nhs-scotland-afc/band-7-entry."),
                            ref=ref,
                        )
            if title is not None:
                key = _key(title)
                self.role_keys.add(key)
                if key in seen:
                    row.problem(L.ROLE, N_("The role '%(role)s' is also on row %(other_row)d. Give each role once."),
                                role=title, other_row=seen[key])
                    continue
                seen[key] = number
            if not row.ok:
                continue
            terms = _Terms(basis, rate, ref, session_hours or ZERO, prep_hours or ZERO, prep_paid,
                           travel_hours or ZERO, travel_paid)
            self.roles.append(_RolePlan(number, title, _key(title), group, kind, terms, terms_from))

    def _check_people(self) -> None:
        sheet = self.sheets[L.PEOPLE]
        project_start = self.project_start
        seen_appointments: dict[tuple[int, str, dt.date], int] = {}
        for number, cells in sheet.rows:
            row = _Row(sheet, number, cells, self.problems)
            name = row.text(L.NAME, NAME_LIMIT, N_("Give the person's name."))
            role_title = row.text(L.ROLE, required=N_("Say which role they have. Use a role from the Roles sheet."))
            start = row.date(L.START)
            end = row.date(L.END)
            email = row.text(L.EMAIL, EMAIL_LIMIT)
            language = row.choice(L.LANGUAGE, LANGUAGE_LOOKUP,
                                  N_("'%(value)s' is not a language Remun has. Use one of: %(choices)s."),
                                  LANGUAGE_CHOICES_TEXT)
            payee = row.text(L.PAYEE_REFERENCE, PAYEE_LIMIT)
            reciprocity = row.choice(
                L.RECIPROCITY, RECIPROCITY_LOOKUP,
                N_("'%(value)s' is not a way of being paid or thanked. Use one of: %(choices)s."),
                RECIPROCITY_CHOICES_TEXT,
            )
            if email is not None and not EMAIL.match(email):
                row.problem(L.EMAIL, N_("'%(value)s' is not an email address."), value=email)
                email = None
            role_key = _key(role_title) if role_title else None
            if role_key is not None and role_key not in self.role_keys and role_key not in self.old_roles:
                row.problem(L.ROLE, N_("There is no role called '%(role)s' on the Roles sheet. Add it there, "
                                       "or check the spelling."), role=role_title)
            if start is None and L.START not in row.bad:
                if project_start is not None:
                    start = project_start  # blank: from the start of the project
                else:
                    row.problem(L.START, N_("Give the date they started in this role."))
            if start and end and end < start:
                row.problem(L.END, N_("The end date %(end)s is before the start date %(start)s."),
                            end=end.isoformat(), start=start.isoformat())
            if name is not None and not row.ok:
                self.unsure_names.add(_key(name))
            if name is None or L.EMAIL in row.bad:
                continue
            person = self._person_for_row(row, name, email)
            if person is None:
                self.unsure_names.add(_key(name))
                continue
            for column, value, attribute in (
                (L.LANGUAGE, language, "language"),
                (L.PAYEE_REFERENCE, payee, "payee_reference"),
                (L.RECIPROCITY, reciprocity, "reciprocity"),
            ):
                if value is None:
                    continue
                earlier = getattr(person, attribute)
                if earlier is None:
                    setattr(person, attribute, value)
                    person.rows[attribute] = number
                elif earlier != value:
                    row.problem(column, N_("Row %(other_row)d gives %(name)s a different %(column)s. Give the "
                                           "same on every row for one person, or leave it blank."),
                                other_row=person.rows[attribute], name=person.name, column=column)
            if role_key is None or start is None:
                continue
            appointment_key = (id(person), role_key, start)
            if appointment_key in seen_appointments:
                row.problem(L.ROLE, N_("Row %(other_row)d already puts %(name)s in the role '%(role)s' from "
                                       "%(start)s. Give each person's role once."),
                            other_row=seen_appointments[appointment_key], name=person.name, role=role_title,
                            start=start.isoformat())
                continue
            seen_appointments[appointment_key] = number
            if row.ok:
                person.appointments[(role_key, start)] = end
                self.appointments.append(_AppointmentPlan(number, person, role_key, start, end))
            else:
                self.unsure_names.add(_key(name))

    def _person_for_row(self, row: _Row, name: str, email: str | None) -> _PersonPlan | None:
        """The person a People row is about: the same person may have several rows."""
        name_key = _key(name)
        by_email = self.people_by_email.get(email.lower()) if email else None
        by_name = self.people_by_name.get(name_key)
        if by_email is not None and by_email is not by_name:
            row.problem(L.EMAIL, N_("Row %(other_row)d gives this email to %(other)s. Use the same name on "
                                    "every row for one person, and a different email for each person."),
                        other_row=by_email.rows["email"], other=by_email.name)
            return None
        if by_name is not None:
            if email and by_name.email and by_name.email.lower() != email.lower():
                row.problem(L.EMAIL, N_("Row %(other_row)d gives %(name)s a different email. If they are two "
                                        "people, give each a name that tells them apart."),
                            other_row=by_name.rows["email"], name=name)
                return None
            if email and not by_name.email:
                by_name.email = email
                by_name.rows["email"] = row.row_number
                self.people_by_email[email.lower()] = by_name
            return by_name
        person = _PersonPlan(name=name, row=row.row_number, email=email)
        self.people.append(person)
        self.people_by_name[name_key] = person
        if email:
            person.rows["email"] = row.row_number
            self.people_by_email[email.lower()] = person
        return person

    def _match_people(self) -> None:
        """Find who on the People sheet is already in Remun."""
        wanted = sorted({plan.email for plan in self.people if plan.email} | set(self.people_by_email))
        for chunk in _chunks(wanted):
            for person in self.session.scalars(
                select(Person).where(or_(Person.email.in_(chunk), func.lower(Person.email).in_(chunk)))
            ):
                self.old_people_by_email[person.email.lower()] = person
        claimed = self.planned
        for plan in self.people:
            existing = self.old_people_by_email.get(plan.email.lower()) if plan.email else None
            if existing is None:
                same_name = self.old_people_by_name.get(_key(plan.name), [])
                if len(same_name) > 1:
                    self.problems.append(
                        Problem(L.PEOPLE, plan.row, L.NAME,
                                N_("More than one person called %(name)s is already in this project. Add "
                                   "their email so Remun knows which one you mean."),
                                {"name": plan.name})
                    )
                    continue
                existing = same_name[0] if same_name else None
            if existing is None:
                continue
            if existing.id in claimed:
                other = claimed[existing.id]
                self.problems.append(
                    Problem(L.PEOPLE, plan.row, L.NAME,
                            N_("This row and row %(other_row)d are the same person in Remun (%(name)s). Use "
                               "the same name and email on every row for one person."),
                            {"other_row": other.row, "name": existing.name})
                )
                continue
            claimed[existing.id] = plan
            plan.existing = existing

    def _check_sessions(self) -> None:
        sheet = self.sheets[L.SESSIONS]
        for number, cells in sheet.rows:
            row = _Row(sheet, number, cells, self.problems)
            date = row.date(L.DATE, N_("Give the date of the session."))
            title = row.text(L.TITLE, NAME_LIMIT, N_("Give the session a title."))
            hours = row.hours(L.HOURS, within_a_day=True, required=N_("Give the length of the session in hours."))
            if date is None or title is None:
                if title is not None:
                    self.unsure_session_titles.add(_key(title))
                if date is not None:
                    self.unsure_session_dates.add(date)
                continue
            key = (date, _key(title))
            if key in self.meeting_rows:
                row.problem(L.TITLE, N_("The session '%(title)s' on %(date)s is also on row %(other_row)d. Give "
                                        "each session once."),
                            title=title, date=date.isoformat(), other_row=self.meeting_rows[key])
                continue
            self.meeting_rows[key] = number
            if row.ok:
                self.meetings[key] = _MeetingPlan(number, date, title, hours)

    def _appointments_of(self, person: _PersonPlan | Person) -> list[tuple[str, dt.date, dt.date | None]]:
        """(role key, start, end) for each of a person's roles in the project, after this import."""
        spans: dict[tuple[str, dt.date], dt.date | None] = {}
        existing = person.existing if isinstance(person, _PersonPlan) else person
        if existing is not None:
            for appointment in self.old_appointments.get(existing.id, ()):
                spans[(self.old_role_keys[appointment.role_id], appointment.start_date)] = appointment.end_date
        if isinstance(person, _PersonPlan):
            spans.update(person.appointments)
        return [(role, start, end) for (role, start), end in spans.items()]

    def _check_attendance(self) -> None:
        sheet = self.sheets[L.ATTENDANCE]
        seen: dict[tuple[tuple[dt.date, str], int], int] = {}
        spans_cache: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
        for number, cells in sheet.rows:
            row = _Row(sheet, number, cells, self.problems)
            date = row.date(L.DATE, N_("Give the date of the session they came to."))
            title = row.text(L.SESSION, required=N_("Give the title of the session they came to."))
            name = row.text(L.NAME, required=N_("Give the name of the person who came."))
            hours = row.hours(L.HOURS, within_a_day=True)
            prep_hours = row.hours(L.PREP_HOURS)
            travel_hours = row.hours(L.TRAVEL_HOURS)
            amount = row.number(L.EXPENSES, MONEY_PLACES, MONEY_LIMIT)
            category = row.choice(L.EXPENSE_CATEGORY, EXPENSE_LOOKUP,
                                  N_("'%(value)s' is not a kind of expense. Use one of: %(choices)s."),
                                  EXPENSE_CHOICES_TEXT)
            note = read_text(row.raw(L.EXPENSE_NOTE))
            miles = row.number(L.MILES, MILES_PLACES, MILES_LIMIT)
            vehicle = row.choice(L.VEHICLE, VEHICLE_LOOKUP, N_("'%(value)s' is not a vehicle. Use one of: %(choices)s."),
                                 VEHICLE_CHOICES_TEXT)
            if miles and vehicle is None and L.VEHICLE not in row.bad:
                row.problem(L.VEHICLE, N_("Say which vehicle the miles were in. Use one of: %(choices)s."),
                            choices=VEHICLE_CHOICES_TEXT)
            if vehicle is not None and not miles and L.MILES not in row.bad:
                row.problem(L.MILES, N_("There is a vehicle but no miles. Give the miles, or clear the vehicle."))
            if miles and vehicle is not None and date is not None and L.DATE not in row.bad:
                try:
                    mileage_amount(self.rate_book, date, vehicle, miles)
                except NoMileageRate:
                    row.problem(L.MILES, N_("Remun has no HMRC mileage rate for %(date)s. An administrator can "
                                            "add it on the rates page."), date=date.isoformat())
            if amount is not None and amount > 0 and category is None and L.EXPENSE_CATEGORY not in row.bad:
                row.problem(L.EXPENSE_CATEGORY, N_("Say what the expenses were for. Use one of: %(choices)s."),
                            choices=EXPENSE_CHOICES_TEXT)
            if amount is None and category is not None and L.EXPENSES not in row.bad:
                row.problem(L.EXPENSES, N_("There is an expense category but no amount. Give the amount, or "
                                           "clear the category."))

            meeting_key = None
            if date is not None and title is not None:
                meeting_key = (date, _key(title))
                plan = self.meetings.get(meeting_key)
                old = self.old_meetings.get(meeting_key)
                if meeting_key not in self.meeting_rows and old is None:
                    if date not in self.unsure_session_dates and meeting_key[1] not in self.unsure_session_titles:
                        row.problem(L.SESSION, N_("There is no session called '%(title)s' on %(date)s on the "
                                                  "Sessions sheet. Add it there, or check the date and the title."),
                                    title=title, date=date.isoformat())
                    else:
                        row.bad.add(L.SESSION)  # reported on the Sessions sheet
                elif hours is None and L.HOURS not in row.bad:
                    # Blank: the length of the session.
                    if plan is not None:
                        hours = plan.hours
                    elif meeting_key not in self.meeting_rows and old is not None:
                        hours = old.hours
            person = self._attendee(row, name) if name is not None else None
            role_key = None
            if person is not None and date is not None and _key(name) not in self.unsure_names:
                spans = spans_cache.get(id(person))
                if spans is None:
                    spans = spans_cache[id(person)] = self._appointments_of(person)
                roles = sorted({role for role, start, end in spans if start <= date and (end is None or date <= end)})
                if len(roles) == 1:
                    role_key = roles[0]
                elif not roles:
                    row.problem(L.NAME, N_("%(name)s had no role in this project on %(date)s. Check their start "
                                           "and end dates on the People sheet."),
                                name=name, date=date.isoformat())
                else:
                    row.problem(L.NAME, N_("%(name)s had more than one role in this project on %(date)s "
                                           "(%(roles)s). Check their start and end dates on the People sheet."),
                                name=name, date=date.isoformat(), roles=", ".join(self._role_title(r) for r in roles))
            if person is not None and meeting_key is not None:
                seen_key = (meeting_key, id(person))
                if seen_key in seen:
                    row.problem(L.NAME, N_("Row %(other_row)d already has %(name)s at this session. Give each "
                                           "person once for each session."),
                                other_row=seen[seen_key], name=name)
                    continue
                seen[seen_key] = number
            if not row.ok or meeting_key is None or person is None or role_key is None or hours is None:
                continue
            expense = (amount, category, note) if amount and category is not None else None
            self.attendances.append(
                _AttendancePlan(number, meeting_key, person, role_key, hours, prep_hours or ZERO,
                                travel_hours or ZERO, expense, (miles, vehicle) if miles and vehicle else None)
            )

    def _check_approved(self) -> None:
        """An attendance approved for payment is never changed by an import (the web editor's rule too).

        Each cell that would change it is listed, so the person can put the cell back or
        reverse the claim first; otherwise approved money and its attendance would differ.
        """
        if not self.approved_on:
            return
        for plan in self.attendances:
            meeting = self.old_meetings.get(plan.meeting_key)
            who = plan.person
            person = who.existing if isinstance(who, _PersonPlan) else who
            if meeting is None or person is None:
                continue
            old = self.old_attendances.get((meeting.id, person.id))
            if old is None or old.id not in self.approved_on:
                continue
            role = self.old_roles.get(plan.role_key)
            have = [(expense.amount, expense.category, expense.note or None) for expense in old.expenses]
            wanted = [plan.expense] if plan.expense else []
            changed = [column for column, differs in (
                (L.NAME, role is None or role.id != old.role_id),
                (L.HOURS, plan.hours != old.hours),
                (L.PREP_HOURS, plan.prep_hours != old.prep_hours),
                (L.TRAVEL_HOURS, plan.travel_hours != old.travel_hours),
                (L.EXPENSES, have != wanted),
            ) if differs]
            for column in changed:
                self.problems.append(Problem(
                    L.ATTENDANCE, plan.row, column,
                    N_("This attendance was approved for payment on %(date)s, so the import cannot change it. "
                       "Put the cell back as it was, or reverse the claim first."),
                    {"date": self.approved_on[old.id].isoformat()}))

    def _attendee(self, row: _Row, name: str) -> _PersonPlan | Person | None:
        key = _key(name)
        plan = self.people_by_name.get(key)
        if plan is not None:
            return plan
        if key in self.unsure_names:
            row.bad.add(L.NAME)  # their People row has a problem, reported there
            return None
        same_name = self.old_people_by_name.get(key, [])
        if len(same_name) == 1:
            # Someone on the People sheet under another name (found by email) is still one person.
            return self.planned.get(same_name[0].id, same_name[0])
        if same_name:
            row.problem(L.NAME, N_("More than one person called %(name)s is in this project. Add a row for the "
                                   "right one on the People sheet, with their email."), name=name)
        else:
            row.problem(L.NAME, N_("There is no one called %(name)s on the People sheet. Add them there, or "
                                   "check the spelling."), name=name)
        return None

    def _role_title(self, key: str) -> str:
        for plan in self.roles:
            if plan.key == key:
                return plan.title
        role = self.old_roles.get(key)
        return role.title if role else key

    # -- writing --

    def write(self) -> ImportSummary:
        assert self.project_plan is not None
        try:
            with self.session.begin_nested():
                return self._write()
        except (IntegrityError, DataError) as exc:
            # Every rule the database has is checked above, so this is a clash with
            # something written at the same moment, or a bug. Nothing is kept.
            log.exception("workbook import refused by the database")
            raise ImportFailed(
                [Problem(None, None, None,
                         N_("Remun could not save this workbook because it clashes with records already in "
                            "Remun. Nothing was imported. Try again, and if it happens again tell your "
                            "administrator."))]
            ) from exc

    def _write(self) -> ImportSummary:
        session = self.session
        plan = self.project_plan
        assert plan is not None
        project = self.project
        if project is None:
            project = Project(name=plan.name, cost_centre=plan.cost_centre, currency=plan.currency or DEFAULT_CURRENCY,
                              start_date=plan.start, end_date=plan.end, location=plan.location)
            session.add(project)
            session.flush()
            summary = ImportSummary(project.id, project.name)
            summary.project.created += 1
        else:
            summary = ImportSummary(project.id, project.name)
            changed = _update(project, cost_centre=plan.cost_centre, currency=plan.currency or project.currency,
                              start_date=plan.start, end_date=plan.end,
                              location=plan.location if plan.location is not None else project.location)
            _count(summary.project, changed)

        # Equal role groups, then roles and their pay terms.
        counted_groups: set[str] = set()
        groups = dict(self.old_groups)
        for role_plan in self.roles:
            if role_plan.group is None:
                continue
            key = _key(role_plan.group)
            if key in groups:
                if key in self.old_groups and key not in counted_groups:
                    summary.groups.unchanged += 1
                counted_groups.add(key)
                continue
            group = RoleGroup(project_id=project.id, name=role_plan.group)
            session.add(group)
            groups[key] = group
            summary.groups.created += 1
        session.flush()

        roles = dict(self.old_roles)
        first_day = plan.start or self.today
        for role_plan in self.roles:
            group_id = groups[_key(role_plan.group)].id if role_plan.group else None
            role = self.old_roles.get(role_plan.key)
            if role is None:
                role = Role(project_id=project.id, title=role_plan.title, kind=role_plan.kind, group_id=group_id)
                terms = RoleTerms(effective_from=role_plan.terms_from or first_day)
                role_plan.terms.apply(terms)
                role.terms.append(terms)
                session.add(role)
                roles[role_plan.key] = role
                summary.roles.created += 1
                summary.terms.created += 1
                continue
            _count(summary.roles, _update(role, kind=role_plan.kind, group_id=group_id))
            self._write_terms(role, role_plan, summary)
        session.flush()

        # People and their roles.
        for person_plan in self.people:
            person = person_plan.existing
            if person is None:
                person = Person(
                    name=person_plan.name,
                    email=person_plan.email,
                    preferred_language=person_plan.language or DEFAULT_LANGUAGE,
                    payee_reference=person_plan.payee_reference,
                    reciprocity=person_plan.reciprocity or Reciprocity.NOT_CHOSEN,
                )
                session.add(person)
                summary.people.created += 1
            else:
                # A blank cell never clears what is already recorded about someone.
                changes: dict[str, Any] = {}
                if person_plan.email and (person.email or "").lower() != person_plan.email.lower():
                    changes["email"] = person_plan.email
                if person_plan.email and person.name != person_plan.name:
                    changes["name"] = person_plan.name  # found by email: the workbook has their name now
                if person_plan.language:
                    changes["preferred_language"] = person_plan.language
                if person_plan.payee_reference:
                    changes["payee_reference"] = person_plan.payee_reference
                if person_plan.reciprocity:
                    changes["reciprocity"] = person_plan.reciprocity
                _count(summary.people, _update(person, **changes))
            person_plan.person = person
        session.flush()

        old_appointments = {
            (appointment.person_id, appointment.role_id, appointment.start_date): appointment
            for appointments in self.old_appointments.values()
            for appointment in appointments
        }
        for appointment_plan in self.appointments:
            person = appointment_plan.person.person
            role = roles[appointment_plan.role_key]
            old = old_appointments.get((person.id, role.id, appointment_plan.start))
            if old is None:
                session.add(Appointment(person_id=person.id, role_id=role.id, start_date=appointment_plan.start,
                                        end_date=appointment_plan.end))
                summary.appointments.created += 1
            else:
                _count(summary.appointments, _update(old, end_date=appointment_plan.end))

        # Sessions, then attendance and expenses.
        meetings = dict(self.old_meetings)
        for key, meeting_plan in self.meetings.items():
            old = self.old_meetings.get(key)
            if old is None:
                meeting = Meeting(project_id=project.id, date=meeting_plan.date, title=meeting_plan.title,
                                  hours=meeting_plan.hours)
                session.add(meeting)
                meetings[key] = meeting
                summary.sessions.created += 1
            else:
                _count(summary.sessions, _update(old, hours=meeting_plan.hours))
        session.flush()

        new_attendances = []
        for attendance_plan in self.attendances:
            meeting = meetings[attendance_plan.meeting_key]
            who = attendance_plan.person
            person = who.person if isinstance(who, _PersonPlan) else who
            role_id = roles[attendance_plan.role_key].id
            wanted = [attendance_plan.expense] if attendance_plan.expense else []
            old = self.old_attendances.get((meeting.id, person.id))
            if old is None:
                attendance = Attendance(meeting_id=meeting.id, person_id=person.id, role_id=role_id,
                                        hours=attendance_plan.hours, prep_hours=attendance_plan.prep_hours,
                                        travel_hours=attendance_plan.travel_hours)
                for amount, category, note in wanted:
                    attendance.expenses.append(Expense(amount=amount, category=category, note=note))
                    summary.expenses.created += 1
                new_attendances.append(attendance)
                summary.attendance.created += 1
                continue
            changed = _update(old, role_id=role_id, hours=attendance_plan.hours,
                              prep_hours=attendance_plan.prep_hours, travel_hours=attendance_plan.travel_hours)
            have = [(expense.amount, expense.category, expense.note or None) for expense in old.expenses
                    if expense.category != ExpenseCategory.MILEAGE]  # mileage: see _write_mileage
            if attendance_plan.mileage is None:
                for stale in [e for e in old.expenses if e.category == ExpenseCategory.MILEAGE]:
                    old.expenses.remove(stale)
                    summary.expenses.removed += 1
                    changed = True
            if have == wanted:
                summary.expenses.unchanged += len(have)
            else:
                changed = True
                if have and wanted:
                    summary.expenses.updated += 1
                    summary.expenses.removed += len(have) - 1
                elif wanted:
                    summary.expenses.created += 1
                else:
                    summary.expenses.removed += len(have)
                for gone in [e for e in old.expenses if e.category != ExpenseCategory.MILEAGE]:
                    old.expenses.remove(gone)  # delete-orphan: the old expenses go
                for amount, category, note in wanted:
                    old.expenses.append(Expense(amount=amount, category=category, note=note))
            _count(summary.attendance, changed)
        session.add_all(new_attendances)
        session.flush()
        self._write_mileage(meetings, summary)
        return summary

    def _write_mileage(self, meetings: dict, summary: ImportSummary) -> None:
        """Mileage expenses, in session order, so each person's 10,000-mile step counts the earlier journeys.

        An attendance's old mileage goes (with its other expenses, above); rows without miles leave none.
        """
        session = self.session
        wanted = sorted((plan for plan in self.attendances if plan.mileage),
                        key=lambda plan: (plan.meeting_key[0], plan.row))
        by_key = {(attendance.meeting_id, attendance.person_id): attendance
                  for attendance in session.scalars(select(Attendance).where(
                      Attendance.meeting_id.in_([meeting.id for meeting in meetings.values()])))}
        for plan in wanted:
            meeting = meetings[plan.meeting_key]
            who = plan.person
            person = who.person if isinstance(who, _PersonPlan) else who
            attendance = by_key[(meeting.id, person.id)]
            miles, vehicle = plan.mileage
            olds = [e for e in attendance.expenses if e.category == ExpenseCategory.MILEAGE]
            if [(old.miles, old.vehicle) for old in olds] == [(miles, vehicle)]:
                summary.expenses.unchanged += 1  # priced when first imported: kept as it was claimed
                continue
            for old in olds:
                attendance.expenses.remove(old)
                summary.expenses.removed += 1
            session.flush()
            priced = price_mileage(session, self.rate_book, person.id, meeting.date, vehicle, miles)
            attendance.expenses.append(Expense(amount=priced.amount, category=ExpenseCategory.MILEAGE, miles=miles,
                                               vehicle=priced.vehicle.value))
            summary.expenses.created += 1
            session.flush()

    def _write_terms(self, role: Role, plan: _RolePlan, summary: ImportSummary) -> None:
        """New terms from today (or "Terms from") when they differ; earlier terms are kept."""
        day = plan.terms_from or self.today
        same_day = next((terms for terms in role.terms if terms.effective_from == day), None)
        if same_day is not None:
            if _Terms.of(same_day) == plan.terms:
                summary.terms.unchanged += 1
            else:
                plan.terms.apply(same_day)
                summary.terms.updated += 1
            return
        in_force = role.terms_on(day) if plan.terms_from else role.current_terms
        if in_force is not None and _Terms.of(in_force) == plan.terms:
            summary.terms.unchanged += 1
            return
        terms = RoleTerms(effective_from=day)
        plan.terms.apply(terms)
        role.terms.append(terms)
        role.terms.sort(key=lambda t: t.effective_from)
        summary.terms.created += 1


def _update(record: object, **values: Any) -> bool:
    """Set attributes that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _count(tally: Tally, changed: bool) -> None:
    if changed:
        tally.updated += 1
    else:
        tally.unchanged += 1


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
