"""The roles a session is for, and sessions participants tell the project about (issue 16).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = "0014"
branch_labels = None
depends_on = None

HOURS = sa.Numeric(8, 2)
MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.create_table(
        "meeting_roles",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name="fk_meeting_roles_meeting_id_meetings",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], name="fk_meeting_roles_role_id_roles", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "role_id", name="pk_meeting_roles"),
    )
    op.create_index("ix_meeting_roles_role_id", "meeting_roles", ["role_id"])
    op.create_table(
        "told_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hours", HOURS, nullable=False),
        sa.Column("prep_hours", HOURS, nullable=False),
        sa.Column("travel_hours", HOURS, nullable=False),
        sa.Column("expense_amount", MONEY, nullable=True),
        sa.Column("expense_category", sa.String(length=20), nullable=True),
        sa.Column("expense_note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0",
                           name="ck_told_sessions_hours_not_negative"),
        sa.CheckConstraint("expense_amount IS NULL OR expense_amount > 0", name="ck_told_sessions_expense_positive"),
        sa.CheckConstraint("status IN ('waiting', 'confirmed', 'declined')", name="ck_told_sessions_status_known"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_told_sessions_person_id_people",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_told_sessions_project_id_projects",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], name="fk_told_sessions_role_id_roles", ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_told_sessions_created_by_id_users",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name="fk_told_sessions_decided_by_id_users",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name="fk_told_sessions_meeting_id_meetings",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_told_sessions"),
    )
    op.create_index("ix_told_sessions_person_id", "told_sessions", ["person_id"])
    op.create_index("ix_told_sessions_project_id", "told_sessions", ["project_id"])
    op.create_index("ix_told_sessions_status", "told_sessions", ["status"])


def downgrade() -> None:
    op.drop_index("ix_told_sessions_status", table_name="told_sessions")
    op.drop_index("ix_told_sessions_project_id", table_name="told_sessions")
    op.drop_index("ix_told_sessions_person_id", table_name="told_sessions")
    op.drop_table("told_sessions")
    op.drop_index("ix_meeting_roles_role_id", table_name="meeting_roles")
    op.drop_table("meeting_roles")
