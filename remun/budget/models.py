"""Budgets: a plan of what involvement will cost, for a project or for a draft of one.

A budget belongs to a project, or is a *draft* made before the project exists
in Remun. A draft has its own roles (``BudgetDraftRole``); turning it into a
project (``remun.budget.drafts``) creates the project, its equal-role groups
and its roles with their pay terms, and points the plan at them.

The plan has two parts:

- ``BudgetLine``: planned sessions of one role ("12 steering groups of 3 hours,
  2 hours' preparation, every other month from May 2026"), costed with the
  role's pay terms in force each month;
- ``BudgetItem``: everything else involvement costs, as quantity x cost each,
  once or repeated, in a category (expenses, accessibility, venue...).

Costing is done by ``remun.budget.planning`` (pure rules); nothing costed is
stored, so a rate rise recorded later is counted the next time the plan is read.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remun.accounts import models as _accounts  # noqa: F401  (the users table a budget refers to)
from remun.project_records.enums import RoleKind
from remun.project_records.models import Base, Hours, PayTermsColumns, Project, Rate, Role, Timestamped, _enum
from remun.money import ZERO

#: Quantities of an item (hours, people, copies, miles): two decimal places.
Quantity = Numeric(10, 2, asdecimal=True)
#: A contingency percentage such as 10 or 12.5.
Percent = Numeric(5, 2, asdecimal=True)


class BudgetCategory(enum.StrEnum):
    """What an item of the budget is for (payment for time is planned as sessions, not items)."""

    EXPENSES = "expenses"  # travel, care and childcare, meals
    ACCESSIBILITY = "accessibility"  # interpreters, translation, easy read, BSL
    TRAINING = "training"  # training and support for participants
    VENUE = "venue"  # venue and refreshments
    VOUCHER_FEES = "voucher_fees"  # fees for buying vouchers
    STAFF_TIME = "staff_time"  # staff time to support involvement
    OTHER = "other"  # the user's own items


class Budget(Timestamped, Base):
    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("contingency_percent >= 0 AND contingency_percent <= 100", name="contingency_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for a draft: a budget made before its project exists in Remun.
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    #: For a draft, the name the project will have.
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="GBP", server_default="GBP")
    #: The months the plan covers (from the month of the start to the month of the end).
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    contingency_percent: Mapped[Decimal] = mapped_column(Percent, default=ZERO, server_default="0")
    notes: Mapped[str | None] = mapped_column(Text)
    #: Who made it: a lead may work on their own drafts.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    project: Mapped[Project | None] = relationship()
    draft_roles: Mapped[list[BudgetDraftRole]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetDraftRole.title"
    )
    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetLine.id"
    )
    items: Mapped[list[BudgetItem]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetItem.id"
    )

    @property
    def is_draft(self) -> bool:
        return self.project_id is None


class BudgetDraftRole(PayTermsColumns, Base):
    """A role planned in a draft budget, with the pay terms it is planned on.

    Becomes a project role (with these terms from the project's start) when the
    draft is turned into a project.
    """

    __tablename__ = "budget_draft_roles"
    __table_args__ = (
        UniqueConstraint("budget_id", "title"),
        CheckConstraint("(rate IS NOT NULL) OR (rate_card_ref IS NOT NULL)", name="rate_or_rate_card"),
        CheckConstraint("rate IS NULL OR rate >= 0", name="rate_not_negative"),
        CheckConstraint(
            "session_hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0", name="hours_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))
    #: The equal role it belongs to, by name (roles with the same name are compared).
    group_name: Mapped[str | None] = mapped_column(String(200))
    budget: Mapped[Budget] = relationship(back_populates="draft_roles")


class BudgetLine(Base):
    """Planned sessions of one role: how many, how often, from which month, and their hours.

    ``sessions`` sessions in all, ``per_month`` of them in each month they
    happen, in every ``every_months``-th month from ``first_month``: 12
    sessions, 1 a month, every 2 months from May 2026 fall in May, July,
    September... 2028; 10 sessions, 4 a month, every month fall 4, 4 and 2.
    """

    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint(
            "(role_id IS NOT NULL AND draft_role_id IS NULL) OR (role_id IS NULL AND draft_role_id IS NOT NULL)",
            name="one_role",
        ),
        CheckConstraint("sessions >= 1", name="sessions_positive"),
        CheckConstraint("per_month >= 1", name="per_month_positive"),
        CheckConstraint("every_months >= 1 AND every_months <= 12", name="every_months_in_range"),
        CheckConstraint("people >= 1", name="people_positive"),
        CheckConstraint(
            "session_hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0", name="hours_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    #: A project role, or (in a draft) a draft role: exactly one of the two.
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    draft_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("budget_draft_roles.id", ondelete="CASCADE"), index=True
    )
    #: What the sessions are, for example "Steering group".
    description: Mapped[str] = mapped_column(String(200))
    #: The first day of the month of the first session.
    first_month: Mapped[dt.date] = mapped_column(Date)
    #: How many sessions in all.
    sessions: Mapped[int] = mapped_column(Integer)
    #: Sessions in each month they happen (4 for a weekly group); the last month may have fewer.
    per_month: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: 1 every month, 2 every other month, 3 every quarter... 12 once a year.
    every_months: Mapped[int] = mapped_column(Integer, default=1)
    #: How many people in the role come to each session.
    people: Mapped[int] = mapped_column(Integer, default=1)
    session_hours: Mapped[Decimal] = mapped_column(Hours)
    prep_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)
    travel_hours: Mapped[Decimal] = mapped_column(Hours, default=ZERO)
    #: False for time this budget does not pay for (staff whose employer pays their salary).
    in_total: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notes: Mapped[str | None] = mapped_column(Text)

    budget: Mapped[Budget] = relationship(back_populates="lines")
    role: Mapped[Role | None] = relationship()
    draft_role: Mapped[BudgetDraftRole | None] = relationship()


class BudgetItem(Base):
    """Quantity x cost each, once or repeated, in a category, with notes."""

    __tablename__ = "budget_items"
    __table_args__ = (
        CheckConstraint(
            "(unit_cost IS NOT NULL AND rate_card_ref IS NULL) OR (unit_cost IS NULL AND rate_card_ref IS NOT NULL)",
            name="cost_or_rate_card",
        ),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="cost_not_negative"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("times >= 1", name="times_positive"),
        CheckConstraint("every_months >= 1 AND every_months <= 12", name="every_months_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    category: Mapped[BudgetCategory] = mapped_column(_enum(BudgetCategory, "budget_category"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: A typed cost each, or a published figure ("source-id/key") in force each month.
    unit_cost: Mapped[Decimal | None] = mapped_column(Rate)
    rate_card_ref: Mapped[str | None] = mapped_column(String(120))
    first_month: Mapped[dt.date] = mapped_column(Date)
    #: How many times the cost falls (1: once).
    times: Mapped[int] = mapped_column(Integer, default=1)
    every_months: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)

    budget: Mapped[Budget] = relationship(back_populates="items")
