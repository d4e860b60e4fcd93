"""Reciprocity: each person's choices over time, splits, benefits answer, settlement parts, receipts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD = ('not_chosen', 'bank_transfer', 'vouchers', 'training', 'donation', 'no_payment')
NEW = OLD + ('payment_card', 'cheque', 'third_party', 'split')
#: Tables whose reciprocity column is checked against the list of kinds: (table, column).
CHECKED = (('people', 'reciprocity'), ('claims', 'settled_as'))


def _values(kinds: tuple[str, ...]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def _set_allowed(kinds: tuple[str, ...], was: tuple[str, ...]) -> None:
    """Let the people and claims columns hold these kinds.

    PostgreSQL replaces the CHECK constraint. SQLite cannot alter one, and
    rebuilding ``people`` would cascade-delete rows that refer to it, so the
    constraint text is rewritten in place, as SQLite documents for changes
    that do not affect stored data ("Making Other Kinds Of Table Schema Changes").
    """
    bind = op.get_bind()
    for table, column in CHECKED:
        name = f"ck_{table}_reciprocity"
        if bind.dialect.name == "sqlite":
            old = f"CHECK ({column} IN ({_values(was)}))"
            new = f"CHECK ({column} IN ({_values(kinds)}))"
            version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
            bind.exec_driver_sql("PRAGMA writable_schema=ON")
            changed = bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
                (old, new, table),
            ).rowcount
            bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
            bind.exec_driver_sql("PRAGMA writable_schema=OFF")
            if changed != 1:
                raise RuntimeError(f"could not find the reciprocity check on {table}")
        else:
            op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, f"{column} IN ({_values(kinds)})")


def upgrade() -> None:
    _set_allowed(NEW, OLD)
    op.create_table('benefits_answers',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('receives_benefits', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_benefits_answers_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_benefits_answers'))
    )
    op.create_table('reciprocity_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Enum('not_chosen', 'bank_transfer', 'vouchers', 'training', 'donation', 'no_payment', 'payment_card', 'cheque', 'third_party', 'split', name='reciprocity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], name=op.f('fk_reciprocity_choices_chosen_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_reciprocity_choices_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reciprocity_choices'))
    )
    with op.batch_alter_table('reciprocity_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reciprocity_choices_person_id'), ['person_id'], unique=False)

    op.create_table('reciprocity_choice_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('not_chosen', 'bank_transfer', 'vouchers', 'training', 'donation', 'no_payment', 'payment_card', 'cheque', 'third_party', 'split', name='reciprocity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.CheckConstraint('percent > 0 AND percent <= 100', name=op.f('ck_reciprocity_choice_parts_percent_in_range')),
    sa.ForeignKeyConstraint(['choice_id'], ['reciprocity_choices.id'], name=op.f('fk_reciprocity_choice_parts_choice_id_reciprocity_choices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reciprocity_choice_parts'))
    )
    with op.batch_alter_table('reciprocity_choice_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reciprocity_choice_parts_choice_id'), ['choice_id'], unique=False)

    op.create_table('receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expense_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=True),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['expense_id'], ['expenses.id'], name=op.f('fk_receipts_expense_id_expenses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_receipts_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_receipts_stored_name'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_expense_id'), ['expense_id'], unique=False)

    op.create_table('settlement_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('not_chosen', 'bank_transfer', 'vouchers', 'training', 'donation', 'no_payment', 'payment_card', 'cheque', 'third_party', 'split', name='reciprocity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.Column('choice_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('accrual_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_settlement_parts_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_settlement_parts_batch_id_payment_batches'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['choice_id'], ['reciprocity_choices.id'], name=op.f('fk_settlement_parts_choice_id_reciprocity_choices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_settlement_parts_claim_id_claims'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_settlement_parts_person_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_settlement_parts_project_id_projects'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_settlement_parts_transaction_id_ledger_transactions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['accrual_id'], ['ledger_transactions.id'], name=op.f('fk_settlement_parts_accrual_id_ledger_transactions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_parts'))
    )
    with op.batch_alter_table('settlement_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_parts_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_parts_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_parts_method'), ['method'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_parts_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_parts_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('settlement_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_parts_project_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_parts_person_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_parts_method'))
        batch_op.drop_index(batch_op.f('ix_settlement_parts_claim_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_parts_batch_id'))

    op.drop_table('settlement_parts')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_expense_id'))

    op.drop_table('receipts')
    with op.batch_alter_table('reciprocity_choice_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reciprocity_choice_parts_choice_id'))

    op.drop_table('reciprocity_choice_parts')
    with op.batch_alter_table('reciprocity_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reciprocity_choices_person_id'))

    op.drop_table('reciprocity_choices')
    op.drop_table('benefits_answers')
    for table, column in CHECKED:
        op.execute(sa.text(f"UPDATE {table} SET {column} = 'not_chosen' WHERE {column} IN ({_values(NEW[len(OLD):])})"))
    _set_allowed(OLD, NEW)
