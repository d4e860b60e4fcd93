"""Operations commands: ``remun backup``, ``remun restore`` and ``remun checks run``.

Registered by one line at the end of remun/cli/main.py. The work is in remun/upkeep
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
    from remun.upkeep.backup import BackupProblem, make_backup

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
    from remun.upkeep.backup import BackupProblem, check_restored, restore_backup, restored_session
    from remun.upkeep.readiness import newest_migration

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


@click.group("checks")
def checks() -> None:
    """Scheduled checks, for cron or systemd timers (deploy/, docs/operations.md)."""


@checks.command("run")
@click.argument("name", type=click.Choice(["verify", "rates", "cleanup"]))
@with_appcontext
def checks_run(name: str) -> None:
    """Run one check: verify (nightly), rates (daily) or cleanup (daily).

    The result is logged as one JSON line, kept for the metrics, and a failure is emailed to the
    administrators when a mail server is configured. Exits 1 when the check fails.
    """

    from flask import current_app

    from remun.config import instance_path
    from remun.upkeep import checks as operations_checks

    session = _session()
    try:
        if name == "verify":
            result = _run_verify()
        elif name == "rates":
            from remun.pay.rate_review import today as review_day

            result = _run_rates(review_day())
        else:
            result = operations_checks.cleanup(session)
            session.commit()
    except Exception as error:  # noqa: BLE001  (a check that breaks is a failed check, counted and reported)
        session.rollback()
        reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]
        result = operations_checks.CheckResult(name, False, f"the check itself failed: {type(error).__name__}: {reason}")
    operations_checks.record_result(operations_checks.status_path(instance_path()), result)
    if result.ok:
        click.echo(f"{name}: passed. {result.summary}")
        return
    click.echo(f"{name}: FAILED. {result.summary}", err=True)
    _tell_administrators(current_app, result)
    sys.exit(1)


def _session():
    from remun.web.extensions import db

    return db.session


def _run_verify():
    """`remun verify` itself, so whatever it checks and records (such as ledger checkpoints) happens here too."""
    import contextlib
    import io

    from remun.upkeep.checks import CheckResult

    verify_command = click.get_current_context().find_root().command.get_command(click.get_current_context(), "verify")
    output, errors = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
        try:
            click.get_current_context().invoke(verify_command)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    said = (output.getvalue() + errors.getvalue()).strip()
    return CheckResult("verify", code == 0, said or f"remun verify exited {code}")


def _run_rates(today):
    from remun.upkeep.checks import CheckResult

    from remun.pay.rate_review import overdue_cards
    from flask import current_app

    from remun.organisation.rate_figures import book_in_use

    # The cards as in use: an organisation's own new figure means the card is no longer overdue.
    overdue = overdue_cards(today, book_in_use(_session(), current_app.extensions["remun.rates"], only_if_migrated=True))
    if overdue:
        return CheckResult("rates", False, (f"{len(overdue)} rate cards are overdue for review" if len(overdue) != 1
                                           else "1 rate card is overdue for review") + ": run remun rates check",
                           {"overdue": len(overdue)})
    return CheckResult("rates", True, "no rate card is overdue for review", {"overdue": 0})


def _tell_administrators(app, result) -> None:
    """Email the failure to every active administrator, when a mail server is configured (REMUN_SMTP_HOST)."""
    from remun.accounts import mail
    from remun.upkeep.checks import administrators_to_tell

    settings = app.extensions.get("remun.smtp")
    if settings is None:
        return
    body = (f"The scheduled check `{result.check}` failed on Remun.\n\n{result.summary}\n\n"
            "See docs/operations.md for what to do next.\n")
    try:
        addresses = administrators_to_tell(_session())
    except Exception as error:  # noqa: BLE001  (the database may be what failed)
        _session().rollback()
        app.logger.error("Could not find the administrators to email about the failed check: %s", error)
        click.echo("The failure could not be emailed: the administrators' addresses could not be read.", err=True)
        return
    for address in addresses:
        try:
            mail.send(settings, address, f"Remun: the {result.check} check failed", body)
        except mail.MailProblem as problem:
            app.logger.error("Could not email %s about the failed check: %s", "an administrator", problem)
            click.echo("The failure could not be emailed (see the log).", err=True)
            return
    click.echo("The administrators have been emailed.", err=True)


COMMANDS = [backup, restore, checks]


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
