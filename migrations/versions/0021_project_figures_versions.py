"""A figures version per project (issue 19): a write to one project's records moves only that
project's version, so the organisation's parity report is made again only for the projects that changed.

Until now every write to any table the parity reports read moved the one ``figures_version`` token
(migration 0016), and the next dashboard request made all the projects' reports again. From here:

- ``project_figures_versions`` holds a random token per project. Triggers give it a new token in the
  same transaction as any insert, update or delete of the project's row, its role groups, roles, pay
  terms, appointments, sessions, attendance, claims, postings and settlement parts; of a person, for the
  projects whose sessions they attended (their name is in those reports only). On PostgreSQL the
  triggers run once a statement and read the changed rows (transition tables), so a bulk statement
  costs one update; on SQLite they run once a row.
- ``figures_version`` (0016) now moves only for what changes every project's figures: the
  organisation's settings (comparator basis) and rate figures, and a TRUNCATE of any of these tables.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

#: Each table whose rows belong to projects: the changed rows' project ids, as a query over the rows a
#: PostgreSQL statement changed ({rows} r), and over the one row (NEW or OLD) a SQLite trigger runs for.
_OWN = ("SELECT r.project_id FROM {rows} r", "SELECT {row}.project_id AS project_id")
_BY_ROLE = ("SELECT roles.project_id FROM {rows} r JOIN roles ON roles.id = r.role_id",
            "SELECT project_id FROM roles WHERE id = {row}.role_id")
PROJECT_OF = {
    "projects": ("SELECT r.id FROM {rows} r", "SELECT {row}.id AS project_id"),
    "role_groups": _OWN,
    "roles": _OWN,
    "role_terms": _BY_ROLE,
    "appointments": _BY_ROLE,
    "meetings": _OWN,
    "attendances": ("SELECT meetings.project_id FROM {rows} r JOIN meetings ON meetings.id = r.meeting_id",
                    "SELECT project_id FROM meetings WHERE id = {row}.meeting_id"),
    # A person's name is in the reports of the projects whose sessions they attended, and only there.
    "people": ("SELECT meetings.project_id FROM {rows} r JOIN attendances ON attendances.person_id = r.id "
               "JOIN meetings ON meetings.id = attendances.meeting_id",
               "SELECT meetings.project_id AS project_id FROM attendances "
               "JOIN meetings ON meetings.id = attendances.meeting_id WHERE attendances.person_id = {row}.id"),
    "claims": _OWN,
    "postings": _OWN,
    "settlement_parts": _OWN,
}
EVENTS = ("insert", "update", "delete")
PG_TOKEN = "md5(random()::text || clock_timestamp()::text || {id}::text)"
SQLITE_TOKEN = "lower(hex(randomblob(16)))"


def _pg_function(table: str) -> str:
    moved = ("INSERT INTO project_figures_versions (project_id, token) "
             f"SELECT id, {PG_TOKEN.format(id='id')} FROM (SELECT DISTINCT changed.project_id AS id FROM "
             "({query}) AS changed (project_id) WHERE changed.project_id IS NOT NULL) AS ids ORDER BY id "
             "ON CONFLICT (project_id) DO UPDATE SET token = EXCLUDED.token;")
    return (f"CREATE FUNCTION remun_{table}_project_versions() RETURNS trigger AS $$ BEGIN "
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
            + moved.format(query=PROJECT_OF[table][0].format(rows="new_rows")) + " END IF; "
            "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            + moved.format(query=PROJECT_OF[table][0].format(rows="old_rows")) + " END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql")


def _sqlite_trigger(table: str, event: str) -> str:
    rows = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}[event]
    steps = []
    for row in rows:
        query = PROJECT_OF[table][1].format(row=row)
        # No INSERT OR REPLACE or upsert: the statement that fired the trigger (INSERT OR IGNORE...) would
        # impose its own conflict policy on them. A row for a new project first, then its new token.
        steps.append("INSERT INTO project_figures_versions (project_id, token) "
                     f"SELECT DISTINCT changed.project_id, '' FROM ({query}) AS changed "
                     "WHERE changed.project_id IS NOT NULL "
                     "AND changed.project_id NOT IN (SELECT project_id FROM project_figures_versions);")
        steps.append(f"UPDATE project_figures_versions SET token = {SQLITE_TOKEN} WHERE project_id IN ({query});")
    return (f"CREATE TRIGGER {table}_project_versions_{event} AFTER {event.upper()} ON {table} "
            f"BEGIN {' '.join(steps)} END")


def _create_0016_triggers(tables) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"CREATE TRIGGER {table}_new_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION remun_new_figures_version()")
    else:
        for table in tables:
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER {table}_new_figures_version_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN UPDATE figures_version SET token = {SQLITE_TOKEN} WHERE id = 1; END")


def _drop_0016_triggers(tables) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in tables:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_new_figures_version ON {table}")
        else:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_new_figures_version_{event}")


def _new_global_token() -> None:
    token = PG_TOKEN.format(id="id") if op.get_bind().dialect.name == "postgresql" else SQLITE_TOKEN
    op.execute(f"UPDATE figures_version SET token = {token} WHERE id = 1")


def upgrade() -> None:
    op.create_table(
        "project_figures_versions",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_project_figures_versions"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    token = PG_TOKEN.format(id="id") if postgresql else SQLITE_TOKEN
    op.execute(f"INSERT INTO project_figures_versions (project_id, token) SELECT id, {token} FROM projects")
    _drop_0016_triggers(PROJECT_OF)
    for table in PROJECT_OF:
        if postgresql:
            op.execute(_pg_function(table))
            op.execute(f"CREATE TRIGGER {table}_project_versions_insert AFTER INSERT ON {table} "
                       "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION remun_{table}_project_versions()")
            op.execute(f"CREATE TRIGGER {table}_project_versions_update AFTER UPDATE ON {table} "
                       "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION remun_{table}_project_versions()")
            op.execute(f"CREATE TRIGGER {table}_project_versions_delete AFTER DELETE ON {table} "
                       "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION remun_{table}_project_versions()")
            # TRUNCATE names no rows: it moves every project's figures (the organisation's token).
            op.execute(f"CREATE TRIGGER {table}_truncate_figures_version AFTER TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION remun_new_figures_version()")
        else:
            for event in EVENTS:
                op.execute(_sqlite_trigger(table, event))
    _new_global_token()  # nothing kept under the one version before is reused


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in PROJECT_OF:
        if postgresql:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_project_versions_{event} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_figures_version ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS remun_{table}_project_versions()")
        else:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_project_versions_{event}")
    _create_0016_triggers(PROJECT_OF)
    op.drop_table("project_figures_versions")
    _new_global_token()
