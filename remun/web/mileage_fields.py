"""Miles and vehicle on the attendance forms (fields in remun/web/forms.py): Remun works out the amount at HMRC's
rate (remun/pay/mileage.py, when the attendance operation records it: remun/project_records/operations.py)."""

from __future__ import annotations

from flask_babel import gettext as _


def check_vehicle(form) -> bool:
    """A vehicle is never assumed: miles need one."""
    if form.miles.data and not form.vehicle.data:
        form.vehicle.errors = list(form.vehicle.errors) + [_("Choose the vehicle you travelled in")]
        return False
    return True


def no_mileage_rate(form) -> None:
    """Say on the form that there is no mileage rate on the session's day (the operation raised NoMileageRate)."""
    form.miles.errors = list(form.miles.errors) + [
        _("Remun has no HMRC mileage rate for this date. An administrator can add it on the rates page.")]
