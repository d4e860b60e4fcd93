"""Balances, always derived from the postings by SQL aggregation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from remun.ledger.models import Account, Posting
from remun.project_records.models import Person
from remun.money import round_money

IN_KIND = (Account.VOUCHERS, Account.TRAINING, Account.DONATIONS)
COST = (Account.COST_TIME, Account.COST_EXPENSES)


@dataclass(frozen=True)
class PersonBalance:
    person_id: int
    name: str
    owed: Decimal  # approved, not yet paid or given
    paid: Decimal  # paid by bank
    in_kind: Decimal  # given as vouchers, training or donations
    declined: Decimal  # offered and declined (not project cost)


@dataclass(frozen=True)
class ProjectBalances:
    project_cost: Decimal
    cost_time: Decimal
    cost_expenses: Decimal
    people: tuple[PersonBalance, ...]


def _sum_where(*accounts: Account, sign: int = 1):
    return func.coalesce(func.sum(case((Posting.account.in_(accounts), Posting.amount * sign), else_=0)), 0)


def project_balances(session: Session, project_id: int) -> ProjectBalances:
    cost_time, cost_expenses = session.execute(
        select(_sum_where(Account.COST_TIME), _sum_where(Account.COST_EXPENSES)).where(Posting.project_id == project_id)
    ).one()
    rows = session.execute(
        select(
            Person.id, Person.name,
            _sum_where(Account.OWED, sign=-1), _sum_where(Account.BANK, sign=-1),
            _sum_where(*IN_KIND, sign=-1), _sum_where(Account.DECLINED),
        )
        .join(Person, Posting.person_id == Person.id)
        .where(Posting.project_id == project_id)
        .group_by(Person.id, Person.name)
        .order_by(Person.name, Person.id)
    ).all()
    people = tuple(
        PersonBalance(person_id, name, *(round_money(Decimal(value)) for value in values))
        for person_id, name, *values in rows
    )
    cost_time, cost_expenses = round_money(Decimal(cost_time)), round_money(Decimal(cost_expenses))
    return ProjectBalances(cost_time + cost_expenses, cost_time, cost_expenses, people)


def person_balance(session: Session, person_id: int, project_id: int | None = None) -> PersonBalance:
    query = select(
        _sum_where(Account.OWED, sign=-1), _sum_where(Account.BANK, sign=-1),
        _sum_where(*IN_KIND, sign=-1), _sum_where(Account.DECLINED),
    ).where(Posting.person_id == person_id)
    if project_id is not None:
        query = query.where(Posting.project_id == project_id)
    values = session.execute(query).one()
    person = session.get(Person, person_id)
    return PersonBalance(person_id, person.name if person else "", *(round_money(Decimal(v)) for v in values))


def balances_as_json(balances: ProjectBalances) -> dict:
    return {
        "project_cost": str(balances.project_cost),
        "cost_time": str(balances.cost_time),
        "cost_expenses": str(balances.cost_expenses),
        "people": [
            {"name": person.name, "owed": str(person.owed), "paid": str(person.paid), "in_kind": str(person.in_kind),
             "declined": str(person.declined)}
            for person in balances.people
        ],
    }



