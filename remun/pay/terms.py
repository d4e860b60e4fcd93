"""What a role pays for one session, and what that comes to per hour given.

Pure rules: no Flask, no database. Money and hours are Decimals (never floats).
The one rounding rule from ``remun.money`` applies: work unrounded, round once
at the end. Amounts of money that are actually paid (a session's pay) are
rounded to the penny; hourly rates are returned unrounded so that comparisons
and percentage gaps are made on the true figures, and callers round for display.

Hours given for a session are the session itself plus preparation plus travel:
that is the time a person gives up, whether or not it is paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from remun.project_records.enums import PayBasis
from remun.money import ZERO, round_money, to_decimal

if TYPE_CHECKING:
    from remun.parity.comparator_basis import ComparatorBasis
    from remun.pay.rate_cards import RateBook

__all__ = [
    "PayTerms",
    "hours_given",
    "paid_hours",
    "pay_per_session",
    "effective_hourly_rate",
    "exact_hourly_rate",
    "hourly_rate",
    "pay_for_attendance",
    "NoRateOnDate",
    "pay_terms",
]

#: Arithmetic for unrounded figures. Fifty digits keeps every product of a rate
#: and hours exact, and makes a quotient such as £100 / 3 hours far more precise
#: than any rounding that follows, so "round once at the end" really holds.
ARITHMETIC = Context(prec=50, rounding=ROUND_HALF_EVEN)
#: Sums, differences and products of rates that must lose nothing (raises Inexact if they would; the caller
#: then works in fractions).
EXACT = Context(prec=400, traps=[Inexact])


def _non_negative(name: str, value: object) -> Decimal:
    amount = to_decimal(value)  # refuses floats: they cannot hold pennies exactly
    if amount < ZERO:
        raise ValueError(f"{name} cannot be negative: {amount}")
    return amount


@dataclass(frozen=True)
class PayTerms:
    """How a role is paid for one session.

    ``rate`` is per unit of ``basis``: per hour for HOUR, the flat fee for
    SESSION, HALF_DAY and DAY, and for SALARY the hourly rate of the salary
    (staff are paid for every hour they give, preparation and travel included,
    so ``prep_paid`` and ``travel_paid`` do not change a salaried role's pay).

    Amounts may be given as Decimal, int or text; floats are refused and
    negative figures raise ValueError.
    """

    basis: PayBasis
    rate: Decimal
    session_hours: Decimal
    prep_hours: Decimal = ZERO
    prep_paid: bool = False
    travel_hours: Decimal = ZERO
    travel_paid: bool = False

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__: callers may pass
        # text from a form or ints in tests, and every figure ends up a Decimal.
        object.__setattr__(self, "basis", PayBasis(self.basis))
        for name in ("rate", "session_hours", "prep_hours", "travel_hours"):
            object.__setattr__(self, name, _non_negative(name, getattr(self, name)))


def hours_given(terms: PayTerms) -> Decimal:
    """Session hours + preparation hours + travel hours, paid or not."""
    return terms.session_hours + terms.prep_hours + terms.travel_hours


def paid_hours(terms: PayTerms) -> Decimal:
    """The hours the pay is meant to cover.

    On the hour basis these are the hours multiplied by the rate: the session,
    plus preparation and travel only where they are paid. A salary covers every
    hour given. For flat fees the same count as the hour basis is returned
    (session plus paid preparation and travel) for information; it does not
    change a flat fee.
    """
    if terms.basis is PayBasis.SALARY:
        return hours_given(terms)
    hours = terms.session_hours
    if terms.prep_paid:
        hours += terms.prep_hours
    if terms.travel_paid:
        hours += terms.travel_hours
    return hours


def _unrounded_pay(terms: PayTerms) -> Decimal:
    if terms.basis.is_flat:
        return terms.rate
    # HOUR and SALARY: the rate times the hours it covers (all hours for salary).
    return ARITHMETIC.multiply(terms.rate, paid_hours(terms))


def pay_per_session(terms: PayTerms) -> Decimal:
    """Pay for one session as planned, rounded to the penny (it is money paid).

    Hour basis: rate × (session + paid preparation + paid travel).
    Session, half-day and day: the flat rate. Salary: hourly rate × all hours given.
    """
    return round_money(_unrounded_pay(terms))


def hourly_rate(amount: Decimal, hours: Decimal) -> Decimal | None:
    """``amount`` ÷ ``hours``, unrounded; None for no hours (never a division error).

    Every hourly rate in Remun is worked out here, with the same precision, so
    two rates that are truly equal always come out as equal Decimals.
    """
    amount = to_decimal(amount)
    hours = to_decimal(hours)
    if hours == ZERO:
        return None
    return ARITHMETIC.divide(amount, hours)


def effective_hourly_rate(terms: PayTerms) -> Decimal | None:
    """Pay for one session ÷ hours given, UNROUNDED; None when no hours are given.

    Uses the unrounded pay, so a rate of 4 decimal places is not rounded to the
    penny before it is divided. Round with ``round_money`` to show it.
    """
    return hourly_rate(_unrounded_pay(terms), hours_given(terms))


@lru_cache(maxsize=8192)  # a pure function of a frozen value; many roles share their terms
def exact_hourly_rate(terms: PayTerms) -> Fraction | None:
    """The effective hourly rate as an exact fraction, for comparisons and targets.

    Parity, gaps and "what would close the gap" are decided on this, so that
    a rate of £100 over 3 hours is compared as exactly 100/3, not as a decimal
    that has had to stop somewhere.
    """
    given = hours_given(terms)
    if given == ZERO:
        return None
    return Fraction(_unrounded_pay(terms)) / Fraction(given)


def pay_for_attendance(
    terms: PayTerms, hours: Decimal, prep_hours: Decimal, travel_hours: Decimal
) -> Decimal:
    """Pay for one session actually attended, rounded to the penny.

    Hour basis: rate × actual session hours, plus actual preparation and travel
    hours where the terms pay them. Flat bases: the flat fee, whatever the hours.
    Salary: hourly rate × all actual hours (session + preparation + travel).
    """
    actual = PayTerms(
        basis=terms.basis,
        rate=terms.rate,
        session_hours=hours,
        prep_hours=prep_hours,
        prep_paid=terms.prep_paid,
        travel_hours=travel_hours,
        travel_paid=terms.travel_paid,
    )
    return pay_per_session(actual)


# --- Pricing stored terms on a day: the one rule ---------------------------------------------------

class NoRateOnDate(LookupError):
    """A published rate (a rate card) has no figure in force on the day asked about."""


class StoredTerms(Protocol):
    """Pay terms as stored: a role's terms (``RoleTerms``), a budget's planned terms (``BudgetDraftRole``), or
    a ``Terms`` value (the same fields)."""

    basis: PayBasis
    rate: Decimal | None
    rate_card_ref: str | None
    session_hours: Decimal
    prep_hours: Decimal
    prep_paid: bool
    travel_hours: Decimal
    travel_paid: bool


@dataclass(frozen=True)
class Terms:
    """Pay terms as a value: how a role is paid. The one dataclass of the pay-terms fields: terms from a date
    (``TermsFrom``: a budget's and the demo's planned terms), a draft role's details (``remun.budget.operations``)
    and a workbook's role plans (``remun.imports.plans``)
    are made of it, and the role and draft role forms give one. It is a ``StoredTerms`` (tests/pay/test_pay.py checks
    the two list the same fields)."""

    basis: PayBasis
    rate: Decimal | None
    rate_card_ref: str | None
    session_hours: Decimal
    prep_hours: Decimal = ZERO
    prep_paid: bool = False
    travel_hours: Decimal = ZERO
    travel_paid: bool = False

    @classmethod
    def of(cls, stored: StoredTerms) -> "Terms":
        return cls(**terms_of(stored))

    def copy_to(self, record: Any) -> None:
        """Write the terms on a stored record (``RoleTerms``, ``BudgetDraftRole``)."""
        for name, value in terms_of(self).items():
            setattr(record, name, value)


@dataclass(frozen=True)
class TermsFrom(Terms):
    """A role's pay terms from a date: planned in a budget (``remun.budget.planning``) or in the demo."""

    effective_from: dt.date = field(kw_only=True)


#: The names of the pay-terms fields, in order.
TERMS_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Terms))


