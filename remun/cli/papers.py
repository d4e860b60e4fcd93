"""`remun settings show/set` (organisation settings) and `remun statement` (a person's tax year)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from remun.cli.common import session as _session


@click.group("settings")
def settings_group() -> None:
    """Organisation settings: how pay parity is compared, the tax-year threshold and more."""


@settings_group.command("show")
@with_appcontext
def settings_show() -> None:
    """List every organisation setting with its value (defaults included)."""
    from remun.parity.comparator_basis import basis_from_settings
    from remun.organisation.settings import all_settings

    for key, value in sorted(all_settings(_session()).items()):
        click.echo(f"{key} = {json.dumps(value)}")
    click.echo("")
    click.echo(f"How pay is compared: {basis_from_settings(_session()).sentence()}")


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@with_appcontext
def settings_set(key: str, value: str) -> None:
    """Set KEY to VALUE (true/false, a word, a number, or "none" to clear an optional number)."""
    from remun.organisation.settings import SETTINGS, SettingError, change_setting

    if key not in SETTINGS:
        raise click.UsageError(f"There is no setting called “{key}”. Settings: {', '.join(sorted(SETTINGS))}.")
    parsed: object = value
    if value.lower() in ("true", "yes"):
        parsed = True
    elif value.lower() in ("false", "no"):
        parsed = False
    elif value.lower() in ("none", "null", ""):
        parsed = None
    session = _session()
    try:
        stored = change_setting(session, key, parsed, by_user_id=None)
    except SettingError as problem:
        raise click.UsageError(f"{key}: {problem}") from None
    session.commit()
    click.echo(f"{key} = {json.dumps(stored)}")


@click.command("statement")
@click.option("--person", "person_name", required=True, help="The person's name, as Remun has it.")
@click.option("--tax-year", "tax_year", required=True, help="The tax year, by the year it starts: 2026 or 2026-27.")
@click.option("--json", "as_json", is_flag=True, help="Print the totals as JSON.")
@with_appcontext
def statement(person_name: str, tax_year: str, as_json: bool) -> None:
    """What a person was paid or given in a tax year (6 April to 5 April), by the date paid or given."""
    from sqlalchemy import select

    from remun.project_records.models import Person
    from remun.papers.tax_year import TRADING_ALLOWANCE, TaxYearError, bounds, parse, person_tax_year

    try:
        start_year = parse(tax_year)
    except TaxYearError as problem:
        raise click.UsageError(str(problem)) from None
    session = _session()
    people = session.scalars(select(Person).where(Person.name == person_name).order_by(Person.id)).all()
    if not people:
        raise click.UsageError(f"There is nobody called “{person_name}”.")
    if len(people) > 1:
        raise click.UsageError(f"{len(people)} people are called “{person_name}”; give a name only one person has.")
    totals = person_tax_year(session, people[0], start_year)
    if as_json:
        click.echo(json.dumps(totals.as_json(), indent=2, ensure_ascii=False))
        return
    first, last = bounds(start_year)
    click.echo(f"{totals.name}: tax year {totals.tax_year} ({first:%d %B %Y} to {last:%d %B %Y}), by the date paid or given")
    for heading, value in (("Paid", totals.paid), ("Vouchers", totals.vouchers), ("Training", totals.training),
                           ("Donations", totals.donations), ("Declined (not income)", totals.declined),
                           ("Expenses repaid (not income)", totals.expenses_repaid),
                           ("Income in the tax year", totals.income_total)):
        click.echo(f"  {heading:30} {value:>10,.2f}")
    if totals.income_total > TRADING_ALLOWANCE:
        click.echo(f"  Above HMRC's £{TRADING_ALLOWANCE:,.0f} trading allowance: the person may need to tell HMRC.")


def register(cli: click.Group) -> None:
    """Add `remun settings` and `remun statement` to the command line (remun/cli/main.py calls this)."""
    cli.add_command(settings_group)
    cli.add_command(statement)
