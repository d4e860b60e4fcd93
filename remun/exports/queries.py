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

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from remun.project_records.enums import Reciprocity
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
from remun.project_records.models import Attendance, Expense, Meeting, Person, Project, Role
from remun.money import ZERO, round_money
from remun.reciprocity.models import SettlementPart

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


def _stream(session: Session, query, chunk: int):
    """Rows in chunks (a server-side cursor on PostgreSQL), through Core: these are plain
    columns, and the ORM's row loading would cost a tenth of the export's time for nothing."""
    return session.connection().execute(query, execution_options={"yield_per": chunk})


def ledger_rows(session: Session, filters: ExportFilters, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """The postings, oldest transaction first, as lists of plain tuples of at most ``chunk`` rows."""
    result = _stream(session, ledger_query(filters), chunk)
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


@dataclass(frozen=True)
class Due:
    """Money to pay one payee in one way (bank, card, cheque, or to someone else), not yet paid."""

    project_id: int
    project: str
    cost_centre: str | None
    currency: str
    person_id: int
    payee: str
    reference: str | None
    method: Reciprocity
    detail: str | None
    claims: int
    amount: Decimal
    first_batch: int | None
    last_batch: int | None
    since: dt.datetime | None


@dataclass(frozen=True)
class ToGive:
    """Approved time one person is still to be given as vouchers, training or a donation."""

    claims: int
    amount: Decimal
    #: What it needs (the voucher provider, the course, the charity), as the person chose it.
    details: tuple[str, ...]


@dataclass(frozen=True)
class WaitingPart:
    """One part of one claim that settlement says is still to pay or give: plain values, no ORM objects."""

    project_id: int
    person_id: int
    claim_id: int
    method: Reciprocity
    detail: str | None
    amount: Decimal
    decided_at: dt.datetime | None


def waiting_parts(session: Session, filters: ExportFilters) -> list[WaitingPart]:
    """What settlement says is still to pay or give, part by part (money already in a batch is not here).

    The same parts ``remun.ledger.settlement`` will batch or give, splits included, so the
    workbook never disagrees with what finance will be asked to do. Asked one project at a
    time and kept as plain values: ``waiting`` loads every approved, unsettled claim as an ORM
    object, and for the whole organisation at once that held hundreds of megabytes.
    """
    from remun.ledger.settlement import waiting

    if filters.project_ids is not None:
        project_ids = filters.project_ids
    else:
        project_ids = tuple(session.scalars(select(Project.id).order_by(Project.id)))
    found: list[WaitingPart] = []
    for project_id in project_ids:
        for pending in waiting(session, project_id).pending:
            claim = pending.claim
            found.extend(WaitingPart(claim.project_id, claim.person_id, claim.id, part.method, part.detail,
                                     part.amount, claim.decided_at) for part in pending.parts)
    return found


def payments_due(session: Session, filters: ExportFilters, waiting: list[WaitingPart] | None = None) -> list[Due]:
    """Per project, payee and way of paying: approved money not yet paid, in an open batch or still to batch.

    ``waiting`` is ``waiting_parts``' answer when the caller has it already.
    """
    rows: list[tuple[int, int, Reciprocity, str | None, int, Decimal, int | None, dt.datetime | None]] = []
    in_batch = (
        select(BatchItem.claim_id, BatchItem.person_id, Claim.project_id, BatchItem.amount, PaymentBatch.id,
               Claim.decided_at, SettlementPart.method, SettlementPart.detail)
        .join(PaymentBatch, BatchItem.batch_id == PaymentBatch.id)
        .join(Claim, BatchItem.claim_id == Claim.id)
        .outerjoin(SettlementPart, and_(SettlementPart.claim_id == BatchItem.claim_id,
                                        SettlementPart.batch_id == BatchItem.batch_id))
        .where(PaymentBatch.status == BatchStatus.OPEN)
    )
    if filters.project_ids is not None:
        in_batch = in_batch.where(Claim.project_id.in_(filters.project_ids))
    for claim_id, person_id, project_id, amount, batch_id, decided_at, method, detail in session.execute(in_batch):
        # Batched before settlement parts existed: a bank transfer.
        rows.append((project_id, person_id, method or Reciprocity.BANK_TRANSFER, detail, claim_id,
                     as_decimal(amount), batch_id, decided_at))
    for part in waiting_parts(session, filters) if waiting is None else waiting:
        if part.method.is_money:
            rows.append((part.project_id, part.person_id, part.method, part.detail, part.claim_id, part.amount, None,
                         part.decided_at))

    grouped: dict[tuple, dict] = {}
    for project_id, person_id, method, detail, claim_id, amount, batch_id, decided_at in rows:
        entry = grouped.setdefault((project_id, person_id, method, detail or None),
                                   {"claims": set(), "amount": ZERO, "batches": [], "since": None})
        entry["claims"].add(claim_id)
        entry["amount"] += amount
        if batch_id is not None:
            entry["batches"].append(batch_id)
        if decided_at is not None and (entry["since"] is None or decided_at < entry["since"]):
            entry["since"] = decided_at
    chosen = {project_id: (name, cost_centre, currency) for project_id, name, cost_centre, currency
              in projects(session, ExportFilters(project_ids=tuple({key[0] for key in grouped})))} if grouped else {}
    named = people(session, (key[1] for key in grouped))
    due = []
    for (project_id, person_id, method, detail), entry in grouped.items():
        name, cost_centre, currency = chosen[project_id]
        payee, reference = named.get(person_id, ("", None))
        batches = entry["batches"]
        due.append(Due(project_id, name, cost_centre, currency, person_id, payee, reference, method, detail,
                       len(entry["claims"]), entry["amount"], min(batches) if batches else None,
                       max(batches) if batches else None, entry["since"]))
    return sorted(due, key=lambda row: (row.project, row.project_id, row.payee, row.person_id, row.method.value,
                                        row.detail or ""))


def waiting_in_kind(session: Session, filters: ExportFilters, choice: Reciprocity,
                    waiting: list[WaitingPart] | None = None) -> dict[tuple[int, int], ToGive]:
    """Per project and person: approved time still to give as ``choice`` (a split's share included)."""
    found: dict[tuple[int, int], dict] = {}
    for part in waiting_parts(session, filters) if waiting is None else waiting:
        if part.method != choice:
            continue
        entry = found.setdefault((part.project_id, part.person_id), {"claims": set(), "amount": ZERO, "details": []})
        entry["claims"].add(part.claim_id)
        entry["amount"] += part.amount
        if part.detail and part.detail not in entry["details"]:
            entry["details"].append(part.detail)
    return {key: ToGive(len(entry["claims"]), entry["amount"], tuple(entry["details"])) for key, entry in found.items()}


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
            Claim.settled_at, Expense.miles, Expense.vehicle,
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
    result = _stream(session, query, chunk)
    try:
        for partition in result.partitions(chunk):
            yield [tuple(row) for row in partition]
    finally:
        result.close()


def batch_payees(session: Session, batch_id: int):
    """A batch's payees, per way of paying: (payee reference, name, amount, claims, person id, method, detail),
    by name, then person, then way, a fixed order (so the same batch gives the same file)."""
    method = func.coalesce(SettlementPart.method, Reciprocity.BANK_TRANSFER.value)
    return session.execute(
        select(Person.payee_reference, Person.name, func.sum(BatchItem.amount), func.count(BatchItem.id), Person.id,
               method, SettlementPart.detail)
        .join(Person, BatchItem.person_id == Person.id)
        .outerjoin(SettlementPart, and_(SettlementPart.claim_id == BatchItem.claim_id,
                                        SettlementPart.batch_id == BatchItem.batch_id))
        .where(BatchItem.batch_id == batch_id)
        .group_by(Person.id, Person.name, Person.payee_reference, method, SettlementPart.detail)
        .order_by(Person.name, Person.id, method, SettlementPart.detail)
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

