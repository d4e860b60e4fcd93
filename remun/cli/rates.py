"""``remun rates check`` (overdue cards, for a scheduled job) and the organisation's own figures."""

from __future__ import annotations


import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from remun.pay.rate_review import overdue_cards, today
from remun.cli.common import rate_book as _rates


def _session():
    from remun.web.extensions import db

    return db.session


def _book():
    from remun.organisation.rate_figures import book_in_use

    return book_in_use(_session(), current_app.extensions["remun.rates"], only_if_migrated=True)


DATE = click.DateTime(["%Y-%m-%d"])


@click.command("check")
@click.option("--date", "on_date", type=DATE, help="Judge as if today were this date (YYYY-MM-DD).")
@with_appcontext
def check(on_date) -> None:
    """List rate cards whose next figure is overdue; exit 1 if any is (0 when all are current)."""
    day = on_date.date() if on_date else today()
    overdue = overdue_cards(day, _book())
    if not overdue:
        click.echo(f"Every rate card is up to date on {day.isoformat()}.")
        return
    click.echo(f"{len(overdue)} rate card{'s are' if len(overdue) != 1 else ' is'} overdue on {day.isoformat()}:")
    for card in overdue:
        click.echo(f"  {card.source.id}: {card.message()}")
        for entry in card.stale[1:]:
            click.echo(f"    also {entry.ref}: {entry.amount} from {entry.effective_from.isoformat()}")
    click.echo("Add a new figure with: remun rates add SOURCE/KEY --amount A --from YYYY-MM-DD --source URL")
    sys.exit(1)


@click.command("add")
@click.argument("ref")
@click.option("--amount", required=True, help="The published figure, for example 13.45.")
@click.option("--from", "effective_from", type=DATE, required=True, help="The first day it applies (YYYY-MM-DD).")
@click.option("--source", "source_url", required=True, help="The web page where it is published.")
@click.option("--to", "effective_to", type=DATE, help="The last day it applies, if known (YYYY-MM-DD).")
@click.option("--note", help="Anything a reader should know about the figure.")
@with_appcontext
def add(ref: str, amount: str, effective_from, source_url: str, effective_to, note: str | None) -> None:
    """Add a published figure for SOURCE/KEY (for example real-living-wage/uk), recorded in the audit log."""
    from remun.organisation.rate_figures import FigureRefused, add_figure

    session = _session()
    try:
        figure = add_figure(session, _book(), ref, amount, effective_from.date(), source_url,
                            effective_to=effective_to.date() if effective_to else None, note=note)
    except FigureRefused as refused:
        session.rollback()
        click.echo(f"Nothing was added. {refused}", err=True)
        sys.exit(1)
    session.commit()
    until = f" to {figure.effective_to.isoformat()}" if figure.effective_to else ""
    click.echo(f"Added {ref} = {_plain_amount(figure.amount)} from {figure.effective_from.isoformat()}{until} "
               f"(figure {figure.id}), from {figure.source_url}.")


def _plain_amount(amount) -> str:
    """13.45, 14.10, 0.45: at least two decimal places, more only when the figure has them."""
    from decimal import Decimal

    cents = amount.quantize(Decimal("0.01"))
    return f"{cents}" if cents == amount else f"{amount.normalize():f}"


def _figure(figure_id: int):
    from remun.organisation.rate_figures import OrganisationRateFigure

    figure = _session().get(OrganisationRateFigure, figure_id)
    if figure is None or figure.withdrawn_at is not None:
        raise click.UsageError(f"There is no figure {figure_id} added by your organisation.")
    return figure


@click.command("end")
@click.argument("figure_id", type=int)
@click.option("--last-day", type=DATE, required=True, help="The last day the figure applies (YYYY-MM-DD).")
@with_appcontext
def end(figure_id: int, last_day) -> None:
    """End a figure your organisation added, from a day on (the cards' figure applies again after it)."""
    from remun.organisation.rate_figures import FigureRefused, end_figure

    session = _session()
    try:
        end_figure(session, _figure(figure_id), last_day.date())
    except FigureRefused as refused:
        session.rollback()
        click.echo(f"Nothing was changed. {refused}", err=True)
        sys.exit(1)
    session.commit()
    click.echo(f"Figure {figure_id} now ends on {last_day.date().isoformat()}.")


@click.command("withdraw")
@click.argument("figure_id", type=int)
@with_appcontext
def withdraw(figure_id: int) -> None:
    """Withdraw a figure your organisation added by mistake (refused if approved claims used it)."""
    from remun.organisation.rate_figures import FigureRefused, withdraw_figure

    session = _session()
    try:
        withdraw_figure(session, _figure(figure_id))
    except FigureRefused as refused:
        session.rollback()
        click.echo(f"Nothing was changed. {refused}", err=True)
        sys.exit(1)
    session.commit()
    click.echo(f"Figure {figure_id} was withdrawn.")


def register(group: click.Group) -> None:
    for command in (check, add, end, withdraw):
        group.add_command(command)


@click.group("rates", invoke_without_command=True)
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
