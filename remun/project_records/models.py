"""Remun's records: projects, equal-role groups, roles and their pay terms,
people, appointments, sessions and attendance.

Plain SQLAlchemy 2.x typed models with no Flask in them, so the web app, the
command line and the tests share them. Every schema change here needs an
Alembic migration in ``migrations/versions``.

Nothing about anyone's health is stored: a role's *kind* says what the role is
(for example a lived-experience co-chair), not anything about the person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.money import HOURS_DIGITS, MONEY_DIGITS, RATE_DIGITS, ZERO

# Named constraints let Alembic alter tables on SQLite (batch mode) and keep
# names identical on PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(enum_class: type, name: str) -> Enum:
    """Store an enum by its value as a checked string, the same on every database."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


Money = Numeric(*MONEY_DIGITS, asdecimal=True)
Rate = Numeric(*RATE_DIGITS, asdecimal=True)
Hours = Numeric(*HOURS_DIGITS, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PayTermsColumns:
    """How a role is paid: the columns a role's terms and a budget's planned role share."""

    basis: Mapped[PayBasis] = mapped_column(_enum(PayBasis, "pay_basis"))
    #: Rate per basis unit in the project currency (hourly for salaried roles).
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    #: Or a rate-card entry, "source-id/key", whose figure in force on the day is used.
    rate_card_ref: Mapped[str | None] = mapped_column(String(120))
    session_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)
    prep_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)
    prep_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    travel_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)
    travel_paid: Mapped[bool] = mapped_column(Boolean, default=False)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Project(Timestamped, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    cost_centre: Mapped[str | None] = mapped_column(String(50))
    #: ISO 4217 code; every amount in the project is in this currency.
    currency: Mapped[str] = mapped_column(String(3), default="GBP", server_default="GBP")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    #: "london" or "rest_of_uk": which Real Living Wage applies; not said (None) means the UK rate.
    location: Mapped[str | None] = mapped_column(String(20))

    groups: Mapped[list[RoleGroup]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="RoleGroup.name"
    )
    roles: Mapped[list[Role]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Role.title"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Meeting.date"
    )

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"


class RoleGroup(Base):
    """A set of roles in one project that do the same job, so should be paid the same."""

    __tablename__ = "role_groups"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="groups")
    roles: Mapped[list[Role]] = relationship(back_populates="group", order_by="Role.title")


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("project_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("role_groups.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))

    project: Mapped[Project] = relationship(back_populates="roles")
    group: Mapped[RoleGroup | None] = relationship(back_populates="roles")
    terms: Mapped[list[RoleTerms]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="RoleTerms.effective_from"
    )
    #: Removed with the role (only possible once nobody's attendance depends on it).
    appointments: Mapped[list[Appointment]] = relationship(back_populates="role", cascade="all, delete-orphan")

    def terms_on(self, day: dt.date) -> RoleTerms | None:
        """The pay terms in force on a day.

        Before the first recorded change the first terms apply: a role always
        had some terms from its start, even if they were entered later.
        """
        in_force = None
        for terms in self.terms:  # ordered by effective_from
            if terms.effective_from <= day:
                in_force = terms
        if in_force is None and self.terms:
            return self.terms[0]
        return in_force

    @property
    def current_terms(self) -> RoleTerms | None:
        return self.terms[-1] if self.terms else None


class RoleTerms(PayTermsColumns, Base):
    """A role's pay terms from a date. A change adds a row; earlier sessions keep their terms."""

    __tablename__ = "role_terms"
    __table_args__ = (
        UniqueConstraint("role_id", "effective_from"),
        CheckConstraint(
            "(rate IS NOT NULL) OR (rate_card_ref IS NOT NULL)", name="rate_or_rate_card"
        ),
        CheckConstraint("rate IS NULL OR rate >= 0", name="rate_not_negative"),
        CheckConstraint(
            "session_hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0", name="hours_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)

    role: Mapped[Role] = relationship(back_populates="terms")


class Person(Timestamped, Base):
    """Someone who takes part. Only what is needed to pay and thank them."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: A locale code such as "en", "gd" or "pl".
    preferred_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    #: The reference finance uses to pay them (for example a supplier number).
    payee_reference: Mapped[str | None] = mapped_column(String(100))
    reciprocity: Mapped[Reciprocity] = mapped_column(
        _enum(Reciprocity, "reciprocity"),
        default=Reciprocity.NOT_CHOSEN,
        server_default=Reciprocity.NOT_CHOSEN.value,
    )

    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    attendances: Mapped[list[Attendance]] = relationship(back_populates="person")


class Appointment(Base):
    """A person in a role, from one date to another (open-ended when no end)."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("person_id", "role_id", "start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="appointments")
    role: Mapped[Role] = relationship(back_populates="appointments")

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Meeting(Base):
    """A session of the project: a meeting, workshop or panel on a date.

    Pages call it a *session*; the code says Meeting so it is never confused
    with a database session.
    """

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("project_id", "date", "title"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(Hours)

    project: Mapped[Project] = relationship(back_populates="meetings")
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )


class Attendance(Base):
    """A person's time at one session, in the role they held that day."""

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        CheckConstraint(
            "hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0", name="hours_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"), index=True)
    hours: Mapped[Decimal] = mapped_column(Hours)
    prep_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)
    travel_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    person: Mapped[Person] = relationship(back_populates="attendances")
    role: Mapped[Role] = relationship()
    expenses: Mapped[list[Expense]] = relationship(
        back_populates="attendance", cascade="all, delete-orphan", order_by="Expense.id"
    )

    @property
    def hours_given(self) -> Decimal:
        return self.hours + self.prep_hours + self.travel_hours


class Expense(Base):
    """Out-of-pocket costs of taking part. Always repaid as money, at cost."""

    __tablename__ = "expenses"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(
        ForeignKey("attendances.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Money)
    category: Mapped[ExpenseCategory] = mapped_column(_enum(ExpenseCategory, "expense_category"))
    note: Mapped[str | None] = mapped_column(Text)
    #: For mileage: the miles and the vehicle ("car", "motorcycle", "bicycle"); the amount is at HMRC's rate.
    miles: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    vehicle: Mapped[str | None] = mapped_column(String(16))

    attendance: Mapped[Attendance] = relationship(back_populates="expenses")
