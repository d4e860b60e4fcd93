"""What the workbook asks for, row by row, once checked: the import writes these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from remun.pay.terms import Terms
from remun.project_records.enums import ExpenseCategory, Reciprocity, RoleKind
from remun.project_records.models import Person


@dataclass(slots=True)
class ProjectPlan:
    name: str
    cost_centre: str | None
    currency: str | None
    start: dt.date | None
    end: dt.date | None
    location: str | None = None


@dataclass(slots=True)
class RolePlan:
    row: int
    title: str
    key: str
    group: str | None
    kind: RoleKind
    terms: Terms
    terms_from: dt.date | None


@dataclass(slots=True, eq=False)
class PersonPlan:
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
class AppointmentPlan:
    row: int
    person: PersonPlan
    role_key: str
    start: dt.date
    end: dt.date | None


@dataclass(slots=True)
class MeetingPlan:
    row: int
    date: dt.date
    title: str
    hours: Decimal


@dataclass(slots=True)
class AttendancePlan:
    row: int
    meeting_key: tuple[dt.date, str]
    person: PersonPlan | Person
    role_key: str
    hours: Decimal
    prep_hours: Decimal
    travel_hours: Decimal
    expense: tuple[Decimal, ExpenseCategory, str | None] | None
    #: (miles, vehicle): a mileage expense priced at HMRC's rate when written.
    mileage: tuple[Decimal, str] | None = None
