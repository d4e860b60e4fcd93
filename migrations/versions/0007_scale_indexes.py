"""Indexes for a whole health board's data.

Balances are sums over postings by project and by person (remun/ledger/balances.py);
without these every ledger page, statement and balance read the whole postings
table. Each index leads with the column the pages filter on and carries the
columns summed, so PostgreSQL and SQLite can answer from the index alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEXES = {
    # A project's balances and ledger page: postings of one project, by account and person.
    "ix_postings_project_account": ("postings", ["project_id", "account", "person_id", "amount"]),
    # The project ledger page, newest first: a project's postings in transaction order.
    "ix_postings_project_transaction": ("postings", ["project_id", "transaction_id"]),
    # A person's balance and statement: postings of one person.
    "ix_postings_person_project": ("postings", ["person_id", "project_id", "account", "amount"]),
    # A person's claims, newest session first (statement).
    "ix_claims_person_attendance": ("claims", ["person_id", "attendance_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
