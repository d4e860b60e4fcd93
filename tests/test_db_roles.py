"""Least privilege on PostgreSQL: the app's role is refused changing ledger rows and switching triggers off."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from remun.database import make_engine, upgrade
from remun.db_roles import create_roles_sql, grants_sql
from remun.project_records.enums import Reciprocity
from remun.ledger import claims
from remun.ledger.verify import verify_ledger
from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL
from tests.helpers.ledger import build_project

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")


@pytest.fixture
def owned_database():
    """A database owned by a new owner role, migrated by it, with a new app role granted as documented."""
    suffix = uuid.uuid4().hex[:8]
    owner, app, name = f"remun_owner_{suffix}", f"remun_app_{suffix}", f"remun_roles_{suffix}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        for statement in create_roles_sql(owner, app):
            connection.execute(text(statement))
        connection.execute(text(f'CREATE DATABASE "{name}" OWNER {owner}'))
    base = make_url(POSTGRES_ADMIN_URL).set(database=name)
    owner_url = base.set(username=owner).render_as_string(hide_password=False)
    app_url = base.set(username=app).render_as_string(hide_password=False)
    try:
        upgrade(owner_url)
        owner_engine = create_engine(owner_url, poolclass=NullPool)
        with owner_engine.begin() as connection:
            for statement in grants_sql(owner, app, name):
                connection.execute(text(statement))
        owner_engine.dispose()
        yield app_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f"DROP ROLE IF EXISTS {app}"))
            connection.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE postings SET amount = amount * 10",
    "DELETE FROM postings",
    "DELETE FROM ledger_transactions",
    "UPDATE ledger_transactions SET description = 'changed'",
    "TRUNCATE postings",
    "DELETE FROM closed_periods",
    "DELETE FROM audit_events",
    "ALTER TABLE postings DISABLE TRIGGER USER",
    "ALTER TABLE claims DISABLE TRIGGER ALL",
    "DROP TRIGGER claims_fixed_once_approved ON claims",
    "SET session_replication_role = replica",
    "CREATE TABLE sneaky (id int)",
])
def test_the_app_role_works_but_is_refused_changing_the_ledger(owned_database, rate_book, statement):
    engine = make_engine(owned_database)
    try:
        with Session(engine) as session:  # the app's own work goes through
            project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
            claims.sync_claims(session, rate_book, project_id=project.id)
            approved = claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], None)
            session.commit()
            assert len(approved.approved) == 2
        with engine.connect() as connection:
            with pytest.raises(DBAPIError, match="permission denied|must be owner"):
                connection.execute(text(statement))
            connection.rollback()
        with Session(engine) as session:
            assert verify_ledger(session).ok
            assert session.scalar(text("SELECT sum(amount) FROM postings WHERE amount > 0")) == Decimal("86.40")
    finally:
        engine.dispose()
