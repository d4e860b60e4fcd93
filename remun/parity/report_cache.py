"""Finished parity reports kept in memory under the figures versions they were made from (issue 19).

The organisation's parity report reads every attendance (745 ms at a health board's scale), yet
changes only when someone changes what it is made from. Triggers give each project's version a new
random token in the same transaction as any write to that project's records, and the organisation's
version one for any change to what every project's figures depend on (remun/parity/versions.py,
migrations 0016 and 0021). So:

- a project's report is kept under (project, its token, the organisation's token, day, threshold,
  book), and reused only while those tokens are the committed ones;
- the organisation's report is put together from its projects' reports: after a change in one project,
  only that project's report is made again, and the pay gap across projects is summed from the kept
  reports (cheap). When many are missing (a new process, a new day, a change to every project) they are
  made in one pass over the data, not a query a project;
- the tokens are read *before* the report's data, so a report is never older than its tokens; a change
  committed afterwards moves a token, and the next request makes that report again; a token from a
  transaction that was rolled back is random and is never seen again.

Each process keeps its own reports (least recently used first out). What a report is made from is kept
under the project's token alone, since it does not depend on the day, the rates or the settings: the
project's totals (remun/parity/project_totals.py: in the database, and in this process) and its rows
with their roles and terms (in this process). So a new day or a change to the organisation's settings
or rate figures makes every report again from them, without reading the records; and each report works
out its detail (what each person received, what would close each gap) only when a page reads it, so the
dashboard waits only for what it shows (remun.parity.report.ParityDetail).

Every report a process makes is also kept in the database for ``remun verify`` when the cache is given
sessions to keep them with (the web app's is, and works out their figures once the page has been
sent): remun/parity/kept_reports.py. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from remun.parity.comparator_basis import ComparatorBasis, basis_from_settings
from remun.parity.kept_reports import figures_digest, figures_json, keep, organisation_figures
from remun.parity.pay_gap import DEFAULT_THRESHOLD
from remun.parity.project_totals import totals_for
from remun.parity.report import OrganisationParity, ProjectParity, combined_parity, load_projects, project_reports
from remun.parity.versions import Versions, organisation_digest, project_digest, read_versions
from remun.pay.rate_cards import RateBook
from remun.project_records.models import Project

#: How many finished organisation reports (and pages) each process keeps.
CAPACITY = 64
#: How many project reports each process keeps (each only under its latest versions): every project's,
#: for a few days, thresholds and books.
PROJECT_CAPACITY = 4096


class ReportCache:
    def __init__(self, capacity: int = CAPACITY, keep_with: Callable[[], Session] | None = None,
                 project_capacity: int = PROJECT_CAPACITY,
                 keep_later: Callable[[Callable[[], None]], None] | None = None):
        self.capacity = capacity
        self.project_capacity = project_capacity
        #: Makes a session to keep each report made in, for `remun verify` (None: only in this process).
        self.keep_with = keep_with
        #: Runs the keeping of reports' figures for verify later (None: at once), given the work to do.
        self.keep_later = keep_later
        self._reports: OrderedDict[Hashable, Any] = OrderedDict()
        #: (project id, day, threshold, book) -> (the tokens it was made under, report, digest of its figures)
        self._projects: OrderedDict[Hashable, tuple] = OrderedDict()
        self._lock = threading.Lock()
        #: project id -> (what its totals are kept under, its totals): remun.parity.project_totals
        self.totals: dict[int, tuple] = {}
        #: project id -> (its token, its row with groups, roles and terms, detached: read only)
        self.rows: dict[int, tuple] = {}
        self.hits = self.misses = 0
        #: Project reports made (one a project, however they were asked for).
        self.projects_made = 0

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key in self._reports:
                self._reports.move_to_end(key)
                self.hits += 1
                return self._reports[key]
        return None

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        found = self.get(key)
        if found is not None:
            return found
        report = make()  # outside the lock: two requests may both make it; both are right
        self.put(key, report)
        return report

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self.misses += 1
            self._reports[key] = value
            self._reports.move_to_end(key)
            while len(self._reports) > self.capacity:
                self._reports.popitem(last=False)

    def project(self, slot: Hashable, tokens: tuple[str, str]) -> tuple[ProjectParity, str | None] | None:
        """The project report kept in ``slot`` if it was made under ``tokens``, and its figures' digest."""
        with self._lock:
            found = self._projects.get(slot)
            if found is None or found[0] != tokens:
                return None
            self._projects.move_to_end(slot)
            return found[1], found[2]

    def put_project(self, slot: Hashable, tokens: tuple[str, str], report: ProjectParity, digest: str | None) -> None:
        with self._lock:
            self.projects_made += 1
            self._projects[slot] = (tokens, report, digest)
            self._projects.move_to_end(slot)
            while len(self._projects) > self.project_capacity:
                self._projects.popitem(last=False)

    def digest(self, slot: Hashable, tokens: tuple[str, str]) -> str | None:
        """The digest of the figures of the project report kept in ``slot`` under ``tokens``, if known."""
        with self._lock:
            found = self._projects.get(slot)
            return found[2] if found is not None and found[0] == tokens else None

    def remember_digest(self, slot: Hashable, tokens: tuple[str, str], digest: str) -> None:
        with self._lock:
            found = self._projects.get(slot)
            if found is not None and found[0] == tokens:
                self._projects[slot] = (tokens, found[1], digest)

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()
            self._projects.clear()
            self.totals.clear()
            self.rows.clear()


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

    def clear(self) -> None:
        self._pages.clear()


