"""Organisation settings: defaults without rows, checked values, an audit entry for each change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from remun.accounts.models import AuditEvent
from remun.organisation.settings import SettingError, all_settings, change_setting, get_setting


def test_a_setting_nobody_changed_has_its_default(session):
    assert get_setting(session, "projects.leads_may_create") is True
    assert all_settings(session)["projects.leads_may_create"] is True


def test_a_change_is_checked_stored_and_audited(session):
    change_setting(session, "projects.leads_may_create", False, by_user_id=None)
    session.commit()
    assert get_setting(session, "projects.leads_may_create") is False
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.changed")).one()
    assert event.object_id == "projects.leads_may_create"
    assert '"from": true' in event.detail and '"to": false' in event.detail
    with pytest.raises(SettingError):
        change_setting(session, "projects.leads_may_create", "perhaps", by_user_id=None)
