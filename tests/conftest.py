"""Shared test fixtures.

Every database test runs on SQLite and, when it is reachable, on PostgreSQL
(under CI it must be). Each backend gets a fresh database migrated once with
Alembic; each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from remun.database import make_engine, upgrade
from remun.pay.rate_cards import RateBook, load_rate_book
from remun.config import DEFAULT_RATES_DIR


#: Fixtures shared by test modules in several folders (a module's own fixtures stay beside it).
pytest_plugins = [
    "tests.helpers.api_world", "tests.helpers.browser", "tests.helpers.cli", "tests.helpers.mail", "tests.helpers.pages",
]

POSTGRES_ADMIN_URL = os.environ.get(
    "REMUN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The ledger seals each transaction with this key (remun/ledger/keys.py); commands started by tests inherit it.
os.environ.setdefault("REMUN_LEDGER_KEY", "ledger-key-for-tests-only")


def postgres_available() -> bool:
    engine = create_engine(POSTGRES_ADMIN_URL, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


_POSTGRES = postgres_available()
if IN_CI and not _POSTGRES:
    raise RuntimeError(f"CI needs PostgreSQL at {POSTGRES_ADMIN_URL}, and it is not reachable")

BACKENDS = ["sqlite"] + (["postgresql"] if _POSTGRES else [])


def create_postgres_database() -> tuple[str, callable]:
    """A new, empty PostgreSQL database for this run, dropped afterwards."""
    name = f"remun_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return url, drop


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def empty_database_url(backend: str, tmp_path_factory) -> Iterator[str]:
    """A URL of an empty database of the backend (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.sqlite3'}"
        return
    url, drop = create_postgres_database()
    yield url
    drop()


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory) -> Iterator[str]:
    """A database of the backend, migrated to the newest revision, shared by the run."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'remun.sqlite3'}"
        upgrade(url)
        yield url
        return
    url, drop = create_postgres_database()
    upgrade(url)
    yield url
    drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are rolled back when the test ends."""
    connection = engine.connect()
    transaction = connection.begin()
    db_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db_session
    finally:
        db_session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def rate_book() -> RateBook:
    return load_rate_book(DEFAULT_RATES_DIR)


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch):
    """The Flask app on the test database; everything it commits is rolled back."""
    from remun import create_app
    from remun.web.extensions import db

    monkeypatch.setenv("REMUN_DATABASE_URL", database_url)
    monkeypatch.setenv("REMUN_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-only",
                              "REMUN_ARGON2_PROFILE": "test",
                              # Background jobs run at once inside the test's transaction (tests/jobs/test_jobs.py runs them for real).
                              "REMUN_JOB_RUNNER": "inline"})
    with application.app_context():
        engine = db.engine
        connection = engine.connect()
        transaction = connection.begin()
        # The app's sessions join this transaction through savepoints, so a
        # commit (or a rollback after an error) in a view stays inside it.
        db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield application
        finally:
            db.session.close()
            transaction.rollback()
            connection.close()
    engine.dispose()  # each test's app has its own pool


#: The password every test account has.
PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db_session):
    """make_user(role, email=None, projects=(), person=None, password=PASSWORD) -> User, saved."""
    from remun.accounts import passwords
    from remun.accounts.models import User, UserRole

    counter = iter(range(1, 10_000))

    def make(role, email=None, projects=(), person=None, password=PASSWORD):
        role = UserRole(role)
        user = User(email=email or f"{role.value}{next(counter)}@example.org", role=role,
                    password_hash=passwords.hash_password(password, passwords.hasher("test")) if password else None,
                    person=person, led_projects=list(projects))
        db_session.add(user)
        db_session.commit()
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", email="admin@example.org")


@pytest.fixture
def finance_user(make_user):
    return make_user("finance", email="finance@example.org")


@pytest.fixture
def led_project(db_session):
    """A project for ``lead_user`` to lead."""
    from remun.project_records.models import Project

    project = Project(name="Project led in tests")
    db_session.add(project)
    db_session.commit()
    return project


@pytest.fixture
def lead_user(make_user, led_project):
    """A project lead of ``led_project`` (use make_user("lead", projects=[...]) for another)."""
    return make_user("lead", email="lead@example.org", projects=[led_project])


@pytest.fixture
def participant_user(make_user, db_session):
    """A participant, signed in as their own person."""
    from remun.project_records.models import Person

    person = Person(name="Pat Participant", email="pat@example.org")
    db_session.add(person)
    db_session.commit()
    return make_user("participant", email="pat@example.org", person=person)


@pytest.fixture
def client_for(app):
    """client_for(user) -> a test client signed in as that user (None: nobody)."""
    from remun.accounts.sign_in_sessions import start
    from remun.web.extensions import db

    def make(user=None):
        test_client = app.test_client()
        if user is not None:
            key = start(db.session, user)  # a session on the server, as signing in makes
            db.session.commit()
            with test_client.session_transaction() as session:
                session["_user_id"] = key
                session["_fresh"] = True
        return test_client

    return make


@pytest.fixture
def anonymous_client(client_for):
    return client_for(None)


@pytest.fixture
def client(client_for, admin_user):
    """Signed in as an administrator, who may use every page."""
    return client_for(admin_user)


@pytest.fixture
def db_session(app):
    """The app's own session (inside the app's rolled-back transaction)."""
    from remun.web.extensions import db

    return db.session


@pytest.fixture
def own_engine(backend, tmp_path):
    """A database of its own (this test commits), migrated."""
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'machine.sqlite3'}"
    else:
        url, drop = create_postgres_database()
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if drop:
        drop()
