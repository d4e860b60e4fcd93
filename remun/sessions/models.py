"""Tables: the roles a session is for, and a session a participant told the project about."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remun.accounts import models as _accounts  # noqa: F401  (the users table a decision refers to)
from remun.project_records.models import Base, Hours, Meeting, Money, Person, Project, Role


class MeetingRole(Base):
    """A role a session is for: only people in these roles are offered it to tell us about."""

    __tablename__ = "meeting_roles"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True)


class ToldSession(Base):
    """A session a participant took part in that was not in their list, waiting for the lead to confirm.

    Confirmed, it becomes a session (or joins the one already recorded with that date and title) with the
    person's attendance, which then becomes claims like any other. Declined, it stays with its reason.
    """

    __tablename__ = "told_sessions"
    __table_args__ = (
        CheckConstraint("hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0", name="hours_not_negative"),
        CheckConstraint("expense_amount IS NULL OR expense_amount > 0", name="expense_positive"),
        CheckConstraint("status IN ('waiting', 'confirmed', 'declined')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"))
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(Hours)
    prep_hours: Mapped[Decimal] = mapped_column(Hours)
    travel_hours: Mapped[Decimal] = mapped_column(Hours)
    expense_amount: Mapped[Decimal | None] = mapped_column(Money)
    expense_category: Mapped[str | None] = mapped_column(String(20))
    expense_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="waiting", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship()
    project: Mapped[Project] = relationship()
    role: Mapped[Role] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
