"""Plan against actual: what the ledger shows beside what the budget planned.

- **Committed**: approved and not yet paid or given: what is owed to people
  (the credit balance of the ``owed`` account).
- **Spent**: paid by bank, or given as vouchers, training or a donation.
- Payment that a person **declined** is not project cost, so it is neither.

Both come from the postings alone, summed by SQL, so committed + spent is the
project cost the ledger shows, to the penny. Time is counted against the role
of the attendance it was claimed for, and expenses against the Expenses
category; each in the month of the session it came from. The other
categories (venue, interpreters...) are not paid through Remun's ledger, so
they have a plan and no actuals.

A role or category **has overrun** when committed + spent is more than its
whole plan. It **will overrun** when committed + spent is already more than
was planned up to the end of this month: if the rest goes as planned, the
total will be more than planned, by that much.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.budget.models import BudgetCategory
from remun.budget.planning import TIME, PlanCosting, month_start
from remun.ledger.models import Account, Claim, ClaimKind, LedgerTransaction, Posting
from remun.project_records.models import Attendance, Meeting, Role
from remun.money import ZERO, round_money

SPENT_ACCOUNTS = (Account.BANK, Account.VOUCHERS, Account.TRAINING, Account.DONATIONS)
TRACKED = (TIME, BudgetCategory.EXPENSES.value)


@dataclass(frozen=True)
class Actual:
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.committed + self.spent

    def __add__(self, other: Actual) -> Actual:
        return Actual(self.committed + other.committed, self.spent + other.spent)


@dataclass(frozen=True)
class LedgerActuals:
    """Committed and spent for one project, from its postings."""

    #: role id -> Actual (time claims)
    by_role: dict[int, Actual]
    #: section (TIME or "expenses") -> month of the session -> Actual
    by_month: dict[str, dict[dt.date, Actual]]
    #: Postings not tied to a claim (none are made today; counted so nothing is missed).
    unattributed: Actual
    role_titles: dict[int, str]

    def section(self, name: str) -> Actual:
        return sum(self.by_month.get(name, {}).values(), Actual())

    @property
    def total(self) -> Actual:
        return self.section(TIME) + self.section(BudgetCategory.EXPENSES.value) + self.unattributed

    def month(self, month: dt.date) -> Actual:
        return sum((self.by_month.get(name, {}).get(month, Actual()) for name in TRACKED), Actual())


def ledger_actuals(session: Session, project_id: int) -> LedgerActuals:
    """Sum the project's owed, bank and in-kind postings by claim kind, role and session month."""
    rows = session.execute(
        select(Posting.account, Claim.kind, Attendance.role_id, Meeting.date, func.sum(Posting.amount))
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .outerjoin(Claim, LedgerTransaction.claim_id == Claim.id)
        .outerjoin(Attendance, Claim.attendance_id == Attendance.id)
        .outerjoin(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Posting.project_id == project_id, Posting.account.in_((Account.OWED, *SPENT_ACCOUNTS)))
        .group_by(Posting.account, Claim.kind, Attendance.role_id, Meeting.date)
    ).all()
    by_role: dict[int, Actual] = defaultdict(Actual)
    by_month: dict[str, dict[dt.date, Actual]] = defaultdict(lambda: defaultdict(Actual))
    unattributed = Actual()
    for account, kind, role_id, day, amount in rows:
        # Credits are negative: owed and paid are credit balances.
        value = -round_money(Decimal(amount))
        actual = Actual(committed=value) if account == Account.OWED else Actual(spent=value)
        if kind is None or day is None:
            unattributed += actual
            continue
        section = TIME if kind == ClaimKind.TIME else BudgetCategory.EXPENSES.value
        by_month[section][month_start(day)] += actual
        if kind == ClaimKind.TIME:
            by_role[role_id] += actual
    titles = dict(session.execute(select(Role.id, Role.title).where(Role.id.in_(list(by_role)))).all()) if by_role else {}
    return LedgerActuals(
        by_role=dict(by_role),
        by_month={section: dict(months) for section, months in by_month.items()},
        unattributed=unattributed,
        role_titles=titles,
    )


