"""Miles and vehicle on the attendance forms (fields in remun/web/forms.py): Remun works out the amount at HMRC's rate (remun/mileage.py)."""

from __future__ import annotations

from flask_babel import gettext as _

from remun.enums import ExpenseCategory
from remun.mileage import NoMileageRate, price_mileage
from remun.models import Expense

def check_vehicle(form) -> bool:
    """A vehicle is never assumed: miles need one."""
    if form.miles.data and not form.vehicle.data:
        form.vehicle.errors = list(form.vehicle.errors) + [_("Choose the vehicle you travelled in")]
        return False
    return True


def add_mileage(session, book, attendance, person_id: int, day, form) -> bool:
    """Add the mileage expense the form asks for; False (and an error on the form) when there is no rate that day."""
    if not form.miles.data:
        return True
    try:
        priced = price_mileage(session, book, person_id, day, form.vehicle.data, form.miles.data)
    except NoMileageRate:
        form.miles.errors = list(form.miles.errors) + [
            _("Remun has no HMRC mileage rate for this date. An administrator can add it on the rates page.")]
        return False
    attendance.expenses.append(Expense(amount=priced.amount, category=ExpenseCategory.MILEAGE, miles=form.miles.data,
                                       vehicle=priced.vehicle.value))
    return True
