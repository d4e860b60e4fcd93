"""Tables of reciprocity: each person's choices over time, their benefits answer,
how each claim was settled, and receipts for expenses.

A choice is never changed or removed: a change of mind adds a new one, so the
history is kept. ``Person.reciprocity`` holds a summary of the newest choice
(the one kind, or ``split``) because exports and the demo read it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remun.accounts import models as _accounts  # noqa: F401  (the users table referred to)
from remun.project_records.enums import Reciprocity
from remun.ledger import models as _ledger  # noqa: F401  (claims and transactions referred to)
from remun.project_records.models import Base, Money, _enum

Percent = Numeric(5, 2, asdecimal=True)


class ReciprocityChoice(Base):
    """How a person chose to be thanked, from a moment on. The newest one is in force."""

    __tablename__ = "reciprocity_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    #: One kind, or ``split`` when the parts have more than one.
    summary: Mapped[Reciprocity] = mapped_column(_enum(Reciprocity, "reciprocity"))
    chosen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: Who recorded it: the person themselves, or a lead they told.
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why they chose no payment, only if they wanted to say. Never required.
    reason: Mapped[str | None] = mapped_column(Text)

    parts: Mapped[list[ChoicePart]] = relationship(
        back_populates="choice", cascade="all, delete-orphan", order_by="ChoicePart.id"
    )


class ChoicePart(Base):
    """One way of being thanked and its share (100% when there is no split)."""

    __tablename__ = "reciprocity_choice_parts"
    __table_args__ = (CheckConstraint("percent > 0 AND percent <= 100", name="percent_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_id: Mapped[int] = mapped_column(ForeignKey("reciprocity_choices.id", ondelete="CASCADE"), index=True)
    method: Mapped[Reciprocity] = mapped_column(_enum(Reciprocity, "reciprocity"))
    percent: Mapped[Decimal] = mapped_column(Percent)
    #: What the method needs: the voucher provider, the charity, the person paid
    #: instead, the course, or the no-bank-account way of paying.
    detail: Mapped[str | None] = mapped_column(String(200))

    choice: Mapped[ReciprocityChoice] = relationship(back_populates="parts")


class BenefitsAnswer(Base):
    """Whether a person said they receive benefits: yes or no only, private to them."""

    __tablename__ = "benefits_answers"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    receives_benefits: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SettlementPart(Base):
    """How (part of) an approved claim was settled: the method, amount and what it needs.

    Money goes through a payment batch (``batch_id``); vouchers, training and
    donations are posted when given and listed for finance to issue.
    """

    __tablename__ = "settlement_parts"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    method: Mapped[Reciprocity] = mapped_column(_enum(Reciprocity, "reciprocity"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    detail: Mapped[str | None] = mapped_column(String(200))
    #: The choice it followed (none for expenses, which are always money).
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("reciprocity_choices.id", ondelete="RESTRICT"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id", ondelete="RESTRICT"), index=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id", ondelete="RESTRICT"))
    #: The approval (accrual) it settles: a reversed claim approved again gets new parts.
    accrual_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: When it was paid or given (posted); None while waiting.
    given_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Receipt(Base):
    """A photo or PDF of a receipt for an expense, stored under instance/ (never static)."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expense_id: Mapped[int] = mapped_column(ForeignKey("expenses.id", ondelete="CASCADE"), index=True)
    #: The random name it is stored under; the uploaded name is never used as a path.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
