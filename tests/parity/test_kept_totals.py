"""Each project's parity totals kept in the database under its figures version (remun/parity/project_totals.py,
migration 0022; issue 19).

A new process, a new day or a change to the organisation's settings makes every project's report again
from the kept totals, without reading a posting; totals kept under a token that moved, under other code,
or before a TRUNCATE are never read; and what is read equals the records summed again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from remun.parity import project_totals
from remun.parity.kept_reports import figures_json
from remun.parity.project_totals import KeptTotals, check_kept_totals, summed_totals, totals_for, totals_json
from remun.parity.report import organisation_parity
from remun.parity.report_cache import ReportCache, cached_organisation_parity, cached_project_parity
from remun.parity.versions import read_versions
from remun.project_records.enums import Reciprocity
from tests.helpers.ledger import build_project
from tests.helpers.parity_writes import change_hours, change_setting

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def session(own_engine):
    """A database of its own: what is kept is committed, in transactions of their own, as in a server."""
    with Session(own_engine) as session:
        yield session


@pytest.fixture
def two_projects(session):
    from remun.ledger import claims, operations

    projects = [build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS}),
                build_project(session, {"Cai": Reciprocity.BANK_TRANSFER, "Dee": Reciprocity.VOUCHERS,
                                         "Eve": Reciprocity.NOT_CHOSEN})]
    session.flush()
    from remun.config import DEFAULT_RATES_DIR
    from remun.pay.rate_cards import load_rate_book

    book = load_rate_book(DEFAULT_RATES_DIR)
    for project in projects:  # claims, approved in the second: the ledger's time is part of the totals
        claims.sync_claims(session, book, project_id=project.id)
    operations.approve_claims(session, projects[1].id, None)  # the first's attendance can still change
    session.commit()
    return projects


def _keeping(session) -> ReportCache:
    """A process's cache that keeps what it makes in the database (as the web app's does)."""
    engine = session.get_bind().engine
    return ReportCache(keep_with=lambda: Session(engine))


class _Statements:
    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _connection, _cursor, statement, *_args):
        self.seen.append(statement)


def _reads_postings(statements) -> bool:
    return any("FROM postings" in statement or "JOIN postings" in statement for statement in statements)


def test_a_new_process_after_an_organisation_wide_change_reads_kept_totals_not_postings(session, rate_book,
                                                                                        two_projects):
    first = cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))
    session.rollback()
    kept = session.scalars(select(KeptTotals.project_id)).all()
    assert sorted(kept) == sorted(project.id for project in two_projects)

    change_setting(session, two_projects[0], 1)  # the comparator basis: every project's report changes
    session.commit()
    with _Statements(session.get_bind().engine) as statements:
        report = cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))  # a new process
    assert not _reads_postings(statements), "kept totals are read, not summed again"
    assert figures_json(report) == figures_json(organisation_parity(session, rate_book, today=DAY))
    assert report.basis != first.basis

    with _Statements(session.get_bind().engine) as statements:  # a new day, in the same process
        later = cached_organisation_parity(session, rate_book, today=DAY + dt.timedelta(days=1),
                                           cache=_keeping(session))
    assert not _reads_postings(statements)
    assert figures_json(later) == figures_json(organisation_parity(session, rate_book, today=DAY + dt.timedelta(days=1)))


def test_a_change_to_one_project_sums_that_project_again_and_keeps_it(session, rate_book, two_projects):
    changed, other = two_projects
    cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))
    session.rollback()
    before = {row.project_id: (row.token, row.totals) for row in session.scalars(select(KeptTotals))}
    change_hours(session, changed, 5)
    session.commit()
    report = cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))
    assert figures_json(report) == figures_json(organisation_parity(session, rate_book, today=DAY))
    session.rollback()
    after = {row.project_id: (row.token, row.totals) for row in session.scalars(select(KeptTotals))}
    assert after[other.id] == before[other.id]
    assert after[changed.id][0] != before[changed.id][0] and after[changed.id][1] != before[changed.id][1]
    assert after[changed.id][1] == totals_json(summed_totals(session, [changed.id])[changed.id])
    assert check_kept_totals(session, read_versions(session)) == []


def test_totals_kept_by_other_code_are_summed_again(session, rate_book, two_projects, monkeypatch):
    cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))
    session.rollback()
    monkeypatch.setattr(project_totals, "SUMMING_CODE", "a release that sums the totals differently")
    with _Statements(session.get_bind().engine) as statements:
        totals_for(session, read_versions(session), [project.id for project in two_projects], None)
    assert _reads_postings(statements)


def test_a_project_page_uses_and_keeps_the_same_totals(session, rate_book, two_projects):
    project = two_projects[0]
    cached_project_parity(session, project.id, rate_book, today=DAY, cache=_keeping(session))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(KeptTotals)) == 1
    with _Statements(session.get_bind().engine) as statements:
        cached_project_parity(session, project.id, rate_book, today=DAY + dt.timedelta(days=1),
                              cache=_keeping(session))
    assert not _reads_postings(statements)


def test_verify_names_kept_totals_a_change_left_wrong(session, rate_book, two_projects):
    """A change that did not move the project's version (as a dropped trigger would allow) leaves its kept
    totals wrong: check_kept_totals (what `remun verify` runs) names the project."""
    changed = two_projects[0]
    cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))
    session.rollback()
    tokens = read_versions(session)
    session.execute(text("UPDATE attendances SET travel_hours = travel_hours + 1 WHERE meeting_id IN "
                         "(SELECT id FROM meetings WHERE project_id = :project)"), {"project": changed.id})
    session.execute(text("UPDATE project_figures_versions SET token = :token WHERE project_id = :project"),
                    {"token": tokens.projects[changed.id], "project": changed.id})
    assert read_versions(session) == tokens
    problems = check_kept_totals(session, tokens)
    assert len(problems) == 1 and changed.name in problems[0] and "differ" in problems[0]


def test_a_truncate_forgets_every_kept_total(session, rate_book, two_projects):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    cached_organisation_parity(session, rate_book, today=DAY, cache=_keeping(session))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(KeptTotals)) == 2
    session.execute(text("TRUNCATE settlement_parts CASCADE"))  # no row named, no project's token moved
    assert session.scalar(select(func.count()).select_from(KeptTotals)) == 0
    session.rollback()
