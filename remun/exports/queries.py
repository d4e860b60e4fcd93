"""The rows exports read, with SQLAlchemy Core: streamed in chunks, aggregated in SQL.

Postings are never loaded as ORM objects: a million of them would take
minutes and gigabytes. ``ledger_rows`` yields plain tuples in chunks
(``yield_per``: a server-side cursor on PostgreSQL), so memory stays the same
however long the ledger is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from remun.enums import Reciprocity
from remun.ledger.models import (
    Account,
    BatchItem,
    BatchStatus,
    Claim,
    ClaimKind,
    ClaimStatus,
    LedgerTransaction,
    PaymentBatch,
    Posting,
    TransactionKind,
)
from remun.exports.context import ExportFilters
from remun.models import Attendance, Expense, Meeting, Person, Project, Role
from remun.money import ZERO, round_money

CHUNK = 5_000


def _posting_filters(filters: ExportFilters, transaction=LedgerTransaction) -> list:
    conditions = []
    if filters.project_ids is not None:
        conditions.append(Posting.project_id.in_(filters.project_ids))
    if filters.date_from is not None:
        conditions.append(transaction.posted_on >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(transaction.posted_on <= filters.date_to)
    return conditions


def projects(session: Session, filters: ExportFilters) -> list[tuple[int, str, str | None, str]]:
    """(id, name, cost centre, currency) of the chosen projects, by name."""
    query = select(Project.id, Project.name, Project.cost_centre, Project.currency).order_by(Project.name, Project.id)
    if filters.project_ids is not None:
        query = query.where(Project.id.in_(filters.project_ids))
    return [tuple(row) for row in session.execute(query)]


def count_postings(session: Session, filters: ExportFilters) -> int:
    query = select(func.count(Posting.id)).join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
    return session.scalar(query.where(*_posting_filters(filters))) or 0


@dataclass(frozen=True)
class ControlTotal:
    currency: str
    postings: int
    debits: Decimal
    credits: Decimal


def control_totals(session: Session, filters: ExportFilters) -> list[ControlTotal]:
    """Postings, debits and credits per currency, summed by the database."""
    query = (
        select(
            Project.currency,
            func.count(Posting.id),
            func.coalesce(func.sum(case((Posting.amount > 0, Posting.amount), else_=0)), 0),
            func.coalesce(func.sum(case((Posting.amount < 0, -Posting.amount), else_=0)), 0),
        )
        .select_from(Posting)
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .join(Project, Posting.project_id == Project.id)
        .where(*_posting_filters(filters))
        .group_by(Project.currency)
        .order_by(Project.currency)
    )
    return [ControlTotal(currency, count, as_decimal(debits), as_decimal(credits))
            for currency, count, debits, credits in session.execute(query)]


#: The columns of one ledger row, in the order ``ledger_rows`` gives them.
LEDGER_FIELDS = (
    "posted_on", "transaction_id", "project", "cost_centre", "account", "person", "payee_reference", "role",
    "claim_kind", "description", "paid_hours", "amount", "transaction_kind", "reversed", "batch_id", "currency",
    "project_id",
)


def ledger_query(filters: ExportFilters):
    transaction = LedgerTransaction
    reversal = aliased(LedgerTransaction)
    person_id = func.coalesce(Posting.person_id, Claim.person_id)
    return (
        select(
            transaction.posted_on,
            transaction.id,
            Project.name,
            Project.cost_centre,
            Posting.account,
            Person.name,
            Person.payee_reference,
            Role.title,
            Claim.kind,
            transaction.description,
            Claim.paid_hours,
            Posting.amount,
            transaction.kind,
            reversal.id,
            transaction.batch_id,
            Project.currency,
            Posting.project_id,
        )
        .select_from(Posting)
        .join(transaction, Posting.transaction_id == transaction.id)
        .join(Project, Posting.project_id == Project.id)
        .outerjoin(Claim, transaction.claim_id == Claim.id)
        .outerjoin(Person, Person.id == person_id)
        .outerjoin(Attendance, Claim.attendance_id == Attendance.id)
        .outerjoin(Role, Attendance.role_id == Role.id)
        .outerjoin(reversal, reversal.reverses_id == transaction.id)
        .where(*_posting_filters(filters, transaction))
        .order_by(transaction.sequence, Posting.id)
    )


def ledger_rows(session: Session, filters: ExportFilters, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """The postings, oldest transaction first, as lists of plain tuples of at most ``chunk`` rows."""
    result = session.execute(ledger_query(filters), execution_options={"yield_per": chunk})
    try:
        for partition in result.partitions(chunk):
            yield [tuple(row) for row in partition]
    finally:
        result.close()


def account_totals(session: Session, filters: ExportFilters, accounts: tuple[Account, ...]):
    """Per project and person: the credit balance moved in each account in the period."""
    query = (
        select(Posting.project_id, Posting.person_id, Posting.account, func.sum(-Posting.amount))
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .where(Posting.account.in_(accounts), Posting.person_id.is_not(None), *_posting_filters(filters))
        .group_by(Posting.project_id, Posting.person_id, Posting.account)
    )
    return {(project_id, person_id, account): as_decimal(total) for project_id, person_id, account, total in session.execute(query)}


def _unsettled(filters: ExportFilters):
    conditions = [Claim.status == ClaimStatus.APPROVED, Claim.settled_at.is_(None), Claim.amount > 0]
    if filters.project_ids is not None:
        conditions.append(Claim.project_id.in_(filters.project_ids))
    return conditions


def payments_due(session: Session, filters: ExportFilters):
    """Per project and payee: approved money to pay by bank, not yet paid (in a batch or not).

    The same claims as ``remun.ledger.settlement.payable_by_bank``: expenses
    always, time when the person chose a bank transfer.
    """
    open_batch = case((PaymentBatch.status == BatchStatus.OPEN, PaymentBatch.id), else_=None)
    query = (
        select(
            Project.name, Project.cost_centre, Person.name, Person.payee_reference, func.count(Claim.id),
            func.sum(Claim.amount), Project.currency, func.min(open_batch), func.max(open_batch),
            func.min(Claim.decided_at), Person.id, Project.id,
        )
        .select_from(Claim)
        .join(Person, Claim.person_id == Person.id)
        .join(Project, Claim.project_id == Project.id)
        .outerjoin(BatchItem, BatchItem.claim_id == Claim.id)
        .outerjoin(PaymentBatch, BatchItem.batch_id == PaymentBatch.id)
        .where(*_unsettled(filters),
               or_(Claim.kind == ClaimKind.EXPENSES, Person.reciprocity == Reciprocity.BANK_TRANSFER))
        .group_by(Project.id, Project.name, Project.cost_centre, Project.currency, Person.id, Person.name,
                  Person.payee_reference)
        .order_by(Project.name, Project.id, Person.name, Person.id)
    )
    return session.execute(query).all()


def waiting_in_kind(session: Session, filters: ExportFilters, choice: Reciprocity):
    """Per project and person: approved time to give as ``choice``, not yet given."""
    query = (
        select(Claim.project_id, Claim.person_id, func.count(Claim.id), func.sum(Claim.amount))
        .join(Person, Claim.person_id == Person.id)
        .where(*_unsettled(filters), Claim.kind == ClaimKind.TIME, Person.reciprocity == choice)
        .group_by(Claim.project_id, Claim.person_id)
    )
    return {(project_id, person_id): (count, as_decimal(total)) for project_id, person_id, count, total in session.execute(query)}


def people(session: Session, ids) -> dict[int, tuple[str, str | None]]:
    ids = sorted(set(ids))
    found: dict[int, tuple[str, str | None]] = {}
    for start in range(0, len(ids), 500):
        for person_id, name, reference in session.execute(
            select(Person.id, Person.name, Person.payee_reference).where(Person.id.in_(ids[start:start + 500]))
        ):
            found[person_id] = (name, reference)
    return found


def expense_rows(session: Session, filters: ExportFilters, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """Each expense of each approved expenses claim whose approval counts in the period."""
    accrual = aliased(LedgerTransaction)
    reversal = aliased(LedgerTransaction)
    conditions = [Claim.status == ClaimStatus.APPROVED]
    if filters.project_ids is not None:
        conditions.append(Claim.project_id.in_(filters.project_ids))
    if filters.date_from is not None:
        conditions.append(accrual.posted_on >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(accrual.posted_on <= filters.date_to)
    query = (
        select(
            Meeting.date, Project.name, Project.cost_centre, Meeting.title, Person.name, Person.payee_reference,
            Expense.category, Expense.note, Expense.amount, Project.currency, Claim.id, accrual.posted_on,
            Claim.settled_at,
        )
        .select_from(Expense)
        .join(Attendance, Expense.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Claim, and_(Claim.attendance_id == Attendance.id, Claim.kind == ClaimKind.EXPENSES))
        .join(Project, Claim.project_id == Project.id)
        .join(Person, Claim.person_id == Person.id)
        .join(accrual, and_(accrual.claim_id == Claim.id, accrual.kind == TransactionKind.ACCRUAL))
        .outerjoin(reversal, reversal.reverses_id == accrual.id)
        .where(reversal.id.is_(None), *conditions)
        .order_by(Meeting.date, Project.name, Person.name, Expense.id)
    )
    result = session.execute(query, execution_options={"yield_per": chunk})
    try:
        for partition in result.partitions(chunk):
            yield [tuple(row) for row in partition]
    finally:
        result.close()


def batch_payees(session: Session, batch_id: int):
    """A batch's payees: (payee reference, name, amount, claims), by name then person, fixed order."""
    return session.execute(
        select(Person.payee_reference, Person.name, func.sum(BatchItem.amount), func.count(BatchItem.id), Person.id)
        .join(Person, BatchItem.person_id == Person.id)
        .where(BatchItem.batch_id == batch_id)
        .group_by(Person.id, Person.name, Person.payee_reference)
        .order_by(Person.name, Person.id)
    ).all()


def as_decimal(value) -> Decimal:
    """A database sum as money: SQLite may hand back a float, which is read through its text."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return round_money(Decimal(value))


def to_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value

