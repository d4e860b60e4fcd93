"""Project records operations: the one way the web pages change people, appointments, projects, equal roles,
roles and their pay terms, sessions and attendance.

Each operation checks, writes and records its audit entry inside the caller's database transaction
(the page's unit of work commits it: remun/web/pages.py, or rolls it back on an error). No Flask here:
the caller passes the session and who is acting (``user_id``; None: the command line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.accounts.models import User, UserRole
from remun.project_records.attendance_defaults import fill_blanks, usual_hours
from remun.project_records.enums import ExpenseCategory, RoleKind
from remun.ledger.claims import remove_open_claims, sync_claims
from remun.pay.mileage import price_mileage
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
from remun.pay.terms import Terms
from remun.pay.rate_cards import RateBook
from remun.project_records.rules import Dependents, dependents_of, role_on

__all__ = [
    "StillInUse", "AttendanceEntry", "NewAttendance", "viewed", "add_person", "change_person", "add_appointment",
    "change_appointment", "create_project", "change_project", "add_group", "change_group", "add_role",
    "change_role", "save_terms", "add_meeting", "change_meeting", "record_attendance", "record_several",
    "remove", "remove_person", "remove_attendance", "confirm_told", "decline_told", "answer_benefits", "receipt_viewed",
    "submit_attendance", "tell_session",
]


class StillInUse(Exception):
    """A record cannot be removed while other records depend on it (``dependents`` says which)."""

    def __init__(self, dependents: Dependents):
        super().__init__("still in use")
        self.dependents = dependents


def _set(record: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def _audit_changes(session: Session, user_id: int | None, action: str, record: Any, **detail: Any) -> None:
    """Record what is about to change on ``record`` (field names; values only when not personal)."""
    changed = audit.changes(record)
    if changed["fields"] or detail:
        audit.record_for(session, user_id, action, record, {**detail, **changed})


def viewed(session: Session, user_id: int | None, record: Any, **detail: Any) -> None:
    """Someone looked at a person's details (the page commits at once, whatever it shows next)."""
    audit.record_for(session, user_id, f"{audit.object_type_of(record)}.viewed", record, detail or None)


def remove(session: Session, user_id: int | None, record: Any) -> None:
    """Remove a record nothing depends on (StillInUse otherwise)."""
    dependents = dependents_of(session, record)
    if dependents:
        raise StillInUse(dependents)
    session.delete(record)


# --- People and appointments ------------------------------------------------------------------------

def _person_details(person: Person, name: str, email: str | None, preferred_language: str,
                    payee_reference: str | None) -> None:
    person.name = name.strip()
    person.email = (email or "").strip().lower() or None
    person.preferred_language = preferred_language
    person.payee_reference = (payee_reference or "").strip() or None


def add_person(session: Session, user_id: int | None, **details: Any) -> Person:
    """A new person (name, email, preferred_language, payee_reference); a clash on email fails at the commit."""
    person = Person()
    _person_details(person, **details)
    session.add(person)
    audit.record_for(session, user_id, "person.created", person)
    return person


def change_person(session: Session, user_id: int | None, person: Person, **details: Any) -> None:
    _person_details(person, **details)
    _audit_changes(session, user_id, "person.changed", person)


def remove_person(session: Session, user_id: int | None, person: Person) -> None:
    """Remove a person nobody recorded at a session (their appointments go with them); audited once they are gone."""
    audit.record_when_deleted(session, user_id, "person.removed", person)
    remove(session, user_id, person)


def answer_benefits(session: Session, user_id: int | None, person: Person, receives: bool | None) -> None:
    """The person's own answer to "do you receive any benefits?" (None: they would rather not say)."""
    from remun.reciprocity.models import BenefitsAnswer

    answer = session.get(BenefitsAnswer, person.id)
    before = None if answer is None else answer.receives_benefits
    if receives is None:
        if answer is not None:
            session.delete(answer)
    else:
        if answer is None:
            answer = BenefitsAnswer(person_id=person.id)
            session.add(answer)
        answer.receives_benefits = receives
        answer.answered_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    if before != receives:
        # That it changed, never what it is: the answer is the person's own.
        audit.record(session, user_id, "benefits.answered", "person", person.id)


def add_appointment(session: Session, user_id: int | None, **fields: Any) -> Appointment:
    """A person in a role from a day (person_id, role_id, start_date, end_date)."""
    appointment = Appointment(**fields)
    session.add(appointment)
    return appointment


def change_appointment(session: Session, user_id: int | None, appointment: Appointment, **fields: Any) -> None:
    _set(appointment, fields)


# --- Projects and equal roles -------------------------------------------------------------------------

def create_project(session: Session, user_id: int | None, **fields: Any) -> Project:
    """A new project; a project lead who creates it leads it (else they could not open what they made)."""
    project = Project(**fields)
    session.add(project)
    creator = session.get(User, user_id) if user_id is not None else None
    if creator is not None and creator.role is UserRole.LEAD:
        creator.led_projects.append(project)  # saved with the project, or not at all
        audit.record_for(session, user_id, "project.lead_added", project, {"user_id": user_id})
    return project


