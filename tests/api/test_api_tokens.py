"""Personal access tokens (issue 20): made on the account page, shown once, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select

from remun.accounts import api_tokens
from remun.accounts.models import ApiToken, AuditEvent, TokenScope


def _actions(db_session, user) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id)
                                   .order_by(AuditEvent.id)))


def test_a_token_is_shown_once_and_stored_hashed(client_for, make_user, db_session):
    user = make_user("finance")
    client = client_for(user)
    assert "Personal access tokens" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/tokens/new", data={"name": "Finance system", "scope": "read", "days": "30"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = re.search(r'value="(remun_[A-Za-z0-9_-]+)"', page).group(1)
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_hash, token.prefix} and secret.startswith(token.prefix)
    assert token.scope is TokenScope.READ and token.name == "Finance system"
    created = api_tokens.aware(token.created_at)
    assert api_tokens.aware(token.expires_at) - created == dt.timedelta(days=30)
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "Finance system" in listing and token.prefix in listing and secret not in listing
    assert "api_token.created" in _actions(db_session, user)


def test_the_form_refuses_a_missing_name_and_an_odd_lifetime(client_for, make_user, db_session):
    user = make_user("lead")
    client = client_for(user)
    assert "Enter a name for the token" in client.post(
        "/account/tokens/new", data={"name": "", "scope": "read", "days": "30"}).get_data(as_text=True)
    assert client.post("/account/tokens/new", data={"name": "x", "scope": "read", "days": "7"}).status_code == 200
    assert db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_revoking_stops_the_token_and_only_its_owner_may(client_for, make_user, db_session):
    owner, other = make_user("finance"), make_user("finance")
    issued = api_tokens.create(db_session, owner, "Sage", TokenScope.WRITE, 90)
    db_session.commit()
    assert api_tokens.authenticate(db_session, issued.secret) is not None
    client_for(other).post(f"/account/tokens/{issued.token.id}/revoke")
    assert api_tokens.state(issued.token) == "active"
    response = client_for(owner).post(f"/account/tokens/{issued.token.id}/revoke")
    assert response.status_code == 302
    db_session.refresh(issued.token)
    assert api_tokens.state(issued.token) == "revoked"
    assert api_tokens.authenticate(db_session, issued.secret) is None
    assert "Revoked" in client_for(owner).get("/account/tokens/").get_data(as_text=True)
    assert "api_token.revoked" in _actions(db_session, owner)


def test_expired_tokens_and_deactivated_accounts_are_refused(make_user, db_session):
    user = make_user("lead")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    issued = api_tokens.create(db_session, user, "Old", TokenScope.READ, 30, at=long_ago)
    fresh = api_tokens.create(db_session, user, "New", TokenScope.READ, 30)
    assert api_tokens.state(issued.token) == "expired"
    assert api_tokens.authenticate(db_session, issued.secret) is None
    assert api_tokens.authenticate(db_session, fresh.secret) is not None
    user.active = False
    assert api_tokens.authenticate(db_session, fresh.secret) is None
    assert api_tokens.authenticate(db_session, "remun_not-a-token") is None
    assert api_tokens.authenticate(db_session, "") is None


def test_use_is_recorded_once_a_day_and_for_every_write(make_user, db_session):
    user = make_user("finance")
    issued = api_tokens.create(db_session, user, "Xero", TokenScope.WRITE, 30)
    monday = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    for minute in range(3):
        api_tokens.authenticate(db_session, issued.secret, at=monday + dt.timedelta(minutes=minute))
    api_tokens.authenticate(db_session, issued.secret, writing=True, at=monday + dt.timedelta(hours=1))
    api_tokens.authenticate(db_session, issued.secret, at=monday + dt.timedelta(days=1))
    db_session.flush()
    assert _actions(db_session, user).count("api_token.used") == 3
    assert api_tokens.aware(issued.token.last_used_at) == monday + dt.timedelta(days=1)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_short_name(make_user, db_session, name):
    with pytest.raises(api_tokens.TokenProblem):
        api_tokens.create(db_session, make_user("admin"), name, TokenScope.READ, 30)
