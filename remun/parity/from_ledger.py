"""What was actually paid or given for time, read from the ledger, for parity.

For each approved claim for time (rejected and reversed claims count for
nothing), its postings say how much of it was

* **paid** (bank and other money) or **given** (vouchers, training, donations, at face value),
* still **due** (approved, owed, not yet paid or given),
* **declined** (the person's choice: shown apart, never a pay gap).

The claim's hours given (session, preparation and travel) are shared between
these in the same proportions, so "paid or given ÷ hours" is the rate for the
hours that have been paid for, and time still waiting never looks like a gap.
A claim worth nothing (no paid hours) counts its hours as paid with nothing.

Salaried staff make no claims (their employer pays them); parity_report prices
their attendance from their terms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from remun.ledger.models import Account, Claim, ClaimKind, ClaimStatus, LedgerTransaction, Posting
from remun.project_records.models import Attendance
from remun.money import ZERO
from remun.pay.terms import ARITHMETIC

IN_KIND = (Account.VOUCHERS, Account.TRAINING, Account.DONATIONS)


@dataclass
class LedgerTime:
    """One person's time in one role, from the ledger."""

    sessions: int = 0
    money: Decimal = ZERO  # paid: bank transfer, card, cheque, to someone else
    in_kind: Decimal = ZERO  # given: vouchers, training, donations at face value
    due: Decimal = ZERO  # approved, not yet paid or given
    declined: Decimal = ZERO
    paid_hours: Decimal = ZERO
    due_hours: Decimal = ZERO
    declined_hours: Decimal = ZERO

    @property
    def paid_or_given(self) -> Decimal:
        return self.money + self.in_kind


def _share(hours: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return ARITHMETIC.divide(ARITHMETIC.multiply(hours, part), whole)


def _sum(*accounts: Account, sign: int = 1):
    return func.coalesce(func.sum(case((Posting.account.in_(accounts), Posting.amount * sign), else_=0)), 0)


def ledger_time(session: Session, project_ids: list[int] | None = None) -> dict[tuple[int, int, int], LedgerTime]:
    """(project id, person id, role id) -> what the ledger says about their approved time."""
    # A claim's transactions and postings are in the claim's project (remun.ledger.claims posts them
    # there): saying so lets PostgreSQL read one project's through the project indexes, not every
    # transaction (SQLite's planner already uses the claim index, and is misled by the project's).
    in_claims_project = LedgerTransaction.claim_id == Claim.id
    posting_of = and_(Posting.transaction_id == LedgerTransaction.id, Posting.person_id.is_not(None))
    if project_ids is not None and session.get_bind().dialect.name == "postgresql":
        in_claims_project = and_(in_claims_project, LedgerTransaction.project_id.in_(project_ids))
        posting_of = and_(posting_of, Posting.project_id.in_(project_ids))
    per_claim = (
        select(
            Claim.id.label("claim_id"),
            _sum(Account.BANK, sign=-1).label("money"),
            _sum(*IN_KIND, sign=-1).label("in_kind"),
            _sum(Account.OWED, sign=-1).label("due"),
            _sum(Account.DECLINED).label("declined"),
        )
        .select_from(Claim)
        .join(LedgerTransaction, in_claims_project, isouter=True)
        .join(Posting, posting_of, isouter=True)
        .where(Claim.kind == ClaimKind.TIME, Claim.status == ClaimStatus.APPROVED)
        .group_by(Claim.id)
    )
    if project_ids is not None:
        per_claim = per_claim.where(Claim.project_id.in_(project_ids))
    per_claim = per_claim.subquery()
    hours = (func.coalesce(Claim.hours, Attendance.hours) + func.coalesce(Claim.prep_hours, Attendance.prep_hours)
             + func.coalesce(Claim.travel_hours, Attendance.travel_hours))
    keys = (Claim.project_id, Claim.person_id, Attendance.role_id, Claim.amount, hours.label("hours"),
            per_claim.c.money, per_claim.c.in_kind, per_claim.c.due, per_claim.c.declined)
    # Equal claims are grouped in SQL and shared out once (most claims are settled whole, one way).
    grouped = (select(*keys, func.count())
               .select_from(per_claim)
               .join(Claim, Claim.id == per_claim.c.claim_id)
               .join(Attendance, Attendance.id == Claim.attendance_id))
    if project_ids is not None:  # the same claims: read through the project's index
        grouped = grouped.where(Claim.project_id.in_(project_ids))
    rows = session.execute(grouped.group_by(*keys))
    found: dict[tuple[int, int, int], LedgerTime] = defaultdict(LedgerTime)
    for project_id, person_id, role_id, amount, given, money, in_kind, due, declined, count in rows:
        money, in_kind, due, declined = (Decimal(value) for value in (money, in_kind, due, declined))
        amount, given = Decimal(amount), Decimal(given)
        entry = found[(project_id, person_id, role_id)]
        entry.sessions += count
        entry.money += money * count
        entry.in_kind += in_kind * count
        entry.due += due * count
        entry.declined += declined * count
        if amount == ZERO:
            entry.paid_hours += given * count
            continue
        entry.paid_hours += _share(given, money + in_kind, amount) * count
        entry.due_hours += _share(given, due, amount) * count
        entry.declined_hours += _share(given, declined, amount) * count
    return dict(found)