def change_project(session: Session, user_id: int | None, project: Project, **fields: Any) -> None:
    _set(project, fields)


def add_group(session: Session, user_id: int | None, project: Project, **fields: Any) -> RoleGroup:
    group = RoleGroup(project=project, **fields)
    session.add(group)
    return group


def change_group(session: Session, user_id: int | None, group: RoleGroup, **fields: Any) -> None:
    _set(group, fields)


# --- Roles and their pay terms ---------------------------------------------------------------------------

def _role_details(role: Role, title: str, kind: RoleKind | str, group_id: int | None) -> None:
    role.title = title.strip()
    role.kind = RoleKind(kind)
    role.group_id = group_id


def add_role(session: Session, user_id: int | None, project: Project, details: Mapping[str, Any],
             terms: Terms) -> Role:
    """A new role with its first pay terms, from the project's start (or today)."""
    role = Role(project=project)
    _role_details(role, **details)
    first = RoleTerms(effective_from=project.start_date or dt.date.today())
    terms.copy_to(first)
    role.terms.append(first)
    session.add(role)
    audit.record_for(session, user_id, "role.created", role, {"project_id": project.id})
    _audit_changes(session, user_id, "role_terms.saved", first, new_role=True)
    return role


def change_role(session: Session, user_id: int | None, role: Role, **details: Any) -> None:
    _role_details(role, **details)


def save_terms(session: Session, user_id: int | None, role: Role, day: dt.date, terms: Terms) -> RoleTerms:
    """The role's pay terms from ``day``: a new change, or (the same date) a correction of the terms from that day."""
    saved = session.scalar(select(RoleTerms).where(RoleTerms.role_id == role.id, RoleTerms.effective_from == day))
    if saved is None:
        saved = RoleTerms(role=role, effective_from=day)
        session.add(saved)
    terms.copy_to(saved)
    _audit_changes(session, user_id, "role_terms.saved", saved, role_id=role.id, effective_from=day)
    return saved


# --- Sessions and attendance ------------------------------------------------------------------------------

def add_meeting(session: Session, user_id: int | None, project: Project, **fields: Any) -> Meeting:
    meeting = Meeting(project=project, **fields)
    session.add(meeting)
    return meeting


def change_meeting(session: Session, user_id: int | None, meeting: Meeting, **fields: Any) -> None:
    _set(meeting, fields)


@dataclass(frozen=True)
class AttendanceEntry:
    """What a lead records for one person at a session. Blank hours: the role's usual hours; 0: none."""

    person_id: int
    hours: Decimal | None = None
    prep_hours: Decimal | None = None
    travel_hours: Decimal | None = None
    expense_amount: Decimal | None = None
    expense_category: ExpenseCategory = ExpenseCategory.TRAVEL
    expense_note: str | None = None
    miles: Decimal | None = None
    vehicle: str | None = None


def _add_mileage(session: Session, book: RateBook, attendance: Attendance, person_id: int, day: dt.date,
                 entry: AttendanceEntry) -> None:
    """The mileage expense at HMRC's rate, counting the person's car miles earlier in the tax year (NoMileageRate)."""
    priced = price_mileage(session, book, person_id, day, entry.vehicle, entry.miles)
    attendance.expenses.append(Expense(amount=priced.amount, category=ExpenseCategory.MILEAGE, miles=entry.miles,
                                       vehicle=priced.vehicle.value))


def record_attendance(session: Session, book: RateBook, user_id: int | None, meeting: Meeting,
                      attendance: Attendance | None, entry: AttendanceEntry) -> Attendance:
    """Record (or correct) one person's attendance, then make its claims, waiting for approval.

    Raises NoRoleThatDay (remun.project_records.rules) when the person had no single role that day, NoMileageRate when
    there is no mileage rate that day, ClaimDecided when its claim was approved meanwhile, and the
    database's IntegrityError when the person is already recorded at the session; the caller rolls back.
    """
    person = session.get(Person, entry.person_id)
    role = role_on(session, person, meeting.project, meeting.date)
    given = fill_blanks(usual_hours(role, meeting), entry.hours, entry.prep_hours, entry.travel_hours)
    if attendance is None:
        attendance = Attendance(meeting=meeting)
        session.add(attendance)
    attendance.person = person
    attendance.role = role
    attendance.hours, attendance.prep_hours, attendance.travel_hours = given.hours, given.prep_hours, given.travel_hours
    attendance.expenses.clear()
    if entry.expense_amount:
        attendance.expenses.append(Expense(amount=entry.expense_amount, category=entry.expense_category,
                                           note=(entry.expense_note or "").strip() or None))
    session.flush()  # (the person's earlier miles are then counted without this attendance's old ones)
    if entry.miles:
        _add_mileage(session, book, attendance, person.id, meeting.date, entry)
        session.flush()
    sync_claims(session, book, attendance_ids=[attendance.id], user_id=user_id)
    return attendance


@dataclass(frozen=True)
class NewAttendance:
    """One row of "record who took part": the person, their role that day, and the hours already filled in."""

    person: Person
    role: Role
    hours: Decimal
    prep_hours: Decimal
    travel_hours: Decimal
    expense_amount: Decimal | None = None
    expense_category: ExpenseCategory = ExpenseCategory.TRAVEL


