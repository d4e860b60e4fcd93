"""Kept project totals (issue 19): each project's records summed for its parity report, kept under the
project's figures version (migration 0021), so the organisation's dashboard does not read every posting
again after a change to the organisation's settings or rate figures, on a new day or in a new process.

A row is reused only while its project's token is the one it was summed under. A TRUNCATE names no rows
and moves no project's token, so on PostgreSQL a TRUNCATE of any table the totals are summed from (or of
the tokens themselves) forgets every kept row; deleting a project's token row forgets its kept row.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

#: The tables the totals are summed from, and the tokens they are kept under.
SUMMED_FROM = ("projects", "role_groups", "roles", "role_terms", "appointments", "meetings", "attendances",
               "people", "claims", "ledger_transactions", "postings", "settlement_parts", "project_figures_versions")


def upgrade() -> None:
    op.create_table(
        "kept_project_totals",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_kept_project_totals"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION remun_forget_kept_totals() RETURNS trigger AS $$ BEGIN "
                   "DELETE FROM kept_project_totals; RETURN NULL; END $$ LANGUAGE plpgsql")
        for table in SUMMED_FROM:
            op.execute(f"CREATE TRIGGER {table}_truncate_kept_totals AFTER TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION remun_forget_kept_totals()")
        op.execute("CREATE FUNCTION remun_forget_project_kept_totals() RETURNS trigger AS $$ BEGIN "
                   "DELETE FROM kept_project_totals WHERE project_id IN (SELECT project_id FROM old_rows); "
                   "RETURN NULL; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER project_figures_versions_delete_kept_totals AFTER DELETE "
                   "ON project_figures_versions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
                   "EXECUTE FUNCTION remun_forget_project_kept_totals()")
    else:
        op.execute("CREATE TRIGGER project_figures_versions_delete_kept_totals AFTER DELETE "
                   "ON project_figures_versions BEGIN "
                   "DELETE FROM kept_project_totals WHERE project_id = OLD.project_id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS project_figures_versions_delete_kept_totals ON project_figures_versions")
        op.execute("DROP FUNCTION IF EXISTS remun_forget_project_kept_totals()")
        for table in SUMMED_FROM:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_kept_totals ON {table}")
        op.execute("DROP FUNCTION IF EXISTS remun_forget_kept_totals()")
    else:
        op.execute("DROP TRIGGER IF EXISTS project_figures_versions_delete_kept_totals")
    op.drop_table("kept_project_totals")
