"""Tampering that a plain hash chain misses (issue 14, item 4), each detected or refused.

The database owner can switch the triggers off; the keyed chain and the checkpoints kept
outside the database still show what was done. Changes that need no bypass are refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from remun.project_records.enums import Reciprocity
from remun.ledger import claims, periods, settlement
from remun.ledger.chain import transaction_hash
from remun.ledger.checkpoints import Checkpoint, latest_checkpoint, record_checkpoint
from remun.ledger.models import LedgerHead, LedgerTransaction, Posting
from remun.ledger.verify import verify_ledger
from tests.helpers.ledger import build_project


def _without_triggers(session, table: str, statement: str) -> None:
    """What the database owner can do: switch the table's guards off, edit, switch them on."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        session.execute(text(statement))
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    else:  # SQLite has no switch: the triggers are dropped (inside the test's transaction)
        for name in session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                    {"t": table}).scalars().all():
            session.execute(text(f"DROP TRIGGER {name}"))
        session.execute(text(statement))

UNKEYED = None  # what someone without the key can compute: the published algorithm, no key


def ledger_with_money(session, rate_book, paid: bool = True):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Ben": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], None)
    batch = None
    if paid:
        batch = settlement.create_batch(session, project.id, None)
        settlement.mark_paid(session, batch.id, None)
    session.flush()
    return project, batch


def head_checkpoint(session) -> Checkpoint:
    head = session.get(LedgerHead, 1)
    return Checkpoint(head.sequence, head.last_hash, dt.datetime.now(dt.timezone.utc))


def chain(session) -> list[LedgerTransaction]:
    session.expire_all()
    return session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.sequence)).all()


def rehash(tx: LedgerTransaction, previous: str, version: int) -> str:
    return transaction_hash(
        sequence=tx.sequence, project_id=tx.project_id, kind=tx.kind.value, posted_on=tx.posted_on,
        created_at=tx.created_at, created_by_id=tx.created_by_id, description=tx.description, reason=tx.reason,
        claim_id=tx.claim_id, batch_id=tx.batch_id, reverses_id=tx.reverses_id, previous_hash=previous,
        postings=[(p.account.value, p.project_id, p.person_id, p.amount) for p in tx.postings], key=UNKEYED)


def rewrite_from(session, start: int, version: int) -> None:
    """Recompute every hash from ``start`` on with the public algorithm, and move the head to match."""
    transactions = chain(session)
    previous = transactions[start - 1].previous_hash
    for tx in transactions[start - 1:]:
        digest = rehash(tx, previous, version)
        _without_triggers(session, "ledger_transactions",
                          f"UPDATE ledger_transactions SET hash = '{digest}', previous_hash = '{previous}', "
                          f"chain_version = {version} WHERE id = {tx.id}")
        previous = digest
    session.execute(text("UPDATE ledger_head SET last_hash = :h WHERE id = 1"), {"h": previous})


def test_an_untouched_ledger_is_intact_against_its_checkpoint(session, rate_book, tmp_path):
    ledger_with_money(session, rate_book)
    path = tmp_path / "checkpoints.jsonl"
    head = head_checkpoint(session)
    record_checkpoint(path, head.sequence, head.head_hash)
    assert latest_checkpoint(path).sequence == head.sequence
    assert verify_ledger(session, checkpoints=[latest_checkpoint(path)]).ok
    assert all(tx.chain_version == 2 for tx in chain(session))


def test_the_newest_transaction_deleted_and_the_head_rewound_is_caught_by_the_checkpoint(session, rate_book):
    ledger_with_money(session, rate_book, paid=False)
    checkpoint = head_checkpoint(session)
    newest = chain(session)[-1]
    _without_triggers(session, "postings", f"DELETE FROM postings WHERE transaction_id = {newest.id}")
    _without_triggers(session, "ledger_transactions", f"DELETE FROM ledger_transactions WHERE id = {newest.id}")
    session.execute(text("UPDATE ledger_head SET sequence = sequence - 1, last_hash = :h WHERE id = 1"),
                    {"h": newest.previous_hash})
    assert verify_ledger(session).ok  # the chain alone looks whole: this is what checkpoints are for
    result = verify_ledger(session, checkpoints=[checkpoint])
    assert not result.ok and "rewound or rewritten" in result.problems[0].message


def test_an_appended_transaction_with_a_correct_public_hash_is_caught(session, rate_book):
    project, _batch = ledger_with_money(session, rate_book)
    last = chain(session)[-1]
    forged = LedgerTransaction(sequence=last.sequence + 1, project_id=project.id, kind=last.kind,
                               posted_on=last.posted_on, created_at=last.created_at, created_by_id=None,
                               description="Looks like a payment", reason=None, claim_id=None, batch_id=None,
                               reverses_id=None, previous_hash=last.hash, hash="0" * 64, chain_version=2,
                               postings=[Posting(account=p.account, project_id=project.id, person_id=p.person_id,
                                                 amount=p.amount) for p in last.postings])
    forged.hash = rehash(forged, last.hash, 2)
    session.add(forged)
    session.flush()
    session.execute(text("UPDATE ledger_head SET sequence = :s, last_hash = :h WHERE id = 1"),
                    {"s": forged.sequence, "h": forged.hash})
    result = verify_ledger(session)
    assert not result.ok and result.problems[0].transaction_id == forged.id
    # Marked as an old unkeyed transaction instead, it is still caught: none may follow keyed ones.
    _without_triggers(session, "ledger_transactions",
                      f"UPDATE ledger_transactions SET chain_version = 1 WHERE id = {forged.id}")
    result = verify_ledger(session)
    assert not result.ok and "added outside Remun" in result.problems[0].message


