"""Account operations the sign-in pages need, beyond remun/accounts/users.py: each records its audit entry and
its session on the server in the caller's transaction; the page's unit of work commits (remun/web/pages.py).

No Flask here: the page keeps the browser's side (its cookie) and passes who is acting.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from remun.accounts import audit, sign_in_sessions, tokens, users
from remun.accounts.models import TokenPurpose, User, UserRole


def sign_in_refused(session: Session, account: User | None) -> None:
    """Too many attempts: refused without checking the password."""
    audit.record(session, None, "user.sign_in_refused", "user" if account else None, account.id if account else None)


def sign_in_failed(session: Session, account: User | None) -> None:
    audit.record(session, None, "user.sign_in_failed", "user" if account else None, account.id if account else None)


def signed_in(session: Session, user: User) -> str:
    """A password was right: recorded, and a new session on the server (its key goes in the cookie)."""
    audit.record(session, user.id, "user.signed_in", "user", user.id)
    return sign_in_sessions.start(session, user)


def signed_out(session: Session, user_id: int | None, key: str | None) -> None:
    """The person signed out: this session on the server ends, so a copy of its cookie is worth nothing."""
    audit.record(session, user_id, "user.signed_out", "user", user_id)
    sign_in_sessions.end(session, key)


def sign_out_everywhere(session: Session, user: User) -> int:
    """End every session of the account, on every device; how many there were."""
    ended = sign_in_sessions.end_all(session, user)
    audit.record(session, user.id, "user.signed_out_everywhere", "user", user.id, {"sessions": ended})
    return ended


def change_password(session: Session, user: User, current: str, new: str, using: PasswordHasher | None = None) -> str:
    """A new password (AccountProblem when the current one is wrong or the new one weak); every other session
    ends, and this one carries on under a new key."""
    users.change_password(user, current, new, using)
    audit.record(session, user.id, "user.password_changed", "user", user.id)
    return sign_in_sessions.start(session, user)


def set_password_from_link(session: Session, raw_token: str, purpose: TokenPurpose, password: str,
                           using: PasswordHasher | None = None) -> tuple[User, str]:
    """A password chosen from an invitation or reset link; the person is then signed in (their session's key)."""
    user = users.set_password_from_link(session, raw_token, purpose, password, using)
    return user, sign_in_sessions.start(session, user)


def account_in_use(user: User) -> bool:
    """Has the person set their own password? Then a link to change it is a way to act as them."""
    return bool(user.password_hash)


def may_make_reset_link(user: User, by: User) -> bool:
    """Reset links for an account in use are shown only to administrators (issue 15)."""
    return not account_in_use(user) or by.role is UserRole.ADMIN


def shown_link(session: Session, by_id: int | None, user: User, purpose: TokenPurpose) -> bool:
    """A link is about to be shown on screen: True (and recorded) when it is a way into an account in use."""
    shown_for_account_in_use = purpose is TokenPurpose.PASSWORD_RESET and account_in_use(user)
    if shown_for_account_in_use:
        # The person is told by email (with the link) that someone saw it on screen.
        audit.record(session, by_id, "user.reset_link_shown", "user", user.id)
    return shown_for_account_in_use


def invite(session: Session, by_id: int | None, email: str, role: UserRole | str, *, person_id: int | None = None,
           project_ids: list[int] | tuple[int, ...] = ()) -> tuple[User, tokens.IssuedLink]:
    """A new account and its invitation link (AccountProblem when the details will not do)."""
    user = users.create_user(session, email, role, created_by_id=by_id, person_id=person_id, project_ids=project_ids)
    session.flush()
    return user, users.issue_link(session, user, TokenPurpose.INVITATION, by_id)


def reset_link_refused(session: Session, by_id: int | None, user: User) -> None:
    """Someone who may not asked for a way into an account in use."""
    audit.record(session, by_id, "user.reset_link_refused", "user", user.id)


def export_personal_data(session: Session, by_id: int | None, person) -> dict:
    """Everything held about a person, for them to take away (recorded: it is all their personal data)."""
    data = users.personal_data(session, person)
    audit.record(session, by_id, "person.exported", "person", person.id)
    return data


def choose_language(session: Session, user: User, code: str) -> bool:
    """The person's language for pages and letters; False when it was already theirs."""
    if user.preferred_language == code:
        return False
    user.preferred_language = code
    # Which language is personal (accounts/audit.py PERSONAL_FIELDS): log only that it changed.
    audit.record(session, user.id, "user.language_chosen", "user", user.id)
    return True
