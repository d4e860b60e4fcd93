"""Budgets: plans of what involvement costs, for projects and for drafts of them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:40:29.087030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='GBP', nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('contingency_percent', sa.Numeric(precision=5, scale=2), server_default='0', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('contingency_percent >= 0 AND contingency_percent <= 100', name=op.f('ck_budgets_contingency_in_range')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_budgets_dates_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_budgets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_budgets_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets')),
    sa.UniqueConstraint('project_id', name=op.f('uq_budgets_project_id'))
    )
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budgets_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('budget_draft_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('lived_experience', 'carer', 'clinical', 'professional', 'other', name='role_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=True),
    sa.Column('basis', sa.Enum('hour', 'session', 'half_day', 'day', 'salary', name='pay_basis', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('rate_card_ref', sa.String(length=120), nullable=True),
    sa.Column('session_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('prep_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('prep_paid', sa.Boolean(), nullable=False),
    sa.Column('travel_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('travel_paid', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(rate IS NOT NULL) OR (rate_card_ref IS NOT NULL)', name=op.f('ck_budget_draft_roles_rate_or_rate_card')),
    sa.CheckConstraint('rate IS NULL OR rate >= 0', name=op.f('ck_budget_draft_roles_rate_not_negative')),
    sa.CheckConstraint('session_hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0', name=op.f('ck_budget_draft_roles_hours_not_negative')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_draft_roles_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_draft_roles')),
    sa.UniqueConstraint('budget_id', 'title', name=op.f('uq_budget_draft_roles_budget_id_title'))
    )
    with op.batch_alter_table('budget_draft_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_draft_roles_budget_id'), ['budget_id'], unique=False)

    op.create_table('budget_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('expenses', 'accessibility', 'training', 'venue', 'voucher_fees', 'staff_time', 'other', name='budget_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('rate_card_ref', sa.String(length=120), nullable=True),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('every_months', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint('(unit_cost IS NOT NULL AND rate_card_ref IS NULL) OR (unit_cost IS NULL AND rate_card_ref IS NOT NULL)', name=op.f('ck_budget_items_cost_or_rate_card')),
    sa.CheckConstraint('every_months >= 1 AND every_months <= 12', name=op.f('ck_budget_items_every_months_in_range')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_budget_items_quantity_not_negative')),
    sa.CheckConstraint('times >= 1', name=op.f('ck_budget_items_times_positive')),
    sa.CheckConstraint('unit_cost IS NULL OR unit_cost >= 0', name=op.f('ck_budget_items_cost_not_negative')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_items_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_items'))
    )
    with op.batch_alter_table('budget_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_items_budget_id'), ['budget_id'], unique=False)

    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('draft_role_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('per_month', sa.Integer(), server_default='1', nullable=False),
    sa.Column('every_months', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('session_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('prep_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('travel_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('in_total', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint('(role_id IS NOT NULL AND draft_role_id IS NULL) OR (role_id IS NULL AND draft_role_id IS NOT NULL)', name=op.f('ck_budget_lines_one_role')),
    sa.CheckConstraint('every_months >= 1 AND every_months <= 12', name=op.f('ck_budget_lines_every_months_in_range')),
    sa.CheckConstraint('people >= 1', name=op.f('ck_budget_lines_people_positive')),
    sa.CheckConstraint('per_month >= 1', name=op.f('ck_budget_lines_per_month_positive')),
    sa.CheckConstraint('session_hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0', name=op.f('ck_budget_lines_hours_not_negative')),
    sa.CheckConstraint('sessions >= 1', name=op.f('ck_budget_lines_sessions_positive')),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_lines_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_role_id'], ['budget_draft_roles.id'], name=op.f('fk_budget_lines_draft_role_id_budget_draft_roles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_budget_lines_role_id_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines'))
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_lines_budget_id'), ['budget_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_lines_draft_role_id'), ['draft_role_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_lines_role_id'), ['role_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_lines_role_id'))
        batch_op.drop_index(batch_op.f('ix_budget_lines_draft_role_id'))
        batch_op.drop_index(batch_op.f('ix_budget_lines_budget_id'))

    op.drop_table('budget_lines')
    with op.batch_alter_table('budget_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_items_budget_id'))

    op.drop_table('budget_items')
    with op.batch_alter_table('budget_draft_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_draft_roles_budget_id'))

    op.drop_table('budget_draft_roles')
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budgets_created_by_id'))

    op.drop_table('budgets')
