"""The organisation's pay gap between lived-experience/carer people and clinicians.

Pure rules: no Flask, no database. Remun's own measure (no law requires it; in
Scotland public authorities report their gender pay gap under the Equality Act
2010 (Specific Duties) (Scotland) Regulations 2012), modelled on the gender pay
gap method of the Equality Act 2010 (Gender Pay Gap Information) Regulations
2017, regulations 8, 9 and 13. Each person is one entry (parity_report gives a
person's rate across their roles, weighted by hours), with the lived-experience side (lived experience and
carer) in place of women and the comparator side (clinical and professional)
in place of men. People of kind "other" are left out.

    mean gap   = (comparator mean − lived mean) ÷ comparator mean × 100
    median gap = (comparator median − lived median) ÷ comparator median × 100

worked out exactly and rounded once to one decimal place, half up. The median
of an even count is the mean of the two middle rates.

Figures about small groups can identify people, so they are withheld: when
either side has fewer people than ``threshold`` (default 10) no gap is given,
only the reason; quartile shares are also withheld when a quartile band would
hold fewer than ``threshold`` people. Edge cases never raise: an empty side is
"too small", and a zero comparator mean or median gives None with a reason.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, Inexact
from fractions import Fraction

from remun.project_records.enums import COMPARATOR_SIDE, LIVED_SIDE, RoleKind
from remun.money import ZERO, round_money, round_percent, to_decimal
from remun.parity.rules import gap_percent
from remun.pay.terms import ARITHMETIC, EXACT

__all__ = [
    "DEFAULT_THRESHOLD",
    "MissingReason",
    "QuartileName",
    "QuartileBand",
    "PayQuartiles",
    "PayGap",
    "pay_gap",
    "pay_quartiles",
]

#: Fewest people a figure may be about before it is withheld.
DEFAULT_THRESHOLD = 10


class MissingReason(enum.StrEnum):
    """Why a figure is not given. Codes, not text: the web layer words them."""

    LIVED_SIDE_TOO_SMALL = "lived_side_too_small"  # fewer than threshold (incl. none)
    COMPARATOR_SIDE_TOO_SMALL = "comparator_side_too_small"
    QUARTILE_BAND_TOO_SMALL = "quartile_band_too_small"
    COMPARATOR_MEAN_ZERO = "comparator_mean_zero"  # a gap of a zero mean has no meaning
    COMPARATOR_MEDIAN_ZERO = "comparator_median_zero"


class QuartileName(enum.StrEnum):
    LOWER = "lower"
    LOWER_MIDDLE = "lower_middle"
    UPPER_MIDDLE = "upper_middle"
    UPPER = "upper"


@dataclass(frozen=True)
class QuartileBand:
    """One quarter of the people, ranked by hourly rate, and who is in it."""

    name: QuartileName
    people: int
    lived_side_people: int
    lived_side_percent: Decimal  # share of the band, 1 dp
    comparator_side_percent: Decimal  # 1 dp; the two may not add to exactly 100.0

    @property
    def comparator_side_people(self) -> int:
        return self.people - self.lived_side_people


@dataclass(frozen=True)
class PayQuartiles:
    """Quartile split, or withheld=True with reasons and no bands."""

    withheld: bool
    reasons: tuple[MissingReason, ...]
    bands: tuple[QuartileBand, ...]  # lower to upper; empty when withheld


@dataclass(frozen=True)
class PayGap:
    """Mean and median gap, with the figures behind them.

    When ``withheld`` is True every figure is None and ``reasons`` says which
    side has fewer than ``threshold`` people. A gap can also be None, with a
    reason but without being withheld, when the comparator mean or median is
    zero. Means and medians are rounded to the penny for display; the gaps
    are worked out from the unrounded figures.
    """

    threshold: int
    lived_side_people: int
    comparator_side_people: int
    withheld: bool
    reasons: tuple[MissingReason, ...]
    mean_gap_percent: Decimal | None
    median_gap_percent: Decimal | None
    lived_side_mean: Decimal | None
    comparator_side_mean: Decimal | None
    lived_side_median: Decimal | None
    comparator_side_median: Decimal | None
    quartiles: PayQuartiles


def _check_threshold(threshold: int) -> None:
    # A setting, not data: a threshold below 1 would let an empty side through.
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be a whole number, 1 or more: {threshold!r}")


def _split(people: Iterable[tuple[RoleKind, Decimal]]) -> tuple[list[Decimal], list[Decimal]]:
    """Hourly rates of the lived-experience side and of the comparator side."""
    lived: list[Decimal] = []
    comparators: list[Decimal] = []
    for kind, rate in people:
        if kind.__class__ is not RoleKind:
            kind = RoleKind(kind)
        rate = to_decimal(rate)  # refuses floats
        if rate < ZERO:
            raise ValueError(f"an hourly rate cannot be negative: {rate}")
        if kind in LIVED_SIDE:
            lived.append(rate)
        elif kind in COMPARATOR_SIDE:
            comparators.append(rate)
    return lived, comparators


def _size_reasons(lived: int, comparators: int, threshold: int) -> list[MissingReason]:
    reasons = []
    if lived < threshold:
        reasons.append(MissingReason.LIVED_SIDE_TOO_SMALL)
    if comparators < threshold:
        reasons.append(MissingReason.COMPARATOR_SIDE_TOO_SMALL)
    return reasons


def _mean(rates: list[Decimal]) -> Fraction:
    # Summed exactly in decimals (far cheaper than a fraction a rate), the same exact mean.
    total = ZERO
    try:
        for rate in rates:
            total = EXACT.add(total, rate)
    except Inexact:
        return sum((Fraction(rate) for rate in rates), Fraction(0)) / len(rates)
    return Fraction(total) / len(rates)


def _median(rates: list[Decimal]) -> Fraction:
    ordered = sorted(rates)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return (Fraction(ordered[middle - 1]) + Fraction(ordered[middle])) / 2


def _money(value: Fraction) -> Decimal:
    return round_money(ARITHMETIC.divide(Decimal(value.numerator), Decimal(value.denominator)))


def _percent(part: int, whole: int) -> Decimal:
    return round_percent(ARITHMETIC.divide(Decimal(part * 100), Decimal(whole)))


def _band_sizes(count: int) -> tuple[int, int, int, int]:
    """Four sections as equal as possible, lower to upper.

    The regulations say "so far as possible" equal; where the count does not
    divide by four, Acas guidance puts one left over in the lower band, two in
    the lower and upper middle, three in the lower, lower middle and upper middle.
    """
    base, left_over = divmod(count, 4)
    extra = {0: (0, 0, 0, 0), 1: (1, 0, 0, 0), 2: (1, 0, 1, 0), 3: (1, 1, 1, 0)}[left_over]
    lower, lower_middle, upper_middle, upper = (base + more for more in extra)
    return lower, lower_middle, upper_middle, upper


def _ranked_sides(lived: list[Decimal], comparators: list[Decimal]) -> list[bool]:
    """True for a lived-side person, ranked from lowest to highest hourly rate.

    People on the same rate are interleaved so each side is spread evenly
    through them: if they straddle a band boundary, each band gets (so far as
    possible) the same proportion of each side, as regulation 13(2) requires.
    """
    lived_at = Counter(lived)
    comparators_at = Counter(comparators)
    ranked: list[bool] = []
    for rate in sorted(lived_at.keys() | comparators_at.keys()):
        lived_here = lived_at[rate]
        everyone = lived_here + comparators_at[rate]
        for position in range(everyone):
            # A lived-side person wherever the running even share steps up.
            ranked.append(
                (position + 1) * lived_here // everyone > position * lived_here // everyone
            )
    return ranked


def pay_quartiles(
    people: Iterable[tuple[RoleKind, Decimal]], threshold: int = DEFAULT_THRESHOLD
) -> PayQuartiles:
    """Rank people by hourly rate, cut into four bands, give each band's shares.

    ``people`` is (kind, hourly rate) per person. Withheld when either side or
    any band has fewer than ``threshold`` people.
    """
    _check_threshold(threshold)
    return _quartiles(*_split(people), threshold)


def _quartiles(lived: list[Decimal], comparators: list[Decimal], threshold: int) -> PayQuartiles:
    reasons = _size_reasons(len(lived), len(comparators), threshold)
    sizes = _band_sizes(len(lived) + len(comparators))
    if min(sizes) < threshold:
        reasons.append(MissingReason.QUARTILE_BAND_TOO_SMALL)
    if reasons:
        return PayQuartiles(withheld=True, reasons=tuple(reasons), bands=())

    ranked = _ranked_sides(lived, comparators)
    bands = []
    start = 0
    for name, size in zip(QuartileName, sizes, strict=True):
        lived_in_band = sum(ranked[start : start + size])
        bands.append(
            QuartileBand(
                name=name,
                people=size,
                lived_side_people=lived_in_band,
                lived_side_percent=_percent(lived_in_band, size),
                comparator_side_percent=_percent(size - lived_in_band, size),
            )
        )
        start += size
    return PayQuartiles(withheld=False, reasons=(), bands=tuple(bands))


def pay_gap(
    people: Iterable[tuple[RoleKind, Decimal]], threshold: int = DEFAULT_THRESHOLD
) -> PayGap:
    """Mean and median hourly pay gap, and the quartile split, for the organisation.

    ``people`` is (kind, hourly rate) per person; kinds "other" are left out.
    A positive gap means the lived-experience side is paid less.
    """
    _check_threshold(threshold)
    lived, comparators = _split(people)
    quartiles = _quartiles(lived, comparators, threshold)
    reasons = _size_reasons(len(lived), len(comparators), threshold)
    if reasons:
        return PayGap(
            threshold=threshold,
            lived_side_people=len(lived),
            comparator_side_people=len(comparators),
            withheld=True,
            reasons=tuple(reasons),
            mean_gap_percent=None,
            median_gap_percent=None,
            lived_side_mean=None,
            comparator_side_mean=None,
            lived_side_median=None,
            comparator_side_median=None,
            quartiles=quartiles,
        )

    lived_mean, comparator_mean = _mean(lived), _mean(comparators)
    lived_median, comparator_median = _median(lived), _median(comparators)
    if comparator_mean == 0:
        reasons.append(MissingReason.COMPARATOR_MEAN_ZERO)
    if comparator_median == 0:
        reasons.append(MissingReason.COMPARATOR_MEDIAN_ZERO)
    return PayGap(
        threshold=threshold,
        lived_side_people=len(lived),
        comparator_side_people=len(comparators),
        withheld=False,
        reasons=tuple(reasons),
        mean_gap_percent=gap_percent(comparator_mean, lived_mean),
        median_gap_percent=gap_percent(comparator_median, lived_median),
        lived_side_mean=_money(lived_mean),
        comparator_side_mean=_money(comparator_mean),
        lived_side_median=_money(lived_median),
        comparator_side_median=_money(comparator_median),
        quartiles=quartiles,
    )
