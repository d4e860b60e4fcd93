"""Database engines and migrations, shared by the web app, the CLI and the tests."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from remun.config import MIGRATIONS_DIR


#: Seconds to wait for a lock, and for one statement, before giving up (PostgreSQL). A person on a
#: page should hear within seconds that someone else is changing the ledger, not wait for a hung
#: worker; a command can wait longer. REMUN_DB_LOCK_TIMEOUT and REMUN_DB_STATEMENT_TIMEOUT override both.
TIMEOUTS = {"web": (5, 30), "command": (30, 600)}


def timeouts(context: str = "web") -> tuple[float, float]:
    """(lock timeout, statement timeout) in seconds for the web or the command line; 0 means no limit."""
    lock, statement = TIMEOUTS[context]
    lock = float(os.environ.get("REMUN_DB_LOCK_TIMEOUT") or lock)
    statement = float(os.environ.get("REMUN_DB_STATEMENT_TIMEOUT") or statement)
    return lock, statement


def engine_options(url: str, context: str = "web") -> dict:
    """Options for create_engine that suit each database."""
    if make_url(url).get_backend_name() == "sqlite":
        # Wait for a writer rather than failing at once with "database is locked".
        return {"connect_args": {"timeout": 30}}
    options = {"pool_pre_ping": True}
    if make_url(url).get_backend_name() == "postgresql":
        lock, statement = timeouts(context)
        options["connect_args"] = {
            "connect_timeout": 10,
            "options": f"-c lock_timeout={int(lock * 1000)} -c statement_timeout={int(statement * 1000)}",
        }
    return options


def ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str) -> Engine:
    ensure_sqlite_folder(url)
    engine = create_engine(url, **engine_options(url))
    return engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite leaves foreign keys off unless asked; Remun relies on them.

    Python's sqlite3 also starts transactions on its own schedule, which breaks
    savepoints and transactional DDL; SQLAlchemy's documented fix is to turn
    that off and emit BEGIN ourselves (below).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


#: Whether SQLite transactions begun here take the write lock at once (BEGIN IMMEDIATE).
_WRITING: ContextVar[bool] = ContextVar("remun_sqlite_writing", default=False)


@contextmanager
def writing_transactions() -> Iterator[None]:
    """Within this block, SQLite transactions begin by taking the write lock (BEGIN IMMEDIATE).

    In WAL mode a transaction that has read and then writes fails at once ("database is locked",
    SQLite's BUSY_SNAPSHOT: no waiting helps) if anyone else committed since it first read, for
    example a background job saving its progress. A transaction that means to write takes the lock
    first instead, waiting its turn like a writer on PostgreSQL. The web app uses this for every
    request that may change something (POST); plain reads keep the cheaper deferred BEGIN.
    PostgreSQL is not affected.
    """
    token = begin_writing()
    try:
        yield
    finally:
        end_writing(token)


def begin_writing() -> Token[bool]:
    """Start what ``writing_transactions`` does, for a caller whose end comes in another function (a request's
    teardown); hand the token to ``end_writing``."""
    return _WRITING.set(True)


def end_writing(token: Token[bool]) -> None:
    _WRITING.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is ConfigParser-based: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def is_migrated(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")
