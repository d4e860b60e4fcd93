"""The fair-fee calculator: what to offer for a session so that every hour
given (meeting, preparation and travel) is paid at the comparator's rate, and
never below the Real Living Wage.

It reuses the parity rules: a role offered nothing is compared with the
comparator, and "what would close the gap" gives each fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from remun.project_records.enums import PayBasis, RoleKind
from remun.money import ZERO
from remun.parity.rules import RoleOffer, close_gap, compare_group
from remun.pay.terms import PayTerms


@dataclass(frozen=True)
class FairFees:
    """Fees that reach parity; None where a basis cannot (no hours it would pay for)."""

    target_rate: Decimal  # the hourly rate every hour given should earn
    floor_applied: bool  # True when the Real Living Wage, not the comparator, set the target
    hours_given: Decimal
    hourly_all_time_paid: Decimal | None
    hourly_meeting_only: Decimal | None
    flat_fee: Decimal | None


def _parity_rate(basis: PayBasis, session_hours, prep_hours, travel_hours, paid: bool, target: Decimal) -> Decimal | None:
    shared = {"session_hours": session_hours, "prep_hours": prep_hours, "travel_hours": travel_hours}
    offer = RoleOffer(
        key="offer", title="offer", kind=RoleKind.LIVED_EXPERIENCE,
        terms=PayTerms(basis=basis, rate=ZERO, prep_paid=paid, travel_paid=paid, **shared),
    )
    comparator = RoleOffer(
        key="comparator", title="comparator", kind=RoleKind.CLINICAL,
        terms=PayTerms(basis=PayBasis.SALARY, rate=target, **shared),
    )
    group = compare_group("calculator", [offer, comparator], living_wage=None)
    if group.comparator is None:
        return None
    closure = close_gap(group.roles[0], group.comparator, sessions=1)
    return None if closure is None else closure.parity_rate


def fair_fees(
    session_hours: Decimal,
    prep_hours: Decimal,
    travel_hours: Decimal,
    comparator_rate: Decimal,
    living_wage: Decimal | None = None,
) -> FairFees:
    target = comparator_rate
    floor_applied = living_wage is not None and living_wage > comparator_rate
    if floor_applied:
        target = living_wage  # type: ignore[assignment]
    args = (session_hours, prep_hours, travel_hours)
    return FairFees(
        target_rate=target,
        floor_applied=floor_applied,
        hours_given=session_hours + prep_hours + travel_hours,
        hourly_all_time_paid=_parity_rate(PayBasis.HOUR, *args, paid=True, target=target),
        hourly_meeting_only=_parity_rate(PayBasis.HOUR, *args, paid=False, target=target),
        flat_fee=_parity_rate(PayBasis.SESSION, *args, paid=False, target=target),
    )
