"""Posting a transaction: balanced, dated in an open period, and chained. The only way money moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from remun.ledger.chain import transaction_hash
from remun.ledger.keys import KEYED, ledger_key
from remun.ledger.models import Account, ClosedPeriod, LedgerHead, LedgerTransaction, Posting, TransactionKind
from remun.money import ZERO, round_money


class LedgerError(Exception):
    """A ledger action that cannot be done; ``code`` says which rule, for a plain message."""

    code = "ledger"

    def __init__(self, message: str = "", **facts):
        self.facts = facts
        super().__init__(message or self.code)


class Unbalanced(LedgerError):
    code = "unbalanced"


class PeriodClosed(LedgerError):
    code = "period_closed"


class NoLedgerKey(LedgerError):
    code = "no_ledger_key"


class AlreadyDone(LedgerError):
    """Someone else changed it first (a double click, or two people at once): nothing more to do."""

    code = "already_done"


class ClaimDecided(LedgerError):
    """A claim was approved while its attendance was being changed: the change cannot be kept."""

    code = "claim_decided"


def lock_ledger(session: Session) -> None:
    """Take the ledger lock (the single ledger_head row) for the rest of the transaction.

    Every operation that decides something from a claim's or a batch's state takes this
    first, before it reads that state, so two operations never decide from the same
    stale picture, and all of them take their locks in the same order (no deadlocks).
    """
    session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(last_hash=LedgerHead.last_hash))


@dataclass(frozen=True)
class Line:
    """One posting to make: debit when the amount is positive, credit when negative."""

    account: Account
    amount: Decimal
    person_id: int | None = None


def now() -> dt.datetime:
    """Whole seconds in UTC: what the chain records, the same on every database."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def is_closed(session: Session, day: dt.date) -> bool:
    return session.get(ClosedPeriod, month_of(day)) is not None


def post(
    session: Session,
    *,
    project_id: int,
    kind: TransactionKind,
    lines: Iterable[Line],
    description: str,
    user_id: int | None,
    posted_on: dt.date | None = None,
    reason: str | None = None,
    claim_id: int | None = None,
    batch_id: int | None = None,
    reverses_id: int | None = None,
) -> LedgerTransaction:
    """Add one balanced transaction to the chain, inside the caller's database transaction.

    Locking the single ledger_head row first makes posts one-at-a-time, so the
    chain never forks, even with several app servers.
    """
    lines = [Line(line.account, round_money(line.amount), line.person_id) for line in lines]
    lines = [line for line in lines if line.amount != ZERO]
    if not lines or sum((line.amount for line in lines), ZERO) != ZERO:
        raise Unbalanced("postings must sum to zero", lines=lines)
    day = posted_on or dt.date.today()
    if is_closed(session, day):
        raise PeriodClosed(month=month_of(day))

    key = ledger_key()
    if key is None:
        raise NoLedgerKey("Remun has no ledger key: run `remun migrate` (it makes one in the instance folder) "
                          "or set REMUN_LEDGER_KEY")
    sequence, previous_hash = session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(sequence=LedgerHead.sequence + 1)
        .returning(LedgerHead.sequence, LedgerHead.last_hash)
    ).one()
    created_at = now()
    digest = transaction_hash(
        sequence=sequence, project_id=project_id, kind=kind.value, posted_on=day, created_at=created_at,
        created_by_id=user_id, description=description, reason=reason, claim_id=claim_id, batch_id=batch_id,
        reverses_id=reverses_id, previous_hash=previous_hash,
        postings=[(line.account.value, project_id, line.person_id, line.amount) for line in lines], key=key,
    )
    transaction = LedgerTransaction(chain_version=KEYED,
        sequence=sequence, project_id=project_id, kind=kind, posted_on=day, created_at=created_at,
        created_by_id=user_id, description=description, reason=reason, claim_id=claim_id, batch_id=batch_id,
        reverses_id=reverses_id, previous_hash=previous_hash, hash=digest,
        postings=[Posting(account=line.account, project_id=project_id, person_id=line.person_id, amount=line.amount)
                  for line in lines],
    )
    session.add(transaction)
    session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(last_hash=digest))
    session.flush()
    return transaction


def reverse(session: Session, transaction_id: int, reason: str, user_id: int | None,
            posted_on: dt.date | None = None) -> LedgerTransaction:
    """Put a transaction right with its mirror image, naming it and saying why."""
    original = session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise LedgerError("no such transaction", transaction_id=transaction_id)
    if not reason or not reason.strip():
        raise LedgerError("a reversal needs a reason")
    if original.kind == TransactionKind.REVERSAL:
        raise LedgerError("a reversal cannot itself be reversed; post a new transaction instead")
    already = session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == original.id))
    if already is not None:
        raise LedgerError("already reversed", transaction_id=transaction_id)
    return post(
        session,
        project_id=original.project_id,
        kind=TransactionKind.REVERSAL,
        lines=[Line(posting.account, -posting.amount, posting.person_id) for posting in original.postings],
        description=f"Reverses transaction {original.id}: {original.description}",
        reason=reason.strip(),
        user_id=user_id,
        posted_on=posted_on,
        claim_id=original.claim_id,
        batch_id=original.batch_id,
        reverses_id=original.id,
    )
