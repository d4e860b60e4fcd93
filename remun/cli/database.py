"""``remun migrate``, ``remun downgrade`` and ``remun db roles``: the database itself."""

from __future__ import annotations

import sys

import click

from remun.config import database_url
from remun.database import downgrade as downgrade_database, upgrade as upgrade_database


@click.command("migrate")
def migrate() -> None:
    """Bring the database up to date (safe to run at any time)."""
    from remun.ledger.keys import ensure_ledger_key

    upgrade_database(database_url())
    made = ensure_ledger_key()
    click.echo("The database is up to date.")
    if made is not None:
        click.echo(f"The ledger key is in {made}: keep a copy somewhere safe, apart from database backups.")


@click.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Take the database back to an earlier REVISION (for example base)."""
    downgrade_database(database_url(), revision)
    click.echo(f"The database is now at {revision}.")


@click.group("db")
def db_group() -> None:
    """The database itself: least-privilege roles for PostgreSQL."""


@db_group.command("roles")
@click.option("--owner", default="remun_owner", show_default=True, help="The role that owns the tables and migrates.")
@click.option("--app", "app_role", default="remun_app", show_default=True, help="The role the app runs as.")
@click.option("--create", is_flag=True, help="Also print (or apply) CREATE ROLE for both (needs a superuser).")
@click.option("--apply", "apply_", is_flag=True, help="Run the SQL on REMUN_DATABASE_URL instead of printing it.")
def db_roles(owner: str, app_role: str, create: bool, apply_: bool) -> None:
    """The SQL that gives the app a role that owns nothing and cannot change ledger rows."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from remun.db_roles import create_roles_sql, grants_sql

    url = database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        click.echo("Database roles are for PostgreSQL; REMUN_DATABASE_URL is not a PostgreSQL database.", err=True)
        sys.exit(1)
    try:
        statements = (create_roles_sql(owner, app_role) if create else []) + grants_sql(owner, app_role,
                                                                                          parsed.database or "")
    except ValueError as problem:
        click.echo(str(problem), err=True)
        sys.exit(1)
    if not apply_:
        for statement in statements:
            click.echo(statement + ";")
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()
    click.echo(f"Applied {len(statements)} statements: {app_role} can use Remun but not change its ledger rows.")


def register(cli: click.Group) -> None:
    """Add `remun migrate`, `remun downgrade`, `remun db` to the command line (remun/cli/main.py calls this)."""
    cli.add_command(migrate)
    cli.add_command(downgrade)
    cli.add_command(db_group)
