"""A project with approved claims in the ledger, and the ledger's money invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.ledger import claims
from remun.ledger.models import Account, BatchItem, BatchStatus, Claim, ClaimStatus, LedgerTransaction, PaymentBatch, Posting, TransactionKind
from remun.ledger.verify import verify_ledger
from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.project_records.models import Appointment, Attendance, Expense, Meeting, Person, Project, Role, RoleGroup, RoleTerms


TODAY = dt.date.today()


def build_project(session: Session, choices: dict[str, Reciprocity]) -> Project:
    """One £20-an-hour role (prep paid), a salaried clinician, one session each person attended.

    Each person's pay for the session: 3 h + 1 h prep at £20 = £80.00, and £6.40 bus fare.
    """
    project = Project(name=f"Ledger test {len(choices)}", cost_centre="CC-9", start_date=TODAY.replace(day=1))
    group = RoleGroup(project=project, name="Panel")
    lived = Role(project=project, group=group, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE)
    lived.terms.append(RoleTerms(effective_from=project.start_date, basis=PayBasis.HOUR, rate=Decimal("20"),
                                 session_hours=Decimal("3"), prep_hours=Decimal("1"), prep_paid=True))
    clinician = Role(project=project, group=group, title="Clinician", kind=RoleKind.CLINICAL)
    clinician.terms.append(RoleTerms(effective_from=project.start_date, basis=PayBasis.SALARY, rate=Decimal("30"),
                                     session_hours=Decimal("3")))
    meeting = Meeting(project=project, date=project.start_date, title="Panel", hours=Decimal("3"))
    session.add_all([project, meeting])
    for name, choice in choices.items():
        person = Person(name=name, reciprocity=choice)
        session.add(person)
        session.add(Appointment(person=person, role=lived, start_date=project.start_date))
        attendance = Attendance(meeting=meeting, person=person, role=lived, hours=Decimal("3"), prep_hours=Decimal("1"))
        attendance.expenses.append(Expense(amount=Decimal("6.40"), category=ExpenseCategory.TRAVEL, note="Bus"))
        session.add(attendance)
    staff = Person(name="Dr Staff")
    session.add(Appointment(person=staff, role=clinician, start_date=project.start_date))
    session.add(Attendance(meeting=meeting, person=staff, role=clinician, hours=Decimal("3")))
    session.flush()
    return project


def approve_all(session, project, rate_book):
    claims.sync_claims(session, rate_book, project_id=project.id)
    return claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None)


def money_invariants(session: Session) -> None:
    """What a finance auditor checks: approved amounts equal accruals; no paid reversed claim."""
    for claim in session.scalars(select(Claim).where(Claim.status == ClaimStatus.APPROVED)):
        accrued = session.scalar(
            select(func.coalesce(func.sum(Posting.amount), 0)).join(LedgerTransaction)
            .where(LedgerTransaction.claim_id == claim.id, Posting.account == Account.OWED,
                   LedgerTransaction.kind.in_([TransactionKind.ACCRUAL, TransactionKind.REVERSAL]))
        )
        declined = session.scalar(select(func.count(LedgerTransaction.id)).where(
            LedgerTransaction.claim_id == claim.id, LedgerTransaction.kind == TransactionKind.DECLINED))
        if not declined:
            assert -Decimal(str(accrued)).quantize(Decimal("0.01")) == claim.amount, f"claim {claim.id} approved at {claim.amount}, accrued {accrued}"
    paid_but_not_approved = session.scalars(
        select(Claim.id).join(BatchItem, BatchItem.claim_id == Claim.id)
        .join(PaymentBatch, BatchItem.batch_id == PaymentBatch.id)
        .where(PaymentBatch.status == BatchStatus.PAID, Claim.status != ClaimStatus.APPROVED)
    ).all()
    assert paid_but_not_approved == []
    assert verify_ledger(session).ok
