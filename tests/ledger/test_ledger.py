"""The ledger: every cycle from attendance to settled, reversals, closed months, a database
that refuses edits, tamper detection, and paying exactly once under concurrency."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from remun.database import make_engine, upgrade
from remun.project_records.enums import PayBasis, Reciprocity, RoleKind
from remun.ledger import balances, claims, periods, settlement
from remun.ledger.models import Claim, ClaimKind, ClaimStatus, LedgerTransaction, PaymentBatch, Posting
from remun.ledger.posting import LedgerError, Line, PeriodClosed, Unbalanced, post
from remun.ledger.models import Account, TransactionKind
from remun.ledger.verify import verify_ledger
from remun.project_records.models import Attendance, Meeting, Person, Role, RoleTerms
from tests.conftest import BACKENDS, create_postgres_database
from tests.helpers.ledger import TODAY, approve_all, build_project  # noqa: F401  (fixtures too)


def person_row(session, project, name):
    return next(p for p in balances.project_balances(session, project.id).people if p.name == name)


def test_attendance_becomes_claims_but_salaried_staff_claim_nothing(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    result = claims.sync_claims(session, rate_book, project_id=project.id)
    assert (result.created, result.updated) == (2, 0)
    found = session.scalars(select(Claim).order_by(Claim.kind)).all()
    assert [(c.kind, c.amount, c.status) for c in found] == [
        (ClaimKind.EXPENSES, Decimal("6.40"), ClaimStatus.SUBMITTED),
        (ClaimKind.TIME, Decimal("80.00"), ClaimStatus.SUBMITTED),
    ]
    time_claim = found[1]
    # The claim keeps what its amount was worked out from.
    assert (time_claim.basis, time_claim.rate, time_claim.paid_hours) == (PayBasis.HOUR, Decimal("20"), Decimal("4"))
    # Nothing reaches the ledger before approval; syncing again changes nothing.
    assert session.scalar(select(func.count(LedgerTransaction.id))) == 0
    assert claims.sync_claims(session, rate_book, project_id=project.id).created == 0


def test_each_attendance_is_priced_on_its_own_hours_and_each_one_without_a_rate_is_named(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.BANK_TRANSFER,
                                      "Cal": Reciprocity.BANK_TRANSFER})
    ann, bea, cal = (session.scalars(select(Attendance).join(Person).where(Person.name == name)).one()
                     for name in ("Ann", "Bea", "Cal"))
    bea.hours = Decimal("2.5")  # the same role and day as Ann and Cal, fewer hours: a claim of its own
    # A role paid from a rate card with no figure yet on the day (NIHR's starts in 2022): no time claim.
    adviser = Role(project=project, title="Adviser", kind=RoleKind.LIVED_EXPERIENCE)
    adviser.terms.append(RoleTerms(effective_from=dt.date(2021, 1, 1), basis=PayBasis.HOUR,
                                   rate_card_ref="nihr-involvement/hourly", session_hours=Decimal("2")))
    early = Meeting(project=project, date=dt.date(2021, 3, 1), title="Early panel", hours=Decimal("2"))
    unpriced = [Attendance(meeting=early, person=Person(name=f"Early {index}"), role=adviser, hours=Decimal("2"))
                for index in range(3)]
    session.add_all([adviser, early, *unpriced])
    session.flush()

    result = claims.sync_claims(session, rate_book, project_id=project.id)

    assert sorted(result.unpriced) == sorted(attendance.id for attendance in unpriced)
    assert {claim.attendance_id: (claim.amount, claim.hours, claim.paid_hours) for claim in session.scalars(
        select(Claim).where(Claim.project_id == project.id, Claim.kind == ClaimKind.TIME))} == {
        ann.id: (Decimal("80.00"), Decimal("3"), Decimal("4")),  # 3 h + 1 h prep at £20
        cal.id: (Decimal("80.00"), Decimal("3"), Decimal("4")),
        bea.id: (Decimal("70.00"), Decimal("2.5"), Decimal("3.5")),
    }


@pytest.mark.parametrize(
    ("choice", "paid", "in_kind", "declined", "cost"),
    [
        (Reciprocity.BANK_TRANSFER, "86.40", "0.00", "0.00", "86.40"),
        (Reciprocity.VOUCHERS, "6.40", "80.00", "0.00", "86.40"),
        (Reciprocity.TRAINING, "6.40", "80.00", "0.00", "86.40"),
        (Reciprocity.DONATION, "6.40", "80.00", "0.00", "86.40"),
        # Declined at approval: recorded against the person, not project cost; expenses still repaid.
        (Reciprocity.NO_PAYMENT, "6.40", "0.00", "80.00", "6.40"),
    ],
)
def test_full_cycle_for_each_choice(session, rate_book, choice, paid, in_kind, declined, cost):
    project = build_project(session, {"Ann": choice})
    assert len(approve_all(session, project, rate_book).approved) == 2
    batch = settlement.create_batch(session, project.id, user_id=None)
    assert batch is not None and batch.payees == 1
    assert settlement.mark_paid(session, batch.id, user_id=None)
    settlement.settle_in_kind(session, project.id, user_id=None)
    ann = person_row(session, project, "Ann")
    assert (str(ann.owed), str(ann.paid), str(ann.in_kind), str(ann.declined)) == ("0.00", paid, in_kind, declined)
    assert str(balances.project_balances(session, project.id).project_cost) == cost
    assert verify_ledger(session).ok


def test_nothing_is_settled_until_a_choice_is_made(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.NOT_CHOSEN})
    approve_all(session, project, rate_book)
    waiting = settlement.waiting(session, project.id)
    assert [c.kind for c in waiting.not_chosen] == [ClaimKind.TIME]
    assert [c.kind for c in waiting.by_bank] == [ClaimKind.EXPENSES]  # expenses are always money
    settlement.settle_in_kind(session, project.id, user_id=None)
    assert person_row(session, project, "Ann").owed == Decimal("86.40")
    # A change of mind applies to what is not yet settled.
    session.scalar(select(Person).where(Person.name == "Ann")).reciprocity = Reciprocity.NO_PAYMENT
    session.flush()
    settlement.settle_in_kind(session, project.id, user_id=None)
    ann = person_row(session, project, "Ann")
    assert (ann.owed, ann.declined) == (Decimal("6.40"), Decimal("80.00"))
    assert balances.project_balances(session, project.id).project_cost == Decimal("6.40")
    assert verify_ledger(session).ok


def test_approving_or_paying_twice_happens_once(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    ids = [c.id for c in claims.claims_waiting(session, project.id)]
    assert len(claims.approve(session, ids, None).approved) == 2
    assert claims.approve(session, ids, None).already_decided == ids
    batch = settlement.create_batch(session, project.id, None)
    assert settlement.create_batch(session, project.id, None) is None  # a claim is in one batch only
    assert settlement.mark_paid(session, batch.id, None) is True
    assert settlement.mark_paid(session, batch.id, None) is False
    assert person_row(session, project, "Ann").paid == Decimal("86.40")


def test_rejection_needs_a_reason_and_posts_nothing(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claim = claims.claims_waiting(session, project.id)[0]
    with pytest.raises(LedgerError):
        claims.reject(session, claim.id, "  ", None)
    assert claims.reject(session, claim.id, "This session was cancelled.", None)
    assert session.get(Claim, claim.id).decision_reason == "This session was cancelled."
    assert not claims.reject(session, claim.id, "Again", None)
    assert session.scalar(select(func.count(LedgerTransaction.id))) == 0
    # Syncing again (any page visit or import does) leaves the decision and its reason alone...
    assert claims.sync_claims(session, rate_book, project_id=project.id).updated == 0
    session.refresh(claim)
    assert (claim.status, claim.decision_reason) == (ClaimStatus.REJECTED, "This session was cancelled.")
    # ...until the attendance is corrected: then it comes back for a new decision.
    session.get(Attendance, claim.attendance_id).hours += Decimal("1")
    session.flush()
    assert claims.sync_claims(session, rate_book, project_id=project.id).updated == 1
    session.refresh(claim)
    assert (claim.status, claim.decision_reason) == (ClaimStatus.SUBMITTED, None)


def test_a_reversal_puts_an_approved_claim_right(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.VOUCHERS})
    approve_all(session, project, rate_book)
    settlement.settle_in_kind(session, project.id, None)
    time_claim = session.scalar(select(Claim).where(Claim.kind == ClaimKind.TIME))
    with pytest.raises(LedgerError):
        claims.reverse_claim(session, time_claim.id, "", None)
    reversals = claims.reverse_claim(session, time_claim.id, "Entered for the wrong session", None)
    assert [r.kind for r in reversals] == [TransactionKind.REVERSAL, TransactionKind.REVERSAL]
    assert all(r.reason == "Entered for the wrong session" and r.reverses_id for r in reversals)
    ann = person_row(session, project, "Ann")
    assert (ann.owed, ann.in_kind) == (Decimal("6.40"), Decimal("0.00"))
    with pytest.raises(LedgerError):
        claims.reverse_claim(session, time_claim.id, "Twice", None)
    # Now the attendance can be corrected, and it is claimed again.
    attendance = session.get(Attendance, time_claim.attendance_id)
    attendance.prep_hours = Decimal("0")
    session.flush()
    assert claims.sync_claims(session, rate_book, project_id=project.id).updated == 1
    session.refresh(time_claim)
    assert (time_claim.status, time_claim.amount) == (ClaimStatus.SUBMITTED, Decimal("60.00"))
    assert verify_ledger(session).ok


def test_postings_must_balance(session, rate_book):
    project = build_project(session, {})
    with pytest.raises(Unbalanced):
        post(session, project_id=project.id, kind=TransactionKind.ACCRUAL, user_id=None, description="x",
             lines=[Line(Account.COST_TIME, Decimal("1")), Line(Account.OWED, Decimal("-0.99"))])


def test_nothing_is_posted_into_a_closed_month(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    assert periods.close_month(session, TODAY, None)
    assert not periods.close_month(session, TODAY, None)
    ids = [c.id for c in claims.claims_waiting(session, project.id)]
    with pytest.raises(PeriodClosed):
        claims.approve(session, ids, None)
    assert {c.status for c in claims.claims_waiting(session, project.id)} == {ClaimStatus.SUBMITTED}
    # Corrections go into an open month.
    next_month = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert len(claims.approve(session, ids, None, posted_on=next_month).approved) == 2
    with pytest.raises(LedgerError):
        periods.close_month(session, next_month + dt.timedelta(days=40), None)


@pytest.mark.parametrize("statement", [
    "UPDATE postings SET amount = amount + 1",
    "DELETE FROM postings",
    "UPDATE ledger_transactions SET description = 'changed'",
    "DELETE FROM ledger_transactions",
])
def test_the_database_refuses_changes_to_posted_entries(session, rate_book, statement):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    approve_all(session, project, rate_book)
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():
            session.execute(text(statement))
    assert verify_ledger(session).ok


def _without_triggers(session, table: str, statement: str) -> None:
    """What someone editing the database directly would do: switch the guard off, edit, switch it on."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        session.execute(text(statement))
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    else:
        session.execute(text(f"DROP TRIGGER {table}_no_update"))
        session.execute(text(f"DROP TRIGGER {table}_no_delete"))
        session.execute(text(statement))


