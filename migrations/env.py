"""Alembic environment: runs Remun's migrations on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from sqlalchemy import create_engine

from remun.database import engine_options, ensure_sqlite_folder
from remun.schema import metadata as remun_metadata

config = context.config
target_metadata = remun_metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    ensure_sqlite_folder(url)
    engine = create_engine(url, poolclass=pool.NullPool, **engine_options(url))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite, which cannot alter most things in place.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
