"""Personal access tokens for the JSON API (issue 20): made, used and revoked here, and nowhere else.

A token is ``remun_`` followed by a random secret (``secrets.token_urlsafe(32)``,
256 bits). It is shown once, when made; only its SHA-256 hash is stored (a slow
password hash adds nothing for a secret this long), with its first characters
(``prefix``) so the tokens page can tell tokens apart. Each token belongs to one
account and does no more than that account may: a read token reads, a write
token also makes the changes the account may make. It stops working when its
expiry passes, when it is revoked, or when the account is deactivated.

Use is recorded in the audit log as ``api_token.used``: the first use on each
day (UTC), and every request that asks to change something (whatever the
change's own entry says), so the log shows when a token was in use without a
line for every read.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.accounts.models import ApiToken, TokenScope, User
from remun.accounts.tokens import aware, hash_token, now

#: The lifetimes offered, in days; the first is the one suggested.
LIFETIMES_DAYS = (90, 30, 365)
PREFIX = "remun_"
#: How many characters of the token are kept to tell tokens apart (``remun_`` and four of the secret).
SHOWN = len(PREFIX) + 4
MAX_NAME = 100
#: ``last_used_at`` is kept to within this, so a busy token does not write on every request.
LAST_USED_TO_WITHIN = dt.timedelta(minutes=1)


class TokenProblem(Exception):
    """A token could not be made or revoked; ``code`` says why, for the page to put into words."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown once and never stored


def create(session: Session, user: User, name: str, scope: TokenScope, days: int,
           at: dt.datetime | None = None) -> IssuedToken:
    """A new token for ``user``, valid for ``days`` days from ``at``."""
    name = (name or "").strip()
    if not name:
        raise TokenProblem("name_missing")
    if len(name) > MAX_NAME:
        raise TokenProblem("name_too_long")
    if days not in LIFETIMES_DAYS:
        raise TokenProblem("lifetime")
    if not user.active:
        raise TokenProblem("inactive")
    at = at or now()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, scope=TokenScope(scope), prefix=secret[:SHOWN],
                     token_hash=hash_token(secret), created_at=at, expires_at=at + dt.timedelta(days=days))
    session.add(token)
    session.flush()  # the token's id, for the audit entry
    audit.record(session, user.id, "api_token.created", "api_token", token.id,
                 {"scope": token.scope.value, "days": days})
    return IssuedToken(token=token, secret=secret)


def of_user(session: Session, user: User) -> list[ApiToken]:
    """The account's tokens, newest first (revoked and expired ones too, so the page can say so)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def state(token: ApiToken, at: dt.datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    if aware(token.expires_at) <= (at or now()):
        return "expired"
    return "active"


def revoke(session: Session, user: User, token_id: int, at: dt.datetime | None = None) -> ApiToken:
    """Stop ``user``'s token working at once. Revoking it again changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise TokenProblem("not_found")
    if token.revoked_at is None:
        token.revoked_at = at or now()
        audit.record(session, user.id, "api_token.revoked", "api_token", token.id)
    return token


def authenticate(session: Session, secret: str | None, writing: bool = False,
                 at: dt.datetime | None = None) -> ApiToken | None:
    """The token for this secret when it is real, unexpired, unrevoked and its account active.

    Records its use (last used, and the audit log as the module says); the caller commits.
    """
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    at = at or now()
    if token is None or state(token, at) != "active" or not token.user.active:
        return None
    last = None if token.last_used_at is None else aware(token.last_used_at)
    first_today = last is None or last.date() != at.date()
    if last is None or at - last >= LAST_USED_TO_WITHIN:  # not a write for every read
        token.last_used_at = at
    if first_today or writing:
        audit.record(session, token.user_id, "api_token.used", "api_token", token.id,
                     {"write": True} if writing else None)
    return token
