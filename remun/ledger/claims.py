"""Claims: attendance becomes a claim for time and a claim for expenses; a lead approves or rejects.

Approval posts the accrual; nothing reaches the ledger before it. Salaried
staff are paid by their employer, so their attendance makes no claims.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Row, delete, select, update
from sqlalchemy.orm import Session, selectinload

from remun.bulk_insert import insert_rows
from remun.project_records.enums import PayBasis, Reciprocity
from remun.ledger.models import (Account, BatchItem, BatchStatus, Claim, ClaimKind, ClaimStatus, LedgerTransaction,
                                 PaymentBatch, TransactionKind)
from remun.ledger.posting import (AlreadyDone, ClaimDecided, LedgerError, Line, PeriodClosed, is_closed, lock_ledger,
                                  month_of, now, post, reverse)
from remun.reciprocity.models import SettlementPart
from remun.project_records.models import Attendance, Expense, Meeting, Person, Role
from remun.money import ZERO
from remun.pay.terms import NoRateOnDate, PayTerms, pay_terms
from remun.pay.terms import paid_hours, pay_for_attendance
from remun.pay.rate_cards import RateBook

#: Claims that may still change with their attendance.
OPEN = (ClaimStatus.SUBMITTED, ClaimStatus.REVERSED, ClaimStatus.REJECTED)


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    #: Attendance whose role's published rate had no figure on the session date.
    unpriced: list[int] = field(default_factory=list)


def _time_claim_facts(attendance: Row, role: Role, day: dt.date, book: RateBook,
                      priced_on: dict[tuple[int, dt.date], PayTerms]) -> dict | None:
    """The time claim for an attendance (a row with its hours) in ``role`` on ``day``; None when not paid.

    ``priced_on`` keeps each of one sync's terms priced on each day (the same for every attendance that day).
    """
    terms = role.terms_on(day)
    if terms is None or terms.basis == PayBasis.SALARY:
        return None
    priced = priced_on.get((terms.id, day))
    if priced is None:
        priced = priced_on[(terms.id, day)] = pay_terms(terms, book, day)  # may raise NoRateOnDate
    actual = priced.__class__(
        basis=priced.basis, rate=priced.rate, session_hours=attendance.hours, prep_hours=attendance.prep_hours,
        prep_paid=priced.prep_paid, travel_hours=attendance.travel_hours, travel_paid=priced.travel_paid,
    )
    return {
        "amount": pay_for_attendance(priced, attendance.hours, attendance.prep_hours, attendance.travel_hours),
        "basis": priced.basis, "rate": priced.rate, "rate_card_ref": terms.rate_card_ref,
        "hours": attendance.hours, "prep_hours": attendance.prep_hours, "travel_hours": attendance.travel_hours,
        "paid_hours": paid_hours(actual),
    }


def _priced_time_claim(attendance: Row, roles: dict[int, Role], book: RateBook,
                       priced_on: dict[tuple[int, dt.date], PayTerms], known: dict[tuple, object]) -> object:
    """``_time_claim_facts`` for an attendance without its hours: None, _UNPRICED, or (amount, basis, rate,
    rate card, paid hours).

    Worked out once for each role, day and hours in a sync: the 10,000 rows of an upload come to a
    few hundred different claims, and pricing each row again cost more CPU than writing it. The hours are
    keyed by their text, so two equal Decimals written differently (2.5, 2.50) are priced each as it is.
    """
    key = (attendance.role_id, attendance.date, str(attendance.hours), str(attendance.prep_hours),
           str(attendance.travel_hours))
    priced = known.get(key, _NOT_KNOWN)
    if priced is _NOT_KNOWN:
        try:
            facts = _time_claim_facts(attendance, roles[attendance.role_id], attendance.date, book, priced_on)
        except NoRateOnDate:
            priced = _UNPRICED
        else:
            priced = None if facts is None else (
                facts["amount"], facts["basis"], facts["rate"], facts["rate_card_ref"], facts["paid_hours"])
        known[key] = priced
    return priced


_NOT_KNOWN = object()
#: The rate card had no figure on the session's date.
_UNPRICED = object()


def sync_claims(session: Session, book: RateBook, *, project_id: int | None = None,
                attendance_ids: list[int] | None = None, user_id: int | None = None) -> SyncResult:
    """Make each attendance's claims match it: create, update or remove claims not yet approved.

    Approved claims are never touched here: a mistake in one is put right by
    reversing it, after which its attendance can be corrected and claimed again.
    """
    # Columns, not ORM objects: loading 10,000 attendances with their roles and expenses cost more CPU than
    # pricing them. Each row has the attendance's own attribute names (id, person_id, hours ...).
    filters = []
    if project_id is not None:
        filters.append(Meeting.project_id == project_id)
    if attendance_ids is not None:
        filters.append(Attendance.id.in_(attendance_ids))
    rows = session.execute(
        select(Attendance.id, Attendance.person_id, Attendance.role_id, Attendance.hours, Attendance.prep_hours,
               Attendance.travel_hours, Meeting.date, Meeting.project_id)
        .join(Meeting, Attendance.meeting_id == Meeting.id).where(*filters)
    ).all()
    expenses_of: dict[int, Decimal] = {}
    for attendance_id, amount in session.execute(
        select(Expense.attendance_id, Expense.amount).join(Attendance, Expense.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id).where(*filters)
    ):
        expenses_of[attendance_id] = expenses_of.get(attendance_id, ZERO) + amount
    role_ids = sorted({row.role_id for row in rows})
    roles: dict[int, Role] = {}
    for start in range(0, len(role_ids), 500):
        roles.update((role.id, role) for role in session.scalars(
            select(Role).where(Role.id.in_(role_ids[start:start + 500])).options(selectinload(Role.terms))))
    # The claims of the same attendance, in one statement (not a statement for each 500 ids).
    existing: dict[tuple[int, ClaimKind], Claim] = {
        (claim.attendance_id, claim.kind): claim for claim in session.scalars(
            select(Claim).join(Attendance, Claim.attendance_id == Attendance.id)
            .join(Meeting, Attendance.meeting_id == Meeting.id).where(*filters))}

    result = SyncResult()
    submitted_at = now()
    priced_on: dict[tuple[int, dt.date], PayTerms] = {}
    known: dict[tuple, object] = {}
    new_claims: list[dict] = []  # inserted in bulk at the end: an ORM object each cost more than an import's checks
    for attendance in rows:
        attendance_project = attendance.project_id
        priced = _priced_time_claim(attendance, roles, book, priced_on, known)
        if priced is None:
            time_facts = None
        elif priced is _UNPRICED:
            result.unpriced.append(attendance.id)
            time_facts = None
        else:
            amount, basis, rate, rate_card_ref, paid = priced
            time_facts = {
                "amount": amount, "basis": basis, "rate": rate, "rate_card_ref": rate_card_ref,
                "hours": attendance.hours, "prep_hours": attendance.prep_hours,
                "travel_hours": attendance.travel_hours, "paid_hours": paid,
            }
        expenses = expenses_of.get(attendance.id, ZERO)
        expenses_facts = {"amount": expenses} if expenses > ZERO else None
        if (attendance.id, ClaimKind.TIME) not in existing and (attendance.id, ClaimKind.EXPENSES) not in existing:
            # No claim yet (every row of a new project): each claim wanted is new, with every fact, in full.
            base = {"attendance_id": attendance.id, "person_id": attendance.person_id,
                    "project_id": attendance_project, "status": ClaimStatus.SUBMITTED,
                    "submitted_at": submitted_at, "submitted_by_id": user_id}
            if time_facts is not None:
                new_claims.append({**time_facts, **base, "kind": ClaimKind.TIME})
            if expenses_facts is not None:
                new_claims.append({**_NO_FACTS, "amount": expenses, **base, "kind": ClaimKind.EXPENSES})
            result.created += (time_facts is not None) + (expenses_facts is not None)
            continue
        wanted = {ClaimKind.TIME: time_facts, ClaimKind.EXPENSES: expenses_facts}
        for kind, facts in wanted.items():
            claim = existing.get((attendance.id, kind))
            if claim is not None and claim.status not in OPEN:
                # Approved: fixed until reversed. Syncing an attendance just changed (its own write
                # path) while its claim is approved means the change came too late: refuse it, even
                # when the approval committed before this read (so the row lock was not waited for).
                if attendance_ids is not None and _attendance_differs(claim, attendance, kind, facts):
                    raise ClaimDecided("the claim was approved meanwhile: reverse it first", claim_id=claim.id)
                continue
            if facts is None:
                if claim is not None:
                    _guarded(session, delete(Claim), claim)
                    session.expunge(claim)
                    result.removed += 1
                continue
            if claim is None:
                new_claims.append({**_NO_FACTS, **facts, "attendance_id": attendance.id,
                                   "person_id": attendance.person_id, "project_id": attendance_project,
                                   "status": ClaimStatus.SUBMITTED, "submitted_at": submitted_at,
                                   "submitted_by_id": user_id, "kind": kind})
                result.created += 1
                continue
            changed = claim.person_id != attendance.person_id or any(
                getattr(claim, key) != value for key, value in facts.items())
            # A rejected or reversed claim comes back for a decision only when its attendance
            # was corrected; otherwise the decision, and the reason the person sees, stand.
            if changed:
                _guarded(session, update(Claim).values(
                    **facts, status=ClaimStatus.SUBMITTED, person_id=attendance.person_id, decided_at=None,
                    decided_by_id=None, decision_reason=None, settled_as=None, settled_at=None), claim)
                session.expire(claim)
                result.updated += 1
    session.flush()
    _insert_claims(session, new_claims)
    return result


def _attendance_differs(claim: Claim, attendance: Row, kind: ClaimKind, facts: dict | None) -> bool:
    """Whether the attendance itself (who, hours, expenses) no longer matches this claim.

    Only what the attendance records counts: a new published rate since the approval is
    not a change to the attendance, and never re-prices an approved claim.
    """
    if claim.person_id != attendance.person_id:
        return True
    if kind == ClaimKind.EXPENSES:
        return facts is None or claim.amount != facts["amount"]
    return (claim.hours, claim.prep_hours, claim.travel_hours) != (
        attendance.hours, attendance.prep_hours, attendance.travel_hours)


def _guarded(session: Session, statement, claim: Claim) -> None:
    """Change or remove a claim only while it is still open (not approved).

    The status is checked by the same statement that writes, so a claim approved by
    someone else a moment ago (whose row this statement waited for) is left alone, and
    the whole change is refused instead of an approved amount silently moving.
    """
    done = session.execute(
        statement.where(Claim.id == claim.id, Claim.status.in_(OPEN)).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise ClaimDecided("the claim was approved meanwhile: reverse it first", claim_id=claim.id)


@dataclass
class ApprovalResult:
    approved: list[int] = field(default_factory=list)
    #: Asked for twice (a double click, or two people at once): done only once.
    already_decided: list[int] = field(default_factory=list)


def approve(session: Session, claim_ids: list[int], user_id: int | None, posted_on: dt.date | None = None) -> ApprovalResult:
    """Approve submitted claims and post each accrual. Safe to repeat: a claim is approved once."""
    day = posted_on or dt.date.today()
    if is_closed(session, day):
        raise PeriodClosed(month=month_of(day))  # before anything moves
    lock_ledger(session)  # first, like every ledger decision: one lock order, no deadlock with a reversal
    result = ApprovalResult()
    for claim_id in claim_ids:
        # Claim it atomically: only one request can move it out of "submitted".
        moved = session.execute(
            update(Claim)
            .where(Claim.id == claim_id, Claim.status == ClaimStatus.SUBMITTED)
            .values(status=ClaimStatus.APPROVED, decided_at=now(), decided_by_id=user_id, decision_reason=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            result.already_decided.append(claim_id)
            continue
        claim = session.get(Claim, claim_id, populate_existing=True)
        _post_accrual(session, claim, user_id, posted_on)
        result.approved.append(claim_id)
    session.flush()
    return result


def _post_accrual(session: Session, claim: Claim, user_id: int | None, posted_on: dt.date | None) -> None:
    if claim.amount == ZERO:
        return
    person = session.get(Person, claim.person_id)
    label = "time" if claim.kind == ClaimKind.TIME else "expenses"
    if claim.kind == ClaimKind.TIME and person.reciprocity == Reciprocity.NO_PAYMENT:
        # Declined at approval: recorded against the person, not project cost.
        post(session, project_id=claim.project_id, kind=TransactionKind.DECLINED, user_id=user_id,
             posted_on=posted_on, claim_id=claim.id, description=f"Claim {claim.id}: {label} offered, payment declined",
             lines=[Line(Account.DECLINED, claim.amount, person.id), Line(Account.DECLINED_OFFSET, -claim.amount, person.id)])
        claim.settled_as = Reciprocity.NO_PAYMENT
        claim.settled_at = now()
        return
    cost = Account.COST_TIME if claim.kind == ClaimKind.TIME else Account.COST_EXPENSES
    post(session, project_id=claim.project_id, kind=TransactionKind.ACCRUAL, user_id=user_id, posted_on=posted_on,
         claim_id=claim.id, description=f"Claim {claim.id}: {label} approved",
         lines=[Line(cost, claim.amount), Line(Account.OWED, -claim.amount, person.id)])


def reject(session: Session, claim_id: int, reason: str, user_id: int | None) -> bool:
    """Reject a submitted claim with a reason the person will see. False if it was already decided."""
    if not reason or not reason.strip():
        raise LedgerError("a rejection needs a reason")
    moved = session.execute(
        update(Claim)
        .where(Claim.id == claim_id, Claim.status == ClaimStatus.SUBMITTED)
        .values(status=ClaimStatus.REJECTED, decided_at=now(), decided_by_id=user_id, decision_reason=reason.strip())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire_all()
    return moved == 1


def reverse_claim(session: Session, claim_id: int, reason: str, user_id: int | None,
                  posted_on: dt.date | None = None) -> list[LedgerTransaction]:
    """Undo an approved claim: reverse its settlement (if in kind or declined) and its accrual.

    Decided under the ledger lock, with the claim's row locked, so a batch being made or
    paid at the same moment sees either the claim before or after, never half. A claim in
    an open batch is taken out of it; one paid by bank cannot be reversed here: finance
    records any recovery outside Remun, so the claim stays as paid.
    """
    if not reason or not reason.strip():
        raise LedgerError("a reversal needs a reason")
    lock_ledger(session)
    claim = session.scalars(
        select(Claim).where(Claim.id == claim_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if claim is None:
        raise LedgerError("no such claim", claim_id=claim_id)
    if claim.status == ClaimStatus.REVERSED:
        raise AlreadyDone("already reversed", claim_id=claim_id)
    if claim.status != ClaimStatus.APPROVED:
        raise LedgerError("only an approved claim can be reversed", claim_id=claim_id)
    if claim.settled_as == Reciprocity.BANK_TRANSFER:
        raise LedgerError("paid by bank", claim_id=claim_id)
    item = session.scalar(select(BatchItem).where(BatchItem.claim_id == claim_id))
    if item is not None:
        batch = session.get(PaymentBatch, item.batch_id, populate_existing=True)
        if batch.status != BatchStatus.OPEN:
            raise LedgerError("paid by bank", claim_id=claim_id)
        _take_out_of_batch(session, batch, item)
    reversed_ = [
        reverse(session, transaction.id, reason, user_id, posted_on)
        for transaction in session.scalars(
            select(LedgerTransaction)
            .where(LedgerTransaction.claim_id == claim_id, LedgerTransaction.kind != TransactionKind.REVERSAL)
            .order_by(LedgerTransaction.sequence.desc())
        )
        if session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction.id)) is None
    ]
    claim.status = ClaimStatus.REVERSED
    claim.settled_as = claim.settled_at = None
    session.flush()
    return reversed_


def _take_out_of_batch(session: Session, batch: PaymentBatch, item: BatchItem) -> None:
    """Remove a reversed claim from a batch not yet paid, so the batch never pays it."""
    session.execute(
        update(SettlementPart).where(SettlementPart.claim_id == item.claim_id, SettlementPart.batch_id == batch.id,
                                     SettlementPart.given_at.is_(None))
        .values(batch_id=None).execution_options(synchronize_session=False)
    )
    session.delete(item)
    session.flush()
    remaining = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch.id)).all()
    batch.total = sum((other.amount for other in remaining), ZERO)
    batch.payees = len({other.person_id for other in remaining})
    session.flush()


def claims_waiting(session: Session, project_id: int) -> list[Claim]:
    return list(session.scalars(
        select(Claim).where(Claim.project_id == project_id, Claim.status == ClaimStatus.SUBMITTED).order_by(Claim.id)
    ))


def remove_open_claims(session: Session, attendance_id: int) -> None:
    """Before an attendance is removed: its claims not yet approved go with it."""
    session.execute(delete(Claim).where(Claim.attendance_id == attendance_id, Claim.status.in_(OPEN)))


def has_decided_claims(session: Session, attendance_id: int) -> bool:
    return session.scalar(
        select(Claim.id).where(Claim.attendance_id == attendance_id, Claim.status == ClaimStatus.APPROVED).limit(1)
    ) is not None


#: Every fact a claim may record: an expenses claim leaves the time facts empty.
_FACTS = ("amount", "basis", "rate", "rate_card_ref", "hours", "prep_hours", "travel_hours", "paid_hours")
_NO_FACTS = dict.fromkeys(_FACTS)


def _insert_claims(session: Session, claims: list[dict]) -> None:
    """New claims in bulk (remun.bulk_insert), each with every fact (None where it has none) and the same keys."""
    insert_rows(session, Claim.__table__, claims)
