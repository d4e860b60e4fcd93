"""Operations commands: ``remun backup``, ``remun restore`` and ``remun checks run``.

Registered by one line at the end of remun/cli.py. The work is in remun/operations
(no Flask); these stay thin. docs/operations.md says when and how to run them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (for example /var/backups/remun/remun-2026-12-07.tar.gz).")
def backup(out: Path) -> None:
    """Back up the database and the receipts into one file (safe while Remun is running).

    The secret key, ledger key and ledger checkpoints are not in it: keep them apart (docs/operations.md).
    """
    from remun.config import database_url, instance_path
    from remun.operations.backup import BackupProblem, make_backup

    try:
        manifest = make_backup(database_url(), instance_path(), out)
    except BackupProblem as problem:
        click.echo(f"No backup was made. {problem}", err=True)
        sys.exit(1)
    head = "an empty ledger" if not manifest.ledger_sequence else f"ledger transaction {manifest.ledger_sequence}"
    click.echo(f"Backed up the {manifest.database} database (up to {head}) and {manifest.receipts} receipts to {out}.")
    click.echo("Not in the backup, keep them apart: the secret key, the ledger key and the ledger checkpoints.")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(backup_file: Path) -> None:
    """Restore a backup into a new, empty database, then check nothing is missing.

    Exits 1 when the restored ledger fails `remun verify`, is behind the latest checkpoint, or a receipt is missing.
    """
    from remun.config import database_url, instance_path
    from remun.ledger.checkpoints import checkpoint_path
    from remun.operations.backup import (BackupProblem, check_restored, newest_migration, restore_backup,
                                         restored_session)

    url = database_url()
    try:
        manifest = restore_backup(backup_file, url, instance_path())
    except BackupProblem as problem:
        click.echo(f"Nothing was restored. {problem}", err=True)
        sys.exit(1)
    with restored_session(url) as session:
        report = check_restored(session, instance_path(), manifest, checkpoint_path(instance_path()),
                                newest_migration())
    for line in report.lines:
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.complete:
        click.echo("The data in the backup is restored, but it is NOT complete: see above.", err=True)
        sys.exit(1)
    click.echo("The restore is complete.")


COMMANDS = [backup, restore]


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
