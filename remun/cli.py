"""The ``remun`` command line.

Each command calls the same domain code as the web pages. Problems are
reported in plain words with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from remun import create_app
from remun.config import database_url
from remun.database import downgrade as downgrade_database
from remun.database import upgrade as upgrade_database
from remun.rates import RateBook, RateCardError


def _rates() -> RateBook:
    return current_app.extensions["remun.rates"]


def _session():
    from remun.web.extensions import db

    return db.session


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False)
def cli() -> None:
    """Remun: fair pay for co-production. Run `remun COMMAND --help` for any command."""


@cli.command("migrate")
def migrate() -> None:
    """Bring the database up to date (safe to run at any time)."""
    upgrade_database(database_url())
    click.echo("The database is up to date.")


@cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Take the database back to an earlier REVISION (for example base)."""
    downgrade_database(database_url(), revision)
    click.echo(f"The database is now at {revision}.")


@cli.command("rates")
@click.option("--all", "show_all", is_flag=True, help="List every figure, not only the ones in force today.")
@with_appcontext
def rates(show_all: bool) -> None:
    """List the rate cards that are loaded, with each figure's dates and status."""
    import datetime as dt

    book = _rates()
    today = dt.date.today()
    for source in book.sources.values():
        click.echo(f"{source.name} ({source.publisher}) — {source.url}")
        for entry in book.entries():
            if entry.source.id != source.id or not (show_all or entry.in_force(today)):
                continue
            until = entry.effective_to.isoformat() if entry.effective_to else "now"
            click.echo(
                f"  {entry.ref:45} {entry.amount:>10} per {entry.per:8} "
                f"{entry.effective_from.isoformat()} to {until:10}  {entry.status}"
            )
    click.echo(f"{len(book.sources)} sources, {len(book.entries())} figures.")


@cli.command("template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template(path: Path) -> None:
    """Write a blank workbook to fill in and import."""
    from remun.workbook.template import write_template

    write_template(path)
    click.echo(f"Wrote the blank workbook to {path}.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Import a project from a workbook, all of it or nothing."""
    from remun.workbook.importer import ImportFailed, import_workbook

    session = _session()
    try:
        summary = import_workbook(session, path, _rates())
    except ImportFailed as failure:
        session.rollback()
        click.echo(f"Nothing was imported. Fix these {len(failure.problems)} problems and try again:", err=True)
        for problem in failure.problems:
            where = ", ".join(
                part for part in (
                    f"sheet {problem.sheet}" if problem.sheet else "",
                    f"row {problem.row}" if problem.row else "",
                    f"column {problem.column}" if problem.column else "",
                ) if part
            )
            click.echo(f"  {where}: {problem.text}" if where else f"  {problem.text}", err=True)
        sys.exit(1)
    session.commit()
    for line in summary.lines():
        click.echo(line)


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo project (does nothing if it is already there)."""
    from remun.demo import load_demo

    session = _session()
    project = load_demo(session, _rates())
    session.commit()
    click.echo(f"The demo project “{project.name}” is ready.")


def main() -> None:
    try:
        cli.main(prog_name="remun")
    except RateCardError as problem:
        click.echo(f"Remun cannot start: a rates file has a problem.\n  {problem}", err=True)
        sys.exit(2)
