"""Checks the whole ledger from the start: the hash chain, that every transaction balances,
and that balances make sense. Finds changes made outside the app, such as an edited
amount or a removed entry, and names the first bad one. Also checks the kept parity reports
(remun/parity/report_cache.py) against a recomputation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from remun.ledger.chain import GENESIS, transaction_hash
from remun.ledger.checkpoints import Checkpoint
from remun.ledger.keys import KEYED, ledger_key
from remun.ledger.models import (Account, BatchStatus, ClosedPeriod, LedgerHead, LedgerTransaction, PaymentBatch,
                                 Posting)
from remun.money import ZERO
from remun.pay.rate_cards import RateBook
from remun.parity.kept_reports import check_kept_reports
from remun.parity.project_totals import check_kept_totals
from remun.parity.versions import read_versions


@dataclass(frozen=True)
class Problem:
    transaction_id: int | None
    sequence: int | None
    message: str


@dataclass(frozen=True)
class VerifyResult:
    transactions: int
    postings: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_NO_KEY = object()


def verify_ledger(session: Session, batch_size: int = 2000, *, key: bytes | None | object = _NO_KEY,
                  checkpoints: Iterable[Checkpoint] = ()) -> VerifyResult:
    """Check the chain from the start; ``key`` defaults to the ledger key (remun/ledger/keys.py).

    ``checkpoints`` (sequence and hash of the head, recorded outside the database) must all
    still be in the chain: a chain rewound, or rewritten and re-hashed, no longer contains them.
    Unkeyed transactions (chain version 1) are accepted only before the first keyed one.
    """
    if key is _NO_KEY:
        key = ledger_key()
    pinned = {checkpoint.sequence: checkpoint for checkpoint in checkpoints}
    seen_pinned: dict[int, str] = {}
    keyed_seen = no_key_reported = False
    problems: list[Problem] = []
    expected_sequence, previous = 1, GENESIS
    transactions = postings = 0
    last_id = 0
    while True:
        chunk = session.scalars(
            select(LedgerTransaction).options(selectinload(LedgerTransaction.postings))
            .where(LedgerTransaction.id > last_id).order_by(LedgerTransaction.id).limit(batch_size)
        ).all()
        if not chunk:
            break
        for tx in chunk:
            last_id = tx.id
            transactions += 1
            postings += len(tx.postings)
            where = (tx.id, tx.sequence)
            if tx.sequence != expected_sequence:
                problems.append(Problem(*where, f"transaction number {expected_sequence} is missing (found {tx.sequence})"))
            if tx.previous_hash != previous:
                problems.append(Problem(*where, "does not follow on from the transaction before it"))
            total = sum((posting.amount for posting in tx.postings), ZERO)
            if total != ZERO:
                problems.append(Problem(*where, f"postings do not balance (they sum to {total})"))
            if tx.chain_version == KEYED:
                keyed_seen = True
            elif keyed_seen:
                problems.append(Problem(*where, "it was added outside Remun (it is not sealed with the ledger key)"))
            if tx.chain_version == KEYED and key is None:
                if not no_key_reported:
                    problems.append(Problem(*where, "there is no ledger key to check it with (set REMUN_LEDGER_KEY "
                                                    "or restore the instance folder's ledger_key file)"))
                    no_key_reported = True
            else:
                recomputed = transaction_hash(
                    sequence=tx.sequence, project_id=tx.project_id, kind=tx.kind.value, posted_on=tx.posted_on,
                    created_at=tx.created_at, created_by_id=tx.created_by_id, description=tx.description,
                    reason=tx.reason, claim_id=tx.claim_id, batch_id=tx.batch_id, reverses_id=tx.reverses_id,
                    previous_hash=tx.previous_hash,
                    postings=[(p.account.value, p.project_id, p.person_id, p.amount) for p in tx.postings],
                    key=key if tx.chain_version == KEYED else None,
                )
                if recomputed != tx.hash:
                    problems.append(Problem(*where, "its contents were changed after it was recorded"))
            if tx.sequence in pinned:
                seen_pinned[tx.sequence] = tx.hash
            previous = tx.hash
            expected_sequence = tx.sequence + 1
        session.expunge_all()  # keep memory flat on a large ledger

    head = session.get(LedgerHead, 1)
    if head is None:
        problems.append(Problem(None, None, "the ledger head is missing"))
    elif head.sequence != expected_sequence - 1 or head.last_hash != previous:
        problems.append(Problem(None, head.sequence, "the latest transactions are missing"))

    for sequence, checkpoint in sorted(pinned.items()):
        if sequence == 0:
            continue
        if seen_pinned.get(sequence) != checkpoint.head_hash:
            problems.append(Problem(None, sequence, (
                f"the ledger was rewound or rewritten: on {checkpoint.recorded_at:%Y-%m-%d %H:%M} UTC it ended at "
                f"transaction number {sequence} with hash {checkpoint.head_hash[:16]}…, which is no longer there")))

    problems.extend(_closed_and_paid_kept(session, pinned.values()))

    orphans = session.scalar(
        select(func.count(Posting.id)).outerjoin(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.id.is_(None))
    )
    if orphans:
        problems.append(Problem(None, None, f"{orphans} postings belong to no transaction"))
    overpaid = session.execute(
        select(Posting.project_id, Posting.person_id, func.sum(Posting.amount))
        .where(Posting.account == Account.OWED)
        .group_by(Posting.project_id, Posting.person_id)
        .having(func.sum(Posting.amount) > 0.005)  # SQLite sums in floating point
    ).all()
    for project_id, person_id, amount in overpaid:
        problems.append(Problem(None, None, f"person {person_id} in project {project_id} was paid "
                                            f"{Decimal(amount):.2f} more than they were owed"))
    return VerifyResult(transactions, postings, tuple(problems))


def closed_and_paid(session: Session) -> dict[str, tuple]:
    """The months closed (ISO first days) and the batches paid now: a checkpoint records both."""
    return {"closed_months": tuple(month.isoformat() for month in session.scalars(select(ClosedPeriod.month))),
            "paid_batches": tuple(session.scalars(select(PaymentBatch.id).where(PaymentBatch.status == BatchStatus.PAID)))}


def _closed_and_paid_kept(session: Session, checkpoints: Iterable[Checkpoint]) -> list[Problem]:
    """Months once closed stay closed, batches once paid stay paid: both only grow, so every
    one named in a checkpoint must still be so (else someone went round the database's guards)."""
    were_closed = {month for checkpoint in checkpoints for month in checkpoint.closed_months}
    were_paid = {batch for checkpoint in checkpoints for batch in checkpoint.paid_batches}
    if not (were_closed or were_paid):
        return []
    now = closed_and_paid(session)
    problems = [Problem(None, None, f"the month starting {month} was closed and is open again")
                for month in sorted(were_closed - set(now["closed_months"]))]
    problems += [Problem(None, None, f"payment batch {batch} was paid and is no longer marked paid")
                 for batch in sorted(were_paid - set(now["paid_batches"]))]
    return problems


def verify_kept_figures(session: Session, book: RateBook) -> tuple[Problem, ...]:
    """Every parity report and project's totals kept under the current figures versions, made again
    without them: one problem, in words, for each that differs (a change that did not move its version)."""
    messages = check_kept_totals(session, read_versions(session)) + check_kept_reports(session, book)
    return tuple(Problem(None, None, message) for message in messages)
