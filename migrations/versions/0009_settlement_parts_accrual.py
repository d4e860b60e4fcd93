"""Settlement parts name the approval they settle (``accrual_id``) on every database.

Migration 0005 was edited after it was released: ``settlement_parts.accrual_id``
(and its foreign key to ``ledger_transactions``) was added to it. A database
migrated to 0005 before that edit lacks the column, and Alembic, seeing 0005 as
done, never added it. This migration adds it where it is missing and does
nothing where it is present (every database built from the edited 0005).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = "0008"
branch_labels = None
depends_on = None

TABLE = 'settlement_parts'
COLUMN = 'accrual_id'


def _has_column() -> bool:
    return COLUMN in {column['name'] for column in sa.inspect(op.get_bind()).get_columns(TABLE)}


def upgrade() -> None:
    if _has_column():
        return
    # As the edited 0005 declares it: nullable, and a named foreign key (SQLite rebuilds the table for it).
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column(COLUMN, sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_settlement_parts_accrual_id_ledger_transactions'),
                                    'ledger_transactions', [COLUMN], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    # Nothing to undo: at 0008 the (edited) 0005 schema already has the column, and a database
    # that lacked it was out of step with the models; dropping it would lose which approval a part settles.
    pass
