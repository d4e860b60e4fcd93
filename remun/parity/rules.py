"""Parity: are lived-experience and carer roles paid as much per hour as clinicians?

Pure rules: no Flask, no database. In each group of equal roles, every
lived-experience or carer role is compared with the best-paid clinical or
professional role in the same group (the comparator), on the effective hourly
rate: pay for one session ÷ hours given, preparation and travel counted.

Decisions are made on exact rates (fractions), never on rounded ones; the gap
is rounded once, to one decimal place, half up, and rates are rounded to the
penny only for display.

Non-cash reciprocity (vouchers, training, a donation) is offered at equal face
value, so a person's choice of how to receive payment never changes whether
the offer is at parity. That is why nothing here takes the choice: parity is a
property of the offer. What a person actually received is checked separately
with ``paid_parity``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, Inexact
from fractions import Fraction
from functools import lru_cache

from remun.project_records.enums import PayBasis, RoleKind
from remun.money import ZERO, round_money, round_percent, to_decimal
from remun.translation import N_
from remun.pay.terms import (
    ARITHMETIC,
    EXACT,
    PayTerms,
    exact_hourly_rate,
    hourly_rate,
    hours_given,
    paid_hours,
    pay_per_session,
)
from remun.pay.terms import effective_hourly_rate as _effective_hourly_rate

__all__ = [
    "RoleOffer",
    "RoleParity",
    "ParityShortfall",
    "GroupParity",
    "PaidTimeOption",
    "GapClosure",
    "PaidParity",
    "compare_group",
    "gap_percent",
    "close_gap",
    "paid_parity",
]

Rate = Decimal | Fraction


@lru_cache(maxsize=65536)  # pure, and rounded to a fixed place: equal rates always give the same figure
def gap_percent(comparator_rate: Rate, rate: Rate) -> Decimal | None:
    """(comparator − rate) ÷ comparator × 100, rounded once to 1 dp, half up.

    Worked out exactly from the rates given (pass unrounded rates). Negative
    when ``rate`` is the higher. None when the comparator rate is zero: a
    percentage of nothing has no meaning.
    """
    if isinstance(comparator_rate, Decimal) and isinstance(rate, Decimal):
        # Two decimals (as every paid rate is): the difference is worked out exactly, then one division at
        # fifty digits, which rounds the same exact quotient as the fractions below, several times faster.
        if comparator_rate == 0:
            return None
        try:
            difference = EXACT.multiply(EXACT.subtract(comparator_rate, rate), 100)
        except Inexact:  # more digits than even the exact context holds: the fractions below
            pass
        else:
            return round_percent(ARITHMETIC.divide(difference, comparator_rate))
    comparator = Fraction(comparator_rate)
    if comparator == 0:
        return None
    gap = (comparator - Fraction(rate)) / comparator * 100
    return round_percent(_to_decimal(gap))


def _to_decimal(value: Fraction) -> Decimal:
    # One division at fifty digits: exact for any figure with a finite decimal
    # expansion (so a gap of exactly 12.25 % stays a tie and rounds half up),
    # and far finer than the one rounding that follows for any other.
    return ARITHMETIC.divide(Decimal(value.numerator), Decimal(value.denominator))


def _round_up_to_penny(value: Fraction) -> Decimal:
    # A target rate must really reach parity, so it is rounded UP; rounding to
    # the nearest penny could leave it a fraction of a penny short.
    return Decimal(math.ceil(value * 100)).scaleb(-2)


@dataclass(frozen=True)
class RoleOffer:
    """A role on a group and the pay it offers. ``key`` is any hashable id."""

    key: Hashable
    title: str
    kind: RoleKind
    terms: PayTerms

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RoleKind(self.kind))


@dataclass(frozen=True)
class RoleParity:
    """One role's pay in its group, and how it compares.

    ``effective_hourly_rate`` is unrounded (None when no hours are given); show
    ``rounded_hourly_rate``. ``gap_percent`` and ``parity`` are set only for
    lived-experience and carer roles in a group with a comparator; they are
    None for the comparator itself, other clinical or professional roles, roles
    of kind "other", and roles giving no hours. ``below_living_wage`` is None
    when the living wage in force is unknown or the role gives no hours.
    """

    offer: RoleOffer
    hours_given: Decimal
    pay_per_session: Decimal
    effective_hourly_rate: Decimal | None
    gap_percent: Decimal | None
    parity: bool | None
    below_living_wage: bool | None
    is_comparator: bool

    @property
    def rounded_hourly_rate(self) -> Decimal | None:
        """The effective hourly rate to the penny, for display."""
        if self.effective_hourly_rate is None:
            return None
        return round_money(self.effective_hourly_rate)

    @property
    def below_parity(self) -> bool:
        return self.parity is False


@dataclass(frozen=True)
class ParityShortfall:
    """Plain facts for one summary sentence; the web layer words it with gettext.

    E.g. "Counting preparation and travel, the {title} is paid £{hourly_rate}
    an hour and the {comparator_title} £{comparator_hourly_rate}. That is
    {gap_percent}% less." Rates are rounded to the penny for display.
    """

    title: str
    kind: RoleKind
    hourly_rate: Decimal
    comparator_title: str
    comparator_hourly_rate: Decimal
    gap_percent: Decimal | None


@dataclass(frozen=True)
class GroupParity:
    """A group of equal roles compared with its comparator.

    ``roles`` keeps the order the offers were given in and includes the
    comparator. ``comparator`` is None when the group has no clinical or
    professional role giving hours: then no role is said to be at parity.
    """

    name: str
    comparator: RoleParity | None
    roles: tuple[RoleParity, ...]
    living_wage: Decimal | None

    @property
    def has_comparator(self) -> bool:
        return self.comparator is not None

    @property
    def comparator_is_median(self) -> bool:
        return self.comparator is not None and self.comparator.offer.title == MEDIAN_TITLE \
            and isinstance(self.comparator.offer.key, tuple)

    @property
    def below_parity(self) -> tuple[RoleParity, ...]:
        """Lived-experience and carer roles paid less per hour than the comparator."""
        return tuple(role for role in self.roles if role.below_parity)

    @property
    def below_living_wage(self) -> tuple[RoleParity, ...]:
        return tuple(role for role in self.roles if role.below_living_wage)

    @property
    def shortfalls(self) -> tuple[ParityShortfall, ...]:
        """Facts for the summary sentences: each role below parity, with rates."""
        comparator = self.comparator
        if comparator is None:
            return ()
        facts = []
        for role in self.below_parity:
            # Below parity implies both rates exist; asserts keep the types honest.
            assert role.rounded_hourly_rate is not None
            assert comparator.rounded_hourly_rate is not None
            facts.append(
                ParityShortfall(
                    title=role.offer.title,
                    kind=role.offer.kind,
                    hourly_rate=role.rounded_hourly_rate,
                    comparator_title=comparator.offer.title,
                    comparator_hourly_rate=comparator.rounded_hourly_rate,
                    gap_percent=role.gap_percent,
                )
            )
        return tuple(facts)


def _best_paid_comparator(
    offers: tuple[RoleOffer, ...], rates: list[Fraction | None]
) -> int | None:
    candidates = [
        index
        for index, offer in enumerate(offers)
        if offer.kind.is_comparator_side and rates[index] is not None
    ]
    if not candidates:
        return None
    # max() keeps the first of equals, so a tie goes to the role listed first.
    return max(candidates, key=lambda index: rates[index])


#: The comparator's title when it is the median of a group's clinical and professional roles.
MEDIAN_TITLE = N_("the median of the clinical and professional roles")


def _median_comparator(name: str, offers: tuple[RoleOffer, ...], rates: list[Fraction | None]) -> RoleParity | None:
    """A comparator that is no one role: the median hourly rate of the group's clinical and professional roles."""
    from remun.parity.comparator_basis import median

    found = [rate for offer, rate in zip(offers, rates, strict=True) if offer.kind.is_comparator_side and rate is not None]
    if not found:
        return None
    rate = median(found)
    exact = ARITHMETIC.divide(Decimal(rate.numerator), Decimal(rate.denominator))
    terms = PayTerms(basis=PayBasis.HOUR, rate=exact, session_hours=Decimal(1))
    return RoleParity(
        offer=RoleOffer(key=("median", name), title=MEDIAN_TITLE, kind=RoleKind.CLINICAL, terms=terms),
        hours_given=Decimal(1), pay_per_session=round_money(exact), effective_hourly_rate=exact,
        gap_percent=None, parity=None, below_living_wage=None, is_comparator=True,
    )


