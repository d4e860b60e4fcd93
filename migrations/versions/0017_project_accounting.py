"""Accounting import files (issue 20): a project's own account codes, tax type and tracking category.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_accounting",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("code_time", sa.String(length=50), nullable=True),
        sa.Column("code_expenses", sa.String(length=50), nullable=True),
        sa.Column("code_vouchers", sa.String(length=50), nullable=True),
        sa.Column("code_training", sa.String(length=50), nullable=True),
        sa.Column("code_donation", sa.String(length=50), nullable=True),
        sa.Column("tax_type", sa.String(length=100), nullable=True),
        sa.Column("tracking_name", sa.String(length=100), nullable=True),
        sa.Column("tracking_option", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_accounting_project_id_projects",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_project_accounting_updated_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("project_id", name="pk_project_accounting"),
    )


def downgrade() -> None:
    op.drop_table("project_accounting")