#: A rate book, or what makes it when a report has to be made (the web's lays the organisation's own
#: figures over the shipped cards, a query a request need not make when the report is kept).
BookOrMaker = RateBook | Callable[[], RateBook]


def _book(book: BookOrMaker) -> RateBook:
    return book if isinstance(book, RateBook) else book()


def _project_rows(session: Session, cache: ReportCache, versions: Versions, project_ids: list[int]) -> list[Project]:
    """The projects' rows with their groups, roles and terms (what a report prices), kept in this process
    while their tokens stand: every one of them moves its project's token. The rest are read in
    ``session``'s transaction (seeing what it sees, as the tokens were) by a session of their own, whose
    closing detaches them as loaded: read only, never to load more, apart from the request's own objects."""
    found, missing = [], []
    for project_id in project_ids:
        kept = cache.rows.get(project_id)
        if kept is not None and kept[0] == versions.projects.get(project_id):
            found.append(kept[1])
        else:
            missing.append(project_id)
    if missing:
        # "rollback_only": closing it leaves the request's transaction as it was.
        with Session(bind=session.connection(), join_transaction_mode="rollback_only") as own:
            loaded = load_projects(own, missing)
        for project in loaded:
            cache.rows[project.id] = (versions.projects.get(project.id), project)
        found.extend(loaded)
    return found


def _make_reports(session: Session, cache: ReportCache, versions: Versions, project_ids: list[int], book: RateBook,
                  day: dt.date, threshold: int, basis: ComparatorBasis, slot: Callable[[int], tuple],
                  of_every_project: bool = False) -> list[ProjectParity]:
    """These projects' reports, made and kept in this process under their tokens. Their totals are kept
    under their tokens (summed again only for projects whose records changed), read or summed before the
    projects' rows; a project made since the versions were read is left out."""
    totals = totals_for(session, versions, project_ids, cache.keep_with, of_every_project=of_every_project,
                        in_memory=cache.totals)
    made = project_reports(session, book, day, threshold, basis, project_ids, totals,
                           _project_rows(session, cache, versions, project_ids))
    for project in made:
        cache.put_project(slot(project.project_id), versions.of(project.project_id), project, None)
    return made