def compare_group(
    name: str, offers: Iterable[RoleOffer], living_wage: Decimal | None, comparator_rule: str = "best"
) -> GroupParity:
    """Compare every role in one group of equal roles.

    The comparator is the clinical or professional role with the highest
    effective hourly rate (first listed wins a tie), or with ``comparator_rule``
    "median" the median of their rates (then no listed role is the comparator). Each lived-experience or
    carer role gets gap_percent (1 dp, from unrounded rates; negative when it
    is paid more) and parity (its rate ≥ the comparator's, unrounded). If the
    comparator's rate is zero, parity is True and the gap None.

    ``living_wage`` is the Real Living Wage in force on the date in question,
    or None when unknown; every role whose unrounded rate is below it is
    flagged, so a rate shown as £12.60 can still be below £12.60.
    """
    offers = tuple(offers)
    wage = None if living_wage is None else Fraction(to_decimal(living_wage))
    rates = [exact_hourly_rate(offer.terms) for offer in offers]
    median_comparator = None
    if comparator_rule == "median":
        comparator_index = None
        median_comparator = _median_comparator(name, offers, rates)
        comparator_rate = None if median_comparator is None else _median_of(offers, rates)
    else:
        comparator_index = _best_paid_comparator(offers, rates)
        comparator_rate = None if comparator_index is None else rates[comparator_index]

    roles = []
    for index, (offer, rate) in enumerate(zip(offers, rates, strict=True)):
        gap = None
        parity = None
        if (
            offer.kind.is_lived_experience_side
            and comparator_rate is not None
            and rate is not None
        ):
            parity = rate >= comparator_rate
            gap = gap_percent(comparator_rate, rate)
        below_wage = None if wage is None or rate is None else rate < wage
        roles.append(
            RoleParity(
                offer=offer,
                hours_given=hours_given(offer.terms),
                pay_per_session=pay_per_session(offer.terms),
                effective_hourly_rate=_effective_hourly_rate(offer.terms),
                gap_percent=gap,
                parity=parity,
                below_living_wage=below_wage,
                is_comparator=index == comparator_index,
            )
        )
    comparator = median_comparator if comparator_rule == "median" else (
        None if comparator_index is None else roles[comparator_index])
    return GroupParity(
        name=name,
        comparator=comparator,
        roles=tuple(roles),
        living_wage=None if living_wage is None else to_decimal(living_wage),
    )


