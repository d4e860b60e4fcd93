"""A figures version per project (migration 0021, remun/parity/versions.py; issue 19).

A write to one project's records moves that project's version and no other (nor the organisation's);
a write that changes every project's figures moves the organisation's. The organisation's report is
put together from its projects' kept reports: after a write only the projects whose versions moved are
made again (in one pass over the data), and the report always equals a recomputation, figure for figure.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select, text

from remun.database import downgrade, make_engine, upgrade
from remun.parity.report import organisation_parity, project_parity
from remun.parity.kept_reports import figures_json
from remun.parity.project_totals import kept_under, summed_totals, totals_json
from remun.parity.report_cache import ReportCache, cached_organisation_parity, cached_project_parity
from remun.parity.versions import read_versions
from remun.project_records.enums import Reciprocity
from remun.project_records.models import Attendance, Meeting, Person, Project
from tests.helpers.ledger import build_project
from tests.helpers.parity_writes import EVERY_PROJECT, WRITES

DAY = dt.date(2026, 6, 1)


def _two_projects(session) -> tuple[Project, Project]:
    first = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
    other = build_project(session, {"Cai": Reciprocity.BANK_TRANSFER, "Dee": Reciprocity.VOUCHERS,
                                    "Eve": Reciprocity.NOT_CHOSEN})
    session.flush()
    return first, other


def _check(session, cache, project_ids, rate_book) -> None:
    """Each project's kept report and the organisation's equal ones made afresh, figure for figure."""
    session.expire_all()  # read from the database, as a new request would
    kept = cached_organisation_parity(session, rate_book, today=DAY, cache=cache)
    fresh = organisation_parity(session, rate_book, today=DAY)
    assert kept == fresh
    assert figures_json(kept) == figures_json(fresh)
    for project_id in project_ids:
        assert cached_project_parity(session, project_id, rate_book, today=DAY, cache=cache) == \
            project_parity(session, project_id, rate_book, today=DAY)


def _moved(before, after) -> set:
    """The projects whose reports' versions moved (each project's own, or the organisation's for all)."""
    return {project_id for project_id in after.projects if before.of(project_id) != after.of(project_id)}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(WRITES + EVERY_PROJECT), st.booleans(),
                                st.integers(min_value=0, max_value=20)), min_size=1, max_size=6))
def test_a_write_moves_only_its_projects_version_and_only_its_report_is_made_again(session, steps):
    from remun.config import DEFAULT_RATES_DIR
    from remun.pay.rate_cards import load_rate_book

    rate_book = load_rate_book(DEFAULT_RATES_DIR)  # not a fixture argument: its repr would fill a failure report
    session.expunge_all()
    example = session.begin_nested()  # each example's writes are undone afterwards
    try:
        projects = _two_projects(session)
        ids = [project.id for project in projects]
        cache = ReportCache()
        _check(session, cache, ids, rate_book)
        for write, second, value in steps:
            written, other = (projects[1], projects[0]) if second else projects
            before = read_versions(session)
            kept = {project_id: (kept_under(before, project_id), totals_json(totals))  # as the database keeps them
                    for project_id, totals in summed_totals(session, ids).items()}
            write(session, written, value)
            session.flush()
            session.expire_all()
            after = read_versions(session)
            # Totals kept under a token that still stands equal the records summed again.
            for project_id, totals in summed_totals(session, ids).items():
                if kept_under(after, project_id) == kept[project_id][0]:
                    assert totals_json(totals) == kept[project_id][1], f"{write.__name__} left kept totals wrong"
            if write in WRITES:
                assert after.projects[other.id] == before.projects[other.id], \
                    f"{write.__name__} to one project moved another's version"
                assert after.organisation == before.organisation, f"{write.__name__} moved the organisation's version"
                assert _moved(before, after) <= {written.id}
            made = cache.projects_made
            _check(session, cache, ids, rate_book)
            # Only the reports whose versions moved were made again: once each, however they were asked for.
            assert cache.projects_made - made == len(_moved(before, after)), write.__name__
    finally:
        example.rollback()
        session.expunge_all()  # the ids of rolled-back rows are given out again


