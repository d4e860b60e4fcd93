"""Ledger operations: the one way the web pages and the command line change the ledger.

Each operation checks, writes and records its audit entry inside the caller's database
transaction (the caller commits, or rolls back on an error). The decisions are made
under the ledger lock that the writes take (see remun/ledger/posting.lock_ledger), so
two people, two servers or a page and a command acting at once cannot both win.
No Flask here: the caller passes the session and who is acting (None: the command line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.ledger import claims as ledger_claims
from remun.ledger import settlement
from remun.ledger.models import BatchItem, Claim, ClaimStatus, LedgerTransaction, PaymentBatch
from remun.ledger.posting import AlreadyDone, LedgerError, lock_ledger
from remun.project_records.models import Attendance, Meeting, Person
from remun.pay.rate_cards import RateBook

__all__ = [
    "AlreadyDone", "LedgerError", "approve_claims", "reject_claim", "reverse_claim", "create_batch",
    "mark_batch_paid", "settle_in_kind", "close_month", "claims_listing", "statement_viewed",
]


def statement_viewed(session: Session, user_id: int | None, person_id: int) -> None:
    """Someone looked at a person's statement of money (recorded, as a look at their details is)."""
    audit.record(session, user_id, "person.statement_viewed", "person", person_id)


def approve_claims(session: Session, project_id: int, user_id: int | None, claim_ids: list[int] | None = None,
                   rate_book: RateBook | None = None) -> ledger_claims.ApprovalResult:
    """Approve the given submitted claims of a project (all that are waiting when None) and post their accruals.

    With ``rate_book``, attendance is first turned into up-to-date claims, as the page shows them.
    """
    if rate_book is not None:
        ledger_claims.sync_claims(session, rate_book, project_id=project_id, user_id=user_id)
    lock_ledger(session)  # before reading what is waiting, so what is approved is what was read
    if claim_ids is None:
        claim_ids = [claim.id for claim in ledger_claims.claims_waiting(session, project_id)]
    else:
        in_project = set(session.scalars(select(Claim.id).where(Claim.id.in_(claim_ids), Claim.project_id == project_id)))
        claim_ids = [claim_id for claim_id in claim_ids if claim_id in in_project]
    result = ledger_claims.approve(session, claim_ids, user_id)
    if result.approved:
        audit.record(session, user_id, "claims.approved", "project", project_id, {"claims": result.approved})
    return result


def reject_claim(session: Session, claim_id: int, reason: str, user_id: int | None) -> None:
    """Reject a submitted claim with a reason the person will see. AlreadyDone if it was decided meanwhile."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise LedgerError("no such claim", claim_id=claim_id)
    if not ledger_claims.reject(session, claim_id, reason, user_id):
        raise AlreadyDone("already decided", claim_id=claim_id)
    # Not the reason: it may name someone.
    audit.record(session, user_id, "claim.rejected", "claim", claim_id, {"project": claim.project_id})


def reverse_claim(session: Session, claim_id: int, reason: str, user_id: int | None,
                  posted_on: dt.date | None = None) -> list[LedgerTransaction]:
    """Reverse an approved claim (taking it out of a batch not yet paid). AlreadyDone if reversed meanwhile."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise LedgerError("no such claim", claim_id=claim_id)
    batch_id = session.scalar(select(BatchItem.batch_id).where(BatchItem.claim_id == claim_id))
    reversals = ledger_claims.reverse_claim(session, claim_id, reason, user_id, posted_on)
    detail = {"project": claim.project_id, "transactions": [t.id for t in reversals]}
    if batch_id is not None and session.scalar(select(BatchItem.id).where(BatchItem.claim_id == claim_id)) is None:
        detail["taken_out_of_batch"] = batch_id
    audit.record(session, user_id, "claim.reversed", "claim", claim_id, detail)
    return reversals


def create_batch(session: Session, project_id: int, user_id: int | None) -> PaymentBatch | None:
    """Gather approved money owed into a new payment batch; None when nothing is waiting."""
    batch = settlement.create_batch(session, project_id, user_id)
    if batch is not None:
        audit.record(session, user_id, "batch.created", "batch", batch.id,
                     {"project": project_id, "total": str(batch.total), "claims": [i.claim_id for i in batch.items]})
    return batch


def mark_batch_paid(session: Session, batch_id: int, user_id: int | None, posted_on: dt.date | None = None) -> None:
    """Record that finance paid the batch. AlreadyDone if it was already marked paid."""
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        raise LedgerError("no such batch", batch_id=batch_id)
    if not settlement.mark_paid(session, batch_id, user_id, posted_on):
        raise AlreadyDone("already paid", batch_id=batch_id)
    audit.record(session, user_id, "batch.paid", "batch", batch_id, {"project": batch.project_id})


def settle_in_kind(session: Session, project_id: int, user_id: int | None,
                   posted_on: dt.date | None = None) -> settlement.InKindResult:
    result = settlement.settle_in_kind(session, project_id, user_id, posted_on)
    audit.record(session, user_id, "claims.settled_in_kind", "project", project_id)
    return result


def close_month(session: Session, month: dt.date, user_id: int | None) -> bool:
    """Close a month once every earlier month is closed; False if it was already closed.

    Raises ``month_end.MonthsOutOfOrder`` naming the earlier month to close first.
    """
    from remun.ledger import month_end

    closed = month_end.close_in_order(session, month, user_id)
    if closed:
        audit.record(session, user_id, "month.closed", "month", month.replace(day=1).isoformat())
    return closed


@dataclass(frozen=True)
class ClaimRow:
    id: int
    person: str
    session_date: dt.date
    kind: str
    amount: str
    status: str
    batch: int | None
    batch_status: str | None

    def as_json(self) -> dict:
        return {"id": self.id, "person": self.person, "session_date": self.session_date.isoformat(),
                "kind": self.kind, "amount": self.amount, "status": self.status, "batch": self.batch,
                "batch_status": self.batch_status}


def claims_listing(session: Session, project_id: int, status: ClaimStatus | None = None) -> list[ClaimRow]:
    """A project's claims for scripted checks, oldest session first."""
    query = (
        select(Claim, Person.name, Meeting.date, PaymentBatch.id, PaymentBatch.status)
        .join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Person, Claim.person_id == Person.id)
        .outerjoin(BatchItem, BatchItem.claim_id == Claim.id)
        .outerjoin(PaymentBatch, BatchItem.batch_id == PaymentBatch.id)
        .where(Claim.project_id == project_id)
        .order_by(Meeting.date, Person.name, Claim.kind, Claim.id)
    )
    if status is not None:
        query = query.where(Claim.status == status)
    return [
        ClaimRow(claim.id, name, day, claim.kind.value, f"{claim.amount:.2f}", claim.status.value, batch_id,
                 batch_status.value if batch_status is not None else None)
        for claim, name, day, batch_id, batch_status in session.execute(query)
    ]
