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

from remun import cli_exports, cli_jobs, cli_ledger, cli_operations, cli_papers, cli_rates, create_app
from remun.cli_common import project_named
from remun.config import database_url
from remun.database import downgrade as downgrade_database
from remun.database import upgrade as upgrade_database
from remun.rates import RateBook, RateCardError
from remun.reciprocity import cli as reciprocity_cli


def _rates() -> RateBook:
    """The shipped rate cards with the organisation's own figures laid over them."""
    from remun.organisation.rate_figures import book_in_use

    return book_in_use(_session(), current_app.extensions["remun.rates"], only_if_migrated=True)


def _session():
    from remun.web.extensions import db

    return db.session


@click.group(cls=FlaskGroup, create_app=lambda: create_app({"REMUN_TIMEOUTS": "command"}), add_version_option=False)
def cli() -> None:
    """Remun: fair pay for co-production. Run `remun COMMAND --help` for any command."""


@cli.command("migrate")
def migrate() -> None:
    """Bring the database up to date (safe to run at any time)."""
    from remun.ledger.keys import ensure_ledger_key

    upgrade_database(database_url())
    made = ensure_ledger_key()
    click.echo("The database is up to date.")
    if made is not None:
        click.echo(f"The ledger key is in {made}: keep a copy somewhere safe, apart from database backups.")


@cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Take the database back to an earlier REVISION (for example base)."""
    downgrade_database(database_url(), revision)
    click.echo(f"The database is now at {revision}.")


@cli.group("rates", invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="List every figure, not only the ones in force today.")
@click.pass_context
@with_appcontext
def rates(context: click.Context, show_all: bool) -> None:
    """List the rate cards that are loaded, with each figure's dates and status."""
    import datetime as dt

    if context.invoked_subcommand is not None:
        return
    book = _rates()
    today = dt.date.today()
    for source in book.sources.values():
        click.echo(f"{source.name} ({source.publisher}) — {source.url}")
        for entry in book.entries():
            if entry.source.id != source.id or not (show_all or entry.in_force(today)):
                continue
            until = entry.effective_to.isoformat() if entry.effective_to else "now"
            origin = f"  added by your organisation on {entry.added_on.isoformat()}" if entry.added_by_organisation else ""
            click.echo(
                f"  {entry.ref:45} {entry.amount:>10} per {entry.per:8} "
                f"{entry.effective_from.isoformat()} to {until:10}  {entry.status}{origin}"
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


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo project (does nothing if it is already there)."""
    from remun.demo import load_demo
    from remun.ledger.demo import load_demo_ledger
    from remun.reciprocity.demo import record_demo_changes_of_mind, record_demo_choices

    from remun.config import instance_path
    from remun.demo_accounts import ensure_demo_accounts

    session = _session()
    project = load_demo(session, _rates())
    session.flush()
    record_demo_choices(session, project)
    load_demo_ledger(session, _rates(), project)
    record_demo_changes_of_mind(session)
    from remun.budget.demo import load_demo_budget

    load_demo_budget(session, project)  # so "Budgets" shows a plan against actual
    session.flush()
    accounts = ensure_demo_accounts(session, project, instance_path(), using=_hasher())
    session.commit()
    click.echo(f"The demo project “{project.name}” is ready.")
    if accounts:
        click.echo(f"Sign in with one of these demo accounts (kept in {instance_path()}/demo-accounts.txt):")
        for account in accounts:
            click.echo(f"  {account.email:32} {account.password:18} {account.what}")


def _project_named(name: str):
    return project_named(name)


@cli.command("parity")
@click.option("--project", "project_name", required=True, help="The project's name.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--date", "on_date", type=click.DateTime(["%Y-%m-%d"]), help="Pay terms in force on this date (YYYY-MM-DD).")
@with_appcontext
def parity(project_name: str, as_json: bool, on_date) -> None:
    """Compare pay for equal roles in a project, counting preparation and travel."""
    import json

    from remun.parity_report import project_parity, report_as_json

    project = _project_named(project_name)
    report = project_parity(_session(), project.id, _rates(), on_date.date() if on_date else None,
                            threshold=current_app.config.get("REMUN_PAY_GAP_THRESHOLD", 10))
    if as_json:
        click.echo(json.dumps(report_as_json(report), indent=2, ensure_ascii=False))
        return
    click.echo(_parity_table(report))


def _parity_table(report) -> str:
    from remun.money import round_money

    def money(value) -> str:
        return "-" if value is None else f"{round_money(value):,.2f}"

    lines = [f"Pay parity: {report.project_name}, terms in force on {report.on_date.isoformat()}",
             f"How pay is compared: {report.basis.sentence()}"]
    if report.living_wage is not None:
        lines.append(f"Real Living Wage that day: {money(report.living_wage)} an hour ({report.currency})")
        entry = report.living_wage_entry
        if entry is not None and entry.added_by_organisation:
            lines.append(f"  (added by your organisation on {entry.added_on.isoformat()}, from {entry.url})")
    if report.living_wage_window is not None:
        from remun.parity_report import living_wage_window_message

        lines.append(living_wage_window_message(report.living_wage_window))
    for card in report.stale_rates:
        lines.append(f"WARNING: {card.message()}")
    for group in report.groups:
        lines.append("")
        lines.append(f"{group.name}")
        lines.append(f"  {'Role':34} {'Hours':>6} {'Per session':>12} {'Per hour':>9} {'Gap %':>6}  Status")
        for role in group.roles:
            if role.is_comparator:
                status = "comparator"
            elif role.parity is True:
                status = "at parity"
            elif role.parity is False:
                status = "BELOW PARITY"
            else:
                status = "not compared"
            if role.below_living_wage:
                status += ", below Real Living Wage"
            gap = "-" if role.gap_percent is None else str(role.gap_percent)
            lines.append(
                f"  {role.offer.title[:34]:34} {role.hours_given:>6} {money(role.pay_per_session):>12} "
                f"{money(role.effective_hourly_rate):>9} {gap:>6}  {status}"
            )
        if group.comparator is None:
            lines.append("  No clinical or professional role to compare with.")
    if report.by_role:
        lines.append("")
        lines.append("From the ledger (approved claims; declined is the person's choice, never a gap)")
        lines.append(f"  {'Role':34} {'Offered/h':>9} {'Due':>10} {'Paid/given':>11} {'Per hour':>9} {'Gap %':>6} "
                     f"{'Declined':>10}")
        for role in report.by_role:
            gap_paid = "-" if role.parity.gap_percent is None else str(role.parity.gap_percent)
            lines.append(
                f"  {role.title[:34]:34} {money(role.offered_rate):>9} {money(role.due):>10} "
                f"{money(role.paid_or_given):>11} {money(role.parity.hourly_rate):>9} {gap_paid:>6} "
                f"{money(role.declined):>10}"
            )
    gap = report.pay_gap
    lines.append("")
    if gap is None or gap.withheld:
        lines.append(f"Pay gap: withheld (fewer than {gap.threshold if gap else 10} people on one side).")
    else:
        lines.append(f"Pay gap: mean {gap.mean_gap_percent}%, median {gap.median_gap_percent}%.")
    return "\n".join(lines)


# --- Commands kept in their own modules: registered here, the one place (none registers itself) ---

cli_ledger.register(cli)  # approve, batch, settle, balances, close, verify
cli_exports.register(cli)  # `remun export`; `remun batch export` joins the ledger's `batch` group, so after it
reciprocity_cli.register(cli)  # `remun thanks`
cli_operations.register(cli)  # `remun backup`, `remun restore`, `remun checks`
cli_rates.register(rates)  # `remun rates check`, `add`, `end`, `withdraw`
cli_papers.register(cli)  # `remun settings`, `remun statement`
cli_jobs.register(cli)  # `remun worker`


# --- Accounts -------------------------------------------------------------------------------------

ACCOUNT_PROBLEMS = {
    "bad_email": "That is not an email address.",
    "email_taken": "There is already an account with this email address.",
    "bad_role": "The role must be one of admin, lead, finance or participant.",
    "person_needed": "A participant needs --person-id: the id of their record on the People page.",
    "unknown_person": "There is no person with that id.",
    "person_taken": "That person already has an account.",
    "unknown_project": "There is no project with that name.",
    "inactive": "That account is deactivated.",
    "weak_password": "The password is too weak",
}


def _account_problem(problem) -> None:
    message = ACCOUNT_PROBLEMS.get(problem.code, problem.code)
    if problem.code == "weak_password":
        from remun.accounts.passwords import MAX_LENGTH, MIN_LENGTH

        reasons = {"too_short": f"it must be at least {MIN_LENGTH} characters",
                   "too_long": f"it must be {MAX_LENGTH} characters or fewer",
                   "is_email": "it must not be the email address"}
        message += ": " + "; ".join(reasons[code] for code in problem.details) + "."
    click.echo(message, err=True)
    sys.exit(1)


def _hasher():
    from remun.accounts.passwords import hasher

    return hasher(current_app.config.get("REMUN_ARGON2_PROFILE", "default"))


def _link(purpose, token: str, base_url: str) -> str:
    from flask import url_for

    from remun.web.auth import LINK_ENDPOINTS

    with current_app.test_request_context():
        path = url_for(LINK_ENDPOINTS[purpose], token=token)
    return base_url.rstrip("/") + path


def _email_link(user, link, url: str) -> None:
    """Also email the link when a mail server is configured (REMUN_SMTP_HOST)."""
    from remun.web.auth import email_link

    with current_app.test_request_context():
        emailed = email_link(user, link, url)
    if emailed:
        click.echo(f"It has also been emailed to {user.email}.")
    elif emailed is False:
        click.echo("The email could not be sent (see the log); give them the link yourself.", err=True)


def _account(email: str):
    from remun.accounts.users import by_email

    user = by_email(_session(), email)
    if user is None:
        click.echo(f"There is no account for {email}.", err=True)
        sys.exit(1)
    return user


_role_option = click.option("--role", required=True, type=click.Choice(["admin", "lead", "finance", "participant"]),
                            help="What they may do.")
_project_option = click.option("--project", "projects", multiple=True, help="A project a lead leads (repeatable).")
_person_option = click.option("--person-id", type=int, help="A participant's record on the People page.")
_base_url_option = click.option("--base-url", envvar="REMUN_BASE_URL", default="http://127.0.0.1:5000",
                                show_default=True, help="Where people reach Remun (or set REMUN_BASE_URL).")


@cli.group("db")
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


@cli.group("user")
def user_group() -> None:
    """Accounts: create the first administrator, invite people, hand over reset links."""


@user_group.command("create")
@click.argument("email")
@_role_option
@_project_option
@_person_option
@with_appcontext
def user_create(email: str, role: str, projects: tuple[str, ...], person_id: int | None) -> None:
    """Create an account with a password (read from standard input when it is not a terminal)."""
    from remun.accounts.users import AccountProblem, create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    session = _session()
    try:
        create_user(session, email, role, password=password, person_id=person_id,
                    project_ids=[_project_named(name).id for name in projects], using=_hasher())
    except AccountProblem as problem:
        session.rollback()
        _account_problem(problem)
    session.commit()
    click.echo(f"Created the {role} account {email.strip().lower()}. They can sign in now.")


@user_group.command("invite")
@click.argument("email")
@_role_option
@_project_option
@_person_option
@_base_url_option
@with_appcontext
def user_invite(email: str, role: str, projects: tuple[str, ...], person_id: int | None, base_url: str) -> None:
    """Create an account without a password and print a personal link (14 days) to choose one."""
    from remun.accounts.models import TokenPurpose
    from remun.accounts.users import AccountProblem, create_user, issue_link

    session = _session()
    try:
        user = create_user(session, email, role, person_id=person_id,
                           project_ids=[_project_named(name).id for name in projects])
        link = issue_link(session, user, TokenPurpose.INVITATION)
    except AccountProblem as problem:
        session.rollback()
        _account_problem(problem)
    session.commit()
    click.echo(f"Give {user.email} this link. It works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    url = _link(TokenPurpose.INVITATION, link.token, base_url)
    click.echo(url)
    _email_link(user, link, url)


@user_group.command("reset-link")
@click.argument("email")
@_base_url_option
@with_appcontext
def user_reset_link(email: str, base_url: str) -> None:
    """Print a link (24 hours) for someone to choose a new password; an invitation if they have none yet."""
    from remun.accounts.models import TokenPurpose
    from remun.accounts.users import AccountProblem, issue_link

    session = _session()
    user = _account(email)
    purpose = TokenPurpose.PASSWORD_RESET if user.password_hash else TokenPurpose.INVITATION
    try:
        link = issue_link(session, user, purpose)
    except AccountProblem as problem:
        session.rollback()
        _account_problem(problem)
    session.commit()
    click.echo(f"Give {user.email} this link. It works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    url = _link(purpose, link.token, base_url)
    click.echo(url)
    _email_link(user, link, url)


@user_group.command("list")
@with_appcontext
def user_list() -> None:
    """List the accounts."""
    from sqlalchemy import select

    from remun.accounts.models import User

    for user in _session().scalars(select(User).order_by(User.email)):
        status = "active" if user.active else "deactivated"
        if user.active and not user.password_hash:
            status = "invited"
        click.echo(f"{user.email:40} {user.role.value:12} {status}")


def main() -> None:
    from sqlalchemy.exc import NoSuchModuleError, OperationalError

    from remun.config import DatabaseUrlProblem
    from remun.database_errors import unreachable_message

    try:
        cli.main(prog_name="remun")
    except RateCardError as problem:
        click.echo(f"Remun cannot start: a rates file has a problem.\n  {problem}", err=True)
        sys.exit(2)
    except DatabaseUrlProblem as problem:
        click.echo(str(problem), err=True)
        sys.exit(1)
    except (OperationalError, NoSuchModuleError) as problem:
        click.echo(unreachable_message(problem), err=True)
        sys.exit(1)
