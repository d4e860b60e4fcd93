"""Finished parity reports kept in memory under the database's figures version (issue 19).

The organisation's parity report reads every attendance (745 ms at a health board's scale),
yet changes only when someone changes attendance, sessions, roles, pay terms, people or
projects (and claims, postings, settings and figures). Each of those writes gives the ``figures_version`` row a new random token in the
same transaction (triggers, migration 0016), so a report is reused only while the token
it was made under is still the committed one:

- the token is read *before* the report's data, so a report is never older than its token;
- a change committed afterwards moves the token, and the next request makes the report again;
- a token from a transaction that was rolled back is random and is never seen again.

The key also holds the day (reports depend on the date), the gap threshold and the rate book.
Each process keeps its own few reports (least recently used first out). No Flask here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.jobs.models import FiguresVersion
from remun.parity_report import OrganisationParity, ProjectParity, organisation_parity, project_parity
from remun.paygap import DEFAULT_THRESHOLD
from remun.rates import RateBook

#: How many finished reports each process keeps.
CAPACITY = 64


class ReportCache:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._reports: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._reports:
                self._reports.move_to_end(key)
                self.hits += 1
                return self._reports[key]
        report = make()  # outside the lock: two requests may both make it; both are right
        with self._lock:
            self.misses += 1
            self._reports[key] = report
            self._reports.move_to_end(key)
            while len(self._reports) > self.capacity:
                self._reports.popitem(last=False)
        return report

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()


REPORTS = ReportCache()


def figures_version(session: Session) -> str:
    return session.scalar(select(FiguresVersion.token).where(FiguresVersion.id == 1)) or ""


def cached_project_parity(session: Session, project_id: int, book: RateBook, today: dt.date | None = None,
                          threshold: int = DEFAULT_THRESHOLD, cache: ReportCache = REPORTS) -> ProjectParity:
    day = today or dt.date.today()
    key = ("project", project_id, figures_version(session), day, threshold, id(book))
    return cache.get_or_make(key, lambda: project_parity(session, project_id, book, today=day, threshold=threshold))


def cached_organisation_parity(session: Session, book: RateBook, today: dt.date | None = None,
                               threshold: int = DEFAULT_THRESHOLD, cache: ReportCache = REPORTS) -> OrganisationParity:
    day = today or dt.date.today()
    key = ("organisation", figures_version(session), day, threshold, id(book))
    return cache.get_or_make(key, lambda: organisation_parity(session, book, today=day, threshold=threshold))
