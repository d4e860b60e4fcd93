"""Settlement: moving what is owed to bank, vouchers, training or a donation, by the person's choice.

Money for time follows the person's reciprocity choice at the time of
settlement (a change of mind applies to whatever is not yet settled).
Expenses are always repaid as money. Nothing is settled for someone who has
not chosen yet: it waits, and finance can see who.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from remun.enums import Reciprocity
from remun.ledger.models import (
    Account,
    BatchItem,
    BatchStatus,
    Claim,
    ClaimKind,
    ClaimStatus,
    LedgerHead,
    PaymentBatch,
    TransactionKind,
)
from remun.ledger.posting import Line, now, post
from remun.models import Person
from remun.money import ZERO

IN_KIND_ACCOUNT = {
    Reciprocity.VOUCHERS: Account.VOUCHERS,
    Reciprocity.TRAINING: Account.TRAINING,
    Reciprocity.DONATION: Account.DONATIONS,
}


def _lock_ledger(session: Session) -> None:
    """Take the ledger lock so two finance users cannot gather the same claims at once."""
    session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(last_hash=LedgerHead.last_hash))


def _unsettled(session: Session, project_id: int | None = None):
    query = (
        select(Claim, Person.reciprocity)
        .join(Person, Claim.person_id == Person.id)
        .outerjoin(BatchItem, BatchItem.claim_id == Claim.id)
        .where(Claim.status == ClaimStatus.APPROVED, Claim.settled_at.is_(None), Claim.amount > 0,
               BatchItem.id.is_(None))
        .order_by(Claim.id)
    )
    if project_id is not None:
        query = query.where(Claim.project_id == project_id)
    return session.execute(query).all()


def payable_by_bank(claim: Claim, choice: Reciprocity) -> bool:
    return claim.kind == ClaimKind.EXPENSES or choice == Reciprocity.BANK_TRANSFER


@dataclass
class Waiting:
    """Approved money not yet settled, by why it waits."""

    by_bank: list[Claim] = field(default_factory=list)
    in_kind: list[tuple[Claim, Reciprocity]] = field(default_factory=list)
    declined: list[Claim] = field(default_factory=list)
    not_chosen: list[Claim] = field(default_factory=list)


def waiting(session: Session, project_id: int | None = None) -> Waiting:
    result = Waiting()
    for claim, choice in _unsettled(session, project_id):
        if payable_by_bank(claim, choice):
            result.by_bank.append(claim)
        elif choice in IN_KIND_ACCOUNT:
            result.in_kind.append((claim, choice))
        elif choice == Reciprocity.NO_PAYMENT:
            result.declined.append(claim)
        else:
            result.not_chosen.append(claim)
    return result


def create_batch(session: Session, project_id: int, user_id: int | None) -> PaymentBatch | None:
    """Gather approved money owed by bank transfer into a new batch; None when there is nothing to pay."""
    _lock_ledger(session)
    claims = waiting(session, project_id).by_bank
    if not claims:
        return None
    batch = PaymentBatch(
        project_id=project_id, status=BatchStatus.OPEN, created_at=now(), created_by_id=user_id,
        total=sum((claim.amount for claim in claims), ZERO), payees=len({claim.person_id for claim in claims}),
        items=[BatchItem(claim_id=claim.id, person_id=claim.person_id, amount=claim.amount) for claim in claims],
    )
    session.add(batch)
    session.flush()
    return batch


def mark_paid(session: Session, batch_id: int, user_id: int | None, posted_on: dt.date | None = None) -> bool:
    """Record that finance paid the batch: post the settlements. False if it was already paid."""
    moved = session.execute(
        update(PaymentBatch)
        .where(PaymentBatch.id == batch_id, PaymentBatch.status == BatchStatus.OPEN)
        .values(status=BatchStatus.PAID, paid_at=now(), paid_by_id=user_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    batch = session.get(PaymentBatch, batch_id, populate_existing=True)
    for item in batch.items:
        post(session, project_id=batch.project_id, kind=TransactionKind.SETTLEMENT, user_id=user_id,
             posted_on=posted_on, claim_id=item.claim_id, batch_id=batch.id,
             description=f"Claim {item.claim_id}: paid by bank in batch {batch.id}",
             lines=[Line(Account.OWED, item.amount, item.person_id), Line(Account.BANK, -item.amount, item.person_id)])
        item.claim.settled_as = Reciprocity.BANK_TRANSFER
        item.claim.settled_at = now()
    session.flush()
    return True


@dataclass
class InKindResult:
    settled: dict[Reciprocity, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    declined: Decimal = ZERO


def settle_in_kind(session: Session, project_id: int, user_id: int | None,
                   posted_on: dt.date | None = None) -> InKindResult:
    """Settle approved time by each person's current choice: vouchers, training, a donation or none.

    Someone who chose no payment after their claim was approved: the owed
    amount is taken back out of project cost and recorded as declined.
    """
    _lock_ledger(session)
    result = InKindResult()
    pending = waiting(session, project_id)
    for claim, choice in pending.in_kind:
        post(session, project_id=claim.project_id, kind=TransactionKind.SETTLEMENT, user_id=user_id,
             posted_on=posted_on, claim_id=claim.id, description=f"Claim {claim.id}: given as {choice.value}",
             lines=[Line(Account.OWED, claim.amount, claim.person_id),
                    Line(IN_KIND_ACCOUNT[choice], -claim.amount, claim.person_id)])
        claim.settled_as, claim.settled_at = choice, now()
        result.settled[choice] += claim.amount
    for claim in pending.declined:
        post(session, project_id=claim.project_id, kind=TransactionKind.DECLINED, user_id=user_id,
             posted_on=posted_on, claim_id=claim.id, description=f"Claim {claim.id}: payment declined",
             lines=[Line(Account.OWED, claim.amount, claim.person_id), Line(Account.COST_TIME, -claim.amount),
                    Line(Account.DECLINED, claim.amount, claim.person_id),
                    Line(Account.DECLINED_OFFSET, -claim.amount, claim.person_id)])
        claim.settled_as, claim.settled_at = Reciprocity.NO_PAYMENT, now()
        result.declined += claim.amount
    session.flush()
    return result
