"""Parity in a group of equal roles, what would close the gap, paid parity (docs/rules.md §4–8)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from remun.project_records.enums import PayBasis, RoleKind
from remun.parity.rules import RoleOffer, close_gap, compare_group, gap_percent, paid_parity
from remun.pay.terms import PayTerms, exact_hourly_rate, hourly_rate

D = Decimal
LE = RoleKind.LIVED_EXPERIENCE
LIVING_WAGE = D("12.60")


def offer(
    key, kind, basis, rate, session, prep="0", prep_paid=False, travel="0", travel_paid=False
):
    terms = PayTerms(
        PayBasis(basis),
        D(rate),
        D(session),
        prep_hours=D(prep),
        prep_paid=prep_paid,
        travel_hours=D(travel),
        travel_paid=travel_paid,
    )
    return RoleOffer(key=key, title=str(key), kind=RoleKind(kind), terms=terms)


def clinical_salary(rate, session="3", prep="2", key="clinical co-chair"):
    return offer(key, RoleKind.CLINICAL, PayBasis.SALARY, rate, session, prep)


def role(group, key):
    return next(r for r in group.roles if r.offer.key == key)


# --- the headline example ------------------------------------------------------------


def test_co_chairs_lived_experience_paid_40_percent_less():
    le = offer("lived-experience co-chair", LE, PayBasis.SESSION, "90", "3", prep="2")
    group = compare_group("Board", [le, clinical_salary("30")], LIVING_WAGE)

    assert group.comparator is not None
    assert group.comparator.offer.key == "clinical co-chair"
    assert group.comparator.is_comparator
    assert group.comparator.pay_per_session == D("150.00")

    le_role = role(group, "lived-experience co-chair")
    assert le_role.hours_given == D("5")
    assert le_role.pay_per_session == D("90.00")
    assert le_role.rounded_hourly_rate == D("18.00")
    assert le_role.gap_percent == D("40.0")
    assert le_role.parity is False

    (fact,) = group.shortfalls
    sentence = (
        f"Counting preparation and travel, the {fact.title} is paid £{fact.hourly_rate} an hour"
        f" and the {fact.comparator_title} £{fact.comparator_hourly_rate}."
        f" That is {fact.gap_percent}% less."
    )
    assert sentence == (
        "Counting preparation and travel, the lived-experience co-chair is paid £18.00 an hour"
        " and the clinical co-chair £30.00. That is 40.0% less."
    )


def test_hour_basis_with_unpaid_preparation_against_clinical_salary():
    le = offer("le", LE, PayBasis.HOUR, "18", "3", prep="2")
    group = compare_group("Board", [le, clinical_salary("30")], LIVING_WAGE)
    le_role = role(group, "le")
    assert le_role.pay_per_session == D("54.00")
    assert le_role.rounded_hourly_rate == D("10.80")
    assert le_role.gap_percent == D("64.0")
    assert le_role.parity is False
    assert le_role.below_living_wage is True


def test_carer_roles_are_compared_too():
    carer = offer("carer", RoleKind.CARER, PayBasis.HOUR, "15", "3", prep="2", prep_paid=True)
    group = compare_group("Board", [carer, clinical_salary("30")], LIVING_WAGE)
    assert role(group, "carer").gap_percent == D("50.0")
    assert role(group, "carer").parity is False


# --- choosing the comparator -------------------------------------------------------------


def test_comparator_is_the_best_paid_of_the_clinical_and_professional_roles():
    nurse = clinical_salary("28", key="nurse")
    consultant = clinical_salary("45", key="consultant")
    manager = offer("manager", RoleKind.PROFESSIONAL, PayBasis.SALARY, "40", "3", prep="2")
    le = offer("le", LE, PayBasis.SESSION, "90", "3", prep="2")
    group = compare_group("Board", [nurse, le, consultant, manager], LIVING_WAGE)

    assert group.comparator is not None
    assert group.comparator.offer.key == "consultant"
    assert role(group, "le").gap_percent == D("60.0")  # 18 against 45
    # The other comparator-side roles are not compared and are not the comparator.
    for key in ("nurse", "manager"):
        assert role(group, key).is_comparator is False
        assert role(group, key).gap_percent is None
        assert role(group, key).parity is None


def test_comparator_is_chosen_on_effective_rate_not_headline_rate():
    # £50 an hour looks higher, but 3 unpaid prep hours make it £20 per hour given.
    headline = offer("headline", RoleKind.CLINICAL, PayBasis.HOUR, "50", "2", prep="3")
    salaried = clinical_salary("30", key="salaried")
    group = compare_group("Board", [headline, salaried], None)
    assert group.comparator is not None
    assert group.comparator.offer.key == "salaried"


def test_comparator_tie_goes_to_the_first_listed():
    group = compare_group(
        "Board", [clinical_salary("30", key="first"), clinical_salary("30", key="second")], None
    )
    assert group.comparator is not None
    assert group.comparator.offer.key == "first"


def test_group_without_comparator_says_so_and_claims_no_parity():
    roles = [
        offer("le", LE, PayBasis.HOUR, "18", "3"),
        offer("carer", RoleKind.CARER, PayBasis.SESSION, "50", "3"),
        offer("chair", RoleKind.OTHER, PayBasis.SESSION, "50", "3"),
    ]
    group = compare_group("Peer panel", roles, LIVING_WAGE)
    assert group.comparator is None
    assert group.has_comparator is False
    assert all(r.gap_percent is None and r.parity is None for r in group.roles)
    assert group.shortfalls == ()
    assert group.below_parity == ()


def test_clinical_role_giving_no_hours_cannot_be_the_comparator():
    no_hours = clinical_salary("30", session="0", prep="0")
    roles = [offer("le", LE, PayBasis.HOUR, "18", "3"), no_hours]
    group = compare_group("Board", roles, None)
    assert group.comparator is None
    assert role(group, "le").parity is None


def test_other_roles_are_not_compared():
    roles = [offer("admin", RoleKind.OTHER, PayBasis.HOUR, "12", "3"), clinical_salary("30")]
    group = compare_group("Board", roles, LIVING_WAGE)
    admin = role(group, "admin")
    assert admin.gap_percent is None
    assert admin.parity is None
    assert admin.is_comparator is False
    assert admin.below_living_wage is True  # the living wage flag applies to every role


def test_zero_rate_comparator_gives_parity_and_no_gap():
    roles = [offer("le", LE, PayBasis.HOUR, "0", "3"), clinical_salary("0")]
    le_role = role(compare_group("Board", roles, None), "le")
    assert le_role.parity is True
    assert le_role.gap_percent is None


# --- the living wage flag ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "below"),
    [("12.59", True), ("12.60", False), ("12.61", False)],
)
def test_living_wage_flag_just_below_at_and_above(rate, below):
    group = compare_group("Board", [offer("le", LE, PayBasis.HOUR, rate, "3")], LIVING_WAGE)
    assert role(group, "le").below_living_wage is below


def test_living_wage_flag_uses_the_unrounded_rate():
    # £88.19 for 7 hours is £12.5986 an hour: shown as £12.60, but below £12.60.
    le = offer("le", LE, PayBasis.SESSION, "88.19", "7")
    le_role = role(compare_group("Board", [le], LIVING_WAGE), "le")
    assert le_role.rounded_hourly_rate == D("12.60")
    assert le_role.below_living_wage is True


def test_living_wage_unknown_gives_no_flag():
    group = compare_group("Board", [offer("le", LE, PayBasis.HOUR, "5", "3")], None)
    assert role(group, "le").below_living_wage is None
    assert group.below_living_wage == ()


# --- gaps from unrounded rates, negative gaps, zero hours -------------------------------------


def test_gap_is_computed_from_unrounded_rates():
    # £99 over 8 hours is £12.375 an hour (shown £12.38). Unrounded: 58.75 % → 58.8.
    # Rounding the rate first would give (30 − 12.38) / 30 = 58.73 % → 58.7.
    le = offer("le", LE, PayBasis.SESSION, "99", "6", prep="2")
    le_role = role(compare_group("Board", [le, clinical_salary("30")], None), "le")
    assert le_role.rounded_hourly_rate == D("12.38")
    assert le_role.gap_percent == D("58.8")


def test_parity_is_decided_on_unrounded_rates():
    # £149.99 over 5 hours is £29.998: shown as £30.00 like the comparator, but below it.
    le = offer("le", LE, PayBasis.SESSION, "149.99", "3", prep="2")
    le_role = role(compare_group("Board", [le, clinical_salary("30")], None), "le")
    assert le_role.rounded_hourly_rate == D("30.00")
    assert le_role.parity is False
    assert le_role.gap_percent == D("0.0")


def test_equal_rates_are_at_parity_with_no_gap():
    le = offer("le", LE, PayBasis.SESSION, "150", "3", prep="2")
    le_role = role(compare_group("Board", [le, clinical_salary("30")], None), "le")
    assert le_role.gap_percent == D("0.0")
    assert le_role.parity is True


def test_negative_gap_when_lived_experience_is_paid_more():
    le = offer("le", LE, PayBasis.HOUR, "35", "3", prep="2", prep_paid=True)
    group = compare_group("Board", [le, clinical_salary("30")], None)
    assert role(group, "le").gap_percent == D("-16.7")
    assert role(group, "le").parity is True
    assert group.shortfalls == ()


def test_zero_hours_role_has_no_rate_gap_or_flag():
    le = offer("le", LE, PayBasis.SESSION, "90", "0")
    le_role = role(compare_group("Board", [le, clinical_salary("30")], LIVING_WAGE), "le")
    assert le_role.effective_hourly_rate is None
    assert le_role.rounded_hourly_rate is None
    assert le_role.gap_percent is None
    assert le_role.parity is None
    assert le_role.below_living_wage is None


def test_gap_percent_rounds_an_exact_half_up():
    assert gap_percent(D("20"), D("17.55")) == D("12.3")  # exactly 12.25 %
    assert gap_percent(D("20"), D("22.45")) == D("-12.3")  # half up is away from zero


def test_gap_percent_of_zero_comparator_is_none():
    assert gap_percent(D("0"), D("5")) is None


def test_reciprocity_choice_is_not_an_input_to_parity():
    # Non-cash options are offered at equal face value, so the choice cannot change parity.
    for cls in (PayTerms, RoleOffer):
        assert not any("reciproc" in f.name for f in dataclasses.fields(cls))


# --- what would close the gap --------------------------------------------------------------------


def closure_for(le, comparator, sessions):
    group = compare_group("Board", [le, comparator], None)
    return close_gap(role(group, le.key), group.comparator, sessions)


def test_close_gap_hour_basis_with_unpaid_preparation():
    le = offer("le", LE, PayBasis.HOUR, "18", "3", prep="2")
    closure = closure_for(le, clinical_salary("30"), 10)
    assert closure is not None
    assert closure.parity_rate == D("50.00")  # 30 × 5 hours given ÷ 3 paid hours
    assert closure.extra_per_session == D("96.00")  # £150.00 − £54.00
    assert closure.extra_for_sessions == D("960.00")
    (pay_prep,) = closure.paid_time_options
    assert pay_prep.pays_preparation and not pay_prep.pays_travel
    assert pay_prep.effective_hourly_rate == D("18")
    assert pay_prep.reaches_parity is False
    assert pay_prep.extra_per_session == D("36.00")
    assert pay_prep.extra_for_sessions == D("360.00")


def test_close_gap_paying_preparation_can_reach_parity():
    le = offer("le", LE, PayBasis.HOUR, "32", "3", prep="1")
    closure = closure_for(le, clinical_salary("30"), 4)
    assert closure is not None
    assert closure.parity_rate == D("40.00")
    (pay_prep,) = closure.paid_time_options
    assert pay_prep.effective_hourly_rate == D("32")
    assert pay_prep.reaches_parity is True
    assert pay_prep.extra_per_session == D("32.00")
    assert pay_prep.extra_for_sessions == D("128.00")


def test_close_gap_rounds_the_target_up_so_it_really_reaches_parity():
    # 31 × 4 ÷ 3 = 41.333…: £41.33 would leave the role short, so £41.34.
    le = offer("le", LE, PayBasis.HOUR, "20", "3", prep="1")
    comparator = clinical_salary("31", session="3", prep="1")
    closure = closure_for(le, comparator, 1)
    assert closure is not None
    assert closure.parity_rate == D("41.34")
    for rate, parity in ((D("41.34"), True), (D("41.33"), False)):
        raised = dataclasses.replace(le, terms=dataclasses.replace(le.terms, rate=rate))
        assert role(compare_group("Board", [raised, comparator], None), "le").parity is parity


def test_close_gap_target_is_exact_against_a_never_ending_comparator_rate():
    # Comparator £200 for 3 hours = £66.666… an hour. Target 66.666… × 6 given ÷ 2 paid
    # is exactly £200.00; working from a cut-off decimal could round it up to £200.01.
    comparator = offer("c", RoleKind.CLINICAL, PayBasis.SESSION, "200", "3")
    le = offer("le", LE, PayBasis.HOUR, "20", "2", prep="4")
    closure = closure_for(le, comparator, 1)
    assert closure is not None
    assert closure.parity_rate == D("200.00")


def test_close_gap_with_unpaid_preparation_and_travel_offers_both_steps():
    le = offer("le", LE, PayBasis.HOUR, "18", "2", prep="1", travel="1")
    closure = closure_for(le, clinical_salary("30"), 2)
    assert closure is not None
    assert closure.parity_rate == D("60.00")  # 30 × 4 ÷ 2
    prep, prep_and_travel = closure.paid_time_options
    assert (prep.pays_preparation, prep.pays_travel) == (True, False)
    assert prep.effective_hourly_rate == D("13.5")
    assert (prep_and_travel.pays_preparation, prep_and_travel.pays_travel) == (True, True)
    assert prep_and_travel.effective_hourly_rate == D("18")
    assert prep_and_travel.extra_per_session == D("36.00")


def test_close_gap_flat_fee():
    le = offer("le", LE, PayBasis.SESSION, "90", "3", prep="2")
    closure = closure_for(le, clinical_salary("30"), 12)
    assert closure is not None
    assert closure.parity_rate == D("150.00")  # 30 × 5 hours given
    assert closure.parity_terms == dataclasses.replace(le.terms, rate=D("150.00"))
    assert closure.extra_per_session == D("60.00")
    assert closure.extra_for_sessions == D("720.00")
    assert closure.paid_time_options == ()  # paying prep does not change a flat fee


def test_close_gap_salary():
    le = offer("le", LE, PayBasis.SALARY, "25", "3", prep="2")
    closure = closure_for(le, clinical_salary("30"), 1)
    assert closure is not None
    assert closure.parity_rate == D("30.00")
    assert closure.extra_per_session == D("25.00")


def test_close_gap_with_no_paid_hours_has_no_parity_rate():
    # Only unpaid preparation: no hourly rate can lift it, but paying preparation can.
    le = offer("le", LE, PayBasis.HOUR, "40", "0", prep="2")
    closure = closure_for(le, clinical_salary("30"), 1)
    assert closure is not None
    assert closure.parity_rate is None
    assert closure.extra_per_session is None
    (pay_prep,) = closure.paid_time_options
    assert pay_prep.reaches_parity is True


def test_close_gap_is_none_at_parity_or_without_comparator():
    group = compare_group(
        "Board", [offer("le", LE, PayBasis.HOUR, "30", "3"), clinical_salary("30")], None
    )
    assert group.comparator is not None
    assert close_gap(role(group, "le"), group.comparator, 5) is None


def test_close_gap_refuses_negative_sessions():
    group = compare_group(
        "Board", [offer("le", LE, PayBasis.HOUR, "18", "3"), clinical_salary("30")], None
    )
    assert group.comparator is not None
    with pytest.raises(ValueError):
        close_gap(role(group, "le"), group.comparator, -1)


# --- paid parity ------------------------------------------------------------


def test_paid_parity_counts_money_and_in_kind_value_over_hours_given():
    # £54 paid plus £20 of vouchers for 5 hours given, against a £30 comparator.
    result = paid_parity(D("54") + D("20"), D("5"), D("30"))
    assert result.rounded_hourly_rate == D("14.80")
    assert result.gap_percent == D("50.7")
    assert result.parity is False


def test_paid_parity_at_and_above_the_comparator():
    assert paid_parity(D("150"), D("5"), D("30")).parity is True
    above = paid_parity(D("175"), D("5"), D("30"))
    assert above.parity is True
    assert above.gap_percent == D("-16.7")


def test_paid_parity_exactly_the_comparators_never_ending_rate_is_at_parity():
    comparator = offer("c", RoleKind.CLINICAL, PayBasis.SESSION, "200", "3")
    group = compare_group("Board", [comparator], None)
    assert group.comparator is not None
    result = paid_parity(D("200"), D("3"), group.comparator.effective_hourly_rate)
    assert result.parity is True
    assert result.gap_percent == D("0.0")


def test_paid_parity_without_hours_or_comparator():
    assert paid_parity(D("50"), D("0"), D("30")).parity is None
    no_comparator = paid_parity(D("50"), D("2"), None)
    assert no_comparator.rounded_hourly_rate == D("25.00")
    assert no_comparator.parity is None
    assert no_comparator.gap_percent is None


# --- properties ------------------------------------------------------------

rates = st.decimals(min_value=0, max_value=300, places=4)
hours = st.decimals(min_value=0, max_value=12, places=2)
positive_hours = st.decimals(min_value="0.25", max_value=12, places=2)

terms_strategy = st.builds(
    PayTerms,
    basis=st.sampled_from(PayBasis),
    rate=rates,
    session_hours=positive_hours,
    prep_hours=hours,
    prep_paid=st.booleans(),
    travel_hours=hours,
    travel_paid=st.booleans(),
)


def pair(le_terms, comparator_terms):
    le = RoleOffer("le", "le", LE, le_terms)
    comparator = RoleOffer("c", "c", RoleKind.CLINICAL, comparator_terms)
    group = compare_group("Board", [le, comparator], LIVING_WAGE)
    return group, role(group, "le")


@given(terms_strategy, terms_strategy)
def test_parity_holds_exactly_when_the_rate_reaches_the_comparator(le_terms, comparator_terms):
    group, le_role = pair(le_terms, comparator_terms)
    le_rate = exact_hourly_rate(le_terms)
    comparator_rate = exact_hourly_rate(comparator_terms)
    assert le_role.parity is (le_rate >= comparator_rate)
    if comparator_rate == 0:
        assert le_role.gap_percent is None
        return
    # parity ⇔ gap ≤ 0; only a gap under 0.05 % can round to 0.0 below parity.
    if le_role.parity:
        assert le_role.gap_percent <= 0
    else:
        assert le_role.gap_percent >= 0
    if le_role.gap_percent != 0:
        assert le_role.parity is (le_role.gap_percent < 0)
    else:
        assert abs(1 - le_rate / comparator_rate) * 100 < Fraction(5, 100)


@given(terms_strategy)
def test_gap_is_zero_when_rates_are_equal(terms):
    assume(exact_hourly_rate(terms) > 0)
    _, le_role = pair(terms, terms)
    assert le_role.gap_percent == 0
    assert le_role.parity is True


@given(rates.filter(lambda r: r > 0), rates)
def test_gap_percent_is_zero_only_for_equal_or_nearly_equal_rates(comparator, rate):
    gap = gap_percent(comparator, rate)
    assert (gap == 0) is (abs(1 - Fraction(rate) / Fraction(comparator)) * 100 < Fraction(5, 100))
    if rate == comparator:
        assert gap == 0


@given(terms_strategy, terms_strategy, st.integers(min_value=0, max_value=60))
def test_close_gap_target_reaches_parity_and_a_penny_less_does_not(
    le_terms, comparator_terms, sessions
):
    group, le_role = pair(le_terms, comparator_terms)
    assume(le_role.parity is False)
    closure = close_gap(le_role, group.comparator, sessions)
    assert closure is not None
    comparator = group.comparator.offer.terms
    for option in closure.paid_time_options:
        assert pair(option.terms, comparator)[1].parity is option.reaches_parity
        assert option.extra_for_sessions == option.extra_per_session * sessions
    if closure.parity_rate is None:
        assert le_terms.basis is PayBasis.HOUR
        return
    assert closure.extra_per_session >= 0
    assert closure.extra_for_sessions == closure.extra_per_session * sessions
    assert pair(closure.parity_terms, comparator)[1].parity is True
    penny_less = dataclasses.replace(closure.parity_terms, rate=closure.parity_rate - D("0.01"))
    assert pair(penny_less, comparator)[1].parity is False


@given(st.decimals(min_value=0, max_value=2000, places=2), positive_hours, rates)
def test_paid_parity_agrees_with_its_gap(received, hours_given, comparator_rate):
    result = paid_parity(received, hours_given, comparator_rate)
    assert result.parity is (result.hourly_rate >= comparator_rate)
    if comparator_rate == 0:
        assert result.gap_percent is None
    elif result.parity:
        assert result.gap_percent <= 0
    else:
        assert result.gap_percent >= 0


_rates = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)


@given(_rates, _rates, st.integers(min_value=1, max_value=2_000))
def test_the_gap_between_two_decimal_rates_is_the_exact_fractions_gap(comparator, pay, hours):
    """Paid rates are fifty-digit quotients (pay ÷ hours): the decimal shortcut rounds the same exact gap."""
    rate = hourly_rate(pay, D(hours) / 4)
    for one, other in ((comparator, rate), (rate, comparator)):
        assert str(gap_percent(one, other)) == str(gap_percent(Fraction(one), Fraction(other)))


def test_a_gap_of_exactly_a_twentieth_of_a_point_rounds_half_up_either_way():
    assert gap_percent(D("8.00"), D("7.02")) == gap_percent(Fraction(8), Fraction("7.02")) == D("12.3")  # 12.25
