"""Who is asking: a personal access token in ``Authorization: Bearer ...``, and nothing else.

The API takes no cookies, so a signed-in browser cannot be made to call it
(no CSRF; the API's blueprints are exempt from the form check). Called by
``remun.web.permissions.check_request`` before every API request: it signs the
token's account in for this request only (Flask-Login's ``current_user``), so the
same permission rules and the same queries as the pages apply.
"""

from __future__ import annotations

import math
import time

from flask import current_app, g, request
from flask_login import UserMixin
from limits import parse_many
from werkzeug.exceptions import HTTPException

from remun.accounts import api_tokens
from remun.accounts.models import ApiToken, TokenScope, User
from remun.web.extensions import db
from remun.translation import N_
from remun.web.pages import commit

#: Requests that only read.
READING = {"GET", "HEAD", "OPTIONS"}
DEFAULT_RATE_LIMIT = "120 per minute; 5000 per hour"


class TokenUser(UserMixin):
    """The token's account, as Flask-Login's ``current_user`` for one API request."""

    def __init__(self, user: User, token: ApiToken):
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return f"token:{self.token.id}"

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)

    def __getattr__(self, name: str):
        return getattr(self.user, name)


class ApiRefusal(HTTPException):
    """An HTTP error carrying its problem's detail (``data``), as flask-smorest's ``abort`` does."""

    def __init__(self, code: int, message: str, problem_code: str | None = None, retry_after: int | None = None):
        self.code = code
        super().__init__(message)
        self.data = {"message": message, "code": problem_code}
        self.retry_after = retry_after


def refuse(code: int, message, problem_code: str | None = None, retry_after: int | None = None):
    """Answer with a problem: ``message`` marked with ``N_``, or a ``lazy_gettext`` with its values, so that
    it is put in the request's language when the problem is made (remun/api/problems.py)."""
    raise ApiRefusal(code, message, problem_code, retry_after)


def _secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def sign_in_with_token() -> TokenUser:
    """Sign in with the request's token, or refuse with 401 (no good token), 403 (read-only) or 429."""
    writing = request.method not in READING
    token = api_tokens.authenticate(db.session, _secret(), writing=writing)
    if token is None:
        db.session.rollback()
        refuse(401, N_("Send a personal access token that is in date and not revoked, in the Authorization "
                       "header: Bearer followed by the token."), "token")
    commit()  # its last use, and its use in the audit log, whatever follows
    _count_request(token)
    if writing and token.scope is not TokenScope.WRITE:
        refuse(403, N_("This token can only read. Make a token that can read and change to do this."), "read-only-token")
    user = TokenUser(token.user, token)
    g._login_user = user  # Flask-Login's current_user, for this request only
    return user


def _count_request(token: ApiToken) -> None:
    """Per-token rate limits (``REMUN_API_RATE_LIMIT``), in the same store as the sign-in limits."""
    limiter = current_app.extensions["remun.limiter"].limiter
    items = parse_many(current_app.config.get("REMUN_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    for item in items:
        if not limiter.hit(item, "api", str(token.id)):
            reset, _remaining = limiter.get_window_stats(item, "api", str(token.id))
            refuse(429, N_("Too many requests with this token. Wait and try again."), "rate-limited",
                   retry_after=max(1, math.ceil(reset - time.time())))
