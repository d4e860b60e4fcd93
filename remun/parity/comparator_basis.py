"""The comparator basis for pay parity: chosen by an administrator and stated wherever parity is shown.

Pure rules apart from ``basis_from_settings``. Three choices (docs/rules.md, "The comparator basis"):

* **Comparator**: the best-paid clinical or professional role in each group of
  equal roles (the default), or the median of their hourly rates.
* **A salary's hourly rate**: per contracted hour (the default, as the NHS
  Agenda for Change hourly rates are published: annual ÷ (weekly hours × 365/7)),
  or per hour actually worked, where paid leave and public holidays are not
  worked: the rate × working days ÷ (working days − leave − public holidays),
  with 365 × 5/7 working days a year.
* **Employer on-costs**: none by default; a percentage added to a salary for a
  total-cost comparison (involvement fees carry no holiday pay, sick pay or pension).

Only salaried roles are adjusted: the other bases are fees for the hours given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from remun.money import ZERO
from remun.translation import N_

BEST = "best"
MEDIAN = "median"
CONTRACTED = "contracted"
WORKED = "worked"

#: Working days in a year of five-day weeks: 365 × 5 ÷ 7 (the same year as 37 × 365/7 hours).
WORKING_DAYS = Fraction(365 * 5, 7)


BASIS_SENTENCE = N_("The comparator is %(comparator)s; %(salary)s; %(on_costs)s.")
BEST_SENTENCE = N_("the best-paid clinical or professional role in each group")
MEDIAN_SENTENCE = N_("the median hourly rate of the clinical and professional roles in each group")
CONTRACTED_SENTENCE = N_("a salary's hourly rate is per contracted hour (paid leave counts as hours)")
WORKED_SENTENCE = N_("a salary's hourly rate is per hour actually worked (%(leave)s days of leave and "
                     "%(holidays)s public holidays a year are not worked)")
ON_COSTS_SENTENCE = N_("employer on-costs of %(percent)s%% are added to salaries")
NO_ON_COSTS_SENTENCE = N_("employer on-costs are not added")


class BasisError(ValueError):
    """Leave and holidays that leave no working days."""


@dataclass(frozen=True)
class ComparatorBasis:
    comparator: str = BEST
    salary_hours: str = CONTRACTED
    leave_days: Decimal = ZERO
    public_holiday_days: Decimal = ZERO
    on_costs_percent: Decimal | None = None

    @property
    def days_not_worked(self) -> Decimal:
        return self.leave_days + self.public_holiday_days if self.salary_hours == WORKED else ZERO

    @property
    def worked_factor(self) -> Fraction:
        """How much more a salary is per hour worked than per contracted hour (1 when per contracted hour)."""
        if self.salary_hours != WORKED:
            return Fraction(1)
        worked = WORKING_DAYS - Fraction(self.days_not_worked)
        if worked <= 0:
            raise BasisError("leave and public holidays leave no working days")
        return WORKING_DAYS / worked

    @property
    def salary_factor(self) -> Fraction:
        """What a salary's contracted hourly rate is multiplied by on this basis."""
        on_costs = Fraction(self.on_costs_percent or ZERO) / 100
        return self.worked_factor * (1 + on_costs)

    def salary_rate(self, contracted_rate: Decimal) -> Decimal:
        """A salary's hourly rate on this basis, unrounded (exact to 50 digits)."""
        return _salary_rate(self, contracted_rate)

    def sentence(self, gettext: Callable[[str], str] = lambda message: message) -> str:
        """The basis in one sentence, in English or through ``gettext`` (pages and workbooks)."""
        comparator = gettext(BEST_SENTENCE if self.comparator == BEST else MEDIAN_SENTENCE)
        if self.salary_hours == WORKED:
            salary = gettext(WORKED_SENTENCE) % {"leave": _days(self.leave_days),
                                                  "holidays": _days(self.public_holiday_days)}
        else:
            salary = gettext(CONTRACTED_SENTENCE)
        if self.on_costs_percent:
            on_costs = gettext(ON_COSTS_SENTENCE) % {"percent": _days(self.on_costs_percent)}
        else:
            on_costs = gettext(NO_ON_COSTS_SENTENCE)
        return gettext(BASIS_SENTENCE) % {"comparator": comparator, "salary": salary, "on_costs": on_costs}

    def as_json(self) -> dict:
        return {
            "comparator": self.comparator,
            "salary_hours": self.salary_hours,
            "leave_days": str(self.leave_days),
            "public_holiday_days": str(self.public_holiday_days),
            "on_costs_percent": None if self.on_costs_percent is None else str(self.on_costs_percent),
            "salary_factor": str(self.salary_rate(Decimal(1)).quantize(Decimal("0.0001"))),
            "sentence": self.sentence(),
        }


def _days(value: Decimal) -> str:
    return format(value.normalize(), "f")


def median(rates: list[Fraction]) -> Fraction:
    """The median: the middle rate, or the mean of the two middle ones (as the pay gap method does)."""
    ordered = sorted(rates)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def basis_from_settings(session) -> ComparatorBasis:
    """The organisation's chosen basis (defaults when nobody has chosen), read in one query."""
    from remun.organisation.settings import all_settings

    settings = all_settings(session)
    on_costs = settings["parity.on_costs_percent"]
    return ComparatorBasis(
        comparator=settings["parity.comparator"],
        salary_hours=settings["parity.salary_hours"],
        leave_days=Decimal(settings["parity.leave_days"]),
        public_holiday_days=Decimal(settings["parity.public_holiday_days"]),
        on_costs_percent=None if on_costs is None else Decimal(on_costs),
    )


@lru_cache(maxsize=4096)
def _salary_rate(basis: ComparatorBasis, contracted_rate: Decimal) -> Decimal:
    # Worked out once for each basis and rate (every report prices the same few salaries again and again);
    # equal rates written differently (20, 20.00) are the same fraction, so they share one result.
    from remun.pay.terms import ARITHMETIC

    exact = Fraction(contracted_rate) * basis.salary_factor
    return ARITHMETIC.divide(Decimal(exact.numerator), Decimal(exact.denominator))