def terms_of(stored: StoredTerms) -> dict[str, Any]:
    """The pay-terms fields of any stored terms (or a value made of them, leaving its other fields out), by name."""
    return {name: getattr(stored, name) for name in TERMS_FIELDS}


def pay_terms(terms: StoredTerms, book: "RateBook", day: dt.date, basis: "ComparatorBasis | None" = None, *,
              session_hours: Decimal | None = None, prep_hours: Decimal | None = None,
              travel_hours: Decimal | None = None) -> PayTerms:
    """Price stored terms on ``day``: the rate card's figure in force that day, else the role's own rate.

    Used by the parity report, the ledger's claims and budget planning alike. A budget line plans its
    own hours, so they may be given instead of the terms' own. Raises ``NoRateOnDate`` when the rate
    card has no figure that day. With a comparator ``basis`` (parity), a salary's hourly rate is put
    on that basis (per hour worked, with on-costs); without one it is the rate as stored (claims).
    """
    rate = terms.rate
    if terms.rate_card_ref:
        entry = book.lookup(terms.rate_card_ref, day)
        if entry is None:
            raise NoRateOnDate(terms.rate_card_ref)
        rate = entry.amount
    assert rate is not None  # the database requires a rate or a rate card
    if basis is not None and terms.basis == PayBasis.SALARY:
        rate = basis.salary_rate(rate)
    return PayTerms(
        basis=terms.basis,
        rate=rate,
        session_hours=terms.session_hours if session_hours is None else session_hours,
        prep_hours=terms.prep_hours if prep_hours is None else prep_hours,
        prep_paid=terms.prep_paid,
        travel_hours=terms.travel_hours if travel_hours is None else travel_hours,
        travel_paid=terms.travel_paid,
    )
