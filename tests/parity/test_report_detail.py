"""A project report's detail is worked out when first read, and is the same figures as ever (issue 19).

When every report must be made again (a new day, a change to the organisation's settings or rate figures)
the dashboard shows only each project's groups and the pay gap across projects. So what each person
received, each role's totals and what would close each gap (remun.parity.report.ParityDetail) wait until a
page, the JSON or the spreadsheet reads them. These tests hold that laziness to the figures it must give.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from remun.project_records.enums import PayBasis, Reciprocity, RoleKind
from remun.project_records.models import Role, RoleTerms
from remun.parity import report as report_module
from remun.parity.report import ParityDetail, organisation_parity, project_parity
from remun.parity.kept_reports import figures_json
from remun.parity.report_cache import ReportCache, cached_organisation_parity, cached_project_parity
from tests.helpers.ledger import approve_all, build_project

paid_parity = report_module._paid_parity


def _projects(session, rate_book):
    first = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
    second = build_project(session, {"Cal": Reciprocity.BANK_TRANSFER})
    # A role in no group: its people are left out of the pay gap.
    loose = Role(project=second, title="Observer", kind=RoleKind.LIVED_EXPERIENCE)
    loose.terms.append(RoleTerms(effective_from=second.start_date, basis=PayBasis.HOUR, rate=Decimal("15"),
                                 session_hours=Decimal("2")))
    session.add(loose)
    approve_all(session, first, rate_book)
    approve_all(session, second, rate_book)
    session.commit()
    session.expire_all()  # read from the database, as a new request would
    return first, second


def test_the_dashboard_leaves_each_projects_detail_until_it_is_read(session, rate_book, monkeypatch):
    first, _second = _projects(session, rate_book)
    worked_out = []
    monkeypatch.setattr(report_module, "_paid_parity", lambda *args: worked_out.append(args) or paid_parity(*args))
    cache = ReportCache()
    dashboard = cached_organisation_parity(session, rate_book, cache=cache)
    assert len(dashboard.projects) == 2 and not worked_out
    assert dashboard.pay_gap == organisation_parity(session, rate_book).pay_gap

    page = cached_project_parity(session, first.id, rate_book, cache=cache)
    assert page is next(report for report in dashboard.projects if report.project_id == first.id)
    worked_out.clear()
    assert page.paid and page.by_role, "the project's people, worked out when the page reads them"
    assert page.paid and len(worked_out) == 1, "and only once"
    assert page == project_parity(session, first.id, rate_book)
    assert figures_json(dashboard) == figures_json(organisation_parity(session, rate_book))


def test_two_reports_that_differ_only_in_their_detail_are_not_equal(session, rate_book):
    first, _second = _projects(session, rate_book)
    report = project_parity(session, first.id, rate_book)
    emptied = dataclasses.replace(report, work_out_detail=ParityDetail)
    assert report.paid and not emptied.paid
    assert report != emptied
    assert report == dataclasses.replace(report)


def test_what_the_pay_gap_counts_is_each_persons_time_in_the_roles_compared(session, rate_book):
    """``compared`` (what the organisation's pay gap sums) is ``paid`` without the roles in no group."""
    _projects(session, rate_book)
    for day in (None, dt.date.today() + dt.timedelta(days=400)):
        for report in organisation_parity(session, rate_book, today=day, threshold=1).projects:
            assert report.compared == tuple((person.person_id, person.kind, person.hours_given, person.received)
                                            for person in report.paid if person.role_title not in report.ungrouped)
