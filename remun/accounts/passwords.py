"""Password hashing with argon2 (argon2-cffi), and the rules a new password must meet.

No Flask here. The web app and the command line choose a *profile*: ``default``
(argon2-cffi's own RFC 9106 settings) for real use, ``test`` for a fast, weak
hash that only the test suite may use.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: Long enough to resist guessing; three random words pass easily (NCSC's advice).
MIN_LENGTH = 10
#: Hashing is deliberately slow, so refuse absurdly long input.
MAX_LENGTH = 256

PROFILES = ("default", "test")


@cache
def hasher(profile: str = "default") -> PasswordHasher:
    if profile == "default":
        return PasswordHasher()
    if profile == "test":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    raise ValueError(f"unknown password hashing profile {profile!r}; use one of {', '.join(PROFILES)}")


def hash_password(password: str, using: PasswordHasher | None = None) -> str:
    return (using or hasher()).hash(password)


def verify_password(password_hash: str | None, password: str, using: PasswordHasher | None = None) -> bool:
    """True when the password matches. A missing or damaged hash never matches."""
    ph = using or hasher()
    if not password_hash:
        # Spend the same time as a real check, so timing does not say whether an account exists.
        _dummy_verify(ph, password)
        return False
    try:
        return ph.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, using: PasswordHasher | None = None) -> bool:
    try:
        return (using or hasher()).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash("not a real password, only for timing")


def _dummy_verify(ph: PasswordHasher, password: str) -> None:
    try:
        ph.verify(_dummy_hash(ph), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def password_problems(password: str, email: str | None = None) -> list[str]:
    """Codes for what is wrong with a new password (empty when it is acceptable).

    ``too_short``, ``too_long`` or ``is_email``. Callers turn the codes into words.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("is_email")
    return problems
