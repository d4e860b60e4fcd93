"""Organisation settings: each declared once here with its default and what values it takes.

A setting nobody has changed has its default, so a new installation needs no rows.
Values are stored as JSON text (remun/organisation/models.py). Saving goes through
``change_setting``, which checks the value and records who changed it in the audit log;
the caller commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.organisation.models import OrganisationSetting


class SettingError(ValueError):
    """A value a setting cannot take; the message says what it can."""


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    #: Returns the value to store, or raises SettingError saying what is allowed.
    check: Callable[[Any], Any]


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise SettingError("Choose yes or no.")


def _one_of(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value in allowed:
            return value
        raise SettingError(f"Choose one of: {', '.join(allowed)}.")
    return check


def _number(low: str, high: str, *, optional: bool = False) -> Callable[[Any], str | None]:
    """A number from ``low`` to ``high``, stored as text so a Decimal comes back exactly."""
    from decimal import Decimal, InvalidOperation

    def check(value: Any) -> str | None:
        if optional and (value is None or (isinstance(value, str) and not value.strip())):
            return None
        if isinstance(value, (bool, float)):
            raise SettingError(f"Give a number from {low} to {high}.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise SettingError(f"Give a number from {low} to {high}.") from None
        if not number.is_finite() or not Decimal(low) <= number <= Decimal(high):
            raise SettingError(f"Give a number from {low} to {high}.")
        return str(number)
    return check


def _text(longest: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str) or len(value.strip()) > longest:
            raise SettingError(f"Give text of at most {longest} characters.")
        return value.strip()
    return check


#: Every setting, declared in one place. Add new ones here.
SETTINGS: dict[str, Setting] = {
    setting.key: setting
    for setting in (
        # Whether project leads may create projects and import workbooks (else administrators only).
        Setting("projects.leads_may_create", True, _boolean),
        # The comparator basis for pay parity (remun/parity/comparator_basis.py, docs/rules.md):
        # the best-paid clinical or professional role in a group, or the median of them.
        Setting("parity.comparator", "best", _one_of("best", "median")),
        # A salary's hourly rate: per contracted hour, or per hour actually worked (leave taken out).
        Setting("parity.salary_hours", "contracted", _one_of("contracted", "worked")),
        # Days of paid leave and of public holidays a year, used only "per hour actually worked".
        # No default figure is confirmed for every contract, so both start at 0 (docs/rules.md).
        Setting("parity.leave_days", "0", _number("0", "100")),
        Setting("parity.public_holiday_days", "0", _number("0", "30")),
        # Employer on-costs (employer NI, pension) as a percentage added to salaries; none by default.
        Setting("parity.on_costs_percent", None, _number("0", "100", optional=True)),
        # The finance workbook's Tax year sheet marks payees whose income in the year is above this.
        # £1,000 is HMRC's trading and miscellaneous income allowance (docs/reciprocity.md).
        Setting("tax.payee_threshold", "1000", _number("0", "1000000")),
        # Letters and statements for participants: who they are from, and whom to contact
        # (when empty, the person's project leads' email addresses).
        Setting("letters.organisation_name", "", _text(200)),
        Setting("letters.contact", "", _text(300)),
        # Accounting import files (issue 20, remun/organisation/accounting.py): the nominal (account) code for
        # each kind of cost, the tax type and the tracking category, as the accounting system names them.
        # Empty until finance fills them in: Remun never guesses a code.
        *(Setting(f"accounting.code_{kind}", "", _text(50))
          for kind in ("time", "expenses", "vouchers", "training", "donation")),
        Setting("accounting.tax_type", "", _text(100)),
        Setting("accounting.tracking_name", "", _text(100)),
    )
}


def get_setting(session: Session, key: str) -> Any:
    declared = SETTINGS[key]
    row = session.get(OrganisationSetting, key)
    return declared.default if row is None else json.loads(row.value)


def all_settings(session: Session) -> dict[str, Any]:
    stored = {row.key: json.loads(row.value) for row in session.scalars(select(OrganisationSetting))}
    return {key: stored.get(key, setting.default) for key, setting in SETTINGS.items()}


def change_setting(session: Session, key: str, value: Any, *, by_user_id: int | None) -> Any:
    """Check and store a setting's new value, with an audit entry; the caller commits."""
    from remun.accounts import audit

    declared = SETTINGS[key]
    checked = declared.check(value)
    row = session.get(OrganisationSetting, key)
    before = declared.default if row is None else json.loads(row.value)
    if row is None:
        row = OrganisationSetting(key=key, value=json.dumps(checked), updated_by_id=by_user_id)
        session.add(row)
    else:
        row.value, row.updated_by_id = json.dumps(checked), by_user_id
    audit.record(session, by_user_id, "settings.changed", "setting", key,
                 {"setting": key, "from": before, "to": checked})
    return checked
