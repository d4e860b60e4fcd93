"""Settlement: moving what is owed to money, vouchers, training or a donation, by the person's choice.

Money for time follows the person's reciprocity choice at the time of
settlement (a change of mind applies to whatever is not yet settled). A split
choice shares each claim by percentage (remun/reciprocity/routing.py): the
money part goes into a payment batch, the rest is given in kind. Once any part
of a claim has been batched or given, the rest of that claim keeps the same
split. Expenses are always repaid as money. Nothing is settled for someone who
has not chosen yet: it waits, and finance can see who.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from remun.project_records.enums import Reciprocity
from remun.ledger.models import (
    Account,
    BatchItem,
    BatchStatus,
    Claim,
    ClaimKind,
    ClaimStatus,
    PaymentBatch,
    TransactionKind,
)
from remun.ledger.posting import LedgerError, Line, lock_ledger, now, post
from remun.project_records.models import Person
from remun.money import ZERO
from remun.reciprocity.choices import CurrentChoice, current_choices
from remun.reciprocity.models import SettlementPart
from remun.reciprocity.routing import RoutedPart, current_accruals, for_this_approval, route

IN_KIND_ACCOUNT = {
    Reciprocity.VOUCHERS: Account.VOUCHERS,
    Reciprocity.TRAINING: Account.TRAINING,
    Reciprocity.DONATION: Account.DONATIONS,
}


def _lock_ledger(session: Session) -> None:
    """Take the ledger lock so two finance users cannot gather the same claims at once."""
    lock_ledger(session)


def _unsettled(session: Session, project_id: int | None = None):
    """Approved claims not yet fully settled, with whether they are already in a batch."""
    query = (
        select(Claim, BatchItem.id)
        .outerjoin(BatchItem, BatchItem.claim_id == Claim.id)
        .where(Claim.status == ClaimStatus.APPROVED, Claim.settled_at.is_(None), Claim.amount > 0,
               # Batched with no settlement parts: ``waiting`` skips these, so they are not loaded.
               or_(BatchItem.id.is_(None), exists().where(SettlementPart.claim_id == Claim.id)))
        .order_by(Claim.id)
    )
    if project_id is not None:
        query = query.where(Claim.project_id == project_id)
    return session.execute(query).all()


@dataclass
class Pending:
    """One claim's parts still waiting, and whether they were fixed already (stored parts)."""

    claim: Claim
    parts: list[RoutedPart]
    stored: list[SettlementPart]
    choice_id: int | None
    accrual_id: int | None = None


@dataclass
class Waiting:
    """Approved money not yet settled, by why it waits."""

    by_bank: list[Claim] = field(default_factory=list)
    in_kind: list[tuple[Claim, Reciprocity]] = field(default_factory=list)
    declined: list[Claim] = field(default_factory=list)
    not_chosen: list[Claim] = field(default_factory=list)
    #: Claims shared between ways (a split): the parts of each still waiting.
    split: list[tuple[Claim, list[RoutedPart]]] = field(default_factory=list)
    #: Every claim waiting with its parts, for settling.
    pending: list[Pending] = field(default_factory=list)

    def money_total(self) -> Decimal:
        return sum((part.amount for item in self.pending for part in item.parts if part.method.is_money), ZERO)

    def money_claims(self) -> int:
        """Claims with money to pay, whole or as part of a split."""
        return sum(1 for item in self.pending if any(part.method.is_money for part in item.parts))


def _choices(session: Session, person_ids: set[int]) -> dict[int, CurrentChoice]:
    people = session.scalars(select(Person).where(Person.id.in_(person_ids))) if person_ids else []
    return current_choices(session, list(people))


def waiting(session: Session, project_id: int | None = None) -> Waiting:
    result = Waiting()
    rows = _unsettled(session, project_id)
    claim_ids = [claim.id for claim, _ in rows]
    stored: dict[int, list[SettlementPart]] = defaultdict(list)
    for start in range(0, len(claim_ids), 500):
        for part in session.scalars(select(SettlementPart).where(SettlementPart.claim_id.in_(claim_ids[start:start + 500]))
                                    .order_by(SettlementPart.id)):
            stored[part.claim_id].append(part)
    choices = _choices(session, {claim.person_id for claim, _ in rows})
    accruals = current_accruals(session, claim_ids)
    for claim, batch_item_id in rows:
        stored[claim.id] = for_this_approval(accruals.get(claim.id), stored.get(claim.id, []))
        if stored[claim.id]:
            # Fixed when first settled: only what is neither given nor in a batch still waits.
            open_parts = [part for part in stored[claim.id] if part.given_at is None and part.batch_id is None]
            parts = [RoutedPart(part.method, part.amount, part.detail) for part in open_parts]
            choice_id = stored[claim.id][0].choice_id
        elif batch_item_id is not None:
            continue  # batched before settlement parts existed: settled when the batch is paid
        else:
            choice = choices[claim.person_id]
            parts = route(claim, choice)
            if parts is None:
                result.not_chosen.append(claim)
                continue
            choice_id = choice.choice_id if claim.kind == ClaimKind.TIME else None
        if not parts:
            continue
        result.pending.append(Pending(claim, parts, stored.get(claim.id, []), choice_id, accruals.get(claim.id)))
        methods = {part.method for part in parts}
        if len(parts) > 1:
            result.split.append((claim, parts))
        elif all(method.is_money for method in methods):
            result.by_bank.append(claim)
        elif parts[0].method in IN_KIND_ACCOUNT:
            result.in_kind.append((claim, parts[0].method))
        else:
            result.declined.append(claim)
    return result


