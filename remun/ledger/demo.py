"""A lived-in ledger for the demo project: older sessions approved and settled, recent ones waiting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.ledger import claims, settlement
from remun.ledger.models import Claim, ClaimStatus, LedgerTransaction
from remun.project_records.models import Attendance, Meeting, Project
from remun.pay.rate_cards import RateBook


def load_demo_ledger(session: Session, book: RateBook, project: Project, today: dt.date | None = None) -> None:
    """Claims for every attendance; those over a month old approved, paid or given. Runs once."""
    if session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.project_id == project.id).limit(1)):
        return
    today = today or dt.date.today()
    claims.sync_claims(session, book, project_id=project.id)
    older = session.scalars(
        select(Claim.id)
        .join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Claim.project_id == project.id, Claim.status == ClaimStatus.SUBMITTED,
               Meeting.date < today - dt.timedelta(days=30))
        .order_by(Claim.id)
    ).all()
    claims.approve(session, list(older), user_id=None)
    batch = settlement.create_batch(session, project.id, user_id=None)
    if batch is not None:
        settlement.mark_paid(session, batch.id, user_id=None)
    settlement.settle_in_kind(session, project.id, user_id=None)
