"""The facts for the papers a participant needs: a letter for a benefits adviser, and a year-end statement.

No Flask here; the pages word and translate them (remun/web/views/papers.py). Amounts
come from the ledger by the date paid or given (remun/reciprocity/benefits.py,
remun/papers/tax_year.py), hours from recorded attendance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.accounts.models import ProjectLead, User
from remun.ledger.models import Account, Claim, ClaimKind, LedgerTransaction, Posting
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role
from remun.money import ZERO, round_money
from remun.reciprocity.benefits import Payment, payments
from remun.papers.tax_year import TaxYearTotals, bounds, person_tax_year

#: How far back the letter lists what was paid or given.
LETTER_MONTHS = 12


@dataclass(frozen=True)
class RoleHeld:
    title: str
    kind: str
    project: str
    start_date: dt.date
    end_date: dt.date | None


@dataclass(frozen=True)
class SessionHours:
    day: dt.date
    project: str
    hours: Decimal  # session + preparation + travel


@dataclass
class BenefitsLetter:
    person: Person
    on: dt.date
    since: dt.date
    organisation: str
    contact: str
    roles: list[RoleHeld] = field(default_factory=list)
    #: Paid or given since ``since`` (not expected).
    paid: list[Payment] = field(default_factory=list)
    #: Approved, not yet paid or given, with the soonest day it could arrive.
    expected: list[Payment] = field(default_factory=list)
    sessions: list[SessionHours] = field(default_factory=list)
    upcoming: list[SessionHours] = field(default_factory=list)
    expenses_repaid: Decimal = ZERO

    @property
    def hours_total(self) -> Decimal:
        return sum((item.hours for item in self.sessions), ZERO)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def roles_held(session: Session, person: Person) -> list[RoleHeld]:
    rows = session.execute(
        select(Role.title, Role.kind, Project.name, Appointment.start_date, Appointment.end_date)
        .join(Role, Appointment.role_id == Role.id).join(Project, Role.project_id == Project.id)
        .where(Appointment.person_id == person.id)
        .order_by(Appointment.start_date, Role.title)
    ).all()
    return [RoleHeld(title, kind.value, project, start, end) for title, kind, project, start, end in rows]


def _contact(session: Session, person: Person, fallback: str) -> str:
    if fallback:
        return fallback
    emails = session.scalars(
        select(User.email).join(ProjectLead, ProjectLead.user_id == User.id)
        .join(Role, Role.project_id == ProjectLead.project_id)
        .join(Appointment, Appointment.role_id == Role.id)
        .where(Appointment.person_id == person.id, User.active.is_(True)).distinct().order_by(User.email)
    ).all()
    return ", ".join(emails)


def _expenses_repaid(session: Session, person: Person, start: dt.date, end: dt.date) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(-Posting.amount), 0))
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .join(Claim, LedgerTransaction.claim_id == Claim.id)
        .where(Posting.person_id == person.id, Posting.account == Account.BANK, Claim.kind == ClaimKind.EXPENSES,
               LedgerTransaction.posted_on >= start, LedgerTransaction.posted_on <= end)
    )
    return round_money(Decimal(total))


def _sessions(session: Session, person: Person, start: dt.date, end: dt.date | None) -> list[SessionHours]:
    query = (
        select(Meeting.date, Project.name, Attendance.hours + Attendance.prep_hours + Attendance.travel_hours)
        .join(Meeting, Attendance.meeting_id == Meeting.id).join(Project, Meeting.project_id == Project.id)
        .where(Attendance.person_id == person.id, Meeting.date >= start)
        .order_by(Meeting.date, Project.name)
    )
    if end is not None:
        query = query.where(Meeting.date <= end)
    return [SessionHours(day, project, Decimal(hours)) for day, project, hours in session.execute(query)]


def _upcoming(session: Session, person: Person, today: dt.date) -> list[SessionHours]:
    """Sessions planned after today in the roles the person holds (hours as planned for the session)."""
    rows = session.execute(
        select(Meeting.date, Project.name, Meeting.hours)
        .join(Project, Meeting.project_id == Project.id)
        .join(Role, Role.project_id == Project.id)
        .join(Appointment, Appointment.role_id == Role.id)
        .where(Appointment.person_id == person.id, Meeting.date > today,
               (Appointment.end_date.is_(None)) | (Appointment.end_date >= Meeting.date))
        .distinct().order_by(Meeting.date, Project.name)
    ).all()
    return [SessionHours(day, project, Decimal(hours)) for day, project, hours in rows]


def benefits_letter(session: Session, person: Person, *, organisation: str = "", contact: str = "",
                    today: dt.date | None = None) -> BenefitsLetter:
    """What the letter says: roles, what was paid or given and when (the last 12 months), what is expected, hours."""
    today = today or dt.date.today()
    since = _months_before(today, LETTER_MONTHS)
    letter = BenefitsLetter(person=person, on=today, since=since, organisation=organisation,
                            contact=_contact(session, person, contact), roles=roles_held(session, person))
    for payment in payments(session, person, today):
        if payment.expected:
            letter.expected.append(payment)
        elif since <= payment.day <= today and (payment.income.with_in_kind or payment.income.not_counted):
            letter.paid.append(payment)
    letter.sessions = _sessions(session, person, since, today)
    letter.upcoming = _upcoming(session, person, today)
    letter.expenses_repaid = _expenses_repaid(session, person, since, today)
    return letter


@dataclass
class YearStatement:
    person: Person
    totals: TaxYearTotals
    first_day: dt.date
    last_day: dt.date
    organisation: str
    contact: str
    payments: list[Payment] = field(default_factory=list)
    sessions: list[SessionHours] = field(default_factory=list)

    @property
    def hours_total(self) -> Decimal:
        return sum((item.hours for item in self.sessions), ZERO)


def year_statement(session: Session, person: Person, start_year: int, *, organisation: str = "",
                   contact: str = "") -> YearStatement:
    first, last = bounds(start_year)
    found = [payment for payment in payments(session, person)
             if not payment.expected and first <= payment.day <= last]
    return YearStatement(person=person, totals=person_tax_year(session, person, start_year), first_day=first,
                         last_day=last, organisation=organisation, contact=_contact(session, person, contact),
                         payments=found, sessions=_sessions(session, person, first, last))
