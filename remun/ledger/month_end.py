"""Closing months in order, knowing first what is still open in them.

Finance closes the last complete month, not the one still under way, and
months close one after another: November cannot close while October is open,
or October's late corrections would have nowhere to go. Before closing, what
is still open in the month is listed (claims waiting for approval, money not
yet paid or given, payment batches not yet paid) so nobody closes a month by
accident with work left in it. ``close_month`` (periods.py) does the closing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.ledger.models import BatchStatus, Claim, ClaimStatus, ClosedPeriod, LedgerTransaction, PaymentBatch
from remun.ledger.periods import close_month
from remun.ledger.posting import LedgerError, month_of
from remun.project_records.models import Attendance, Meeting
from remun.money import ZERO


class MonthsOutOfOrder(LedgerError):
    """An earlier month is still open: it must be closed first."""

    code = "months_out_of_order"


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(first: dt.date) -> dt.date:
    return next_month(first) - dt.timedelta(days=1)


def last_complete_month(today: dt.date) -> dt.date:
    """The first day of the month before this one: the latest month that has finished."""
    return month_of(month_of(today) - dt.timedelta(days=1))


def first_month_to_close(session: Session) -> dt.date | None:
    """The earliest month that is still open and has anything in it (or follows a closed month); None if none yet."""
    closed = set(session.scalars(select(ClosedPeriod.month)))
    starts = [day for day in (
        session.scalar(select(func.min(LedgerTransaction.posted_on))),
        session.scalar(select(func.min(Meeting.date))),
    ) if day is not None]
    if closed:
        starts.append(min(closed))
    if not starts:
        return None
    month = month_of(min(starts))
    while month in closed:
        month = next_month(month)
    return month


def months_to_offer(session: Session, today: dt.date) -> list[dt.date]:
    """Complete months still open, newest first (the newest is the usual one to close)."""
    last = last_complete_month(today)
    start = first_month_to_close(session) or last
    closed = set(session.scalars(select(ClosedPeriod.month)))
    months = []
    month = start
    while month <= last:
        if month not in closed:
            months.append(month)
        month = next_month(month)
    return list(reversed(months)) or [last]


@dataclass(frozen=True)
class OpenInMonth:
    month: dt.date
    claims_waiting: int
    money_not_settled: int
    money_not_settled_total: Decimal
    open_batches: tuple[int, ...]
    earlier_open: dt.date | None  # an earlier month still open: close that first

    @property
    def anything_open(self) -> bool:
        return bool(self.claims_waiting or self.money_not_settled or self.open_batches)


def open_in_month(session: Session, month: dt.date) -> OpenInMonth:
    """What is still open for sessions in ``month``, and whether an earlier month must close first."""
    first, last = month_of(month), month_end(month_of(month))
    in_month = (select(Claim).join(Attendance, Claim.attendance_id == Attendance.id)
                .join(Meeting, Attendance.meeting_id == Meeting.id)
                .where(Meeting.date >= first, Meeting.date <= last)).subquery()
    waiting = session.scalar(select(func.count()).select_from(in_month).where(in_month.c.status == ClaimStatus.SUBMITTED))
    unsettled_count, unsettled_total = session.execute(
        select(func.count(), func.coalesce(func.sum(in_month.c.amount), 0)).select_from(in_month)
        .where(in_month.c.status == ClaimStatus.APPROVED, in_month.c.settled_at.is_(None), in_month.c.amount > 0)
    ).one()
    batches = tuple(session.scalars(
        select(PaymentBatch.id).where(PaymentBatch.status == BatchStatus.OPEN).order_by(PaymentBatch.id)
    ))
    # Open batches created after the month ends still hold the month's money only if its claims are in them;
    # listing every open batch created by the month's end keeps the check simple and on the safe side.
    batches = tuple(batch_id for batch_id in batches
                    if _created_on_or_before(session, batch_id, last))
    earliest = first_month_to_close(session)
    earlier = earliest if earliest is not None and earliest < first else None
    return OpenInMonth(first, waiting or 0, unsettled_count or 0, Decimal(str(unsettled_total or ZERO)),
                       batches, earlier)


def _created_on_or_before(session: Session, batch_id: int, last: dt.date) -> bool:
    created = session.get(PaymentBatch, batch_id).created_at
    return created.date() <= last


def close_in_order(session: Session, month: dt.date, user_id: int | None, today: dt.date | None = None) -> bool:
    """Close ``month`` once every earlier month is closed; MonthsOutOfOrder names the month to close first."""
    first = month_of(month)
    earliest = first_month_to_close(session)
    if earliest is not None and earliest < first:
        raise MonthsOutOfOrder("an earlier month is still open", month=first, earlier=earliest)
    return close_month(session, first, user_id, today)
