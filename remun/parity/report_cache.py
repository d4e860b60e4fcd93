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

Every report a process makes is also *kept* in the database (``kept_reports``, migration 0020) as its
figures, under the token it was made under, when the cache is given an engine to keep them with
(the web app's is). ``remun verify`` recomputes every kept report under the current token without
the cache and names any figure that differs (:func:`check_kept_reports`): a write that failed to
move the version would leave exactly such a report.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from remun.jobs.models import FiguresVersion
from remun.project_records.models import Base, Project
from remun.parity.report import OrganisationParity, ProjectParity, organisation_parity, project_parity
from remun.parity.report_json import report_as_json
from remun.parity.pay_gap import DEFAULT_THRESHOLD
from remun.pay.rate_cards import RateBook

#: How many finished reports each process keeps.
CAPACITY = 64


class KeptReport(Base):
    """The figures of one report a process made and served, under the figures version it was made under."""

    __tablename__ = "kept_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "project" or "organisation"
    kind: Mapped[str] = mapped_column(String(20))
    project_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: a deleted project's row is stale anyway
    on_day: Mapped[dt.date] = mapped_column(Date)
    threshold: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64), index=True)
    #: JSON of the figures (remun.parity.report.report_as_json, per project for the organisation)
    figures: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def figures_json(report: ProjectParity | OrganisationParity) -> str:
    """Every figure a report shows, as JSON text: equal texts are equal figures."""
    if isinstance(report, OrganisationParity):
        gap = report.pay_gap
        data = {"projects": [report_as_json(project) for project in report.projects],
                "pay_gap": {"mean": str(gap.mean_gap_percent), "median": str(gap.median_gap_percent),
                            "withheld": gap.withheld, "reasons": [reason.value for reason in gap.reasons]},
                "basis": report.basis.as_json()}
    else:
        data = report_as_json(report)
    return json.dumps(data, sort_keys=True, default=str)


def keep(new_session: Callable[[], Session], key: tuple, report: ProjectParity | OrganisationParity) -> None:
    """Record ``report``'s figures under its key's token, in a session and transaction of their own (the
    request's may only read), replacing what was kept for the same report under older tokens or days
    (so the table holds at most one row a report)."""
    kind, project_id, token, day, threshold = _key_parts(key)
    with new_session() as session:
        session.execute(delete(KeptReport).where(
            KeptReport.kind == kind, KeptReport.project_id.is_not_distinct_from(project_id),
            KeptReport.threshold == threshold))
        session.add(KeptReport(kind=kind, project_id=project_id, on_day=day, threshold=threshold, token=token,
                               figures=figures_json(report)))
        session.commit()  # two workers keeping the same report at once keep two equal rows: both are checked


def _key_parts(key: tuple) -> tuple[str, int | None, str, dt.date, int]:
    if key[0] == "project":
        _kind, project_id, token, day, threshold, _book = key
        return "project", project_id, token, day, threshold
    _kind, token, day, threshold, _book = key
    return "organisation", None, token, day, threshold


class ReportCache:
    def __init__(self, capacity: int = CAPACITY, keep_with: Callable[[], Session] | None = None):
        self.capacity = capacity
        #: Makes a session to keep each report made in, for `remun verify` (None: only in this process).
        self.keep_with = keep_with
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
        if self.keep_with is not None:
            keep(self.keep_with, key, report)
        self.put(key, report)
        return report

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self.misses += 1
            self._reports[key] = value
            self._reports.move_to_end(key)
            while len(self._reports) > self.capacity:
                self._reports.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()


REPORTS = ReportCache()


