"""Mileage expenses at HMRC's approved rates: the person gives the miles and the vehicle, Remun the amount.

The rate is the one in force on the session's date (``rates/hmrc.toml``). For a
car or van, the first 10,000 business miles a person travels in a tax year
(6 April to 5 April) are paid at the higher rate and every mile after at the
lower one; the miles counted are that person's car miles at earlier sessions
in the same tax year (and earlier expenses of the same session). Motorcycles
and bicycles have one rate. An amount once worked out is kept with the expense:
recording an earlier journey later does not re-price journeys already claimed.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.money import ZERO, round_money
from remun.pay.rate_cards import RateBook


class Vehicle(enum.StrEnum):
    CAR = "car"  # cars and vans
    MOTORCYCLE = "motorcycle"
    BICYCLE = "bicycle"


#: The 10,000-mile step for cars and vans.
CAR_STEP_MILES = Decimal("10000")
CAR_FIRST_MILES_REF = "hmrc/car-first-10000-miles"
CAR_AFTER_REF = "hmrc/car-after-10000-miles"
SINGLE_RATE_REFS = {Vehicle.MOTORCYCLE: "hmrc/motorcycle", Vehicle.BICYCLE: "hmrc/bicycle"}


class NoMileageRate(LookupError):
    """No HMRC rate for this vehicle on the session's date (the rate card has no figure then)."""


@dataclass(frozen=True)
class MileagePart:
    miles: Decimal
    rate: Decimal
    ref: str


@dataclass(frozen=True)
class MileageAmount:
    vehicle: Vehicle
    miles: Decimal
    parts: tuple[MileagePart, ...]

    @property
    def amount(self) -> Decimal:
        return round_money(sum((part.miles * part.rate for part in self.parts), ZERO))

    @property
    def rate(self) -> Decimal:
        """The rate a mile: the one rate, or the higher one when the journey crosses the 10,000-mile step."""
        return self.parts[0].rate


def tax_year_start(day: dt.date) -> dt.date:
    """6 April on or before ``day``: the UK tax year runs from 6 April to 5 April."""
    start = dt.date(day.year, 4, 6)
    return start if day >= start else dt.date(day.year - 1, 4, 6)


def mileage_amount(book: RateBook, day: dt.date, vehicle: Vehicle | str, miles: Decimal,
                   miles_before: Decimal = ZERO) -> MileageAmount:
    """What ``miles`` in ``vehicle`` on ``day`` are repaid at, after ``miles_before`` car miles that tax year."""
    vehicle = Vehicle(vehicle)
    miles = Decimal(miles)
    if vehicle is not Vehicle.CAR:
        entry = book.lookup(SINGLE_RATE_REFS[vehicle], day)
        if entry is None:
            raise NoMileageRate(SINGLE_RATE_REFS[vehicle])
        return MileageAmount(vehicle, miles, (MileagePart(miles, entry.amount, entry.ref),))
    first, after = book.lookup(CAR_FIRST_MILES_REF, day), book.lookup(CAR_AFTER_REF, day)
    if first is None or after is None:
        raise NoMileageRate(CAR_FIRST_MILES_REF if first is None else CAR_AFTER_REF)
    at_higher = max(min(miles, CAR_STEP_MILES - miles_before), ZERO)
    parts = []
    if at_higher > 0:
        parts.append(MileagePart(at_higher, first.amount, first.ref))
    if miles - at_higher > 0:
        parts.append(MileagePart(miles - at_higher, after.amount, after.ref))
    return MileageAmount(vehicle, miles, tuple(parts))


def car_miles_before(session: Session, person_id: int, day: dt.date) -> Decimal:
    """The person's car miles already recorded this tax year, at sessions up to and including ``day``."""
    from remun.project_records.enums import ExpenseCategory
    from remun.project_records.models import Attendance, Expense, Meeting

    total = session.scalar(
        select(func.coalesce(func.sum(Expense.miles), 0))
        .join(Attendance, Expense.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Attendance.person_id == person_id, Expense.category == ExpenseCategory.MILEAGE,
               Expense.vehicle == Vehicle.CAR.value, Meeting.date >= tax_year_start(day), Meeting.date <= day)
    )
    return Decimal(total or 0)


def price_mileage(session: Session, book: RateBook, person_id: int, day: dt.date, vehicle: Vehicle | str,
                  miles: Decimal) -> MileageAmount:
    """The amount for a new mileage expense, counting the person's car miles earlier in the tax year."""
    before = car_miles_before(session, person_id, day) if Vehicle(vehicle) is Vehicle.CAR else ZERO
    return mileage_amount(book, day, vehicle, miles, before)
