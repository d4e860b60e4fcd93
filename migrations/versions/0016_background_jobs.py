"""Background jobs (issue 19): long exports and workbooks made by a worker, with progress and a file;
and the figures version that cached reports are kept under (moved by triggers on every write they read).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = "0015"
branch_labels = None
depends_on = None

#: Every table the parity reports read: a write to any of them gives the figures a new version.
FIGURE_TABLES = ("projects", "role_groups", "roles", "role_terms", "people", "appointments", "meetings", "attendances",
                 # parity counts what was paid or given from the ledger, on the organisation's chosen basis,
                 # with the organisation's own rate figures (issues 17 and 18)
                 "claims", "postings", "settlement_parts", "organisation_settings", "organisation_rate_figures")


def upgrade() -> None:
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum("queued", "running", "done", "failed", "expired", name="background_job_status",
                                    native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_path", sa.String(length=200), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_background_jobs_owner_id_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_background_jobs"),
    )
    op.create_index("ix_background_jobs_owner_id", "background_jobs", ["owner_id"])

    op.create_table(
        "figures_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_figures_version"),
    )
    op.execute("INSERT INTO figures_version (id, token) VALUES (1, 'initial')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION remun_new_figures_version() RETURNS trigger AS $$ BEGIN "
            "UPDATE figures_version SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1; "
            "RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in FIGURE_TABLES:
            op.execute(f"CREATE TRIGGER {table}_new_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION remun_new_figures_version()")
    else:
        for table in FIGURE_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_new_figures_version_{event.lower()} AFTER {event} ON {table} "
                           "BEGIN UPDATE figures_version SET token = lower(hex(randomblob(16))) WHERE id = 1; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FIGURE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_new_figures_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS remun_new_figures_version()")
    else:
        for table in FIGURE_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_new_figures_version_{event}")
    op.drop_table("figures_version")
    op.drop_index("ix_background_jobs_owner_id", table_name="background_jobs")
    op.drop_table("background_jobs")
