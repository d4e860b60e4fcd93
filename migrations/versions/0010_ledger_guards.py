"""Database guards for money once decided: approved claims, their attendance and expenses,
paid payment batches, closed months and settled parts (issue 14).

Each rule is a trigger, so a change made outside Remun (or by a bug) is refused by the
database itself, on SQLite and PostgreSQL alike. Personal details (an expense's note, a
decision's reason, a part's detail) stay changeable so a person can still be erased.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from remun import append_only

revision = '0010'
down_revision = "0009"
branch_labels = None
depends_on = None

#: A claim's facts that are fixed once it is approved.
CLAIM_FACTS = ("attendance_id", "person_id", "project_id", "kind", "amount", "basis", "rate", "rate_card_ref",
               "hours", "prep_hours", "travel_hours", "paid_hours")
#: An attendance's facts that make the money of its time claim, and of both claims.
TIME_FACTS = ("role_id", "hours", "prep_hours", "travel_hours")
WHO_AND_WHEN = ("meeting_id", "person_id")
EXPENSE_FACTS = ("attendance_id", "amount", "category")
PART_FACTS = ("claim_id", "person_id", "project_id", "method", "amount", "choice_id", "accrual_id")

APPROVED_ATTENDANCE = "EXISTS (SELECT 1 FROM claims WHERE claims.attendance_id = {ref} AND claims.status = 'approved')"
APPROVED_CLAIM = ("EXISTS (SELECT 1 FROM claims WHERE claims.attendance_id = {ref} AND claims.kind = '{kind}' "
                  "AND claims.status = 'approved')")
PAID_BATCH = "EXISTS (SELECT 1 FROM payment_batches WHERE payment_batches.id = {ref} AND payment_batches.status = 'paid')"


def _changed(columns) -> str:
    return "(" + " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in columns) + ")"


def _changed_sqlite(columns) -> str:
    return "(" + " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in columns) + ")"


#: (name, table, event, condition (with NEW/OLD), message). Conditions are written once for PostgreSQL;
#: SQLite gets the same with IS NOT for IS DISTINCT FROM.
def _rules(sqlite: bool) -> list[tuple[str, str, str, str, str]]:
    changed = _changed_sqlite if sqlite else _changed
    return [
        ("claims_fixed_once_approved", "claims", "UPDATE",
         f"OLD.status = 'approved' AND (NEW.status NOT IN ('approved', 'reversed') OR {changed(CLAIM_FACTS)})",
         "an approved claim cannot be changed: reverse it first"),
        ("claims_approved_only_from_submitted", "claims", "UPDATE",
         "NEW.status = 'approved' AND OLD.status NOT IN ('submitted', 'approved')",
         "only a submitted claim can be approved"),
        ("claims_approved_kept", "claims", "DELETE", "OLD.status = 'approved'",
         "an approved claim cannot be removed: reverse it first"),
        ("attendances_fixed_once_approved", "attendances", "UPDATE",
         f"{APPROVED_ATTENDANCE.format(ref='OLD.id')} AND {changed(WHO_AND_WHEN)}"
         f" OR {APPROVED_CLAIM.format(ref='OLD.id', kind='time')} AND {changed(TIME_FACTS)}",
         "this attendance was approved for payment: reverse its claim first"),
        ("attendances_kept_once_approved", "attendances", "DELETE", APPROVED_ATTENDANCE.format(ref="OLD.id"),
         "this attendance was approved for payment: reverse its claim first"),
        ("expenses_fixed_once_approved", "expenses", "UPDATE",
         f"({APPROVED_CLAIM.format(ref='OLD.attendance_id', kind='expenses')}"
         f" OR {APPROVED_CLAIM.format(ref='NEW.attendance_id', kind='expenses')}) AND {changed(EXPENSE_FACTS)}",
         "these expenses were approved for payment: reverse the claim first"),
        ("expenses_kept_once_approved", "expenses", "DELETE",
         APPROVED_CLAIM.format(ref="OLD.attendance_id", kind="expenses"),
         "these expenses were approved for payment: reverse the claim first"),
        ("expenses_added_once_approved", "expenses", "INSERT",
         APPROVED_CLAIM.format(ref="NEW.attendance_id", kind="expenses"),
         "this attendance was approved for payment: reverse its claim first"),
        ("payment_batches_paid_final", "payment_batches", "UPDATE", "OLD.status = 'paid'",
         "a paid batch cannot be changed"),
        ("payment_batches_paid_kept", "payment_batches", "DELETE", "OLD.status = 'paid'",
         "a paid batch cannot be removed"),
        ("batch_items_fixed_when_paid", "batch_items", "UPDATE",
         f"{PAID_BATCH.format(ref='OLD.batch_id')} OR {PAID_BATCH.format(ref='NEW.batch_id')}",
         "the items of a paid batch cannot be changed"),
        ("batch_items_kept_when_paid", "batch_items", "DELETE", PAID_BATCH.format(ref="OLD.batch_id"),
         "the items of a paid batch cannot be changed"),
        ("batch_items_not_added_when_paid", "batch_items", "INSERT", PAID_BATCH.format(ref="NEW.batch_id"),
         "the items of a paid batch cannot be changed"),
        ("settlement_parts_fixed", "settlement_parts", "UPDATE",
         f"{changed(PART_FACTS)} OR OLD.given_at IS NOT NULL AND {changed(('given_at', 'transaction_id', 'batch_id'))}"
         f" OR OLD.batch_id IS NOT NULL AND NEW.batch_id IS NOT NULL AND NEW.batch_id <> OLD.batch_id"
         f" OR OLD.transaction_id IS NOT NULL AND {changed(('transaction_id',))}",
         "a settled part cannot be changed"),
        ("settlement_parts_kept", "settlement_parts", "DELETE",
         "OLD.given_at IS NOT NULL OR OLD.transaction_id IS NOT NULL",
         "a settled part cannot be removed"),
    ]


def upgrade() -> None:
    # The chain's version per transaction: those recorded before the ledger key existed stay
    # version 1 (unkeyed SHA-256, still checked as they were); new ones are version 2 (HMAC with
    # the key). A version 1 transaction after a version 2 one is refused by `remun verify`.
    op.add_column("ledger_transactions", sa.Column("chain_version", sa.SmallInteger(), server_default="1",
                                                   nullable=False))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name, table, event, condition, message in _rules(sqlite=True):
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {condition} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    elif dialect == "postgresql":
        for name, table, event, condition, message in _rules(sqlite=False):
            old_or_new = condition
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {old_or_new} THEN RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation'; "
                f"END IF; RETURN {'OLD' if event == 'DELETE' else 'NEW'}; END $$"
            )
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        raise NotImplementedError(dialect)
    # Closing a month is final: closed months are only ever added.
    append_only.create("closed_periods")


def downgrade() -> None:
    append_only.drop("closed_periods")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ledger_transactions_no_update")  # DROP COLUMN rewrites the table
        op.drop_column("ledger_transactions", "chain_version")
        op.execute("CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions BEGIN "
                   "SELECT RAISE(ABORT, 'ledger_transactions is append-only: rows cannot be changed or removed'); END")
    else:
        op.drop_column("ledger_transactions", "chain_version")
    dialect = op.get_bind().dialect.name
    for name, table, _event, _condition, _message in reversed(_rules(sqlite=dialect == "sqlite")):
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
