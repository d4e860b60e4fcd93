"""Ledger commands for finance and scripted use: approve, batch, balances, settle, close, verify.

Each runs in one database transaction and exits non-zero with a plain message on bad input.
"""

from __future__ import annotations


import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from remun.ledger import balances as ledger_balances
from remun.ledger import claims as ledger_claims
from remun.ledger import settlement
from remun.ledger.models import PaymentBatch
from remun.ledger.posting import LedgerError, PeriodClosed
from remun.ledger.verify import verify_ledger


def _session():
    from remun.web.extensions import db

    return db.session


def _project(name: str):
    from remun.cli import _project_named

    return _project_named(name)


def _audit(action: str, object_type: str, object_id, **detail) -> None:
    """Record in the audit log (by nobody: the command line), in the command's transaction."""
    from remun.accounts import audit

    audit.record(_session(), None, action, object_type, object_id, detail or None)


def _fail(message: str, code: int = 1) -> None:
    _session().rollback()
    click.echo(message, err=True)
    sys.exit(code)


@click.command("approve")
@click.option("--project", "project_name", required=True, help="The project's name.")
@with_appcontext
def approve(project_name: str) -> None:
    """Approve every submitted claim in a project (for scripted use)."""
    session = _session()
    project = _project(project_name)
    ledger_claims.sync_claims(session, current_app.extensions["remun.rates"], project_id=project.id)
    waiting = ledger_claims.claims_waiting(session, project.id)
    try:
        result = ledger_claims.approve(session, [claim.id for claim in waiting], user_id=None)
    except PeriodClosed as problem:
        _fail(f"This month ({problem.facts['month']:%B %Y}) is closed, so nothing can be approved into it.")
    if result.approved:
        _audit("claims.approved", "project", project.id, claims=result.approved)
    session.commit()
    click.echo(f"Approved {len(result.approved)} claims in “{project.name}”.")


@click.group("batch")
def batch() -> None:
    """Payment batches: create one, then mark it paid."""


@batch.command("create")
@click.option("--project", "project_name", required=True, help="The project's name.")
@click.option("--json", "as_json", is_flag=True, help="Print the batch as JSON.")
@with_appcontext
def batch_create(project_name: str, as_json: bool) -> None:
    """Gather approved money owed by bank transfer into a new batch."""
    session = _session()
    project = _project(project_name)
    created = settlement.create_batch(session, project.id, user_id=None)
    if created is None:
        _fail(f"Nothing is waiting to be paid by bank in “{project.name}”.")
    _audit("batch.created", "batch", created.id, project=project.id)
    session.commit()
    if as_json:
        click.echo(json.dumps({"batch": created.id, "total": str(created.total), "payees": created.payees}))
    else:
        click.echo(f"Batch {created.id}: {created.total} to {created.payees} payees.")


@batch.command("paid")
@click.argument("batch_id", type=int)
@with_appcontext
def batch_paid(batch_id: int) -> None:
    """Mark a batch as paid, recording each payment in the ledger (once only)."""
    session = _session()
    if session.get(PaymentBatch, batch_id) is None:
        _fail(f"There is no batch {batch_id}.")
    try:
        done = settlement.mark_paid(session, batch_id, user_id=None)
    except PeriodClosed as problem:
        _fail(f"This month ({problem.facts['month']:%B %Y}) is closed, so the payment cannot be recorded in it.")
    if not done:
        _fail(f"Batch {batch_id} was already marked paid. Nothing was paid twice.")
    _audit("batch.paid", "batch", batch_id)
    session.commit()
    click.echo(f"Batch {batch_id} is marked paid.")


@click.command("settle")
@click.option("--project", "project_name", required=True, help="The project's name.")
@with_appcontext
def settle(project_name: str) -> None:
    """Settle approved time by each person's choice: vouchers, training, a donation, or none."""
    session = _session()
    project = _project(project_name)
    result = settlement.settle_in_kind(session, project.id, user_id=None)
    _audit("claims.settled_in_kind", "project", project.id)
    session.commit()
    for choice, amount in result.settled.items():
        click.echo(f"{choice.value}: {amount}")
    click.echo(f"declined: {result.declined}")


@click.command("balances")
@click.option("--project", "project_name", required=True, help="The project's name.")
@click.option("--json", "as_json", is_flag=True, help="Print the balances as JSON.")
@with_appcontext
def balances(project_name: str, as_json: bool) -> None:
    """What each person is owed, was paid and was given, and the project's cost."""
    project = _project(project_name)
    result = ledger_balances.project_balances(_session(), project.id)
    if as_json:
        click.echo(json.dumps(ledger_balances.balances_as_json(result), ensure_ascii=False))
        return
    click.echo(f"Project cost: {result.project_cost} (time {result.cost_time}, expenses {result.cost_expenses})")
    click.echo(f"  {'Name':30} {'Owed':>10} {'Paid':>10} {'In kind':>10} {'Declined':>10}")
    for person in result.people:
        click.echo(f"  {person.name[:30]:30} {person.owed:>10} {person.paid:>10} {person.in_kind:>10} {person.declined:>10}")


@click.command("close-month")
@click.argument("month", type=click.DateTime(["%Y-%m"]))
@with_appcontext
def close_month(month) -> None:
    """Close a month (YYYY-MM): nothing more can be posted into it."""
    from remun.ledger.month_end import MonthsOutOfOrder, close_in_order

    session = _session()
    try:
        closed = close_in_order(session, month.date(), user_id=None)  # months close in order (issue 16)
    except MonthsOutOfOrder as problem:
        _fail(f"Close {problem.facts['earlier']:%B %Y} first: months close in order.")
    except LedgerError:
        _fail(f"{month:%B %Y} has not started yet, so it cannot be closed.")
    if closed:
        _audit("month.closed", "month", month.date().replace(day=1).isoformat())
    session.commit()
    click.echo(f"{month:%B %Y} is closed." if closed else f"{month:%B %Y} was already closed.")


@click.command("verify")
@with_appcontext
def verify() -> None:
    """Check the whole ledger: the hash chain, balancing and balances. Exits 1 naming the first problem."""
    result = verify_ledger(_session())
    if result.ok:
        click.echo(f"The ledger is intact: {result.transactions} transactions, {result.postings} postings.")
        return
    first = result.problems[0]
    where = f"transaction {first.transaction_id} (number {first.sequence})" if first.transaction_id else "the ledger"
    click.echo(f"The ledger has been changed outside Remun. First problem: {where}: {first.message}.", err=True)
    for problem in result.problems[1:10]:
        click.echo(f"  also: {problem.transaction_id or '-'}: {problem.message}", err=True)
    sys.exit(1)


COMMANDS = [approve, batch, settle, balances, close_month, verify]


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)



