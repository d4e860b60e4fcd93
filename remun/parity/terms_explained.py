"""What a role's pay terms mean for parity, said the same way parity counts it.

Parity compares pay for each hour *given*: the session, preparation and travel,
whether or not each is paid (remun/pay/terms.py). So a role's page must not call a
salaried role's preparation "not paid" (a salary covers every hour), nor
suggest a flat fee grows with paid preparation (a fee covers the time it
covers). One function decides, for every pay basis, how each part of the time
is treated, and the hourly rate it comes to, with the same rules as parity.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from remun.project_records.enums import PayBasis
from remun.money import round_money
from remun.pay.terms import PayTerms, effective_hourly_rate, hours_given, pay_per_session


class Treatment(enum.StrEnum):
    PAID = "paid"  # paid at the hourly rate
    NOT_PAID = "not_paid"  # given but not paid: still counted, so it lowers the hourly rate
    IN_FEE = "in_fee"  # covered by a flat fee, whatever the hours
    IN_SALARY = "in_salary"  # a salary pays every hour given


@dataclass(frozen=True)
class PartCounted:
    part: str  # "session", "preparation" or "travel"
    hours: Decimal
    treatment: Treatment


@dataclass(frozen=True)
class ParityCount:
    basis: PayBasis
    parts: tuple[PartCounted, ...]
    hours_counted: Decimal
    pay_per_session: Decimal
    hourly_rate: Decimal | None  # rounded to the penny, as pages show it

    def treatment(self, part: str) -> Treatment:
        return next(item.treatment for item in self.parts if item.part == part)


def _treated(terms: PayTerms, paid: bool) -> Treatment:
    if terms.basis is PayBasis.SALARY:
        return Treatment.IN_SALARY
    if terms.basis.is_flat:
        return Treatment.IN_FEE
    return Treatment.PAID if paid else Treatment.NOT_PAID


def parity_count(terms: PayTerms) -> ParityCount:
    """How parity counts one session on these terms: every hour given, and what it pays for each."""
    parts = (
        PartCounted("session", terms.session_hours, _treated(terms, True)),
        PartCounted("preparation", terms.prep_hours, _treated(terms, terms.prep_paid)),
        PartCounted("travel", terms.travel_hours, _treated(terms, terms.travel_paid)),
    )
    rate = effective_hourly_rate(terms)
    return ParityCount(terms.basis, parts, hours_given(terms), pay_per_session(terms),
                       None if rate is None else round_money(rate))
