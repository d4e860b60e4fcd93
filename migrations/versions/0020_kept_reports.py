"""Kept reports (issue 19): the figures of each parity report served, under the figures version it was
made under, so `remun verify` can recompute them and name any that a change left wrong.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kept_reports"),
    )
    op.create_index("ix_kept_reports_token", "kept_reports", ["token"])


def downgrade() -> None:
    op.drop_index("ix_kept_reports_token", table_name="kept_reports")
    op.drop_table("kept_reports")
