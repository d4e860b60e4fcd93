"""``remun template`` and ``remun import``: the project workbook, blank and filled in."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from remun.cli.common import rate_book as _rates, session as _session


@click.command("template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template(path: Path) -> None:
    """Write a blank workbook to fill in and import."""
    from remun.imports.template import write_template

    write_template(path)
    click.echo(f"Wrote the blank workbook to {path}.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Import a project from a workbook, all of it or nothing."""
    from remun.imports.importer import ImportFailed, import_workbook

    session = _session()
    try:
        summary = import_workbook(session, path, _rates())
    except ImportFailed as failure:
        session.rollback()
        total = len(failure.problems) + failure.more
        click.echo(f"Nothing was imported. Fix these {total} problems and try again:", err=True)
        for problem in failure.problems:
            where = ", ".join(
                part for part in (
                    f"sheet {problem.sheet}" if problem.sheet else "",
                    f"row {problem.row}" if problem.row else "",
                    f"column {problem.column}" if problem.column else "",
                ) if part
            )
            click.echo(f"  {where}: {problem.text}" if where else f"  {problem.text}", err=True)
        if failure.more:
            click.echo(f"  ...and {failure.more} more: fix these first, then import again to see the rest.", err=True)
        sys.exit(1)
    from remun.ledger.claims import sync_claims

    from remun.ledger.posting import ClaimDecided

    try:
        sync_claims(session, _rates(), project_id=summary.project_id)  # attendance becomes claims
    except ClaimDecided:
        session.rollback()
        click.echo("Nothing was imported: a claim for attendance in this workbook was approved while it was being "
                   "imported. Import it again; approved attendance cannot be changed without reversing it first.",
                   err=True)
        sys.exit(1)
    session.commit()
    for line in summary.lines():
        click.echo(line)


def register(cli: click.Group) -> None:
    """Add `remun template`, `remun import` to the command line (remun/cli/main.py calls this)."""
    cli.add_command(template)
    cli.add_command(import_command)