def _fix_parts(session: Session, item: Pending) -> list[SettlementPart]:
    """Store a claim's parts the first time any of it is settled, so its split cannot shift later."""
    if item.stored:
        return item.stored
    created = now()
    item.stored = [
        SettlementPart(claim_id=item.claim.id, person_id=item.claim.person_id, project_id=item.claim.project_id,
                       method=part.method, amount=part.amount, detail=part.detail, choice_id=item.choice_id,
                       accrual_id=item.accrual_id, created_at=created)
        for part in item.parts
    ]
    session.add_all(item.stored)
    session.flush()
    return item.stored


def _finish_if_done(item: Pending) -> None:
    if all(part.given_at is not None for part in item.stored):
        methods = {part.method for part in item.stored}
        item.claim.settled_as = methods.pop() if len(methods) == 1 else Reciprocity.SPLIT
        item.claim.settled_at = now()


def create_batch(session: Session, project_id: int, user_id: int | None) -> PaymentBatch | None:
    """Gather approved money owed (by bank, card, cheque or to someone else) into a new batch; None when nothing."""
    _lock_ledger(session)
    items = []
    for pending in waiting(session, project_id).pending:
        money = [part for part in _fix_parts(session, pending) if part.method.is_money and part.given_at is None
                 and part.batch_id is None]
        if money:
            items.append((pending.claim, money[0]))  # at most one money part per claim (choices.check_parts)
    if not items:
        return None
    batch = PaymentBatch(
        project_id=project_id, status=BatchStatus.OPEN, created_at=now(), created_by_id=user_id,
        total=sum((part.amount for _, part in items), ZERO), payees=len({claim.person_id for claim, _ in items}),
        items=[BatchItem(claim_id=claim.id, person_id=claim.person_id, amount=part.amount) for claim, part in items],
    )
    session.add(batch)
    session.flush()
    for _, part in items:
        part.batch_id = batch.id
    session.flush()
    return batch


def mark_paid(session: Session, batch_id: int, user_id: int | None, posted_on: dt.date | None = None) -> bool:
    """Record that finance paid the batch: post the settlements. False if it was already paid.

    Under the ledger lock, every claim in the batch must still be approved: a claim reversed
    or rejected since the batch was made is never paid (reversing takes it out of the batch).
    """
    _lock_ledger(session)
    unpaid_claims = session.scalars(
        select(BatchItem.claim_id).join(Claim, BatchItem.claim_id == Claim.id)
        .where(BatchItem.batch_id == batch_id, Claim.status != ClaimStatus.APPROVED)
    ).all()
    if unpaid_claims:
        raise LedgerError("the batch holds claims that are no longer approved", claim_ids=list(unpaid_claims))
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
        transaction = post(session, project_id=batch.project_id, kind=TransactionKind.SETTLEMENT, user_id=user_id,
                           posted_on=posted_on, claim_id=item.claim_id, batch_id=batch.id,
                           description=f"Claim {item.claim_id}: paid by bank in batch {batch.id}",
                           lines=[Line(Account.OWED, item.amount, item.person_id),
                                  Line(Account.BANK, -item.amount, item.person_id)])
        parts = for_this_approval(current_accruals(session, [item.claim_id]).get(item.claim_id), list(session.scalars(
            select(SettlementPart).where(SettlementPart.claim_id == item.claim_id))))
        if not parts:  # batched before settlement parts existed
            item.claim.settled_as = Reciprocity.BANK_TRANSFER
            item.claim.settled_at = now()
            continue
        for part in parts:
            if part.batch_id == batch.id:
                part.given_at, part.transaction_id = now(), transaction.id
        _finish_if_done(Pending(item.claim, [], parts, None))
    session.flush()
    return True


@dataclass
class InKindResult:
    settled: dict[Reciprocity, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    declined: Decimal = ZERO


def settle_in_kind(session: Session, project_id: int, user_id: int | None,
                   posted_on: dt.date | None = None) -> InKindResult:
    """Give approved time by each person's current choice: vouchers, training, a donation or none.

    Someone who chose no payment after their claim was approved: the owed
    amount is taken back out of project cost and recorded as declined. A split
    claim's money part waits for the next payment batch.
    """
    _lock_ledger(session)
    result = InKindResult()
    for pending in waiting(session, project_id).pending:
        if all(part.method.is_money for part in pending.parts):
            continue
        claim = pending.claim
        for part in _fix_parts(session, pending):
            if part.given_at is not None or part.batch_id is not None or part.method.is_money:
                continue
            if part.method in IN_KIND_ACCOUNT:
                transaction = post(
                    session, project_id=claim.project_id, kind=TransactionKind.SETTLEMENT, user_id=user_id,
                    posted_on=posted_on, claim_id=claim.id, description=f"Claim {claim.id}: given as {part.method.value}",
                    lines=[Line(Account.OWED, part.amount, claim.person_id),
                           Line(IN_KIND_ACCOUNT[part.method], -part.amount, claim.person_id)])
                result.settled[part.method] += part.amount
            else:  # no payment
                transaction = post(
                    session, project_id=claim.project_id, kind=TransactionKind.DECLINED, user_id=user_id,
                    posted_on=posted_on, claim_id=claim.id, description=f"Claim {claim.id}: payment declined",
                    lines=[Line(Account.OWED, part.amount, claim.person_id), Line(Account.COST_TIME, -part.amount),
                           Line(Account.DECLINED, part.amount, claim.person_id),
                           Line(Account.DECLINED_OFFSET, -part.amount, claim.person_id)])
                result.declined += part.amount
            part.given_at, part.transaction_id = now(), transaction.id
        _finish_if_done(pending)
    session.flush()
    return result
