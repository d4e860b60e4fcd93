"""Signed-in sessions kept on the server, so ending one ends it everywhere its cookie went (issue 15).

The browser's cookie holds ``<user id>-<random token>``; only a hash of the token is stored.
A session ends when the person signs out, signs out everywhere, changes or resets their
password, is deactivated, after a period without use (``idle``), and after its overall
``lifetime``. A copy of the cookie taken earlier is then worth nothing. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import DateTime, ForeignKey, String, bindparam, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from remun.accounts.models import User
from remun.accounts.tokens import aware, hash_token, now
from remun.project_records.models import Base

#: ``last_seen_at`` is written at most this often, so reading pages does not write on every request.
SEEN_PRECISION = dt.timedelta(minutes=1)


class SignInSession(Base):
    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def start(session: Session, user: User, at: dt.datetime | None = None) -> str:
    """A new session for ``user``; returns the key for the cookie. The caller commits."""
    raw = secrets.token_urlsafe(32)
    moment = at or now()
    session.add(SignInSession(user_id=user.id, token_hash=hash_token(raw), created_at=moment, last_seen_at=moment))
    return f"{user.id}-{raw}"


#: The session a token's hash names and its account, in one query (every request makes it). Built once:
#: building the statement and its cache key on every request cost about 0.2 ms of CPU, near half of running it.
_SESSION_AND_ACCOUNT = (select(SignInSession, User).outerjoin(User, User.id == SignInSession.user_id)
                        .where(SignInSession.token_hash == bindparam("token_hash")))


def _row(session: Session, key: str | None) -> SignInSession | None:
    found = _row_and_user(session, key)
    return found[0] if found else None


def _row_and_user(session: Session, key: str | None) -> tuple[SignInSession, User | None] | None:
    """The session the key names and its account."""
    user_id, _, raw = (key or "").partition("-")
    if not user_id.isdigit() or not raw or len(raw) > 200:
        return None
    found = session.execute(_SESSION_AND_ACCOUNT, {"token_hash": hash_token(raw)}).first()
    return (found[0], found[1]) if found is not None and found[0].user_id == int(user_id) else None


def find(session: Session, key: str | None, *, idle: dt.timedelta, lifetime: dt.timedelta,
         at: dt.datetime | None = None) -> User | None:
    """The account whose live session this is, else None (an ended or timed-out session is removed).

    May write ``last_seen_at``; the caller commits.
    """
    found = _row_and_user(session, key)
    if found is None:
        return None
    row, user = found
    moment = at or now()
    if (user is None or not user.active or not user.password_hash
            or moment - aware(row.last_seen_at) > idle or moment - aware(row.created_at) > lifetime):
        session.delete(row)
        return None
    if moment - aware(row.last_seen_at) >= SEEN_PRECISION:
        row.last_seen_at = moment
    return user


def end(session: Session, key: str | None) -> None:
    """End this one session (signing out). The caller commits."""
    row = _row(session, key)
    if row is not None:
        session.delete(row)


def end_all(session: Session, user: User) -> int:
    """End every session of the account (sign out everywhere, a new password); how many ended."""
    if user.id is None:
        return 0
    result = session.execute(delete(SignInSession).where(SignInSession.user_id == user.id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def count(session: Session, user: User) -> int:
    return len(session.scalars(select(SignInSession.id).where(SignInSession.user_id == user.id)).all())