def test_verify_names_a_tampered_amount(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Ben": Reciprocity.BANK_TRANSFER})
    approve_all(session, project, rate_book)
    target = session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.sequence)).all()[1]
    _without_triggers(session, "postings", f"UPDATE postings SET amount = amount * 10 WHERE transaction_id = {target.id}")
    session.expire_all()
    result = verify_ledger(session)
    assert not result.ok
    assert result.problems[0].transaction_id == target.id
    assert "changed after it was recorded" in result.problems[0].message


def test_verify_notices_a_removed_entry(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Ben": Reciprocity.BANK_TRANSFER})
    approve_all(session, project, rate_book)
    ordered = session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.sequence)).all()
    removed, following = ordered[1], ordered[2]
    _without_triggers(session, "postings", f"DELETE FROM postings WHERE transaction_id = {removed.id}")
    _without_triggers(session, "ledger_transactions", f"DELETE FROM ledger_transactions WHERE id = {removed.id}")
    session.expire_all()
    result = verify_ledger(session)
    assert not result.ok
    assert result.problems[0].transaction_id == following.id
    assert "is missing" in result.problems[0].message


def test_balances_json_has_money_as_strings(session, rate_book):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    approve_all(session, project, rate_book)
    data = balances.balances_as_json(balances.project_balances(session, project.id))
    assert data["project_cost"] == "86.40"
    assert data["people"] == [{"name": "Ann", "owed": "86.40", "paid": "0.00", "in_kind": "0.00", "declined": "0.00"}]


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")
def test_concurrent_approval_and_payment_pay_exactly_once(rate_book):
    """Eight threads approve the same claims and mark the same batch paid at once, on PostgreSQL."""
    url, drop = create_postgres_database()
    try:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as setup:
            project = build_project(setup, {f"Person {n}": Reciprocity.BANK_TRANSFER for n in range(5)})
            claims.sync_claims(setup, rate_book, project_id=project.id)
            setup.commit()
            project_id = project.id
            claim_ids = [c.id for c in claims.claims_waiting(setup, project_id)]

        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def race(action):
            try:
                with Session(engine) as worker:
                    barrier.wait(timeout=30)
                    action(worker)
                    worker.commit()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=race, args=(lambda s: claims.approve(s, claim_ids, None),)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []

        with Session(engine) as check:
            batch = settlement.create_batch(check, project_id, None)
            check.commit()
            batch_id = batch.id
        barrier = threading.Barrier(8)
        threads = [threading.Thread(target=race, args=(lambda s: settlement.mark_paid(s, batch_id, None),)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []

        with Session(engine) as check:
            accruals = check.scalar(select(func.count(LedgerTransaction.id)).where(
                LedgerTransaction.kind == TransactionKind.ACCRUAL))
            payments = check.scalar(select(func.count(LedgerTransaction.id)).where(
                LedgerTransaction.kind == TransactionKind.SETTLEMENT))
            bank = check.scalar(select(func.sum(Posting.amount)).where(Posting.account == Account.BANK))
            assert accruals == len(claim_ids) == 10
            assert payments == 10
            assert bank == Decimal("-432.00")  # 5 × (£80.00 + £6.40), paid once
            assert check.get(PaymentBatch, batch_id).status.value == "paid"
            assert verify_ledger(check).ok
        engine.dispose()
    finally:
        drop()
