"""What a person has told the project about and is waiting to be checked: one sum, for every page that shows it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.ledger.models import Claim, ClaimStatus
from remun.money import round_money


def waiting_for_check(session: Session, person_id: int) -> Decimal:
    """Claims submitted and not yet approved or rejected, in total (the home page and statement both show it)."""
    total = session.scalar(select(func.coalesce(func.sum(Claim.amount), 0))
                           .where(Claim.person_id == person_id, Claim.status == ClaimStatus.SUBMITTED))
    return round_money(Decimal(str(total)))
