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

How numbers and dates are read is described in ``remun.imports.cells``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable
from typing import IO

from sqlalchemy.orm import Session

from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleGroup
from remun.pay.rate_cards import RateBook
from remun.imports.problems import Problem, Problems
from remun.imports.checking import Checks
from remun.imports.checking_sessions import SessionChecks
from remun.imports.plans import AppointmentPlan, AttendancePlan, MeetingPlan, PersonPlan, ProjectPlan, RolePlan
from remun.imports.reading import Progress, Sheet, read_workbook
from remun.imports.results import ImportFailed, ImportSummary, SummaryLine, Tally
from remun.imports.writing import Writes


__all__ = ["ImportFailed", "ImportSummary", "Problem", "Progress", "SummaryLine", "Tally", "import_workbook"]


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
    Raises ImportFailed with its problems (the first SHOWN_PROBLEMS, and a count of the rest), having
    written nothing. Never commits.
    """
    sheets = read_workbook(source, progress)
    job = _Import(session, rate_book, today or dt.date.today(), sheets)
    job.may_update = may_update
    job.check()
    if job.problems:
        raise ImportFailed(job.problems)
    return job.write()


class _Import(Checks, SessionChecks, Writes):
    """One import: the sheets read, checked (``check``) and, when there is no problem, written (``write``)."""

    def __init__(self, session: Session, rate_book: RateBook, today: dt.date, sheets: dict[str, Sheet]):
        self.session = session
        self.rate_book = rate_book
        self.today = today
        self.sheets = sheets
        self.problems: list[Problem] = Problems()
        self.may_update: Callable[[Project], bool] | None = None

        self.project_plan: ProjectPlan | None = None
        self.project_start: dt.date | None = None
        self.roles: list[RolePlan] = []
        self.role_keys: set[str] = set()  # every role on the Roles sheet, even one with problems
        self.people: list[PersonPlan] = []
        self.people_by_name: dict[str, PersonPlan] = {}
        self.people_by_email: dict[str, PersonPlan] = {}
        #: names on People rows with problems: their roles are not known for sure,
        #: so attendance is not checked against them (that would only repeat the problem)
        self.unsure_names: set[str] = set()
        self.appointments: list[AppointmentPlan] = []
        self.meetings: dict[tuple[dt.date, str], MeetingPlan] = {}
        #: every session on the Sessions sheet, even one with problems -> its row
        self.meeting_rows: dict[tuple[dt.date, str], int] = {}
        #: titles and dates of Sessions rows whose date or title could not be read:
        #: attendance at them is not called unknown (that would only repeat the problem)
        self.unsure_session_titles: set[str] = set()
        self.unsure_session_dates: set[dt.date] = set()
        self.attendances: list[AttendancePlan] = []

        # What is already in the database.
        self.project: Project | None = None
        self.old_groups: dict[str, RoleGroup] = {}
        self.old_roles: dict[str, Role] = {}
        self.old_role_keys: dict[int, str] = {}  # role id -> key
        self.old_people_by_name: dict[str, list[Person]] = defaultdict(list)
        self.old_people_by_email: dict[str, Person] = {}
        self.planned: dict[int, PersonPlan] = {}  # person id -> the People sheet's plan for them
        self.old_appointments: dict[int, list[Appointment]] = defaultdict(list)
        self.old_meetings: dict[tuple[dt.date, str], Meeting] = {}
        self.old_attendances: dict[tuple[int, int], Attendance] = {}
        #: attendance id -> when its (earliest still) approved claim was approved
        self.approved_on: dict[int, dt.date] = {}
