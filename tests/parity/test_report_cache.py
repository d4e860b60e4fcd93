"""Cached parity reports (remun/parity/report_cache.py) are never a committed change behind (issue 19).

After every kind of write the reports are made from — through the ORM, a bulk statement or plain
SQL — the cached report equals one made afresh, and a change that was rolled back leaves the
report as it was. Property-based: any sequence of those writes, checked after each.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from remun.project_records.enums import Reciprocity
from remun.project_records.models import Project, Role, RoleTerms
from remun.parity.report import organisation_parity, project_parity
from remun.parity.kept_reports import figures_json
from remun.parity.report_cache import ReportCache, cached_organisation_parity, cached_project_parity
from remun.parity.versions import read_versions
from tests.helpers.cli import run
from tests.helpers.ledger import build_project
from tests.helpers.parity_writes import (
    EVERY_PROJECT, WRITES, change_hours, change_project_dates, change_rate, change_role, lived_role, move_session,
    new_terms, remove_attendance, rename_person, ungroup_role,
)
from tests.helpers.rate_figures import TEST_SOURCE

DEMO_PROJECT = "Community Mental Health Service Redesign"

DAY = dt.date(2026, 6, 1)


def check_cached_equals_recomputed(session, cache, project_id, rate_book) -> None:
    session.expire_all()  # read from the database, as a new request would
    assert cached_project_parity(session, project_id, rate_book, today=DAY, cache=cache) == \
        project_parity(session, project_id, rate_book, today=DAY)
    kept, fresh = cached_organisation_parity(session, rate_book, today=DAY, cache=cache), \
        organisation_parity(session, rate_book, today=DAY)
    assert kept == fresh
    assert figures_json(kept) == figures_json(fresh)  # figure for figure, as verify compares them


def versions(session) -> tuple:
    """Every figures version: the organisation's and each project's."""
    return read_versions(session).key()


def test_every_kind_of_write_moves_the_version_and_the_cached_report_follows(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
    session.commit()
    cache = ReportCache()
    for write in WRITES:
        check_cached_equals_recomputed(session, cache, project.id, rate_book)
        misses, before = cache.misses, versions(session)
        check_cached_equals_recomputed(session, cache, project.id, rate_book)
        assert cache.misses == misses, "an unchanged database reuses the reports"
        write(session, project, 3)
        session.commit()
        assert versions(session) != before, f"{write.__name__} did not move the figures version"
        check_cached_equals_recomputed(session, cache, project.id, rate_book)
        assert cache.misses == misses + 2, write.__name__


def test_a_change_rolled_back_leaves_the_report_as_it_was(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
    session.commit()
    cache = ReportCache()
    before = cached_project_parity(session, project.id, rate_book, today=DAY, cache=cache)
    token = versions(session)
    nested = session.begin_nested()
    change_rate(session, project, 40)
    session.flush()
    changed = cached_project_parity(session, project.id, rate_book, today=DAY, cache=cache)  # inside the change
    assert changed != before
    nested.rollback()
    assert versions(session) == token
    assert cached_project_parity(session, project.id, rate_book, today=DAY, cache=cache) == before
    # A later, different change never meets the rolled-back change's report.
    change_rate(session, project, 1)
    session.commit()
    check_cached_equals_recomputed(session, cache, project.id, rate_book)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(WRITES + EVERY_PROJECT), st.integers(min_value=0, max_value=20)), min_size=1,
                      max_size=5))
def test_any_sequence_of_writes_keeps_cached_reports_equal_to_recomputed(session, steps):
    from remun.config import DEFAULT_RATES_DIR
    from remun.pay.rate_cards import load_rate_book

    rate_book = load_rate_book(DEFAULT_RATES_DIR)  # not a fixture argument: its repr would fill a failure report
    session.expunge_all()
    example = session.begin_nested()  # each example's writes are undone afterwards
    try:
        project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
        session.flush()
        cache = ReportCache()
        check_cached_equals_recomputed(session, cache, project.id, rate_book)
        for write, value in steps:
            write(session, project, value)
            session.flush()
            session.expire_all()
            check_cached_equals_recomputed(session, cache, project.id, rate_book)
    finally:
        example.rollback()
        session.expunge_all()  # the ids of rolled-back rows are given out again


def test_verify_recomputes_the_kept_reports_and_names_one_a_change_left_wrong(cli_env):  # noqa: F811
    """`remun verify` passes while the kept reports are right; a change that did not move the figures
    version (as a dropped trigger would allow) leaves a kept report wrong, and verify says so and fails."""
    from sqlalchemy.orm import Session

    from remun.config import DEFAULT_RATES_DIR
    from remun.database import make_engine
    from remun.pay.rate_cards import load_rate_book
    from remun.parity.kept_reports import KeptReport, check_kept_reports

    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    engine = make_engine(cli_env["REMUN_DATABASE_URL"])
    book = load_rate_book(DEFAULT_RATES_DIR)
    try:
        cache = ReportCache(keep_with=lambda: Session(engine))
        with Session(engine) as session:
            project_id = session.scalars(select(Project.id).where(Project.name == DEMO_PROJECT)).one()
            cached_project_parity(session, project_id, book, cache=cache)
            cached_organisation_parity(session, book, cache=cache)
            session.rollback()  # kept in a transaction of their own: seen from a new one
            projects = session.scalar(select(func.count(Project.id)))
            # each project's report (made once, the demo project's for its page) and the organisation's
            assert session.scalar(select(func.count(KeptReport.id)).where(KeptReport.kind == "project")) == projects
            assert session.scalar(select(func.count(KeptReport.id)).where(KeptReport.kind == "organisation")) == 1
            assert cache.projects_made == projects
            assert check_kept_reports(session, book) == []
        passed = run(cli_env, "verify")
        assert passed.returncode == 0, passed.stderr

        with Session(engine) as session:  # a rate changed, and the versions put back as if no trigger had fired
            tokens = read_versions(session)
            role_ids = select(Role.id).where(Role.project_id == project_id)
            session.execute(update(RoleTerms).where(RoleTerms.role_id.in_(role_ids)).values(rate=Decimal("1.00")))
            assert read_versions(session) != tokens
            session.execute(text("UPDATE figures_version SET token = :token WHERE id = 1"),
                            {"token": tokens.organisation})
            session.execute(text("UPDATE project_figures_versions SET token = :token WHERE project_id = :project"),
                            {"token": tokens.projects[project_id], "project": project_id})
            assert read_versions(session) == tokens
            session.commit()
        failed = run(cli_env, "verify")
        assert failed.returncode == 1
        assert f"the parity report of project '{DEMO_PROJECT}'" in failed.stderr
        assert "differs from a recomputation" in failed.stderr and "should now be" in failed.stderr
        assert "the organisation's parity report" in failed.stderr and "Traceback" not in failed.stderr

        with Session(engine) as session:  # any real write moves the version: the wrong reports are no longer current
            session.execute(text("UPDATE people SET name = name"))
            session.commit()
        assert run(cli_env, "verify").returncode == 0
    finally:
        engine.dispose()


def _terms_rate(session, project, book):
    lived_role(session, project).terms[0].rate = Decimal("21.00")


def _approve(session, project, book):
    from remun.ledger import claims, operations

    claims.sync_claims(session, book, project_id=project.id)
    operations.approve_claims(session, project.id, None)


def _batch_and_settle(session, project, book):
    from remun.ledger import operations

    operations.create_batch(session, project.id, None)
    operations.settle_in_kind(session, project.id, None)


def _pay(session, project, book):
    from remun.ledger import operations
    from remun.ledger.models import BatchStatus, PaymentBatch

    batch = session.scalars(select(PaymentBatch).where(PaymentBatch.project_id == project.id,
                                                       PaymentBatch.status == BatchStatus.OPEN)).one()
    operations.mark_batch_paid(session, batch.id, None)


def _setting(session, project, book):
    from remun.organisation.settings import change_setting

    change_setting(session, "parity.comparator", "median", by_user_id=None)


def _rate_figure(session, project, book):
    from remun.organisation.rate_figures import add_figure

    add_figure(session, book, "real-living-wage/uk", "19.00", DAY - dt.timedelta(days=30), TEST_SOURCE,
               note="TEST FIGURE")


def _appointment(session, project, book):
    from remun.project_records.models import Appointment

    appointment = session.scalars(select(Appointment).order_by(Appointment.id)).first()
    appointment.end_date = DAY + dt.timedelta(days=400)


#: Every kind of write the reports read, in an order each can follow the one before (claims before
#: their approval, batch and payment): (what, how).
KINDS = [
    ("attendance", lambda s, p, _book: change_hours(s, p, 3)),
    ("pay terms", _terms_rate),
    ("new pay terms", lambda s, p, _book: new_terms(s, p, 2)),
    ("role", lambda s, p, _book: change_role(s, p, 1)),
    ("role group", lambda s, p, _book: ungroup_role(s, p, 0)),
    ("person", lambda s, p, _book: rename_person(s, p, 2)),
    ("appointment", _appointment),
    ("session", lambda s, p, _book: move_session(s, p, 5)),
    ("project", lambda s, p, _book: change_project_dates(s, p, 300)),
    ("claims approved, accruals posted", _approve),
    ("payment batch and settlement parts in kind", _batch_and_settle),
    ("batch paid (postings)", _pay),
    ("organisation setting", _setting),
    ("organisation rate figure", _rate_figure),
    ("attendance removed", lambda s, p, _book: remove_attendance(s, p, 0)),
]


def test_each_kind_of_write_moves_the_version_in_its_own_transaction(own_engine, rate_book):  # noqa: F811
    """A write and the new version commit together: until the commit, others see the old version
    with the old figures (still right); from the commit on, the new version and new figures."""
    from sqlalchemy.orm import Session

    engine = own_engine
    with Session(engine) as setup:
        project_id = build_project(setup, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS}).id
        setup.commit()
    cache = ReportCache()
    seen = []
    for what, write in KINDS:
        with Session(engine) as reader:
            before = read_versions(reader).of(project_id)
            check_cached_equals_recomputed(reader, cache, project_id, rate_book)
        with Session(engine) as writer:
            write(writer, writer.get(Project, project_id), rate_book)
            writer.flush()
            assert read_versions(writer).of(project_id) != before, f"{what}: the write did not move the version"
            with Session(engine) as reader:  # another transaction: the change is not committed yet
                assert read_versions(reader).of(project_id) == before, what
                check_cached_equals_recomputed(reader, cache, project_id, rate_book)
            writer.commit()
        with Session(engine) as reader:
            after = read_versions(reader).of(project_id)
            assert after != before, f"{what}: the committed write left the old version"
            report = cached_project_parity(reader, project_id, rate_book, today=DAY, cache=cache)
            check_cached_equals_recomputed(reader, cache, project_id, rate_book)
        seen.append(report)
    assert len({id(report) for report in seen}) == len(KINDS)  # a new report after every write
    from remun.ledger.models import BatchStatus, PaymentBatch, Posting
    from remun.organisation.rate_figures import OrganisationRateFigure
    from remun.reciprocity.models import SettlementPart

    with Session(engine) as done:  # each kind really wrote
        assert done.scalar(select(func.count(SettlementPart.id))) > 0
        assert done.scalar(select(func.count(Posting.id))) > 0
        assert done.scalar(select(func.count(PaymentBatch.id)).where(PaymentBatch.status == BatchStatus.PAID)) == 1
        assert done.scalar(select(func.count(OrganisationRateFigure.id))) == 1


def test_the_parity_pages_follow_every_committed_change_and_each_reader(app, client, db_session, client_for,
                                                                         make_user, admin_user):
    """The pages' bodies are kept with their report (PageCache): a committed change shows at once on
    both pages, another language or another user gets a page of their own, and a missing project is 404."""
    import re

    from remun.parity.kept_reports import KeptReport
    from remun.web.languages import COOKIE

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
    db_session.commit()

    def shown(address, reader=client):
        with reader.get(address) as response:  # closed, as a server closes it once sent
            assert response.status_code == 200, address
            return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())

    pages = (f"/projects/{project.id}/parity", "/parity")
    first = [shown(address) for address in pages]
    assert [shown(address) for address in pages] == first  # kept: the same page again
    assert "Panel member" in first[0] and project.name in first[1]
    assert app.extensions["remun.report_pages"].hits >= 2

    lived_role(db_session, project).terms[0].rate = Decimal("7.00")  # below the Real Living Wage
    db_session.commit()
    after = [shown(address) for address in pages]
    assert "£7.00" not in first[0] and "£7.00" in after[0]
    assert "is paid £7.00 an hour, below the Real Living Wage" in after[0]
    assert after[1] != first[1]  # the organisation's page counts the role below the Real Living Wage
    assert db_session.scalar(select(func.count(KeptReport.id))) >= 2  # each report made is kept for verify

    polish = client_for(admin_user)  # the same user in another language: a page of their own
    polish.set_cookie(COOKIE, "pl")
    in_polish = shown(pages[0], polish)
    assert in_polish.startswith("Równość płac") and "7,00" in in_polish  # Polish words and numbers
    assert shown(pages[0]) == after[0]  # and the English page is still the English one

    other = client_for(make_user("admin", email="admin-pages@example.org"))
    misses = app.extensions["remun.report_pages"].misses
    assert "£7.00" in shown(pages[0], other) and app.extensions["remun.report_pages"].misses == misses + 1
    assert client.get("/projects/999999/parity").status_code == 404
