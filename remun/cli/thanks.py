"""`remun thanks ...`: reciprocity from the command line, for finance and scripted use.

Each command runs in one database transaction and exits non-zero with a plain message on bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from remun.project_records.enums import Reciprocity
from remun.project_records.models import Person
from remun.money import HUNDRED, NotANumber, to_decimal
from remun.reciprocity import benefits, choices
from remun.reciprocity.overview import project_overview

WAYS = [method.value for method in choices.METHODS]
PROBLEMS = {
    "nothing_chosen": "Give at least one way.",
    "unknown_method": "That is not a way of being thanked.",
    "bad_percent": "Each percentage must be more than 0 and at most 100, with at most two decimal places.",
    "needs_detail": "{method} needs --detail (the voucher provider, the charity, or the person paid instead).",
    "repeated_method": "Each way can be given once.",
    "not_100": "The percentages must add up to 100 (they add up to {total}).",
    "two_money_ways": "Only one way of being paid money (bank, card, cheque or someone else) can be in a split.",
    "detail_too_long": "A detail can be at most 200 characters.",
}


def _session():
    from remun.web.extensions import db

    return db.session


def _fail(message: str) -> None:
    _session().rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _person(person_id: int) -> Person:
    person = _session().get(Person, person_id)
    if person is None:
        _fail(f"There is no person with id {person_id}.")
    return person


def _parts(way: str | None, split: str | None, details: tuple[str, ...]) -> list[choices.Part]:
    named = {}
    for item in details:
        key, _, value = item.partition("=")
        if value and key in WAYS:
            named[key] = value
        elif way:
            named[way] = item
        else:
            _fail("With --split, give each detail as WAY=TEXT, for example --detail vouchers=Tesco.")
    if bool(way) == bool(split):
        _fail("Give either --way or --split.")
    if way:
        return [choices.Part(Reciprocity(way), HUNDRED, named.get(way))]
    parts = []
    for item in split.split(","):
        key, _, percent = item.strip().partition("=")
        if key not in WAYS:
            _fail(f"“{key}” is not a way. Ways: {', '.join(WAYS)}.")
        try:
            parts.append(choices.Part(Reciprocity(key), to_decimal(percent), named.get(key)))
        except NotANumber:
            _fail(f"“{percent}” is not a percentage.")
    return parts


def _pct(value) -> str:
    return f"{value.normalize():f}%"


def _describe(choice: choices.CurrentChoice) -> str:
    if not choice.chosen:
        return "not chosen yet"
    return "; ".join(f"{part.method.value} {_pct(part.percent)}" + (f" ({part.detail})" if part.detail else "")
                     for part in choice.parts)


@click.group("thanks")
def thanks() -> None:
    """How people choose to be thanked: choose, show, a project's totals, a benefits estimate."""


@thanks.command("choose")
@click.option("--person-id", type=int, required=True, help="The person's id (on the People page).")
@click.option("--way", type=click.Choice(WAYS), help="One way of being thanked, for all of it.")
@click.option("--split", help="A split by percentage, for example bank_transfer=50,vouchers=50.")
@click.option("--detail", "details", multiple=True,
              help="What a way needs: the voucher provider, the charity, the person paid instead (WAY=TEXT with --split).")
@click.option("--reason", help="Why they chose no payment, only if they wanted to say.")
@with_appcontext
def choose(person_id: int, way: str | None, split: str | None, details: tuple[str, ...], reason: str | None) -> None:
    """Record a person's new choice (earlier ones are kept). It applies to whatever is not yet settled."""
    person = _person(person_id)
    try:
        choices.record_choice(_session(), person, _parts(way, split, details), user_id=None, reason=reason)
    except choices.ChoiceProblem as problem:
        method = problem.facts.get("method")
        _fail(PROBLEMS[problem.code].format(method=getattr(method, "value", method), total=problem.facts.get("total")))
    _session().commit()
    click.echo(f"{person.name}: {_describe(choices.current_choice(_session(), person))}")


@thanks.command("show")
@click.option("--person-id", type=int, required=True)
@with_appcontext
def show(person_id: int) -> None:
    """A person's choice in force and every earlier one."""
    person = _person(person_id)
    click.echo(f"{person.name}: {_describe(choices.current_choice(_session(), person))}")
    for item in choices.history(_session(), person.id):
        parts = "; ".join(f"{part.method.value} {_pct(part.percent)}" for part in item.parts)
        click.echo(f"  {item.chosen_at:%Y-%m-%d %H:%M}  {parts}")


@thanks.command("project")
@click.option("--project", "project_name", required=True, help="The project's name.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def project(project_name: str, as_json: bool) -> None:
    """Approved pay for time by way of thanks, each person's choice, and who has not chosen."""
    from remun.cli.common import project_named

    found = project_named(project_name)
    overview = project_overview(_session(), found.id)
    if as_json:
        click.echo(json.dumps({
            "totals": {method.value: str(amount) for method, amount in sorted(overview.totals.items())},
            "people": {item.person.name: _describe(item.choice) for item in overview.people},
            "not_chosen": [person.name for person in overview.not_chosen],
        }, indent=2, ensure_ascii=False))
        return
    for method, amount in sorted(overview.totals.items()):
        click.echo(f"  {method.value:15} {amount:>10}")
    click.echo(f"  {'total':15} {overview.total:>10}")
    for item in overview.people:
        click.echo(f"{item.person.name}: {_describe(item.choice)}")
    click.echo("Not chosen yet: " + (", ".join(person.name for person in overview.not_chosen) or "nobody"))


@thanks.command("benefits")
@click.option("--person-id", type=int, required=True)
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to estimate for (today when left out).")
@with_appcontext
def benefits_estimate(person_id: int, day: dt.datetime | None) -> None:
    """A person's involvement income for the week and month, against benefit limits. Information, not advice."""
    person = _person(person_id)
    result = benefits.estimate(_session(), person, current_app.extensions["remun.rates"],
                               day.date() if day else dt.date.today())
    click.echo("Information, not advice. Free advice: Citizens Advice Scotland, https://www.cas.org.uk/")
    for label, income, start, end in (("Week", result.week, result.week_start, result.week_end),
                                      ("Month", result.month, result.month_start, result.month_end)):
        click.echo(f"{label} {start} to {end}: money {income.money}, vouchers or training {income.in_kind}, "
                   f"declined or donated (not counted) {income.not_counted}")
    for limit in result.weekly_limits:
        state = "OVER" if limit.over else ("near" if limit.near else "under")
        click.echo(f"  {limit.entry.label}: {limit.entry.amount} a week ({limit.entry.status}, {limit.entry.url}): {state}")
    for example in result.taper:
        allowance = f"work allowance {example.allowance.amount}" if example.allowance else "no work allowance"
        click.echo(f"  Universal Credit, {allowance}: could go down by about {example.reduction} this month")
    click.echo("Counted by the date paid or given (what is waiting: the soonest it could arrive).")
    for payment in result.bunched:
        click.echo(f"  One payment on {payment.day} covers {len(payment.sessions)} sessions from {min(payment.sessions)}: "
                   "paying after each session would spread it over the periods they were in.")
    if result.esa_hours_reached:
        click.echo(f"  {result.week_hours} hours recorded this week (with preparation and travel): ESA permitted "
                   "work is for under 16 hours a week.")


def register(group: click.Group) -> None:
    group.add_command(thanks)


