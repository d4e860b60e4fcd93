"""One-time personal links: an invitation (valid 14 days) or a password reset (valid 24 hours).

Only a SHA-256 hash of each link's secret is stored, so a copy of the database
cannot be used to sign in. Making a new link of the same kind for someone
cancels their earlier unused ones; using a link spends it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from remun.accounts.models import OneTimeToken, TokenPurpose, User

LIFETIMES = {
    TokenPurpose.INVITATION: dt.timedelta(days=14),
    TokenPurpose.PASSWORD_RESET: dt.timedelta(hours=24),
}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything Remun stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    token: str  # the secret, shown once and never stored
    expires_at: dt.datetime
    purpose: TokenPurpose


def issue(session: Session, user: User, purpose: TokenPurpose, created_by_id: int | None = None,
          at: dt.datetime | None = None) -> IssuedLink:
    """A new link for ``user``; their earlier unused links of this kind stop working."""
    at = at or now()
    session.flush()  # the user needs an id
    session.execute(
        delete(OneTimeToken).where(
            OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose, OneTimeToken.used_at.is_(None)
        )
    )
    raw = secrets.token_urlsafe(32)
    expires_at = at + LIFETIMES[purpose]
    session.add(OneTimeToken(user_id=user.id, purpose=purpose, token_hash=hash_token(raw), expires_at=expires_at,
                             created_by_id=created_by_id))
    return IssuedLink(token=raw, expires_at=expires_at, purpose=purpose)


def find(session: Session, raw: str, purpose: TokenPurpose, at: dt.datetime | None = None) -> OneTimeToken | None:
    """The link's record when it is real, of this kind, unused, unexpired and its account active."""
    if not raw or len(raw) > 200:
        return None
    token = session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(raw)))
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if aware(token.expires_at) <= (at or now()):
        return None
    if not token.user.active:
        return None
    return token


def spend(session: Session, token: OneTimeToken, at: dt.datetime | None = None) -> None:
    """Mark the link used, and cancel every other unused link for the same account."""
    at = at or now()
    token.used_at = at
    session.execute(
        delete(OneTimeToken).where(
            OneTimeToken.user_id == token.user_id, OneTimeToken.used_at.is_(None), OneTimeToken.id != token.id
        )
    )


def cancel_all(session: Session, user: User) -> None:
    session.execute(delete(OneTimeToken).where(OneTimeToken.user_id == user.id, OneTimeToken.used_at.is_(None)))
