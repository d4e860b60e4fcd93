"""Issue 14's reproductions, made deterministic: where two paths meet, money stays exactly right.

On PostgreSQL a second connection holds the ledger lock (or a claim's row) while the
paths under test queue behind it, in a known order; each test then checks the money.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from remun.database import make_engine, upgrade
from remun.project_records.enums import Reciprocity
from remun.ledger import claims, settlement
from remun.ledger.models import Account, BatchItem, Claim, ClaimKind, ClaimStatus, PaymentBatch, Posting
from remun.ledger.posting import ClaimDecided, LedgerError
from remun.project_records.models import Attendance, Expense, Person
from remun.imports.importer import ImportFailed, import_workbook
from tests.conftest import BACKENDS, create_postgres_database
from tests.helpers.workbooks import good_sheets, set_cell, workbook
from tests.helpers.ledger import build_project
from tests.helpers.ledger import money_invariants  # noqa: F401  (fixtures too)

needs_postgres = pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")


@pytest.fixture
def pg_engine():
    """A fresh migrated PostgreSQL database whose commits are real (threads see each other's work)."""
    url, drop = create_postgres_database()
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        drop()


def waiting_for_locks(engine, count: int, timeout: float = 20) -> None:
    """Wait until ``count`` other connections to this database are blocked on a lock."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            blocked = watcher.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            watcher.rollback()
            if blocked >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"expected {count} connections waiting for a lock")


class Worker(threading.Thread):
    """Runs ``action(session)`` in its own session and commits; keeps the result or the error."""

    def __init__(self, engine, action):
        super().__init__(daemon=True)
        self.engine, self.action = engine, action
        self.result = self.error = None

    def run(self) -> None:
        try:
            with Session(self.engine) as session:
                self.result = self.action(session)
                session.commit()
        except BaseException as error:  # asserted by the test
            self.error = error


class LedgerLockHolder:
    """The issue's second connection: `update ledger_head set last_hash = last_hash where id = 1`, held."""

    def __init__(self, engine):
        self.connection = engine.connect()
        self.connection.execute(text("UPDATE ledger_head SET last_hash = last_hash WHERE id = 1"))

    def release(self) -> None:
        self.connection.commit()
        self.connection.close()


# --- 1. a reversed claim is never paid ---------------------------------------------------


@needs_postgres
def test_a_claim_reversed_while_its_batch_is_being_made_is_never_paid(pg_engine, rate_book):
    with Session(pg_engine) as setup:
        project = build_project(setup, {"Ann": Reciprocity.BANK_TRANSFER, "Ben": Reciprocity.BANK_TRANSFER})
        claims.sync_claims(setup, rate_book, project_id=project.id)
        claims.approve(setup, [c.id for c in claims.claims_waiting(setup, project.id)], None)
        setup.commit()
        project_id = project.id
        ann_time = setup.scalar(select(Claim.id).join(Person, Claim.person_id == Person.id)
                                .where(Person.name == "Ann", Claim.kind == ClaimKind.TIME))

    holder = LedgerLockHolder(pg_engine)
    make_batch = Worker(pg_engine, lambda s: settlement.create_batch(s, project_id, None).id)
    make_batch.start()
    waiting_for_locks(pg_engine, 1)  # `remun batch create` queues behind the held lock...
    reverse = Worker(pg_engine, lambda s: claims.reverse_claim(s, ann_time, "Wrong session", None))
    reverse.start()
    waiting_for_locks(pg_engine, 2)  # ...and the reversal behind it
    holder.release()
    make_batch.join(30), reverse.join(30)
    assert make_batch.error is None and reverse.error is None

    with Session(pg_engine) as check:
        batch_id = make_batch.result
        assert settlement.mark_paid(check, batch_id, None)
        check.commit()
        assert check.get(Claim, ann_time).status == ClaimStatus.REVERSED
        # Taken out of the batch, so not paid: the batch pays Ann's expenses and Ben's claims only.
        assert check.scalar(select(BatchItem.id).where(BatchItem.claim_id == ann_time)) is None
        batch = check.get(PaymentBatch, batch_id)
        assert batch.total == Decimal("6.40") + Decimal("86.40")
        bank = check.scalar(select(func.sum(Posting.amount)).where(Posting.account == Account.BANK))
        assert bank == -batch.total
        money_invariants(check)


def test_a_claim_in_an_open_batch_is_taken_out_when_reversed(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], None)
    batch = settlement.create_batch(session, project.id, None)
    time_claim = session.scalar(select(Claim).where(Claim.project_id == project.id, Claim.kind == ClaimKind.TIME))
    claims.reverse_claim(session, time_claim.id, "Wrong session", None)
    session.refresh(batch)
    assert [item.claim.kind for item in batch.items] == [ClaimKind.EXPENSES]
    assert (batch.total, batch.payees) == (Decimal("6.40"), 1)
    assert settlement.mark_paid(session, batch.id, None)
    # Once paid by bank, a claim cannot be reversed: the money has gone.
    expenses = session.scalar(select(Claim).where(Claim.project_id == project.id, Claim.kind == ClaimKind.EXPENSES))
    with pytest.raises(LedgerError, match="paid by bank"):
        claims.reverse_claim(session, expenses.id, "Too late", None)
    money_invariants(session)


