"""Each kind of write the parity reports are made from, as the app's code makes it, for the kept-report
tests (tests/parity/test_report_cache.py, test_project_versions.py). ``value``: a small number drawn by
Hypothesis; ``project``: the project written to (built by tests.helpers.ledger.build_project)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy import delete, select, text, update

from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Role, RoleGroup, RoleTerms

EXTRA = itertools.count(1)  # sessions' titles, unique on a date


def lived_role(session, project) -> Role:
    return session.scalars(select(Role).where(Role.project_id == project.id, Role.title.like("Panel member%"))).one()


# Each kind of write the reports read, as the app's code makes it (value: a small number drawn by Hypothesis).
def _appointed(session, project) -> list[Person]:
    """The project's own people (appointed to its roles), so a write to one project stays in it."""
    return list(session.scalars(select(Person).join(Appointment).join(Role).where(Role.project_id == project.id)
                                .order_by(Person.id)))


def add_attendance(session, project, value):
    person = _appointed(session, project)[0]
    role = lived_role(session, project)
    meeting = Meeting(project=project, date=project.start_date + dt.timedelta(days=7 + value), title=f"Extra {next(EXTRA)}",
                      hours=Decimal("2"))
    session.add(meeting)
    session.add(Attendance(meeting=meeting, person=person, role=role, hours=Decimal(value + 1)))


def change_hours(session, project, value):
    attendance = session.scalars(select(Attendance).join(Meeting).where(Meeting.project_id == project.id)
                                 .order_by(Attendance.id)).first()
    if attendance is not None:  # none left after removals: nothing to change
        attendance.hours = Decimal(value + 1)


def remove_attendance(session, project, value):
    attendance = session.scalars(select(Attendance).join(Meeting).where(Meeting.project_id == project.id)
                                 .order_by(Attendance.id.desc())).first()
    if attendance is not None:
        session.delete(attendance)


def new_terms(session, project, value):
    role = lived_role(session, project)
    latest = max(terms.effective_from for terms in role.terms)
    role.terms.append(RoleTerms(effective_from=latest + dt.timedelta(days=1 + value), basis=PayBasis.HOUR,
                                rate=Decimal("10") + value, session_hours=Decimal("3")))


def change_rate(session, project, value):
    lived_role(session, project).terms[0].rate = Decimal("5") + value


def change_role(session, project, value):
    role = lived_role(session, project)
    role.kind = RoleKind.CARER if role.kind is RoleKind.LIVED_EXPERIENCE else RoleKind.LIVED_EXPERIENCE
    role.title = f"Panel member {value}" if value else role.title


def ungroup_role(session, project, value):
    role = session.scalars(select(Role).where(Role.project_id == project.id, Role.title == "Clinician")).one()
    role.group = None if role.group is not None else \
        session.scalars(select(RoleGroup).where(RoleGroup.project_id == project.id)).first()


def move_session(session, project, value):
    meeting = session.scalars(select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.id)).first()
    meeting.date = project.start_date + dt.timedelta(days=value)


def rename_person(session, project, value):  # one of the project's people (their name is in its report)
    _appointed(session, project)[-1].name = f"Renamed {value}"


def change_project_dates(session, project, value):
    project.end_date = project.start_date + dt.timedelta(days=value)


def bulk_statement(session, project, value):  # a bulk UPDATE, no objects loaded
    session.execute(update(Attendance).where(Attendance.meeting_id.in_(
        select(Meeting.id).where(Meeting.project_id == project.id))).values(prep_hours=Decimal(value)))


def plain_sql(session, project, value):  # written without the ORM at all
    session.execute(text("UPDATE role_terms SET session_hours = :hours WHERE role_id = :role"),
                    {"hours": value + 1, "role": lived_role(session, project).id})


def bulk_delete(session, project, value):
    session.execute(delete(Attendance).where(Attendance.hours > value, Attendance.meeting_id.in_(
        select(Meeting.id).where(Meeting.project_id == project.id))))


def plain_sql_attendance(session, project, value):  # plain SQL on attendance, through its session
    session.execute(text("UPDATE attendances SET travel_hours = :hours WHERE meeting_id IN "
                         "(SELECT id FROM meetings WHERE project_id = :project)"), {"hours": value, "project": project.id})


def change_setting(session, project, value):  # every project's figures: the comparator basis
    from remun.organisation.settings import change_setting as change

    change(session, "parity.comparator", "median" if value % 2 else "best", by_user_id=None)


#: Writes to one project's records (``project``'s only: another project's version must not move).
WRITES = [add_attendance, change_hours, remove_attendance, new_terms, change_rate, change_role, ungroup_role,
          move_session, rename_person, change_project_dates, bulk_statement, plain_sql, bulk_delete,
          plain_sql_attendance]
#: Writes that change every project's figures (the organisation's version moves).
EVERY_PROJECT = [change_setting]