def _keep_reports(cache: ReportCache, versions: Versions, made: list[tuple[tuple, ProjectParity]], day: dt.date,
                  threshold: int, organisation: tuple[OrganisationParity, list[tuple]] | None = None) -> None:
    """Keep the figures of reports just made in the database for verify (when the cache keeps them there):
    each project report in ``made`` (its slot, the report), and the organisation's report (with each of its
    projects' slots). Working out every figure as JSON takes longer than making a report from kept totals,
    so it is handed to ``cache.keep_later`` (the web app's runs it once the page has been sent)."""
    if cache.keep_with is None:
        return

    def work() -> None:
        rows = []
        for slot, report in made:
            figures = figures_json(report)
            cache.remember_digest(slot, versions.of(report.project_id), figures_digest(figures))
            rows.append(("project", report.project_id, project_digest(versions, report.project_id), day, threshold,
                         figures))
        if organisation is not None:
            report, slots = organisation
            digests = {}
            for slot, project in zip(slots, report.projects):
                digest = cache.digest(slot, versions.of(project.project_id))
                if digest is None:  # kept before this process kept its figures in the database
                    digest = figures_digest(figures_json(project))
                    cache.remember_digest(slot, versions.of(project.project_id), digest)
                digests[project.project_id] = digest
            rows.append(("organisation", None, organisation_digest(versions), day, threshold,
                         organisation_figures(report, digests)))
        keep(cache.keep_with, rows)  # the projects made and the organisation's report in one transaction

    if cache.keep_later is None:
        work()
    else:
        cache.keep_later(work)


def cached_project_parity(session: Session, project_id: int, book: BookOrMaker, today: dt.date | None = None,
                          threshold: int = DEFAULT_THRESHOLD, cache: ReportCache = REPORTS,
                          book_key: Hashable | None = None) -> ProjectParity:
    """``book_key``: what identifies the book (default the book itself); the organisation's figures are
    under the organisation's figures version, so the shipped book made into ``book`` is enough."""
    day = today or dt.date.today()
    versions = read_versions(session, project_id)  # before the data
    slot = lambda made_for: (made_for, day, threshold, book_key or id(book))  # noqa: E731
    found = cache.project(slot(project_id), versions.of(project_id))
    if found is not None:
        cache.hits += 1
        return found[0]
    cache.misses += 1
    made = _make_reports(session, cache, versions, [project_id], _book(book), day, threshold,
                         basis_from_settings(session), slot)
    if not made:
        raise NoResultFound(f"no project {project_id}")
    _keep_reports(cache, versions, [(slot(project_id), made[0])], day, threshold)
    return made[0]


def cached_organisation_parity(session: Session, book: BookOrMaker, today: dt.date | None = None,
                               threshold: int = DEFAULT_THRESHOLD, cache: ReportCache = REPORTS,
                               book_key: Hashable | None = None) -> OrganisationParity:
    """The organisation's report from its projects' reports: kept ones where their versions have not
    moved, the rest made in one pass. The same object while no version moved (pages are kept with it)."""
    day = today or dt.date.today()
    versions = read_versions(session)  # before the data
    book_id = book_key or id(book)
    key = ("organisation", versions.key(), day, threshold, book_id)
    found = cache.get(key)
    if found is not None:
        return found
    slot = lambda project_id: (project_id, day, threshold, book_id)  # noqa: E731
    reports, missing = [], []
    for project_id in versions.projects:
        kept = cache.project(slot(project_id), versions.of(project_id))
        if kept is None:
            missing.append(project_id)
        else:
            reports.append(kept[0])
    basis = basis_from_settings(session)
    made = _make_reports(session, cache, versions, missing, _book(book), day, threshold, basis, slot,
                         of_every_project=len(missing) == len(versions.projects)) if missing else []
    reports.extend(made)
    report = combined_parity(reports, threshold, basis)
    _keep_reports(cache, versions, [(slot(project.project_id), project) for project in made], day, threshold,
                  (report, [slot(project.project_id) for project in report.projects]))
    cache.put(key, report)
    return report
