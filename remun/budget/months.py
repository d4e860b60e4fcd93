"""Months of a budget plan: a plan runs from the month of its start date to the month of its end date.

Pure rules, no Flask and no database (remun/budget/planning.py costs each month).
"""

from __future__ import annotations

import calendar
import datetime as dt

#: The longest plan Remun works out: ten years of months.
MAX_MONTHS = 120


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole months from the month of ``first`` to the month of ``last`` (0 for the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def plan_months(start: dt.date, end: dt.date) -> list[dt.date]:
    first = month_start(start)
    return [add_months(first, step) for step in range(months_between(start, end) + 1)]


def session_schedule(first_month: dt.date, sessions: int, per_month: int = 1, every_months: int = 1) -> list[tuple[dt.date, int]]:
    """(month, sessions that month): ``per_month`` a month, every ``every_months`` months, until all are placed."""
    if sessions < 1 or per_month < 1 or not 1 <= every_months <= 12:
        raise ValueError("sessions and sessions a month must be 1 or more, and every_months from 1 to 12")
    schedule = []
    left, month = sessions, month_start(first_month)
    while left > 0:
        count = min(per_month, left)
        schedule.append((month, count))
        left -= count
        month = add_months(month, every_months)
    return schedule


def item_schedule(first_month: dt.date, times: int, every_months: int = 1) -> list[dt.date]:
    return [month for month, _ in session_schedule(first_month, times, 1, every_months)]
