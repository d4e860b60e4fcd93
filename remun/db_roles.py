"""Least privilege on PostgreSQL: an owner role for migrations and an app role that owns nothing.

The app role can read and write what the app writes, but cannot change or remove ledger
rows, the audit log or closed months (no UPDATE, DELETE or TRUNCATE on them), and, owning
no table, cannot switch a table's triggers off or change its definition. Migrations run
as the owner (`REMUN_DATABASE_URL` of the owner for `remun migrate`); the web server and
commands run as the app role. `remun db roles` prints this SQL (or applies it with --apply).
"""

from __future__ import annotations

import re

#: Rows that are only ever added: the app role may insert and read them, never change or remove them.
APPEND_ONLY_TABLES = ("ledger_transactions", "postings", "audit_events", "closed_periods")

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a plain role name (lower-case letters, digits and _)")
    return name


def create_roles_sql(owner: str, app: str) -> list[str]:
    """Run once by a superuser: the two roles (set their passwords afterwards with \\password)."""
    owner, app = _checked(owner), _checked(app)
    return [
        f"CREATE ROLE {owner} LOGIN",
        f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
    ]


def grants_sql(owner: str, app: str, database: str) -> list[str]:
    """Run by the owner after `remun migrate` (and again after any migration that adds tables)."""
    owner, app = _checked(owner), _checked(app)
    database = database.replace('"', '""')
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO {app}',
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"REVOKE CREATE ON SCHEMA public FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM {app}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {app}",
    ]
    return statements
