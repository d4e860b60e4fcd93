"""Pay for one session, hours given, and the effective hourly rate (docs/rules.md §1–3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remun.project_records.enums import PayBasis
from remun.money import NotANumber
from remun.pay.terms import (
    PayTerms,
    effective_hourly_rate,
    exact_hourly_rate,
    hourly_rate,
    hours_given,
    paid_hours,
    pay_for_attendance,
    pay_per_session,
)

D = Decimal


# --- hours given ---------------------------------------------------------------


def test_hours_given_counts_session_preparation_and_travel_paid_or_not():
    terms = PayTerms(PayBasis.HOUR, D("18"), D("3"), prep_hours=D("2"), travel_hours=D("1.5"))
    assert hours_given(terms) == D("6.5")


# --- hour basis ------------------------------------------------------------------


def test_hour_basis_with_unpaid_preparation():
    # Lived-experience co-chair: £18 an hour, 3 h session, 2 h preparation unpaid.
    terms = PayTerms(PayBasis.HOUR, D("18"), D("3"), prep_hours=D("2"))
    assert hours_given(terms) == D("5")
    assert paid_hours(terms) == D("3")
    assert pay_per_session(terms) == D("54.00")
    assert effective_hourly_rate(terms) == D("10.80")


def test_hour_basis_with_paid_preparation_and_unpaid_travel():
    terms = PayTerms(
        PayBasis.HOUR, D("20"), D("2"), prep_hours=D("1"), prep_paid=True, travel_hours=D("1")
    )
    assert hours_given(terms) == D("4")
    assert paid_hours(terms) == D("3")
    assert pay_per_session(terms) == D("60.00")
    assert effective_hourly_rate(terms) == D("15")


def test_hour_basis_with_preparation_and_travel_both_paid_is_the_rate_itself():
    terms = PayTerms(
        PayBasis.HOUR,
        D("20"),
        D("2"),
        prep_hours=D("1"),
        prep_paid=True,
        travel_hours=D("1"),
        travel_paid=True,
    )
    assert pay_per_session(terms) == D("80.00")
    assert effective_hourly_rate(terms) == D("20")


def test_paid_travel_counts_without_preparation():
    terms = PayTerms(PayBasis.HOUR, D("20"), D("2"), travel_hours=D("1"), travel_paid=True)
    assert paid_hours(terms) == D("3")
    assert pay_per_session(terms) == D("60.00")


def test_session_pay_is_rounded_half_up_to_the_penny():
    # £12.345 for one hour: half up gives 12.35 (banker's rounding would give 12.34).
    terms = PayTerms(PayBasis.HOUR, D("12.345"), D("1"))
    assert pay_per_session(terms) == D("12.35")
    assert effective_hourly_rate(terms) == D("12.345")  # the rate itself stays unrounded


# --- flat bases ------------------------------------------------------------------


def test_session_basis_is_the_flat_fee_whatever_the_hours():
    terms = PayTerms(PayBasis.SESSION, D("90"), D("3"), prep_hours=D("2"))
    assert pay_per_session(terms) == D("90.00")
    assert effective_hourly_rate(terms) == D("18")


def test_half_day_basis():
    terms = PayTerms(PayBasis.HALF_DAY, D("150"), D("4"), prep_hours=D("1"), travel_hours=D("1"))
    assert hours_given(terms) == D("6")
    assert pay_per_session(terms) == D("150.00")
    assert effective_hourly_rate(terms) == D("25")


def test_day_basis():
    terms = PayTerms(PayBasis.DAY, D("250"), D("7"), prep_hours=D("1"), travel_hours=D("2"))
    assert hours_given(terms) == D("10")
    assert pay_per_session(terms) == D("250.00")
    assert effective_hourly_rate(terms) == D("25")


def test_flat_fee_paid_flags_do_not_change_the_fee():
    unpaid = PayTerms(PayBasis.SESSION, D("90"), D("3"), prep_hours=D("2"))
    paid = PayTerms(PayBasis.SESSION, D("90"), D("3"), prep_hours=D("2"), prep_paid=True)
    assert pay_per_session(unpaid) == pay_per_session(paid) == D("90.00")
    assert effective_hourly_rate(unpaid) == effective_hourly_rate(paid)


# --- salary ----------------------------------------------------------------------


def test_salary_pays_every_hour_given_even_when_flags_say_unpaid():
    # Clinical co-chair on a salary worth £30 an hour: staff are paid for prep and travel.
    terms = PayTerms(PayBasis.SALARY, D("30"), D("3"), prep_hours=D("2"))
    assert paid_hours(terms) == D("5")
    assert pay_per_session(terms) == D("150.00")
    assert effective_hourly_rate(terms) == D("30")


def test_salary_rate_with_four_places_is_not_rounded_before_dividing():
    terms = PayTerms(PayBasis.SALARY, D("23.4567"), D("3.5"))
    assert pay_per_session(terms) == D("82.10")  # 82.09845 rounded once
    # From the unrounded pay, not 82.10 / 3.5 = 23.4571...
    assert effective_hourly_rate(terms) == D("23.4567")


# --- zero hours ------------------------------------------------------------------


@pytest.mark.parametrize("basis", list(PayBasis))
def test_zero_hours_given_has_no_effective_rate(basis):
    terms = PayTerms(basis, D("90"), D("0"))
    assert hours_given(terms) == D("0")
    assert effective_hourly_rate(terms) is None
    assert exact_hourly_rate(terms) is None


def test_hourly_rate_of_zero_hours_is_none_not_an_error():
    assert hourly_rate(D("50"), D("0")) is None


def test_equal_rates_worked_out_differently_are_equal_decimals():
    assert hourly_rate(D("100"), D("3")) == hourly_rate(D("200"), D("6"))


# --- pay for actual attendance -----------------------------------------------------


def test_attendance_on_hour_basis_uses_actual_hours_and_pays_prep_only_if_paid():
    unpaid_prep = PayTerms(PayBasis.HOUR, D("18"), D("3"), prep_hours=D("2"))
    assert pay_for_attendance(unpaid_prep, D("2.5"), D("3"), D("1")) == D("45.00")
    paid_prep = PayTerms(PayBasis.HOUR, D("18"), D("3"), prep_hours=D("2"), prep_paid=True)
    assert pay_for_attendance(paid_prep, D("2.5"), D("3"), D("1")) == D("99.00")


def test_attendance_on_flat_basis_is_the_fee():
    terms = PayTerms(PayBasis.DAY, D("250"), D("7"))
    assert pay_for_attendance(terms, D("4"), D("0"), D("0")) == D("250.00")


def test_attendance_on_salary_pays_all_actual_hours():
    terms = PayTerms(PayBasis.SALARY, D("30"), D("3"))
    assert pay_for_attendance(terms, D("2.5"), D("3"), D("1")) == D("195.00")


# --- what terms accept -------------------------------------------------------------


def test_terms_read_text_and_ints_as_decimals():
    terms = PayTerms("hour", "£18.00", 3, prep_hours="2")
    assert terms.basis is PayBasis.HOUR
    assert terms.rate == D("18.00")
    assert isinstance(terms.session_hours, Decimal)
    assert pay_per_session(terms) == D("54.00")


def test_terms_refuse_floats():
    with pytest.raises(NotANumber):
        PayTerms(PayBasis.HOUR, 18.0, D("3"))  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["rate", "session_hours", "prep_hours", "travel_hours"])
def test_terms_refuse_negative_figures(field):
    values = {"rate": D("18"), "session_hours": D("3"), field: D("-1")}
    with pytest.raises(ValueError):
        PayTerms(PayBasis.HOUR, **values)


# --- properties --------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=1000, places=2)
rates = st.decimals(min_value=0, max_value=500, places=4)
hours = st.decimals(min_value=0, max_value=24, places=2)

terms_strategy = st.builds(
    PayTerms,
    basis=st.sampled_from(PayBasis),
    rate=rates,
    session_hours=hours,
    prep_hours=hours,
    prep_paid=st.booleans(),
    travel_hours=hours,
    travel_paid=st.booleans(),
)


@given(terms_strategy)
def test_pay_is_never_negative(terms):
    assert pay_per_session(terms) >= 0
    rate = effective_hourly_rate(terms)
    assert rate is None or rate >= 0


@given(terms_strategy, hours, hours, hours)
def test_pay_for_attendance_is_never_negative(terms, session, prep, travel):
    assert pay_for_attendance(terms, session, prep, travel) >= 0


@given(terms_strategy)
def test_pay_is_a_whole_number_of_pennies(terms):
    assert pay_per_session(terms) == pay_per_session(terms).quantize(D("0.01"))


@given(terms_strategy)
def test_planned_attendance_pays_the_planned_session(terms):
    actual = pay_for_attendance(terms, terms.session_hours, terms.prep_hours, terms.travel_hours)
    assert actual == pay_per_session(terms)


def test_the_pay_terms_fields_are_one_list_that_every_form_of_terms_shares():
    """Stored terms (a role's, a draft role's), the Terms value, a budget's planned terms and a draft role's
    details all have the same pay-terms fields, declared in remun/pay/terms.py."""
    import dataclasses
    import datetime as dt

    from remun.budget.models import BudgetDraftRole
    from remun.budget.operations import DraftRoleDetails
    from remun.project_records.models import RoleTerms
    from remun.pay.terms import TERMS_FIELDS, StoredTerms, Terms, TermsFrom, terms_of

    assert TERMS_FIELDS == tuple(StoredTerms.__annotations__)
    for value in (TermsFrom, DraftRoleDetails):
        assert issubclass(value, Terms)
    for model in (RoleTerms, BudgetDraftRole):
        assert set(TERMS_FIELDS) <= set(model.__table__.columns.keys()), model
    terms = Terms(PayBasis.SESSION, Decimal("75.00"), None, Decimal("3"), Decimal("1"), True)
    planned = TermsFrom(**terms_of(terms), effective_from=dt.date(2026, 4, 1))
    assert Terms.of(planned) == terms and terms_of(planned) == dataclasses.asdict(terms)
    stored = RoleTerms()
    terms.copy_to(stored)
    assert Terms.of(stored) == terms
