"""Where Remun finds its database, secret key and rate cards.

Settings come from the environment so the same code runs in development,
tests and production. Nothing secret is written in the code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: The project folder (an editable install keeps rates/, templates/ and migrations/ here).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
DEFAULT_RATES_DIR = PROJECT_ROOT / "rates"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
TEMPLATES_DIR = PROJECT_ROOT / "templates"


def instance_path() -> Path:
    return Path(os.environ.get("REMUN_INSTANCE_PATH", DEFAULT_INSTANCE))


class DatabaseUrlProblem(ValueError):
    """REMUN_DATABASE_URL cannot be used; the message says why in one sentence."""


def database_url() -> str:
    """REMUN_DATABASE_URL (any SQLAlchemy URL), else an SQLite file in instance/."""
    url = os.environ.get("REMUN_DATABASE_URL")
    if url:
        check_database_url(url)
        return url
    return f"sqlite:///{instance_path() / 'remun.sqlite3'}"


def check_database_url(url: str) -> None:
    """Refuse a URL that is not one, or names no server and no database (it would quietly use a default)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlProblem("REMUN_DATABASE_URL is not a database address (it should look like "
                                 "postgresql+psycopg://user@host/remun).") from None
    if parsed.get_backend_name() != "sqlite" and not parsed.host and not parsed.database:
        raise DatabaseUrlProblem(f"REMUN_DATABASE_URL ({url}) names no database server and no database; "
                                 "give both, for example postgresql+psycopg://user@host/remun.")


def rates_dir() -> Path:
    return Path(os.environ.get("REMUN_RATES_DIR", DEFAULT_RATES_DIR))


def secret_key(folder: Path | None = None) -> str:
    """REMUN_SECRET_KEY, else a key generated once into instance/secret_key.

    Generated keys stay on the machine that made them; several servers behind
    a load balancer must share one through the environment.
    """
    from_env = os.environ.get("REMUN_SECRET_KEY")
    if from_env:
        return from_env
    folder = folder or instance_path()
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created readable by the owner only, and never overwritten if another process won the race.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
