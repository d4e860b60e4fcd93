"""No page issues a query per row: the main pages' SQL query counts stay the same as the data grows.

An organisation is generated twice (bench/datagen.py, the benchmark's own
generator), the second time with several times the sessions, attendance and
postings per project; every page is then fetched for a project and a person
from each, counting the statements sent through the app's engine.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from bench.datagen import Scale, generate
from remun.project_records.models import Person, Project

SMALL = Scale(projects=2, people=24, sessions=8, postings=240)
LARGE = Scale(projects=3, people=60, sessions=45, postings=1_800)
TODAY = dt.date(2026, 6, 30)

PAGES = {
    "project": "/projects/{project}",
    "parity": "/projects/{project}/parity",
    "organisation dashboard": "/parity",
    "project ledger": "/projects/{project}/ledger",
    "statement": "/people/{person}/statement",
    "people": "/people/",
    "claims": "/projects/{project}/claims",
}


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args, **_kwargs) -> None:
        self.count += 1


def _organisation(db_session, scale: Scale, seed: int) -> tuple[int, int]:
    """Generate an organisation; return its busiest project and the person with most postings in it."""
    first_project = (db_session.scalar(select(Project.id).order_by(Project.id.desc()).limit(1)) or 0) + 1
    generate(db_session.connection(), scale, today=TODAY, seed=seed)
    db_session.commit()
    from sqlalchemy import func

    from remun.ledger.models import Claim

    project_id, person_id = db_session.execute(
        select(Claim.project_id, Claim.person_id).where(Claim.project_id >= first_project)
        .group_by(Claim.project_id, Claim.person_id).order_by(func.count().desc(), Claim.project_id).limit(1)
    ).one()
    return project_id, person_id


def _counts(app, client, project_id: int, person_id: int) -> dict[str, int]:
    from remun.web.extensions import db

    counts = {}
    for name, pattern in PAGES.items():
        # The tests share the app's session: start each page with nothing already loaded, as a request would.
        db.session.expunge_all()
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            response = client.get(pattern.format(project=project_id, person=person_id))
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
    return counts


def test_page_query_counts_do_not_grow_with_the_data(app, client, db_session):
    small = _counts(app, client, *_organisation(db_session, SMALL, seed=1))
    large_project, large_person = _organisation(db_session, LARGE, seed=2)
    large = _counts(app, client, large_project, large_person)
    assert all(count > 0 for count in small.values())  # the listener sees the app's queries
    assert large == small


def test_the_large_organisation_really_is_larger(app, db_session):
    """The comparison means something only if the second project has many more rows than the first."""
    from sqlalchemy import func

    from remun.ledger.models import Posting

    small_project, _ = _organisation(db_session, SMALL, seed=1)
    large_project, _ = _organisation(db_session, LARGE, seed=2)
    postings = dict(db_session.execute(
        select(Posting.project_id, func.count()).where(Posting.project_id.in_([small_project, large_project]))
        .group_by(Posting.project_id)).all())
    assert postings[large_project] >= 3 * postings[small_project]
    people = db_session.scalar(select(func.count()).select_from(Person))
    assert people >= SMALL.people + LARGE.people


def test_statement_and_ledger_show_the_newest_page_first(app, client, db_session):
    """A person with years of sessions sees the newest 50 claims, and a link to older ones."""
    from sqlalchemy import func

    from remun.ledger.models import Claim, Posting
    from remun.web.views.ledger import PAGE_SIZE

    project_id, person_id = _organisation(db_session, Scale(projects=1, people=20, sessions=60, postings=2_400), seed=3)
    claims = db_session.scalar(select(func.count(Claim.id)).where(Claim.person_id == person_id))
    assert claims > PAGE_SIZE
    first = client.get(f"/people/{person_id}/statement").get_data(as_text=True)
    assert first.count('<tr class="govuk-table__row">') - 1 == PAGE_SIZE  # less the heading row
    assert f"Page 1 of {-(-claims // PAGE_SIZE)}" in first and "page=2" in first
    last = client.get(f"/people/{person_id}/statement?page={-(-claims // PAGE_SIZE)}").get_data(as_text=True)
    assert last.count('<tr class="govuk-table__row">') - 1 == claims - PAGE_SIZE * (-(-claims // PAGE_SIZE) - 1)

    postings = db_session.scalar(select(func.count(Posting.id)).where(Posting.project_id == project_id))
    ledger = client.get(f"/projects/{project_id}/ledger").get_data(as_text=True)
    assert f"Page 1 of {-(-postings // PAGE_SIZE)}" in ledger
    newest = db_session.scalar(select(func.max(Posting.transaction_id)).where(Posting.project_id == project_id))
    oldest = db_session.scalar(select(func.min(Posting.transaction_id)).where(Posting.project_id == project_id))
    from remun.ledger.models import LedgerTransaction

    def description(transaction_id):
        return db_session.get(LedgerTransaction, transaction_id).description

    assert description(newest) in ledger and description(oldest) not in ledger