def test_each_write_to_one_project_leaves_the_other_and_the_organisation_alone(session, rate_book):
    first, other = _two_projects(session)
    session.commit()
    cache = ReportCache()
    _check(session, cache, [first.id, other.id], rate_book)
    for write in WRITES:
        before = read_versions(session)
        write(session, first, 3)
        session.commit()
        after = read_versions(session)
        assert after.projects[first.id] != before.projects[first.id], f"{write.__name__} did not move its project"
        assert after.projects[other.id] == before.projects[other.id], write.__name__
        assert after.organisation == before.organisation, write.__name__
        made = cache.projects_made
        _check(session, cache, [first.id, other.id], rate_book)
        assert cache.projects_made == made + 1, write.__name__
    for write in EVERY_PROJECT:
        before = read_versions(session)
        write(session, first, 1)
        session.commit()
        after = read_versions(session)
        assert after.organisation != before.organisation and after.projects == before.projects, write.__name__
        made = cache.projects_made
        _check(session, cache, [first.id, other.id], rate_book)
        assert cache.projects_made == made + len(after.projects), write.__name__


def test_a_statement_across_projects_moves_each_of_them(session, rate_book):
    first, other = _two_projects(session)
    both = session.scalars(select(Person).where(Person.name == "Dr Staff")).all()
    assert len(both) == 2
    session.commit()
    before = read_versions(session)
    session.execute(text("UPDATE attendances SET prep_hours = prep_hours"))  # every attendance, one statement
    after = read_versions(session)
    assert {first.id, other.id} <= _moved(before, after) and after.organisation == before.organisation
    session.commit()
    # A person who attended both projects: their name is in both reports.
    person = session.scalars(select(Person).where(Person.name == "Cai")).one()
    meeting = session.scalars(select(Meeting).where(Meeting.project_id == first.id)).first()
    role = session.scalars(select(Attendance.role_id).where(Attendance.meeting_id == meeting.id)).first()
    session.add(Attendance(meeting_id=meeting.id, person_id=person.id, role_id=role, hours=Decimal("2")))
    session.commit()
    before = read_versions(session)
    person.name = "Cai Renamed"
    session.commit()
    assert _moved(before, read_versions(session)) == {first.id, other.id}
    cache = ReportCache()
    _check(session, cache, [first.id, other.id], rate_book)


def test_missing_reports_are_made_in_one_pass(session, rate_book):
    """A cold start and a change in two projects: the queries do not grow with the projects made."""
    projects = _two_projects(session)
    session.commit()
    statements = []
    listener = lambda *_args: statements.append(1)  # noqa: E731
    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        cache = ReportCache()
        cached_organisation_parity(session, rate_book, today=DAY, cache=cache)
        cold = len(statements)
        assert cache.projects_made == session.scalar(select(func.count(Project.id)))
        for project in projects:
            project.end_date = project.start_date + dt.timedelta(days=100)
        session.commit()
        statements.clear()
        made = cache.projects_made
        cached_organisation_parity(session, rate_book, today=DAY, cache=cache)
        assert cache.projects_made == made + 2
        assert len(statements) <= cold
        statements.clear()
        again = cached_organisation_parity(session, rate_book, today=DAY, cache=cache)
        assert len(statements) == 1  # the versions only
        assert cached_organisation_parity(session, rate_book, today=DAY, cache=cache) is again
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_0021_goes_up_and_down_with_data_in_place(empty_database_url):
    """From 0020 with projects in place: each gets a version; a write moves only its project's; the
    downgrade gives back 0016's one version, moved by every write."""
    from sqlalchemy.orm import Session

    url = empty_database_url
    upgrade(url, "0020")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            first, other = _two_projects(session)
            ids = (first.id, other.id)
            session.commit()
        engine.dispose()
        upgrade(url, "0021")
        with Session(engine) as session:
            before = read_versions(session)
            assert set(before.projects) == set(ids) and len(set(before.projects.values())) == 2
            assert "" not in before.projects.values()
            session.execute(text("UPDATE attendances SET hours = hours + 1 WHERE meeting_id IN "
                                 "(SELECT id FROM meetings WHERE project_id = :project)"), {"project": ids[0]})
            after = read_versions(session)
            assert _moved(before, after) == {ids[0]} and after.organisation == before.organisation
            session.commit()
        engine.dispose()
        downgrade(url, "0020")
        with Session(engine) as session:
            assert "project_figures_versions" not in sa_tables(engine)
            token = session.scalar(text("SELECT token FROM figures_version WHERE id = 1"))
            session.execute(text("UPDATE attendances SET hours = hours + 1 WHERE meeting_id IN "
                                 "(SELECT id FROM meetings WHERE project_id = :project)"), {"project": ids[1]})
            assert session.scalar(text("SELECT token FROM figures_version WHERE id = 1")) != token
            session.commit()
        engine.dispose()
        upgrade(url)
        with Session(engine) as session:
            assert set(read_versions(session).projects) == set(ids)
    finally:
        engine.dispose()
        downgrade(url, "base")


def sa_tables(engine) -> list[str]:
    from sqlalchemy import inspect

    return inspect(engine).get_table_names()