def test_a_batch_is_never_paid_with_a_claim_no_longer_approved(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], None)
    batch = settlement.create_batch(session, project.id, None)
    # Only a bug or a hand edit could do this; paying checks under the lock anyway.
    claim = batch.items[0].claim
    session.execute(text("UPDATE claims SET status = 'reversed' WHERE id = :id"), {"id": claim.id})
    with pytest.raises(LedgerError, match="no longer approved"):
        settlement.mark_paid(session, batch.id, None)


# --- 2. an approved claim's amount always equals its accrual ------------------------------


@needs_postgres
def test_attendance_edited_while_approval_waits_for_the_lock(pg_engine, rate_book):
    """The issue's order: approve queues behind the held lock; the attendance is edited a moment later."""
    with Session(pg_engine) as setup:
        project = build_project(setup, {"Ann": Reciprocity.BANK_TRANSFER})
        claims.sync_claims(setup, rate_book, project_id=project.id)
        setup.commit()
        project_id = project.id
        time_claim = setup.scalar(select(Claim.id).where(Claim.kind == ClaimKind.TIME))
        attendance_id = setup.get(Claim, time_claim).attendance_id

    def edit(session):
        session.get(Attendance, attendance_id).hours = Decimal("2")
        session.flush()
        claims.sync_claims(session, rate_book, attendance_ids=[attendance_id])

    holder = LedgerLockHolder(pg_engine)
    approve = Worker(pg_engine, lambda s: claims.approve(s, [time_claim], None))
    approve.start()
    waiting_for_locks(pg_engine, 1)
    editor = Worker(pg_engine, edit)
    editor.start()
    editor.join(30)
    holder.release()
    approve.join(30)
    assert approve.error is None and editor.error is None
    with Session(pg_engine) as check:
        claim = check.get(Claim, time_claim)
        # The edit came first, so the approval is of the corrected amount: 2 h + 1 h prep at £20.
        assert (claim.status, claim.amount) == (ClaimStatus.APPROVED, Decimal("60.00"))
        money_invariants(check)
        assert project_id


@needs_postgres
def test_attendance_edited_while_its_claim_is_being_approved_is_refused(pg_engine, rate_book):
    """The other order: the approval holds the claim's row; the edit's claim update waits, then is refused."""
    with Session(pg_engine) as setup:
        build_project(setup, {"Ann": Reciprocity.BANK_TRANSFER})
        claims.sync_claims(setup, rate_book)
        setup.commit()
        time_claim = setup.scalar(select(Claim.id).where(Claim.kind == ClaimKind.TIME))
        attendance_id = setup.get(Claim, time_claim).attendance_id

    def edit(session):
        session.get(Attendance, attendance_id).hours = Decimal("2")
        session.flush()
        claims.sync_claims(session, rate_book, attendance_ids=[attendance_id])

    approving = Session(pg_engine)
    claims.approve(approving, [time_claim], None)  # not committed yet: holds the claim's row
    editor = Worker(pg_engine, edit)
    editor.start()
    waiting_for_locks(pg_engine, 1)
    approving.commit()
    approving.close()
    editor.join(30)
    assert isinstance(editor.error, ClaimDecided)
    with Session(pg_engine) as check:
        claim = check.get(Claim, time_claim)
        assert (claim.status, claim.amount) == (ClaimStatus.APPROVED, Decimal("80.00"))
        assert check.get(Attendance, attendance_id).hours == Decimal("3")  # the edit was not kept
        money_invariants(check)


