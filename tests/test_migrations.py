"""Migrations: they build exactly the models' schema, on SQLite and PostgreSQL,
and every step goes up and down with data in place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.database import alembic_config, downgrade, make_engine, upgrade
from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Attendance, Meeting, Person, Project, Role, RoleGroup, RoleTerms
from remun.schema import metadata


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_models_match_the_newest_migration(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_there_is_one_head(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1


def _add_sample_project(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        project = Project(name="Migration check", start_date=dt.date(2026, 4, 1))
        group = RoleGroup(project=project, name="Co-chair")
        role = Role(project=project, group=group, title="Co-chair", kind=RoleKind.LIVED_EXPERIENCE)
        role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.HOUR, rate=Decimal("20"),
                                    session_hours=Decimal("3")))
        person = Person(name="Ailsa")
        meeting = Meeting(project=project, date=dt.date(2026, 5, 1), title="Steering", hours=Decimal("3"))
        session.add_all([project, person, meeting])
        session.flush()
        session.add(Attendance(meeting=meeting, person=person, role=role, hours=Decimal("3")))
        session.commit()
    engine.dispose()


def test_each_migration_goes_down_and_up_with_data_in_place(empty_database_url):
    revisions = _revisions(empty_database_url)
    upgrade(empty_database_url)
    _add_sample_project(empty_database_url)
    # Step down one revision at a time, then back up again.
    for target in list(reversed(revisions[:-1])) + ["base"]:
        downgrade(empty_database_url, target)
    for revision in revisions:
        upgrade(empty_database_url, revision)
    _add_sample_project(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count(Project.id))) == 1
    engine.dispose()
    downgrade(empty_database_url, "base")
