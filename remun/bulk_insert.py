"""Many new rows of one table in one go: how an import writes attendance, expenses and claims.

On PostgreSQL the rows go through ``COPY ... FROM STDIN``: one statement, so each table's
statement-level triggers (the figures version, migration 0016) run once, and no SQL text with a
placeholder for every value is built and then parsed again by the driver (for 11,000 claims
that parsing took more CPU than the rest of the import's writing). Row triggers still run for
every row, as for an INSERT. Each value goes through its column type's bind processing first,
so what is stored is what an INSERT through SQLAlchemy would store.

Elsewhere (SQLite) the rows are one executemany of a plain INSERT.

Nothing is returned: a caller that needs the new ids selects them afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys, column names of ``table``) in ``session``'s transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    # COPY knows only the database's defaults: a Python-side one (a plain value) is given here, as INSERT would.
    defaults = {}
    for column in table.columns:
        if column.name in rows[0] or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"give {table.name}.{column.name} in every row: its default is worked out in Python")
        defaults[column.name] = column.default.arg
    every = names + list(defaults)
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in every]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in every)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
    # The defaults are the same in every row: bound once. A column's bind processing (an enum's name) is done
    # once for each value: the same few values in 10,000 rows cost more than the rest of writing a row.
    tail = [value if process is None or value is None else process(value)
            for process, value in zip(processors[len(names):], defaults.values())]
    processed = [(index, process, {}) for index, process in enumerate(processors[:len(names)]) if process is not None]
    get = itemgetter(*names)
    many = len(names) > 1
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            if len(row) != len(names):  # not rows[0]'s keys: as before, each column from the row or its default
                values = [row[name] if name in row else defaults[name] for name in every]
                write([value if process is None or value is None else process(value)
                       for process, value in zip(processors, values)])
                continue
            values = list(get(row)) if many else [get(row)]
            for index, process, done in processed:
                value = values[index]
                if value is None:
                    continue
                try:
                    values[index] = done[(value.__class__, value)]
                except KeyError:
                    values[index] = done[(value.__class__, value)] = process(value)
                except TypeError:  # not hashable: bound each time
                    values[index] = process(value)
            write(values + tail if tail else values)
