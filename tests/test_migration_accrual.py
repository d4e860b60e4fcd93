"""Migration 0009 brings a database migrated before 0005 was edited up to date.

0005 gained ``settlement_parts.accrual_id`` (and its foreign key) after it was
released. The database built here is at the pre-edit 0005 schema: migrated to
0005, then without the column, as such a database is. 0009 adds it; on a
database built from the edited 0005 it does nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations

from remun.database import downgrade, make_engine, upgrade
from remun.schema import metadata


def _columns(engine) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns("settlement_parts")}


def _accrual_foreign_keys(engine) -> list[dict]:
    return [fk for fk in sa.inspect(engine).get_foreign_keys("settlement_parts")
            if fk["constrained_columns"] == ["accrual_id"]]


def _as_before_the_edit(engine) -> None:
    """Remove what the edit added to 0005: the column and its foreign key."""
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("settlement_parts") as batch_op:
            if connection.dialect.name != "sqlite":
                batch_op.drop_constraint("fk_settlement_parts_accrual_id_ledger_transactions", type_="foreignkey")
            batch_op.drop_column("accrual_id")


def _differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)


def test_0009_adds_the_column_a_pre_edit_database_lacks(empty_database_url):
    url = empty_database_url
    upgrade(url, "0005")
    engine = make_engine(url)
    try:
        _as_before_the_edit(engine)
        engine.dispose()
        assert "accrual_id" not in _columns(engine)
        upgrade(url, "0008")
        engine.dispose()
        assert "accrual_id" not in _columns(engine)  # nothing before 0009 repairs it
        assert _differences(engine), "the models should differ from a database without the column"
        upgrade(url, "0009")
        engine.dispose()
        assert "accrual_id" in _columns(engine)
        (foreign_key,) = _accrual_foreign_keys(engine)
        assert foreign_key["referred_table"] == "ledger_transactions"
        assert foreign_key["referred_columns"] == ["id"]
        upgrade(url)
        engine.dispose()
        assert _differences(engine) == []
    finally:
        engine.dispose()
        downgrade(url, "base")


def test_0009_does_nothing_where_the_column_is_there(empty_database_url):
    url = empty_database_url
    upgrade(url, "0008")
    engine = make_engine(url)
    try:
        assert "accrual_id" in _columns(engine)
        before = (_columns(engine), _accrual_foreign_keys(engine))
        upgrade(url, "0009")
        engine.dispose()
        assert (_columns(engine), _accrual_foreign_keys(engine)) == before
        downgrade(url, "0008")  # and down again leaves it in place, as the edited 0005 made it
        engine.dispose()
        assert "accrual_id" in _columns(engine)
    finally:
        engine.dispose()
        downgrade(url, "base")
