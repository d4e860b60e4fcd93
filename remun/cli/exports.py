"""Export commands: ``remun export`` (the finance workbook, and the Ledger as CSV) and
``remun batch export`` (a payment batch file).

Registered with the others in remun/cli/main.py; ``batch export`` joins the
``batch`` group that remun/cli/ledger.py defines. Headings are in English
(the app's default locale) unless ``--locale`` says otherwise.
"""

from __future__ import annotations

import contextlib
import getpass
import socket
import sys
from functools import partial
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from remun.exports import operations as export_operations

DATE = click.DateTime(["%Y-%m-%d"])


def _session():
    from remun.web.extensions import db

    return db.session


def _who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001  (no login name in some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()} (remun export)"


@contextlib.contextmanager
def _english_headings(locale: str):
    """flask_babel's gettext outside a request: the app context with a forced locale."""
    from flask_babel import force_locale

    with force_locale(locale):
        yield


def _context(locale: str):
    from flask_babel import gettext

    from remun.exports import ExportContext

    return ExportContext(made_by=_who(), locale=locale, gettext=gettext)


def _recorded(operation, *args, **detail) -> None:
    """Record the export in the audit log through its operation, as the pages do (no user: the command line)."""
    session = _session()
    operation(session, None, *args, **detail)
    session.commit()


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the finance workbook (.xlsx).")
@click.option("--project", "project_names", multiple=True, help="A project's name (repeat for several; all when left out).")
@click.option("--from", "date_from", type=DATE, help="First day of postings to include (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Last day of postings to include (YYYY-MM-DD).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the Ledger sheet as CSV (UTF-8 with a byte-order mark) to this file.")
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True,
              help="Between CSV fields: ';' for spreadsheets that write decimals with a comma.")
@click.option("--locale", default="en_GB", show_default=True, help="Number, date and currency formats (a Babel locale).")
@with_appcontext
def export(out: Path | None, project_names: tuple[str, ...], date_from, date_to, csv_path: Path | None,
           delimiter: str, locale: str) -> None:
    """Write the finance workbook (and optionally the Ledger as CSV) for some or all projects."""
    from remun.cli.common import project_named as _project_named
    from remun.exports import ExportFilters, ExportTooLarge
    from remun.exports import queries
    from remun.exports.csv_export import write_ledger_csv
    from remun.exports.finance_workbook import write_finance_workbook

    if out is None and csv_path is None:
        raise click.UsageError("Say where to write the export: --out FILE.xlsx, --csv FILE.csv, or both.")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise click.UsageError("The workbook's name must end in .xlsx.")
    try:
        filters = ExportFilters(
            project_ids=tuple(_project_named(name).id for name in project_names) if project_names else None,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
        )
    except ValueError:
        raise click.UsageError("The --from date must be on or before the --to date.") from None
    session = _session()
    with _english_headings(locale):
        context = _context(locale)
        total = queries.count_postings(session, filters)
        if out is not None:
            with click.progressbar(length=max(total, 1), label="Writing the workbook", show_pos=True,
                                   file=sys.stderr) as bar:
                seen = 0

                def advance(done: int, _total: int) -> None:
                    nonlocal seen
                    bar.update(done - seen)
                    seen = done

                try:
                    result = write_finance_workbook(session, str(out), filters, context,
                                                    rate_book=current_app.extensions.get("remun.rates"),
                                                    progress=advance)
                except ExportTooLarge as problem:
                    _fail(f"{problem.rows:,} postings is more than one sheet can hold (1,048,575). "
                          "Choose fewer projects or a shorter date range.")
            click.echo(f"Wrote {result.postings:,} postings to {out}.")
            for line in result.totals:
                click.echo(f"  {line.currency}: debits {line.debits:,.2f}, credits {line.credits:,.2f}")
        if csv_path is not None:
            with click.progressbar(length=max(total, 1), label="Writing the CSV", show_pos=True,
                                   file=sys.stderr) as bar:
                seen = 0

                def advance_csv(done: int, _total: int) -> None:
                    nonlocal seen
                    bar.update(done - seen)
                    seen = done

                write_ledger_csv(session, str(csv_path), filters, context, delimiter=delimiter,
                                 progress=advance_csv, total=total)
            click.echo(f"Wrote the Ledger as CSV to {csv_path}.")
    session.rollback()  # end the read transaction, then log the export (personal data left Remun)
    _recorded(export_operations.ledger_exported, project_ids=filters.project_ids, date_from=filters.date_from,
              date_to=filters.date_to, formats=[fmt for fmt, path in (("xlsx", out), ("csv", csv_path)) if path])