@dataclass(frozen=True)
class Versus:
    """One row of plan against actual."""

    key: Hashable
    title: str
    planned: Decimal
    planned_to_date: Decimal
    actual: Actual | None  # None: not paid through the ledger, so not tracked

    @property
    def committed(self) -> Decimal | None:
        return None if self.actual is None else self.actual.committed

    @property
    def spent(self) -> Decimal | None:
        return None if self.actual is None else self.actual.spent

    @property
    def remaining(self) -> Decimal | None:
        return None if self.actual is None else self.planned - self.actual.total

    @property
    def forecast(self) -> Decimal | None:
        """Committed and spent so far, plus what is planned after this month."""
        if self.actual is None:
            return None
        return self.actual.total + (self.planned - self.planned_to_date)

    @property
    def overrun(self) -> bool:
        return self.actual is not None and self.actual.total > self.planned

    @property
    def will_overrun(self) -> bool:
        forecast = self.forecast
        return forecast is not None and forecast > self.planned

    @property
    def over_by(self) -> Decimal:
        forecast = self.forecast
        return ZERO if forecast is None else max(forecast - self.planned, ZERO)


@dataclass(frozen=True)
class PlanAgainstActual:
    on: dt.date
    roles: tuple[Versus, ...]
    sections: tuple[Versus, ...]
    months: tuple[Versus, ...]
    ledger: LedgerActuals

    @property
    def total(self) -> Actual:
        return self.ledger.total

    @property
    def warnings(self) -> tuple[Versus, ...]:
        return tuple(row for row in self.roles + self.sections if row.will_overrun)


def plan_against_actual(costing: PlanCosting, ledger: LedgerActuals, today: dt.date | None = None) -> PlanAgainstActual:
    """Set the ledger beside the plan. Roles are keyed ("role", id) as in ``remun.budget.store``."""
    this_month = month_start(today or dt.date.today())

    def planned(months) -> tuple[Decimal, Decimal]:
        whole = sum((cost for _, cost in months), ZERO)
        to_date = sum((cost for month, cost in months if month <= this_month), ZERO)
        return whole, to_date

    roles = []
    seen: set[int] = set()
    for total in costing.by_role:
        months = [(month.month, month.cost) for line in costing.lines
                  if line.line.role_key == total.key and line.line.in_total for month in line.months]
        whole, to_date = planned(months)
        kind, role_id = total.key if isinstance(total.key, tuple) else (None, None)
        actual = ledger.by_role.get(role_id, Actual()) if kind == "role" else Actual()
        if kind == "role":
            seen.add(role_id)
        roles.append(Versus(total.key, total.title, whole, to_date, actual))
    for role_id, actual in sorted(ledger.by_role.items(), key=lambda pair: ledger.role_titles.get(pair[0], "")):
        if role_id not in seen:  # paid, but never planned
            roles.append(Versus(("role", role_id), ledger.role_titles.get(role_id, ""), ZERO, ZERO, actual))

    sections = []
    for name, whole in costing.by_section.items():
        months = [(month, values.get(name, ZERO)) for month, values in costing.by_month.items()]
        whole, to_date = planned(months)
        actual = ledger.section(name) if name in TRACKED else None
        sections.append(Versus(name, name, whole, to_date, actual))

    month_rows = []
    all_months = sorted(set(costing.months) | {m for months in ledger.by_month.values() for m in months})
    for month in all_months:
        values = costing.by_month.get(month, {})
        planned_tracked = sum((values.get(name, ZERO) for name in TRACKED), ZERO)
        month_rows.append(Versus(month, "", planned_tracked, planned_tracked if month <= this_month else ZERO,
                                 ledger.month(month)))
    return PlanAgainstActual(this_month, tuple(roles), tuple(sections), tuple(month_rows), ledger)