@pytest.mark.parametrize("version", [2, 1])
def test_a_changed_amount_with_every_later_hash_recomputed_is_caught(session, rate_book, version):
    ledger_with_money(session, rate_book)
    checkpoint = head_checkpoint(session)
    target = chain(session)[1]
    _without_triggers(session, "postings",
                      f"UPDATE postings SET amount = amount * 10 WHERE transaction_id = {target.id}")
    rewrite_from(session, target.sequence, version)
    result = verify_ledger(session, checkpoints=[checkpoint])
    assert not result.ok
    if version == 2:  # claiming to be keyed: the HMAC does not match
        assert result.problems[0].transaction_id == target.id
        assert "changed after it was recorded" in result.problems[0].message
    else:  # claiming to be from before the key: the checkpoint no longer matches
        assert any("rewound or rewritten" in problem.message for problem in result.problems)


@pytest.mark.parametrize("statement", [
    "DELETE FROM closed_periods",
    "UPDATE closed_periods SET closed_at = closed_at",
    "UPDATE payment_batches SET status = 'open'",
    "DELETE FROM batch_items",
    "UPDATE batch_items SET amount = amount + 1000",
    "UPDATE claims SET amount = amount + 1000",
    "UPDATE settlement_parts SET amount = amount + 1000",
    "UPDATE settlement_parts SET given_at = NULL",
    "DELETE FROM settlement_parts",
])
def test_changes_that_need_no_bypass_are_refused(session, rate_book, statement):
    ledger_with_money(session, rate_book)
    assert periods.close_month(session, dt.date.today().replace(day=1) - dt.timedelta(days=1), None)
    with pytest.raises(DBAPIError):
        with session.begin_nested():
            session.execute(text(statement))
    assert verify_ledger(session).ok


def test_a_paid_batch_cannot_be_paid_again(session, rate_book):
    _project, batch = ledger_with_money(session, rate_book)
    with pytest.raises(DBAPIError, match="paid batch"):
        with session.begin_nested():
            session.execute(text("UPDATE payment_batches SET status = 'open' WHERE id = :id"), {"id": batch.id})
    assert settlement.mark_paid(session, batch.id, None) is False
    bank = session.scalar(select(Posting.amount).where(Posting.account == "bank").limit(1))
    assert bank is not None and bank < Decimal(0)


def _checkpoint_with_closed_and_paid(session, tmp_path) -> Checkpoint:
    """As `remun verify` records it: the head, the months closed and the batches paid."""
    from remun.ledger.verify import closed_and_paid

    head = session.get(LedgerHead, 1)
    return record_checkpoint(tmp_path / "checkpoints.jsonl", head.sequence, head.last_hash,
                             **closed_and_paid(session))


def test_a_closed_month_reopened_by_the_owner_is_caught_by_the_checkpoint(session, rate_book, tmp_path):
    ledger_with_money(session, rate_book)
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert periods.close_month(session, month, None)
    checkpoint = _checkpoint_with_closed_and_paid(session, tmp_path)
    assert checkpoint.closed_months == (month.isoformat(),)
    read_back = latest_checkpoint(tmp_path / "checkpoints.jsonl")
    assert (read_back.sequence, read_back.closed_months, read_back.paid_batches) == (
        checkpoint.sequence, checkpoint.closed_months, checkpoint.paid_batches)
    assert verify_ledger(session, checkpoints=[checkpoint]).ok
    _without_triggers(session, "closed_periods", "DELETE FROM closed_periods")
    assert verify_ledger(session).ok  # nothing in the database itself shows it
    result = verify_ledger(session, checkpoints=[checkpoint])
    assert [problem.message for problem in result.problems] == [
        f"the month starting {month.isoformat()} was closed and is open again"]


def test_a_paid_batch_set_back_to_open_by_the_owner_is_caught_by_the_checkpoint(session, rate_book, tmp_path):
    _project, batch = ledger_with_money(session, rate_book)
    checkpoint = _checkpoint_with_closed_and_paid(session, tmp_path)
    assert checkpoint.paid_batches == (batch.id,)
    _without_triggers(session, "payment_batches", f"UPDATE payment_batches SET status = 'open' WHERE id = {batch.id}")
    result = verify_ledger(session, checkpoints=[checkpoint])
    assert [problem.message for problem in result.problems] == [
        f"payment batch {batch.id} was paid and is no longer marked paid"]


def test_the_batch_file_prints_the_ledger_checkpoint(session, rate_book):
    import io

    from openpyxl import load_workbook

    from remun.exports.batch_file import batch_facts, batch_workbook
    from remun.exports.context import ExportContext

    _project, batch = ledger_with_money(session, rate_book)
    head = session.get(LedgerHead, 1)
    facts = batch_facts(session, batch.id)
    assert facts.ledger_checkpoint == f"{head.sequence} {head.last_hash}"
    about = load_workbook(io.BytesIO(batch_workbook(facts, ExportContext(made_by="test"))))["About"]
    assert [row[1] for row in about.iter_rows(values_only=True) if row[0] and "checkpoint" in row[0]] == [
        facts.ledger_checkpoint]
