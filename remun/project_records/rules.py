"""Rules about Remun's records that the web pages, the import and the CLI share.

No Flask here: each function takes an SQLAlchemy session or model objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.project_records.enums import PayBasis
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleGroup
from remun.pay.rate_cards import RateBook

#: Which rate-card unit each pay basis needs.
UNIT_FOR_BASIS = {
    PayBasis.HOUR: "hour",
    PayBasis.SALARY: "hour",
    PayBasis.SESSION: "session",
    PayBasis.HALF_DAY: "half_day",
    PayBasis.DAY: "day",
}


class RateCardProblem(ValueError):
    """A rate-card reference that cannot be used for a role's pay."""

    def __init__(self, code: str, ref: str, unit: str | None = None):
        self.code = code  # "unknown" or "wrong_unit"
        self.ref = ref
        self.unit = unit
        super().__init__(f"{code}: {ref}")


def check_rate_card(book: RateBook, basis: PayBasis, ref: str) -> None:
    """Raise RateCardProblem unless ``ref`` names a known figure in the unit ``basis`` needs."""
    latest = book.latest(ref)
    if latest is None:
        raise RateCardProblem("unknown", ref)
    if latest.per != UNIT_FOR_BASIS[basis]:
        raise RateCardProblem("wrong_unit", ref, latest.per)


def rate_card_choices(book: RateBook) -> list[tuple[str, str]]:
    """Figures a role can be paid at: those per hour, session, half day or day."""
    usable = set(UNIT_FOR_BASIS.values())
    return [
        (ref, book.latest(ref).label)  # type: ignore[union-attr]
        for ref in book.refs()
        if book.latest(ref).per in usable  # type: ignore[union-attr]
        and book.latest(ref).source.kind in {"pay_scale", "involvement_rate", "wage_floor"}  # type: ignore[union-attr]
    ]


@dataclass(frozen=True)
class Dependents:
    """What still depends on a record, so it cannot be removed yet."""

    attendances: int = 0
    roles: int = 0
    appointments: int = 0
    approved_claims: int = 0

    def __bool__(self) -> bool:
        return bool(self.attendances or self.roles or self.appointments or self.approved_claims)


def _count(session: Session, statement) -> int:
    return session.scalar(statement) or 0


def dependents_of(session: Session, record: object) -> Dependents:
    """What would be lost if ``record`` were removed."""
    attendance_count = select(func.count(Attendance.id))
    if isinstance(record, Project):
        return Dependents(
            attendances=_count(
                session, attendance_count.join(Meeting).where(Meeting.project_id == record.id)
            )
        )
    if isinstance(record, RoleGroup):
        return Dependents(roles=_count(session, select(func.count(Role.id)).where(Role.group_id == record.id)))
    if isinstance(record, Role):
        return Dependents(
            attendances=_count(session, attendance_count.where(Attendance.role_id == record.id)),
            appointments=_count(
                session, select(func.count(Appointment.id)).where(Appointment.role_id == record.id)
            ),
        )
    if isinstance(record, Person):
        return Dependents(attendances=_count(session, attendance_count.where(Attendance.person_id == record.id)))
    if isinstance(record, Meeting):
        return Dependents(attendances=_count(session, attendance_count.where(Attendance.meeting_id == record.id)))
    if isinstance(record, Attendance):
        from remun.ledger.models import Claim, ClaimStatus

        return Dependents(approved_claims=_count(session, select(func.count(Claim.id)).where(
            Claim.attendance_id == record.id, Claim.status == ClaimStatus.APPROVED)))
    if isinstance(record, Appointment):
        in_period = attendance_count.join(Meeting).where(
            Attendance.person_id == record.person_id,
            Attendance.role_id == record.role_id,
            Meeting.date >= record.start_date,
        )
        if record.end_date is not None:
            in_period = in_period.where(Meeting.date <= record.end_date)
        return Dependents(attendances=_count(session, in_period))
    return Dependents()


class NoRoleThatDay(LookupError):
    """The person held no role in the project on that date (or more than one)."""

    def __init__(self, roles: list[Role]):
        self.roles = roles
        super().__init__(", ".join(role.title for role in roles) or "no role")


def role_on(session: Session, person: Person, project: Project, day: dt.date) -> Role:
    """The role a person held in a project on a day, from their appointments."""
    roles = list(
        session.scalars(
            select(Role)
            .join(Appointment)
            .where(
                Appointment.person_id == person.id,
                Role.project_id == project.id,
                Appointment.start_date <= day,
                (Appointment.end_date.is_(None)) | (Appointment.end_date >= day),
            )
            .distinct()
        )
    )
    if len(roles) != 1:
        raise NoRoleThatDay(roles)
    return roles[0]


def people_in_project(session: Session, project: Project) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Appointment)
            .join(Role)
            .where(Role.project_id == project.id)
            .distinct()
            .order_by(Person.name)
        )
    )
