"""Published figures added by the organisation, laid over the shipped rate cards (remun/organisation/rate_figures.py).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = "0010"
branch_labels = None
depends_on = None

CATEGORIES = ["travel", "care", "meals", "communication", "other"]


@contextmanager
def _triggers_kept(table: str):
    """SQLite rebuilds a table to alter it, and the rebuilt table has lost its triggers (the
    guards on approved expenses from 0010): take them down first and put them back after."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    triggers = bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                            {"t": table}).all()
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    yield
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    op.create_table(
        "organisation_rate_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=120), nullable=False),
        sa.Column("amount", sa.Numeric(12, 4), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name="ck_organisation_rate_figures_amount_positive"),
        sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from",
                           name="ck_organisation_rate_figures_dates_in_order"),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], name="fk_organisation_rate_figures_added_by_id_users",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["users.id"],
                                name="fk_organisation_rate_figures_withdrawn_by_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_organisation_rate_figures"),
    )
    op.create_index("ix_organisation_rate_figures_ref", "organisation_rate_figures", ["ref"])
    # Mileage expenses: the miles and vehicle behind the amount, and "mileage" as an expense category.
    with _triggers_kept("expenses"), op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("miles", sa.Numeric(10, 2), nullable=True))
        batch_op.add_column(sa.Column("vehicle", sa.String(length=16), nullable=True))
        batch_op.drop_constraint(op.f("ck_expenses_expense_category"), type_="check")
        batch_op.create_check_constraint("expense_category", sa.column("category").in_(CATEGORIES + ["mileage"]))
    # A project in London compares with the London Living Wage.
    # (A plain ADD COLUMN: rebuilding projects on SQLite would trip the tables that refer to it.)
    op.add_column("projects", sa.Column("location", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("projects", "location")
    op.execute("DELETE FROM expenses WHERE category = 'mileage'")
    with _triggers_kept("expenses"), op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_expenses_expense_category"), type_="check")
        batch_op.create_check_constraint("expense_category", sa.column("category").in_(CATEGORIES))
        batch_op.drop_column("vehicle")
        batch_op.drop_column("miles")
    op.drop_index("ix_organisation_rate_figures_ref", table_name="organisation_rate_figures")
    op.drop_table("organisation_rate_figures")
