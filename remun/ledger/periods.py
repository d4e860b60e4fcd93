"""Closing a month: once closed, nothing can be posted into it; corrections go into an open month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from remun.ledger.models import ClosedPeriod
from remun.ledger.posting import LedgerError, month_of, now


def close_month(session: Session, month: dt.date, user_id: int | None, today: dt.date | None = None) -> bool:
    """Close the month containing ``month``. False if it was already closed."""
    first = month_of(month)
    if first > month_of(today or dt.date.today()):
        raise LedgerError("a month that has not started cannot be closed", month=first)
    if session.get(ClosedPeriod, first) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ClosedPeriod(month=first, closed_at=now(), closed_by_id=user_id))
    except IntegrityError:
        return False  # closed at the same moment by someone else
    return True


def closed_months(session: Session) -> list[dt.date]:
    return list(session.scalars(select(ClosedPeriod.month).order_by(ClosedPeriod.month)))