@click.command("export")
@click.argument("batch_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx or FILE.csv: without --format, the format follows the name.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "xero", "ledger-csv"]),
              help="xlsx or csv: the payment file; xero: Xero's bill import CSV; ledger-csv: a plain "
                   "purchase-ledger CSV for Sage and other systems.")
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True, help="Between CSV fields.")
@click.option("--locale", default="en_GB", show_default=True, help="Number, date and currency formats (a Babel locale).")
@with_appcontext
def batch_export(batch_id: int, out: Path, fmt: str | None, delimiter: str, locale: str) -> None:
    """Write a payment batch's file for finance to upload: the same batch gives the same file every time."""
    from remun.exports.accounting import batch_bills
    from remun.exports.batch_file import write_batch_file

    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv", "xero", "ledger-csv"):
        raise click.UsageError("The file's name must end in .xlsx or .csv, or say --format.")
    if fmt in ("xero", "ledger-csv"):
        with _english_headings(locale):
            _write_accounting(lambda: batch_bills(_session(), batch_id, _context(locale)), out, fmt,
                              f"There is no batch {batch_id}.", partial(export_operations.batch_exported, batch_id=batch_id))
        return
    session = _session()
    with _english_headings(locale):
        options = {"delimiter": delimiter} if fmt == "csv" else {}
        facts = write_batch_file(session, batch_id, str(out), _context(locale), fmt, **options)
    session.rollback()
    if facts is None:
        _fail(f"There is no batch {batch_id}.")
    _recorded(export_operations.batch_exported, batch_id, fmt)
    click.echo(f"Wrote batch {batch_id} ({len(facts.payees)} payees, {facts.total:,.2f} {facts.currency}) to {out}.")


def _write_accounting(make, out: Path, fmt: str, not_found: str, log_export) -> None:
    """Write an accounting import file (numbered files when Xero's 500 bills a file would be passed), then log it."""
    from remun.exports.accounting import accounting_files
    from remun.organisation.accounting import AccountingSettingsMissing, missing_message

    if out.suffix.lower() != ".csv":
        raise click.UsageError("The file's name must end in .csv.")
    try:
        bills = make()
    except AccountingSettingsMissing as problem:
        _session().rollback()
        _fail(missing_message(problem.missing))
    _session().rollback()
    if bills is None:
        _fail(not_found)
    files = accounting_files(bills, fmt)
    if len(files) == 1:
        out.write_bytes(files[0].data)
        written = [out]
    else:  # FILE-1.csv, FILE-2.csv, ...
        written = [out.with_name(f"{out.stem}-{number}{out.suffix}") for number in range(1, len(files) + 1)]
        for path, file in zip(written, files):
            path.write_bytes(file.data)
    _recorded(log_export, file_format=fmt, files=len(files))
    click.echo(f"Wrote {bills.bills} bills ({len(bills.lines)} lines, {bills.total:,.2f} {bills.currency}) "
               f"to {written[0]}.")
    if len(written) > 1:
        click.echo(f"Xero imports at most 500 bills from one file, so they are split into {len(written)} files: "
                   + ", ".join(str(path) for path in written) + ". Import each of them.")


@click.command("export-in-kind")
@click.option("--project", "project_name", required=True, help="The project's name.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.csv")
@click.option("--format", "fmt", type=click.Choice(["xero", "ledger-csv"]), required=True,
              help="xero: Xero's bill import CSV; ledger-csv: a plain purchase-ledger CSV.")
@click.option("--from", "date_from", type=DATE, help="First day given to include (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Last day given to include (YYYY-MM-DD).")
@click.option("--locale", default="en_GB", show_default=True, help="The language of the descriptions (a Babel locale).")
@with_appcontext
def in_kind_export(project_name: str, out: Path, fmt: str, date_from, date_to, locale: str) -> None:
    """Write what a project gave in kind (vouchers bought, training booked, donations made) as bills to import."""
    from remun.cli.common import project_named
    from remun.exports.accounting import in_kind_bills

    project = project_named(project_name)
    with _english_headings(locale):
        _write_accounting(lambda: in_kind_bills(_session(), project, _context(locale),
                                                date_from=date_from.date() if date_from else None,
                                                date_to=date_to.date() if date_to else None),
                          out, fmt, "", partial(export_operations.in_kind_exported, project_id=project.id))


def register(group: click.Group) -> None:
    """``remun export``, and ``remun batch export`` in the ledger's ``batch`` group."""
    group.add_command(export)
    batch = group.commands.get("batch")
    if isinstance(batch, click.Group):
        batch.add_command(batch_export)
        batch.add_command(in_kind_export)
    else:  # the ledger commands are not there: still offer it
        group.add_command(batch_export, "batch-export")
        group.add_command(in_kind_export, "batch-export-in-kind")