def _median_of(offers: tuple[RoleOffer, ...], rates: list[Fraction | None]) -> Fraction:
    from remun.parity.comparator_basis import median

    return median([rate for offer, rate in zip(offers, rates, strict=True)
                   if offer.kind.is_comparator_side and rate is not None])


@dataclass(frozen=True)
class PaidTimeOption:
    """Paying unpaid preparation (and travel) at the role's current hourly rate."""

    pays_preparation: bool
    pays_travel: bool
    terms: PayTerms
    effective_hourly_rate: Decimal  # unrounded
    reaches_parity: bool
    extra_per_session: Decimal
    extra_for_sessions: Decimal


@dataclass(frozen=True)
class GapClosure:
    """What would bring one role up to parity with its comparator.

    ``parity_rate`` is in the role's own basis (per hour, or the flat fee per
    session, or a salary's hourly rate), rounded UP to the penny so that it
    really reaches parity. It is None only for an hour-basis role with no paid
    hours at all, which no hourly rate can lift. Extra costs are differences
    between penny-rounded session pay, so the cost over ``sessions`` is exactly
    that many sessions' worth.
    """

    role: RoleParity
    comparator: RoleParity
    sessions: int
    parity_rate: Decimal | None
    parity_terms: PayTerms | None
    extra_per_session: Decimal | None
    extra_for_sessions: Decimal | None
    paid_time_options: tuple[PaidTimeOption, ...]


