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


#: Every setting, declared in one place. Add new ones here.
SETTINGS: dict[str, Setting] = {
    setting.key: setting
    for setting in (
        # Whether project leads may create projects and import workbooks (else administrators only).
        Setting("projects.leads_may_create", True, _boolean),
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
