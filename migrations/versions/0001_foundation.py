"""foundation: projects, roles, people, sessions

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 11:22:51.743656
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('preferred_language', sa.String(length=16), server_default='en', nullable=False),
    sa.Column('payee_reference', sa.String(length=100), nullable=True),
    sa.Column('reciprocity', sa.Enum('not_chosen', 'bank_transfer', 'vouchers', 'training', 'donation', 'no_payment', name='reciprocity', native_enum=False, create_constraint=True, length=32), server_default='not_chosen', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email'))
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cost_centre', sa.String(length=50), nullable=True),
    sa.Column('currency', sa.String(length=3), server_default='GBP', nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_projects_dates_in_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('name', name=op.f('uq_projects_name'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.CheckConstraint('hours >= 0', name=op.f('ck_meetings_hours_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_meetings_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('project_id', 'date', 'title', name=op.f('uq_meetings_project_id_date_title'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_project_id'), ['project_id'], unique=False)

    op.create_table('role_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_role_groups_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_groups')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_role_groups_project_id_name'))
    )
    with op.batch_alter_table('role_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_groups_project_id'), ['project_id'], unique=False)

    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('lived_experience', 'carer', 'clinical', 'professional', 'other', name='role_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['role_groups.id'], name=op.f('fk_roles_group_id_role_groups'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_roles_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('project_id', 'title', name=op.f('uq_roles_project_id_title'))
    )
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roles_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roles_project_id'), ['project_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_appointments_dates_in_order')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_appointments_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_appointments_role_id_roles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('person_id', 'role_id', 'start_date', name=op.f('uq_appointments_person_id_role_id_start_date'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_role_id'), ['role_id'], unique=False)

    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('prep_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('travel_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.CheckConstraint('hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0', name=op.f('ck_attendances_hours_not_negative')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_attendances_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_attendances_person_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_attendances_role_id_roles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('meeting_id', 'person_id', name=op.f('uq_attendances_meeting_id_person_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_role_id'), ['role_id'], unique=False)

    op.create_table('role_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('basis', sa.Enum('hour', 'session', 'half_day', 'day', 'salary', name='pay_basis', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('rate_card_ref', sa.String(length=120), nullable=True),
    sa.Column('session_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('prep_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('prep_paid', sa.Boolean(), nullable=False),
    sa.Column('travel_hours', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('travel_paid', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(rate IS NOT NULL) OR (rate_card_ref IS NOT NULL)', name=op.f('ck_role_terms_rate_or_rate_card')),
    sa.CheckConstraint('rate IS NULL OR rate >= 0', name=op.f('ck_role_terms_rate_not_negative')),
    sa.CheckConstraint('session_hours >= 0 AND prep_hours >= 0 AND travel_hours >= 0', name=op.f('ck_role_terms_hours_not_negative')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_role_terms_role_id_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_terms')),
    sa.UniqueConstraint('role_id', 'effective_from', name=op.f('uq_role_terms_role_id_effective_from'))
    )
    with op.batch_alter_table('role_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_terms_role_id'), ['role_id'], unique=False)

    op.create_table('expenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('category', sa.Enum('travel', 'care', 'meals', 'communication', 'other', name='expense_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_expenses_amount_positive')),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendances.id'], name=op.f('fk_expenses_attendance_id_attendances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expenses'))
    )
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expenses_attendance_id'), ['attendance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expenses_attendance_id'))

    op.drop_table('expenses')
    with op.batch_alter_table('role_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_terms_role_id'))

    op.drop_table('role_terms')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_role_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_person_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_meeting_id'))

    op.drop_table('attendances')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_role_id'))
        batch_op.drop_index(batch_op.f('ix_appointments_person_id'))

    op.drop_table('appointments')
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roles_project_id'))
        batch_op.drop_index(batch_op.f('ix_roles_group_id'))

    op.drop_table('roles')
    with op.batch_alter_table('role_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_groups_project_id'))

    op.drop_table('role_groups')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_project_id'))

    op.drop_table('meetings')
    op.drop_table('projects')
    op.drop_table('people')
