"""Which sessions a person is offered, and a session they tell the project about that is not in their list.

A session is offered to the people in the roles it is for: the roles named for
it (MeetingRole), else the roles of those already recorded at it, else (a new
session with neither) everyone in the project. A participant may also tell the
project about a session that is not in the list; the lead confirms it, and it
becomes a session (or joins the one already recorded with that date and title)
with their attendance, or declines it with a reason. No Flask here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.project_records.enums import ExpenseCategory
from remun.ledger.posting import LedgerError
from remun.project_records.models import Attendance, Expense, Meeting, Person, Role
from remun.money import ZERO
from remun.sessions.models import MeetingRole, ToldSession


def roles_of_meetings(session: Session, meeting_ids: list[int]) -> dict[int, set[int]]:
    """Meeting id -> the roles it is for (named, else those recorded at it); meetings with neither are left out."""
    found: dict[int, set[int]] = defaultdict(set)
    if not meeting_ids:
        return found
    for meeting_id, role_id in session.execute(select(MeetingRole.meeting_id, MeetingRole.role_id)
                                               .where(MeetingRole.meeting_id.in_(meeting_ids))):
        found[meeting_id].add(role_id)
    named = set(found)
    for meeting_id, role_id in session.execute(select(Attendance.meeting_id, Attendance.role_id)
                                               .where(Attendance.meeting_id.in_(meeting_ids)).distinct()):
        if meeting_id not in named:
            found[meeting_id].add(role_id)
    return found


def is_for_role(roles: dict[int, set[int]], meeting_id: int, role_id: int) -> bool:
    return meeting_id not in roles or role_id in roles[meeting_id]


def tell(session: Session, person: Person, role: Role, *, date: dt.date, title: str, hours: Decimal,
         prep_hours: Decimal, travel_hours: Decimal, expense_amount: Decimal | None = None,
         expense_category: ExpenseCategory | None = None, expense_note: str | None = None,
         user_id: int | None = None, now: dt.datetime | None = None) -> ToldSession:
    told = ToldSession(person_id=person.id, project_id=role.project_id, role_id=role.id, date=date, title=title.strip(),
                       hours=hours, prep_hours=prep_hours, travel_hours=travel_hours,
                       expense_amount=expense_amount or None,
                       expense_category=(expense_category or ExpenseCategory.OTHER).value if expense_amount else None,
                       expense_note=(expense_note or "").strip() or None, status="waiting",
                       created_at=now or dt.datetime.now(dt.timezone.utc), created_by_id=user_id)
    session.add(told)
    session.flush()
    return told


def waiting_for(session: Session, project_id: int) -> list[ToldSession]:
    return list(session.scalars(select(ToldSession).where(ToldSession.project_id == project_id,
                                                          ToldSession.status == "waiting")
                                .order_by(ToldSession.date, ToldSession.id)))


def confirm(session: Session, told: ToldSession, user_id: int | None, now: dt.datetime | None = None) -> Attendance:
    """Make the session (or use the one with that date and title) and the person's attendance at it."""
    if told.status != "waiting":
        raise LedgerError("already decided", told=told.id)
    meeting = session.scalar(select(Meeting).where(Meeting.project_id == told.project_id, Meeting.date == told.date,
                                                   Meeting.title == told.title))
    if meeting is None:
        meeting = Meeting(project_id=told.project_id, date=told.date, title=told.title, hours=told.hours)
        session.add(meeting)
        session.flush()
        session.add(MeetingRole(meeting_id=meeting.id, role_id=told.role_id))
    elif session.scalar(select(Attendance.id).where(Attendance.meeting_id == meeting.id,
                                                    Attendance.person_id == told.person_id)) is not None:
        raise LedgerError("already recorded", told=told.id)
    attendance = Attendance(meeting_id=meeting.id, person_id=told.person_id, role_id=told.role_id, hours=told.hours,
                            prep_hours=told.prep_hours or ZERO, travel_hours=told.travel_hours or ZERO)
    if told.expense_amount:
        attendance.expenses.append(Expense(amount=told.expense_amount,
                                           category=ExpenseCategory(told.expense_category or "other"),
                                           note=told.expense_note))
    session.add(attendance)
    told.status, told.meeting_id = "confirmed", meeting.id
    told.decided_at, told.decided_by_id = now or dt.datetime.now(dt.timezone.utc), user_id
    session.flush()
    return attendance


def decline(session: Session, told: ToldSession, reason: str, user_id: int | None,
            now: dt.datetime | None = None) -> None:
    if told.status != "waiting":
        raise LedgerError("already decided", told=told.id)
    told.status, told.decision_reason = "declined", reason.strip()
    told.decided_at, told.decided_by_id = now or dt.datetime.now(dt.timezone.utc), user_id
    session.flush()