def _paid_time_options(
    role: RoleParity, comparator_rate: Fraction, sessions: int
) -> tuple[PaidTimeOption, ...]:
    terms = role.offer.terms
    if terms.basis is not PayBasis.HOUR:
        return ()
    unpaid_prep = not terms.prep_paid and terms.prep_hours > ZERO
    unpaid_travel = not terms.travel_paid and terms.travel_hours > ZERO
    # Steps in the order a group would usually take them: first pay the
    # preparation, then preparation and travel together. Each step is
    # (pays preparation, pays travel), counting only hours now unpaid.
    changes = []
    if unpaid_prep:
        changes.append((True, False))
    if unpaid_travel:
        changes.append((unpaid_prep, True))
    options = []
    for pays_prep, pays_travel in changes:
        new_terms = replace(
            terms,
            prep_paid=terms.prep_paid or pays_prep,
            travel_paid=terms.travel_paid or pays_travel,
        )
        new_rate = exact_hourly_rate(new_terms)
        shown_rate = _effective_hourly_rate(new_terms)
        # Same hours given as the role, which has a rate, so neither is None.
        assert new_rate is not None and shown_rate is not None
        extra = pay_per_session(new_terms) - role.pay_per_session
        options.append(
            PaidTimeOption(
                pays_preparation=pays_prep,
                pays_travel=pays_travel,
                terms=new_terms,
                effective_hourly_rate=shown_rate,
                reaches_parity=new_rate >= comparator_rate,
                extra_per_session=extra,
                extra_for_sessions=extra * sessions,
            )
        )
    return tuple(options)


def close_gap(role: RoleParity, comparator: RoleParity, sessions: int) -> GapClosure | None:
    """What would close the gap for ``role``; None unless it is below parity.

    (a) The rate on the role's own basis that reaches parity. Hour basis (and
    salary): r = comparator rate × hours given ÷ paid hours, so that pay ÷ hours
    given reaches the comparator even with unpaid preparation or travel. Flat
    fee: comparator rate × hours given. Both rounded UP to the penny.
    (b) Hour basis only: paying unpaid preparation, then preparation and
    travel, at the current rate, with the resulting rate and whether it reaches
    parity.
    (c) The extra cost per session and over ``sessions`` sessions (the number
    the role attends or is planned for).
    """
    if isinstance(sessions, bool) or not isinstance(sessions, int) or sessions < 0:
        raise ValueError(f"sessions must be a whole number, 0 or more: {sessions!r}")
    if role.parity is not False:
        return None
    comparator_rate = exact_hourly_rate(comparator.offer.terms)
    if comparator_rate is None:
        return None

    terms = role.offer.terms
    given = Fraction(hours_given(terms))
    if terms.basis.is_flat:
        target: Decimal | None = _round_up_to_penny(comparator_rate * given)
    else:
        covered = Fraction(paid_hours(terms))
        target = None if covered == 0 else _round_up_to_penny(comparator_rate * given / covered)

    parity_terms = None if target is None else replace(terms, rate=target)
    extra = None if parity_terms is None else pay_per_session(parity_terms) - role.pay_per_session
    return GapClosure(
        role=role,
        comparator=comparator,
        sessions=sessions,
        parity_rate=target,
        parity_terms=parity_terms,
        extra_per_session=extra,
        extra_for_sessions=None if extra is None else extra * sessions,
        paid_time_options=_paid_time_options(role, comparator_rate, sessions),
    )


@dataclass(frozen=True)
class PaidParity:
    """Parity on what a person actually received.

    ``hourly_rate`` is unrounded (None for no hours); show ``rounded_hourly_rate``.
    ``gap_percent`` and ``parity`` are None when there is no comparator rate or
    no hours; with a zero comparator rate, parity is True and the gap None.
    """

    hourly_rate: Decimal | None
    gap_percent: Decimal | None
    parity: bool | None

    @property
    def rounded_hourly_rate(self) -> Decimal | None:
        return None if self.hourly_rate is None else round_money(self.hourly_rate)


def paid_parity(
    received: Decimal, hours: Decimal, comparator_rate: Decimal | None
) -> PaidParity:
    """Money plus in-kind value received for time, ÷ hours actually given, vs the comparator.

    ``received`` excludes expenses (they repay costs, they are not pay for time).
    Pass the comparator's unrounded ``effective_hourly_rate``. The person's rate
    is worked out with the same precision as offered rates, so someone paid
    exactly the comparator's rate is at parity even when that rate does not
    end (e.g. £100 for 3 hours).
    """
    received = to_decimal(received)
    hours = to_decimal(hours)
    if received < ZERO or hours < ZERO:
        raise ValueError("received and hours cannot be negative")
    rate = hourly_rate(received, hours)
    if rate is None or comparator_rate is None:
        return PaidParity(hourly_rate=rate, gap_percent=None, parity=None)
    comparator = to_decimal(comparator_rate)
    return PaidParity(
        hourly_rate=rate,
        gap_percent=gap_percent(comparator, rate),
        parity=rate >= comparator,
    )