class PageCache:
    """Pages (HTML text) made from a kept report, for one kind of reader (language, user).

    A page is reused only while the very report object it was made from is the one served: a
    report made again (the figures version moved, or it left the report cache) makes the page
    again, so a page is never older than its report. Least recently used first out.
    """

    def __init__(self, capacity: int = 4 * CAPACITY):
        self._pages = ReportCache(capacity)

    @property
    def hits(self) -> int:
        return self._pages.hits

    @property
    def misses(self) -> int:
        return self._pages.misses

    def get_or_make(self, report: Any, reader: Hashable, make: Callable[[], str]) -> str:
        key = (id(report), reader)
        made_for, page = self._pages.get_or_make(key, lambda: (report, make()))
        if made_for is not report:  # a report gone from memory, whose id a new one reuses
            page = make()
            self._pages.put(key, (report, page))
        return page


def figures_version(session: Session) -> str:
    return session.scalar(select(FiguresVersion.token).where(FiguresVersion.id == 1)) or ""


#: A rate book, or what makes it when a report has to be made (the web's lays the organisation's own
#: figures over the shipped cards, a query a request need not make when the report is kept).
BookOrMaker = RateBook | Callable[[], RateBook]


def _book(book: BookOrMaker) -> RateBook:
    return book if isinstance(book, RateBook) else book()


def cached_project_parity(session: Session, project_id: int, book: BookOrMaker, today: dt.date | None = None,
                          threshold: int = DEFAULT_THRESHOLD, cache: ReportCache = REPORTS,
                          book_key: Hashable | None = None) -> ProjectParity:
    """``book_key``: what identifies the book (default the book itself); the organisation's figures are
    under the figures version, so the shipped book made into ``book`` is enough."""
    day = today or dt.date.today()
    key = ("project", project_id, figures_version(session), day, threshold, book_key or id(book))
    return cache.get_or_make(key, lambda: project_parity(session, project_id, _book(book), today=day,
                                                         threshold=threshold))


def cached_organisation_parity(session: Session, book: BookOrMaker, today: dt.date | None = None,
                               threshold: int = DEFAULT_THRESHOLD, cache: ReportCache = REPORTS,
                               book_key: Hashable | None = None) -> OrganisationParity:
    day = today or dt.date.today()
    key = ("organisation", figures_version(session), day, threshold, book_key or id(book))
    return cache.get_or_make(key, lambda: organisation_parity(session, _book(book), today=day, threshold=threshold))


def check_kept_reports(session: Session, book: RateBook) -> list[str]:
    """Each kept report under the current figures version, made again without any cache and
    compared figure by figure: a sentence for each that differs (none when all are right)."""
    token = figures_version(session)
    problems = []
    for kept in session.scalars(select(KeptReport).where(KeptReport.token == token).order_by(KeptReport.id)):
        if kept.kind == "project":
            name = session.scalar(select(Project.name).where(Project.id == kept.project_id))
            if name is None:
                problems.append(f"a parity report was kept for project {kept.project_id}, which no longer exists, "
                                "under the current figures version")
                continue
            fresh = project_parity(session, kept.project_id, book, today=kept.on_day, threshold=kept.threshold)
            what = f"the parity report of project {name!r} for {kept.on_day:%d %B %Y}"
        else:
            fresh = organisation_parity(session, book, today=kept.on_day, threshold=kept.threshold)
            what = f"the organisation's parity report for {kept.on_day:%d %B %Y}"
        where = _first_difference(json.loads(kept.figures), json.loads(figures_json(fresh)))
        if where is not None:
            path, was, now = where
            problems.append(f"{what}, kept under the current figures version, differs from a recomputation: "
                            f"{path} is {was!r} where it should now be {now!r} (a change did not move the version)")
    return problems


def _first_difference(kept: Any, fresh: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(kept, dict) and isinstance(fresh, dict):
        for name in sorted(set(kept) | set(fresh)):
            found = _first_difference(kept.get(name), fresh.get(name), f"{path}.{name}" if path else name)
            if found:
                return found
        return None
    if isinstance(kept, list) and isinstance(fresh, list) and len(kept) == len(fresh):
        for index, (one, other) in enumerate(zip(kept, fresh)):
            found = _first_difference(one, other, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if kept == fresh else (path or "the report", kept, fresh)