def test_sync_never_changes_an_approved_claim(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claim = session.scalar(select(Claim).where(Claim.project_id == project.id, Claim.kind == ClaimKind.TIME))
    # The editor read the claim as submitted; someone approves it before the editor's update.
    session.execute(text("UPDATE claims SET status = 'approved' WHERE id = :id"), {"id": claim.id})
    with pytest.raises(ClaimDecided):
        claims._guarded(session, update(Claim).values(amount=Decimal("1")), claim)
    session.refresh(claim)
    assert claim.amount == Decimal("80.00")


@pytest.mark.parametrize("statement", [
    "UPDATE claims SET amount = amount + 1000",
    "UPDATE claims SET status = 'submitted'",
    "DELETE FROM claims",
    "UPDATE attendances SET hours = 1",
    "DELETE FROM expenses",
    "UPDATE expenses SET amount = 99.99",
])
def test_the_database_refuses_changes_to_approved_money(session, rate_book, statement):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], None)
    with pytest.raises(DBAPIError, match="approved"):
        with session.begin_nested():
            session.execute(text(statement))
    # Personal details stay erasable.
    session.execute(text("UPDATE expenses SET note = NULL"))
    session.execute(text("UPDATE claims SET decision_reason = NULL"))
    money_invariants(session)


# --- 3. a re-import never changes approved money -----------------------------------------


def _approved_import(session, rate_book):
    from remun.project_records.models import Project

    import_workbook(session, workbook(good_sheets()), rate_book)
    project = session.scalar(select(Project))
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], None,
                   posted_on=dt.date.today())
    return project


def test_a_reimport_that_would_change_approved_attendance_is_refused_naming_each_cell(session, rate_book):
    _approved_import(session, rate_book)
    before = {(a.id, a.hours, tuple(e.amount for e in a.expenses)) for a in session.scalars(select(Attendance))}
    sheets = good_sheets()
    set_cell(sheets, "Attendance", 2, "Hours", 1)  # Alex, 14 May: approved
    set_cell(sheets, "Attendance", 2, "Expenses", "99.99")
    for column in ("Expenses", "Expense category", "Expense note"):
        set_cell(sheets, "Attendance", 4, column, None)  # Jo's approved childcare blanked
    with pytest.raises(ImportFailed) as failure:
        import_workbook(session, workbook(sheets), rate_book)
    today = dt.date.today().isoformat()
    assert [(p.sheet, p.row, p.column) for p in failure.value.problems] == [
        ("Attendance", 2, "Hours"), ("Attendance", 2, "Expenses"), ("Attendance", 4, "Expenses")]
    assert all(f"approved for payment on {today}" in p.text and "reverse the claim first" in p.text
               for p in failure.value.problems)
    session.expire_all()
    assert {(a.id, a.hours, tuple(e.amount for e in a.expenses)) for a in session.scalars(select(Attendance))} == before
    # The same workbook unchanged still imports (nothing to change), and a new session can be added.
    assert not import_workbook(session, workbook(good_sheets()), rate_book).changed
    money_invariants(session)


def test_a_reimport_after_reversal_corrects_the_attendance(session, rate_book):
    _approved_import(session, rate_book)
    alex_claims = session.scalars(select(Claim).join(Person, Claim.person_id == Person.id)
                                  .join(Attendance, Claim.attendance_id == Attendance.id)
                                  .where(Person.name == "Alex Morgan", Attendance.hours == Decimal("3"))).all()
    for claim in alex_claims:
        claims.reverse_claim(session, claim.id, "Hours were wrong", None)
    sheets = good_sheets()
    set_cell(sheets, "Attendance", 2, "Expenses", "15.00")
    summary = import_workbook(session, workbook(sheets), rate_book)
    assert summary.expenses.updated == 1
    claims.sync_claims(session, rate_book, project_id=summary.project_id)
    expenses = session.scalar(select(Claim).where(Claim.id.in_([c.id for c in alex_claims]),
                                                  Claim.kind == ClaimKind.EXPENSES))
    session.refresh(expenses)
    assert (expenses.status, expenses.amount) == (ClaimStatus.SUBMITTED, Decimal("15.00"))
    assert session.scalar(select(func.count(Expense.id))) == 2
    money_invariants(session)
