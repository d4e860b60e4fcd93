"""A stateful property test of the ledger (issue 14): every path, interleaved from two sessions.

Hypothesis drives re-imports, attendance edits, approvals, rejections, reversals, batches,
payments, settlement in kind, closing a month, pay terms changes and role changes, each through
the ledger operations from one of two database sessions (each with its own, possibly stale,
picture), and after every step checks what a finance auditor would: debits equal credits; each
approved claim's amount equals its accrual and its attendance still says what was approved; no
reversed or rejected claim in a paid batch; nobody paid, given or declined more than was accrued;
verify passes. And the kept parity reports (issue 19): the report served from the cache equals one
made afresh, and every report kept in the database under the current figures version matches a
recomputation (what `remun verify` checks).
Runs on SQLite and PostgreSQL, each on its own database (it commits).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from remun.ledger import claims as ledger_claims
from remun.ledger import operations
from remun.ledger.models import Account, BatchStatus, Claim, ClaimKind, ClaimStatus, PaymentBatch, Posting
from remun.ledger.posting import ClaimDecided, LedgerError
from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Attendance, Expense, Meeting, Role, RoleTerms
from remun.parity.report import organisation_parity, project_parity
from remun.parity.kept_reports import check_kept_reports
from remun.parity.project_totals import KeptTotals, check_kept_totals
from remun.parity.versions import read_versions
from remun.parity.report_cache import ReportCache, cached_organisation_parity, cached_project_parity
from remun.imports.importer import ImportFailed, import_workbook
from tests.helpers.workbooks import good_sheets, set_cell, workbook
from tests.helpers.ledger import money_invariants

ATTENDANCE_ROWS = (2, 3, 4, 5, 6)  # the Attendance sheet's rows in good_sheets()


def test_the_ledger_stays_right_whatever_the_order(own_engine, rate_book):
    engine = own_engine

    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.sessions = [Session(engine), Session(engine)]
            self.reports = ReportCache(keep_with=lambda: Session(engine))  # as the web app keeps them
            self.sheets = good_sheets()
            self.name = f"Machine {uuid.uuid4().hex[:8]}"
            set_cell(self.sheets, "Project", 2, "Value", self.name)
            with Session(engine) as setup:
                summary = import_workbook(setup, workbook(self.sheets), rate_book)
                ledger_claims.sync_claims(setup, rate_book, project_id=summary.project_id)
                setup.commit()
                self.project_id = summary.project_id

        def teardown(self):
            for session in self.sessions:
                session.close()

        def _run(self, which: int, action, *expected) -> None:
            """Run one step in session ``which``; commit it, or roll it back on an expected refusal."""
            session = self.sessions[which]
            try:
                action(session)
                session.commit()
            except (LedgerError, ImportFailed, *expected):
                session.rollback()
            except BaseException:
                session.rollback()
                raise

        # --- the paths ------------------------------------------------------------------

        @rule(which=st.integers(0, 1), row=st.sampled_from(ATTENDANCE_ROWS), hours=st.sampled_from([1, 2, 3]),
              expense=st.sampled_from([None, "5.00", "12.40"]))
        def reimport(self, which, row, hours, expense):
            sheets = [list(cells) for cells in self.sheets["Attendance"]]
            changed = {**self.sheets, "Attendance": sheets}
            set_cell(changed, "Attendance", row, "Hours", hours)
            set_cell(changed, "Attendance", row, "Expenses", expense)
            set_cell(changed, "Attendance", row, "Expense category", "Travel" if expense else None)
            set_cell(changed, "Attendance", row, "Expense note", None)

            def act(session):
                summary = import_workbook(session, workbook(changed), rate_book)
                ledger_claims.sync_claims(session, rate_book, project_id=summary.project_id)
                self.sheets = changed
            self._run(which, act, ClaimDecided)

        @rule(which=st.integers(0, 1), pick=st.integers(0, 9), hours=st.sampled_from(["1", "2.5", "4"]))
        def edit_attendance(self, which, pick, hours):
            def act(session):
                found = session.scalars(select(Attendance).join(Meeting).where(Meeting.project_id == self.project_id)
                                        .order_by(Attendance.id)).all()
                attendance = found[pick % len(found)]
                if ledger_claims.has_decided_claims(session, attendance.id):
                    return  # the editor refuses: reverse the claim first
                attendance.hours = Decimal(hours)
                session.flush()
                ledger_claims.sync_claims(session, rate_book, attendance_ids=[attendance.id])
            self._run(which, act, ClaimDecided, DBAPIError)

        @rule(which=st.integers(0, 1))
        def approve(self, which):
            self._run(which, lambda s: operations.approve_claims(s, self.project_id, None))

        def _claim(self, session, status, pick):
            found = session.scalars(select(Claim).where(Claim.project_id == self.project_id, Claim.status == status)
                                    .order_by(Claim.id)).all()
            return found[pick % len(found)] if found else None

        @rule(which=st.integers(0, 1), pick=st.integers(0, 9))
        def reject(self, which, pick):
            def act(session):
                claim = self._claim(session, ClaimStatus.SUBMITTED, pick)
                if claim is not None:
                    operations.reject_claim(session, claim.id, "Not at this session", None)
            self._run(which, act)

        @rule(which=st.integers(0, 1), pick=st.integers(0, 9))
        def reverse(self, which, pick):
            def act(session):
                claim = self._claim(session, ClaimStatus.APPROVED, pick)
                if claim is not None:
                    operations.reverse_claim(session, claim.id, "Hours were wrong", None)
            self._run(which, act)

        @rule(which=st.integers(0, 1))
        def create_batch(self, which):
            self._run(which, lambda s: operations.create_batch(s, self.project_id, None))

        @rule(which=st.integers(0, 1))
        def mark_paid(self, which):
            def act(session):
                batch = session.scalar(select(PaymentBatch).where(PaymentBatch.project_id == self.project_id,
                                                                  PaymentBatch.status == BatchStatus.OPEN))
                if batch is not None:
                    operations.mark_batch_paid(session, batch.id, None)
            self._run(which, act)

        @rule(which=st.integers(0, 1))
        def settle(self, which):
            self._run(which, lambda s: operations.settle_in_kind(s, self.project_id, None))

        @rule(which=st.integers(0, 1))
        def close_last_month(self, which):
            last_month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
            self._run(which, lambda s: operations.close_month(s, last_month, None))

        def _role(self, session, pick) -> Role:
            roles = session.scalars(select(Role).where(Role.project_id == self.project_id).order_by(Role.id)).all()
            return roles[pick % len(roles)]

        @rule(which=st.integers(0, 1), pick=st.integers(0, 9), rate=st.sampled_from(["14.00", "21.50", "30.00"]),
              later=st.booleans())
        def change_pay_terms(self, which, pick, rate, later):
            def act(session):
                role = self._role(session, pick)
                latest = max(role.terms, key=lambda terms: terms.effective_from)
                if later:  # new terms from tomorrow
                    if latest.effective_from <= dt.date.today():
                        role.terms.append(RoleTerms(effective_from=dt.date.today() + dt.timedelta(days=1),
                                                    basis=PayBasis.HOUR, rate=Decimal(rate),
                                                    session_hours=latest.session_hours))
                else:  # the terms in force corrected
                    latest.rate = Decimal(rate)
                session.flush()
                ledger_claims.sync_claims(session, rate_book, project_id=self.project_id)
            self._run(which, act, ClaimDecided, DBAPIError)

        @rule(which=st.integers(0, 1), pick=st.integers(0, 9))
        def change_role(self, which, pick):
            def act(session):
                role = self._role(session, pick)
                if role.kind is RoleKind.LIVED_EXPERIENCE:
                    role.kind = RoleKind.CARER
                elif role.kind is RoleKind.CARER:
                    role.kind = RoleKind.LIVED_EXPERIENCE
                else:
                    role.title = f"{role.title.split(' (')[0]} ({uuid.uuid4().hex[:4]})"
            self._run(which, act, DBAPIError)

        # --- what must always hold --------------------------------------------------------

        @invariant()
        def kept_reports_are_right(self):
            with Session(engine) as check:
                assert cached_project_parity(check, self.project_id, rate_book, cache=self.reports) == \
                    project_parity(check, self.project_id, rate_book)
                assert cached_organisation_parity(check, rate_book, cache=self.reports) == \
                    organisation_parity(check, rate_book)
                check.rollback()  # the reports were kept in transactions of their own
                assert check_kept_reports(check, rate_book) == []
                # and each project's totals, kept under its version, equal its records summed again
                assert check.scalar(select(func.count()).select_from(KeptTotals)) >= 1
                assert check_kept_totals(check, read_versions(check)) == []

        @invariant()
        def money_is_right(self):
            with Session(engine) as check:
                assert check.scalar(select(func.coalesce(func.sum(Posting.amount), 0))) == 0  # debits = credits
                money_invariants(check)  # approved = accrued; nothing reversed is paid; verify passes
                for claim, attendance in check.execute(
                    select(Claim, Attendance).join(Attendance, Claim.attendance_id == Attendance.id)
                    .where(Claim.status == ClaimStatus.APPROVED)
                ):
                    if claim.kind == ClaimKind.TIME:
                        assert (claim.hours, claim.prep_hours, claim.travel_hours) == (
                            attendance.hours, attendance.prep_hours, attendance.travel_hours)
                    else:
                        spent = check.scalar(select(func.sum(Expense.amount))
                                             .where(Expense.attendance_id == attendance.id))
                        assert Decimal(str(spent)).quantize(Decimal("0.01")) == claim.amount
                # Per person: paid + given + declined never exceeds what was accrued (net of reversals):
                # what they are owed is a credit (negative) or nothing, never a debit.
                for person_id, owed in check.execute(
                    select(Posting.person_id, func.sum(Posting.amount)).where(Posting.account == Account.OWED)
                    .group_by(Posting.person_id)
                ):
                    assert Decimal(str(owed)) <= Decimal("0.005"), f"person {person_id} was settled more than accrued"

    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=8, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    with Session(engine) as summary:  # shown with -s: what the runs did
        from remun.ledger.models import LedgerTransaction

        print({kind.value: count for kind, count in summary.execute(
            select(LedgerTransaction.kind, func.count()).group_by(LedgerTransaction.kind))},
              {status.value: count for status, count in summary.execute(
                  select(Claim.status, func.count()).group_by(Claim.status))},
              summary.scalar(select(func.count(PaymentBatch.id)).where(PaymentBatch.status == BatchStatus.PAID)))
