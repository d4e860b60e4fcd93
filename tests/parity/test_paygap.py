"""The organisation's pay gap, by the UK gender pay gap method (docs/rules.md §9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remun.project_records.enums import RoleKind
from remun.money import NotANumber
from remun.parity.pay_gap import DEFAULT_THRESHOLD, MissingReason, QuartileName, pay_gap, pay_quartiles

D = Decimal
LE = RoleKind.LIVED_EXPERIENCE
CARER = RoleKind.CARER
CLINICAL = RoleKind.CLINICAL
PROFESSIONAL = RoleKind.PROFESSIONAL


def people(kind, *rates):
    return [(kind, D(rate)) for rate in rates]


SMALL_EXAMPLE = (
    people(LE, "10", "12", "14")
    + people(CARER, "18")
    + people(CLINICAL, "20", "25", "45")
    + people(PROFESSIONAL, "30")
)


# --- mean and median ------------------------------------------------------------------


def test_mean_and_median_gap_worked_example():
    gap = pay_gap(SMALL_EXAMPLE, threshold=2)
    assert gap.withheld is False
    assert gap.reasons == ()
    assert (gap.lived_side_people, gap.comparator_side_people) == (4, 4)
    assert gap.lived_side_mean == D("13.50")
    assert gap.comparator_side_mean == D("30.00")
    assert gap.mean_gap_percent == D("55.0")  # (30 − 13.5) ÷ 30 × 100
    # Even counts: the median is the mean of the two middle rates.
    assert gap.lived_side_median == D("13.00")
    assert gap.comparator_side_median == D("27.50")
    assert gap.median_gap_percent == D("52.7")  # (27.5 − 13) ÷ 27.5 × 100 = 52.727…


def test_median_of_an_odd_count_is_the_middle_rate():
    gap = pay_gap(people(LE, "20", "10", "12") + people(CLINICAL, "30", "20", "40"), threshold=3)
    assert gap.lived_side_median == D("12.00")
    assert gap.comparator_side_median == D("30.00")
    assert gap.median_gap_percent == D("60.0")


def test_gap_is_worked_out_from_unrounded_means():
    # Lived mean 37 / 3 = 12.333…; comparator mean 30. Unrounded: 58.888… → 58.9.
    gap = pay_gap(people(LE, "12", "12", "13") + people(CLINICAL, "30", "30", "30"), threshold=3)
    assert gap.lived_side_mean == D("12.33")
    assert gap.mean_gap_percent == D("58.9")


def test_negative_gap_when_the_lived_side_is_paid_more():
    gap = pay_gap(people(LE, "35", "35") + people(CLINICAL, "30", "30"), threshold=2)
    assert gap.mean_gap_percent == D("-16.7")


def test_people_of_kind_other_are_left_out():
    with_others = SMALL_EXAMPLE + people(RoleKind.OTHER, "1", "1000")
    assert pay_gap(with_others, threshold=2) == pay_gap(SMALL_EXAMPLE, threshold=2)


# --- withholding small groups ------------------------------------------------------------


def test_default_threshold_withholds_figures_about_fewer_than_ten_people():
    assert DEFAULT_THRESHOLD == 10
    gap = pay_gap(SMALL_EXAMPLE)
    assert gap.withheld is True
    assert gap.reasons == (
        MissingReason.LIVED_SIDE_TOO_SMALL,
        MissingReason.COMPARATOR_SIDE_TOO_SMALL,
    )
    assert gap.mean_gap_percent is None
    assert gap.median_gap_percent is None
    assert gap.lived_side_mean is None
    assert gap.comparator_side_median is None
    assert gap.quartiles.withheld is True
    assert gap.quartiles.bands == ()


def test_one_small_side_is_named():
    gap = pay_gap(people(LE, *["15"] * 9) + people(CLINICAL, *["30"] * 10))
    assert gap.withheld is True
    assert gap.reasons == (MissingReason.LIVED_SIDE_TOO_SMALL,)
    assert (gap.lived_side_people, gap.comparator_side_people) == (9, 10)


def test_ten_on_each_side_gives_the_gaps_but_withholds_bands_of_five():
    gap = pay_gap(people(LE, *["15"] * 10) + people(CLINICAL, *["30"] * 10))
    assert gap.withheld is False
    assert gap.mean_gap_percent == D("50.0")
    assert gap.median_gap_percent == D("50.0")
    assert gap.quartiles.withheld is True
    assert gap.quartiles.reasons == (MissingReason.QUARTILE_BAND_TOO_SMALL,)


def test_nobody_at_all_is_withheld_not_an_error():
    gap = pay_gap([])
    assert gap.withheld is True
    assert gap.reasons == (
        MissingReason.LIVED_SIDE_TOO_SMALL,
        MissingReason.COMPARATOR_SIDE_TOO_SMALL,
    )


def test_an_empty_side_is_withheld_even_with_the_lowest_threshold():
    gap = pay_gap(people(LE, "15"), threshold=1)
    assert gap.withheld is True
    assert gap.reasons == (MissingReason.COMPARATOR_SIDE_TOO_SMALL,)


def test_zero_comparator_mean_gives_no_gap_with_a_reason():
    gap = pay_gap(people(LE, "15") + people(CLINICAL, "0", "0"), threshold=1)
    assert gap.withheld is False
    assert gap.mean_gap_percent is None
    assert gap.median_gap_percent is None
    assert gap.reasons == (
        MissingReason.COMPARATOR_MEAN_ZERO,
        MissingReason.COMPARATOR_MEDIAN_ZERO,
    )


def test_zero_comparator_median_alone():
    gap = pay_gap(people(LE, "5") + people(CLINICAL, "0", "0", "30"), threshold=1)
    assert gap.comparator_side_mean == D("10.00")
    assert gap.mean_gap_percent == D("50.0")
    assert gap.median_gap_percent is None
    assert gap.reasons == (MissingReason.COMPARATOR_MEDIAN_ZERO,)


@pytest.mark.parametrize("threshold", [0, -1, True])
def test_threshold_must_be_at_least_one(threshold):
    with pytest.raises(ValueError):
        pay_gap(SMALL_EXAMPLE, threshold=threshold)


def test_rates_must_be_decimals_and_not_negative():
    with pytest.raises(NotANumber):
        pay_gap([(LE, 12.5)])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        pay_gap([(LE, D("-1"))])


# --- quartiles ------------------------------------------------------------------------------


def test_quartile_split_worked_example():
    quartiles = pay_quartiles(SMALL_EXAMPLE, threshold=2)
    assert quartiles.withheld is False
    assert [band.name for band in quartiles.bands] == list(QuartileName)
    # Ranked: 10 12 | 14 18 | 20 25 | 30 45 — the lived side fills the lower half.
    assert [band.people for band in quartiles.bands] == [2, 2, 2, 2]
    assert [band.lived_side_people for band in quartiles.bands] == [2, 2, 0, 0]
    assert [band.lived_side_percent for band in quartiles.bands] == [
        D("100.0"), D("100.0"), D("0.0"), D("0.0"),
    ]
    assert [band.comparator_side_percent for band in quartiles.bands] == [
        D("0.0"), D("0.0"), D("100.0"), D("100.0"),
    ]
    assert quartiles.bands[3].comparator_side_people == 2


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(8, [2, 2, 2, 2]), (9, [3, 2, 2, 2]), (10, [3, 2, 3, 2]), (11, [3, 3, 3, 2])],
)
def test_people_left_over_go_lower_then_upper_middle_then_lower_middle(count, sizes):
    lived = count // 2
    everyone = people(LE, *["10"] * lived) + people(CLINICAL, *["20"] * (count - lived))
    quartiles = pay_quartiles(everyone, threshold=1)
    assert [band.people for band in quartiles.bands] == sizes


def test_people_on_the_same_rate_across_bands_are_shared_evenly():
    # Everyone on £20: ranking lived side first would give 100/100/0/0.
    quartiles = pay_quartiles(people(LE, *["20"] * 4) + people(CLINICAL, *["20"] * 4), threshold=1)
    assert [band.lived_side_percent for band in quartiles.bands] == [D("50.0")] * 4


def test_band_shares_are_one_decimal_place():
    # 3 people per band: one lived-side person is 33.3 %, two clinicians 66.7 %.
    clinicians = people(CLINICAL, "15", "15", "25", "25", "35", "35", "45", "45")
    everyone = people(LE, "10", "20", "30", "40") + clinicians
    quartiles = pay_quartiles(everyone, threshold=3)
    assert [band.lived_side_percent for band in quartiles.bands] == [D("33.3")] * 4
    assert [band.comparator_side_percent for band in quartiles.bands] == [D("66.7")] * 4


# --- properties -------------------------------------------------------------------------------

rates = st.decimals(min_value="0.01", max_value=200, places=2)
kinds = st.sampled_from(list(RoleKind))


@given(rates, st.integers(1, 15), st.integers(1, 15))
def test_identical_rates_give_no_gap(rate, lived, comparators):
    everyone = people(LE, *[rate] * lived) + people(CLINICAL, *[rate] * comparators)
    gap = pay_gap(everyone, threshold=1)
    assert gap.mean_gap_percent == 0
    assert gap.median_gap_percent == 0


@given(st.lists(st.tuples(kinds, rates), max_size=60), st.integers(1, 12))
def test_never_raises_and_bands_account_for_everyone(everyone, threshold):
    gap = pay_gap(everyone, threshold=threshold)
    lived = sum(1 for kind, _ in everyone if kind.is_lived_experience_side)
    comparators = sum(1 for kind, _ in everyone if kind.is_comparator_side)
    assert gap.withheld is (min(lived, comparators) < threshold)
    if gap.quartiles.withheld:
        assert gap.quartiles.bands == ()
    else:
        sizes = [band.people for band in gap.quartiles.bands]
        assert sum(sizes) == lived + comparators
        assert max(sizes) - min(sizes) <= 1
        assert min(sizes) >= threshold
        assert sum(band.lived_side_people for band in gap.quartiles.bands) == lived
