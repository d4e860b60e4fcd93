"""Tables of the ledger: claims, transactions and postings, payment batches, closed periods."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remun.accounts import models as _accounts  # noqa: F401  (the users table the ledger refers to)
from remun.project_records.enums import PayBasis, Reciprocity
from remun.project_records.models import Attendance, Base, Hours, Money, Person, Project, Rate, _enum


class ClaimKind(enum.StrEnum):
    TIME = "time"
    EXPENSES = "expenses"


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the project lead
    APPROVED = "approved"  # accrued: the person is owed it (or it was declined at approval)
    REJECTED = "rejected"  # not approved, with a reason shown to the person
    REVERSED = "reversed"  # approved, then put right by a reversing transaction


class Account(enum.StrEnum):
    """Accounts finance recognises. Positive amounts are debits, negative credits."""

    COST_TIME = "project_cost_time"  # what the project pays or gives for time
    COST_EXPENSES = "project_cost_expenses"  # expenses repaid
    OWED = "owed"  # owed to a person (a credit balance)
    BANK = "bank"  # paid by bank transfer
    VOUCHERS = "vouchers"  # given as vouchers
    TRAINING = "training"  # given as training
    DONATIONS = "donations"  # given as a donation to a charity the person named
    DECLINED = "declined"  # memo: value offered and declined (not project cost)
    DECLINED_OFFSET = "declined_offset"  # memo: the other side of DECLINED


class TransactionKind(enum.StrEnum):
    ACCRUAL = "accrual"  # an approved claim: cost on one side, owed on the other
    SETTLEMENT = "settlement"  # owed moved to bank, vouchers, training or donations
    DECLINED = "declined"  # the person chose no payment
    REVERSAL = "reversal"  # puts a mistake right; names the one it reverses


class BatchStatus(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"


class Claim(Base):
    """A claim for time or expenses from one attendance, and its approval."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("attendance_id", "kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_claims_person_attendance", "person_id", "attendance_id"),  # a person's statement (0007)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendances.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ClaimKind] = mapped_column(_enum(ClaimKind, "claim_kind"))
    status: Mapped[ClaimStatus] = mapped_column(_enum(ClaimStatus, "claim_status"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    #: What the amount was worked out from, kept so it can be explained later.
    basis: Mapped[PayBasis | None] = mapped_column(_enum(PayBasis, "pay_basis"))
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    rate_card_ref: Mapped[str | None] = mapped_column(String(120))
    hours: Mapped[Decimal | None] = mapped_column(Hours)
    prep_hours: Mapped[Decimal | None] = mapped_column(Hours)
    travel_hours: Mapped[Decimal | None] = mapped_column(Hours)
    paid_hours: Mapped[Decimal | None] = mapped_column(Hours)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: Why a claim was rejected, in words the person will read.
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: How the claim was settled (by the person's choice at the time) and when; the
    #: transactions themselves name the claim (LedgerTransaction.claim_id).
    settled_as: Mapped[Reciprocity | None] = mapped_column(_enum(Reciprocity, "reciprocity"))
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    attendance: Mapped[Attendance] = relationship()
    person: Mapped[Person] = relationship()
    project: Mapped[Project] = relationship()


class LedgerTransaction(Base):
    """A balanced set of postings. Never changed or removed: the database refuses it."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (UniqueConstraint("reverses_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Position in the hash chain: 1, 2, 3… with no gaps.
    sequence: Mapped[int] = mapped_column(BigInteger, unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[TransactionKind] = mapped_column(_enum(TransactionKind, "transaction_kind"))
    #: The day it counts in (its period). Never in a closed month.
    posted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(Text)
    #: Why: required for reversals.
    reason: Mapped[str | None] = mapped_column(Text)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id", ondelete="RESTRICT"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id", ondelete="RESTRICT"))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: 1: an unkeyed SHA-256 (recorded before the ledger key existed); 2: an HMAC with the ledger key.
    chain_version: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="1")

    postings: Mapped[list[Posting]] = relationship(back_populates="transaction", order_by="Posting.id")


class Posting(Base):
    """One line of a transaction: an amount in one account (debit positive, credit negative)."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        # Balances and ledger pages at scale (migration 0007): each covers what its query sums.
        Index("ix_postings_project_account", "project_id", "account", "person_id", "amount"),
        Index("ix_postings_project_transaction", "project_id", "transaction_id"),
        Index("ix_postings_person_project", "person_id", "project_id", "account", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True)
    account: Mapped[Account] = mapped_column(_enum(Account, "ledger_account"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Money)

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="postings")


class LedgerHead(Base):
    """The end of the hash chain. One row; locking it makes posting one-at-a-time."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class PaymentBatch(Base):
    """Money owed to payees, gathered for finance to pay, then marked paid once."""

    __tablename__ = "payment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus, "batch_status"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    total: Mapped[Decimal] = mapped_column(Money)
    payees: Mapped[int] = mapped_column(Integer)

    project: Mapped[Project] = relationship()
    items: Mapped[list[BatchItem]] = relationship(back_populates="batch", order_by="BatchItem.id")


class BatchItem(Base):
    """A claim in a batch. A claim can be in one batch only (the database makes sure)."""

    __tablename__ = "batch_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id", ondelete="RESTRICT"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Money)

    batch: Mapped[PaymentBatch] = relationship(back_populates="items")
    claim: Mapped[Claim] = relationship()
    person: Mapped[Person] = relationship()


class ClosedPeriod(Base):
    """A month finance has closed: nothing more can be posted into it."""

    __tablename__ = "closed_periods"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the first day of the month
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