def record_several(session: Session, book: RateBook, user_id: int | None, meeting: Meeting,
                   rows: list[NewAttendance]) -> list[Attendance]:
    """Several people's attendance at once, then their claims. IntegrityError when one was recorded meanwhile."""
    added = []
    for row in rows:
        attendance = Attendance(meeting=meeting, person=row.person, role=row.role, hours=row.hours,
                                prep_hours=row.prep_hours, travel_hours=row.travel_hours)
        if row.expense_amount:
            attendance.expenses.append(Expense(amount=row.expense_amount, category=row.expense_category))
        session.add(attendance)
        added.append(attendance)
    session.flush()
    sync_claims(session, book, attendance_ids=[item.id for item in added], user_id=user_id)
    return added


def remove_attendance(session: Session, user_id: int | None, attendance: Attendance) -> None:
    """Remove an attendance nothing approved depends on; its claims not yet approved go with it."""
    dependents = dependents_of(session, attendance)
    if dependents:
        raise StillInUse(dependents)
    remove_open_claims(session, attendance.id)
    session.delete(attendance)


def confirm_told(session: Session, book: RateBook, user_id: int | None, told: Any) -> Attendance:
    """Confirm a session a participant told us about: a session with their attendance, then its claims.

    LedgerError when it was decided meanwhile or the person is already recorded at it.
    """
    from remun.sessions import told as told_sessions

    attendance = told_sessions.confirm(session, told, user_id)
    sync_claims(session, book, attendance_ids=[attendance.id], user_id=user_id)
    audit.record(session, user_id, "session.told_confirmed", "session", attendance.meeting_id,
                 {"told_session_id": told.id})
    return attendance


def decline_told(session: Session, user_id: int | None, told: Any, reason: str) -> None:
    """Decline a session a participant told us about, with a reason they will see. LedgerError when decided."""
    from remun.sessions import told as told_sessions

    told_sessions.decline(session, told, reason, user_id)
    audit.record(session, user_id, "session.told_declined", "project", told.project_id, {"told_session_id": told.id})


# --- What participants tell us themselves ---------------------------------------------------------------

def receipt_viewed(session: Session, user_id: int | None, receipt: Any) -> None:
    audit.record(session, user_id, "receipt.viewed", "receipt", receipt.id)


@dataclass(frozen=True)
class KeptReceipt:
    """A receipt's file, checked and kept while the person filled in the form."""

    data: bytes
    content_type: str
    name: str


def submit_attendance(session: Session, book: RateBook, user_id: int | None, person: Person, meeting: Meeting,
                      role: Role, entry: AttendanceEntry, receipt: KeptReceipt | None, instance_path: str) -> Attendance:
    """A participant's own time (and expenses, with a receipt) at a session: claims waiting for the lead's check.

    NoMileageRate when there is no mileage rate that day. On any error the receipt's file is removed again,
    so nothing is half-saved; the caller rolls back.
    """
    from remun.reciprocity import receipts

    given = fill_blanks(usual_hours(role, meeting), entry.hours, entry.prep_hours, entry.travel_hours)
    attendance = Attendance(meeting_id=meeting.id, person_id=person.id, role_id=role.id, hours=given.hours,
                            prep_hours=given.prep_hours, travel_hours=given.travel_hours)
    session.add(attendance)
    session.flush()
    written = None
    try:
        if entry.expense_amount:
            expense = Expense(attendance_id=attendance.id, amount=entry.expense_amount, category=entry.expense_category,
                              note=(entry.expense_note or "").strip() or None)
            session.add(expense)
            session.flush()
            if receipt is not None:
                stored = receipts.store(session, expense, receipt.data, receipt.content_type, receipt.name,
                                        instance_path, user_id)
                written = receipts.path_of(stored, instance_path)
        if entry.miles:
            _add_mileage(session, book, attendance, person.id, meeting.date, entry)
        session.flush()
        session.expire(attendance)
        sync_claims(session, book, attendance_ids=[attendance.id], user_id=user_id)
        audit.record(session, user_id, "attendance.submitted", "session", meeting.id, {"attendance_id": attendance.id})
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)  # nothing half-saved
        raise
    return attendance


def tell_session(session: Session, user_id: int | None, person: Person, role: Role, day: dt.date, title: str,
                 entry: AttendanceEntry) -> Any:
    """A participant tells us about a session not in the list: it waits for their lead to confirm it."""
    from remun.sessions import told as told_sessions

    given = fill_blanks(usual_hours(role, Meeting(date=day, hours=entry.hours)), entry.hours, entry.prep_hours,
                        entry.travel_hours)
    told = told_sessions.tell(
        session, person, role, date=day, title=title, hours=given.hours, prep_hours=given.prep_hours,
        travel_hours=given.travel_hours, expense_amount=entry.expense_amount, expense_category=entry.expense_category,
        expense_note=entry.expense_note, user_id=user_id)
    audit.record(session, user_id, "session.told", "project", role.project_id, {"told_session_id": told.id})
    return told
