"""The UK tax year (6 April to 5 April): what each person was paid or given in it, by the date it was paid or given.

Read from the ledger: a posting counts on its transaction's date (a paid batch's
date, the day vouchers or training were given, the day a payment was declined).
What counts as income, and why, is in docs/reciprocity.md ("Tax year"):

* paid (money for time: bank transfer, payment card, cheque, paid to someone else),
  vouchers, training and donations made at the person's request count;
* declined does not (it was never received);
* expenses repaid do not (they repay costs the person had).

No Flask here: the participant pages, the finance workbook and ``remun statement`` use it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from remun.ledger.models import Account, Claim, ClaimKind, LedgerTransaction, Posting
from remun.project_records.models import Person
from remun.money import ZERO, round_money

#: HMRC's trading allowance: combined trading and miscellaneous receipts of £1,000 or less a tax
#: year need not be reported (HMRC Self Assessment help; docs/reciprocity.md).
TRADING_ALLOWANCE = Decimal("1000")


class TaxYearError(ValueError):
    """A tax year given in a form Remun cannot read."""


def tax_year_of(day: dt.date) -> int:
    """The year the tax year holding ``day`` starts in: 5 April 2027 is in 2026-27, 6 April 2027 in 2027-28."""
    return day.year if day >= dt.date(day.year, 4, 6) else day.year - 1


def bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of the tax year starting in ``start_year``."""
    return dt.date(start_year, 4, 6), dt.date(start_year + 1, 4, 5)


def label(start_year: int) -> str:
    """2026 -> "2026-27"."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def parse(text: str) -> int:
    """"2026" or "2026-27" -> 2026."""
    found = re.fullmatch(r"\s*(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?\s*", str(text))
    if not found:
        raise TaxYearError(f"Give a tax year like 2026 or 2026-27, not “{text}”.")
    start = int(found.group(1))
    if found.group(2) and int(found.group(2)) % 100 != (start + 1) % 100:
        raise TaxYearError(f"A tax year runs from one year into the next, like 2026-27, not “{text}”.")
    return start


@dataclass(frozen=True)
class TaxYearTotals:
    person_id: int
    name: str
    start_year: int
    paid: Decimal = ZERO
    vouchers: Decimal = ZERO
    training: Decimal = ZERO
    donations: Decimal = ZERO
    declined: Decimal = ZERO
    expenses_repaid: Decimal = ZERO

    @property
    def tax_year(self) -> str:
        return label(self.start_year)

    @property
    def income_total(self) -> Decimal:
        """What docs/reciprocity.md counts as income: not declined, not expenses repaid."""
        return self.paid + self.vouchers + self.training + self.donations

    @property
    def above_trading_allowance(self) -> bool:
        return self.income_total > TRADING_ALLOWANCE

    @property
    def is_empty(self) -> bool:
        return not any((self.paid, self.vouchers, self.training, self.donations, self.declined, self.expenses_repaid))

    def as_json(self) -> dict:
        return {
            "person": self.name,
            "tax_year": self.tax_year,
            "paid": str(self.paid),
            "vouchers": str(self.vouchers),
            "training": str(self.training),
            "donations": str(self.donations),
            "declined": str(self.declined),
            "expenses_repaid": str(self.expenses_repaid),
            "income_total": str(self.income_total),
        }


def _sum(condition, sign: int = -1):
    return func.coalesce(func.sum(case((condition, Posting.amount * sign), else_=0)), 0)


def _columns():
    time = Claim.kind == ClaimKind.TIME
    return (
        _sum((Posting.account == Account.BANK) & time),
        _sum(Posting.account == Account.VOUCHERS),
        _sum(Posting.account == Account.TRAINING),
        _sum(Posting.account == Account.DONATIONS),
        _sum(Posting.account == Account.DECLINED, sign=1),
        _sum((Posting.account == Account.BANK) & (Claim.kind == ClaimKind.EXPENSES)),
    )


def _query(start: dt.date, end: dt.date):
    return (
        select(Posting.person_id, *_columns())
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .join(Claim, LedgerTransaction.claim_id == Claim.id, isouter=True)
        .where(LedgerTransaction.posted_on >= start, LedgerTransaction.posted_on <= end,
               Posting.person_id.is_not(None))
        .group_by(Posting.person_id)
    )


def _totals(person_id: int, name: str, start_year: int, values) -> TaxYearTotals:
    return TaxYearTotals(person_id, name, start_year, *(round_money(Decimal(value)) for value in values))


def person_tax_year(session: Session, person: Person, start_year: int) -> TaxYearTotals:
    start, end = bounds(start_year)
    row = session.execute(_query(start, end).where(Posting.person_id == person.id)).first()
    return _totals(person.id, person.name, start_year, row[1:] if row else (0,) * 6)


def person_tax_years(session: Session, person: Person, today: dt.date | None = None) -> list[TaxYearTotals]:
    """Every tax year the person had anything paid, given or declined in, newest first; the current one always.

    One query however many years: totals by day, gathered into tax years here.
    """
    current = tax_year_of(today or dt.date.today())
    rows = session.execute(
        select(LedgerTransaction.posted_on, *_columns())
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .join(Claim, LedgerTransaction.claim_id == Claim.id, isouter=True)
        .where(Posting.person_id == person.id)
        .group_by(LedgerTransaction.posted_on)
    ).all()
    by_year: dict[int, list[Decimal]] = {current: [ZERO] * 6}
    for day, *values in rows:
        sums = by_year.setdefault(tax_year_of(day), [ZERO] * 6)
        for index, value in enumerate(values):
            sums[index] += Decimal(value)
    years = [_totals(person.id, person.name, year, sums) for year, sums in sorted(by_year.items(), reverse=True)]
    return [totals for totals in years if totals.start_year == current or not totals.is_empty]


def payees_tax_year(session: Session, start_year: int, project_ids: list[int] | None = None) -> list[TaxYearTotals]:
    """Each payee's totals for a tax year (for the finance workbook), by name."""
    start, end = bounds(start_year)
    query = _query(start, end)
    if project_ids is not None:
        query = query.where(Posting.project_id.in_(project_ids))
    rows = session.execute(query).all()
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_([row[0] for row in rows]))).all()) \
        if rows else {}
    found = [_totals(row[0], names.get(row[0], ""), start_year, row[1:]) for row in rows]
    return sorted((totals for totals in found if not totals.is_empty), key=lambda totals: (totals.name, totals.person_id))
