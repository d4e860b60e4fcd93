"""What to tell a person when the database cannot be used: one plain sentence, no traceback."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from remun import config

BUSY_CODES = {"55P03", "57014", "40P01"}  # lock_not_available, query_canceled, deadlock_detected


def is_busy(error: BaseException) -> bool:
    """True when the database gave up waiting for someone else's change (not a fault in the data)."""
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in BUSY_CODES or "database is locked" in str(original or error)


def _where() -> str:
    try:
        return make_url(config.database_url()).render_as_string(hide_password=True)
    except Exception:  # the URL itself is the problem
        return "REMUN_DATABASE_URL"


def unreachable_message(error: BaseException) -> str:
    if is_busy(error):
        return ("Someone else is changing the ledger and the command gave up waiting; nothing was changed, "
                "so try again in a moment.")
    if type(error).__name__ == "NoSuchModuleError":
        return (f"Remun does not know the kind of database in REMUN_DATABASE_URL ({_where()}); use "
                "postgresql+psycopg://user@host/remun or sqlite:///path/to/remun.sqlite3.")
    return (f"Remun could not connect to the database at {_where()}: check that it is running and that "
            "REMUN_DATABASE_URL is right.")
