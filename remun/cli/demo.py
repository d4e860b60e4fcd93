"""``remun demo``: the demo project, its ledger, choices, budget and sign-in accounts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from remun.cli.common import password_hasher as _hasher, rate_book as _rates, session as _session


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo project (does nothing if it is already there)."""
    from remun.project_records.demo import load_demo
    from remun.ledger.demo import load_demo_ledger
    from remun.reciprocity.demo import record_demo_changes_of_mind, record_demo_choices

    from remun.config import instance_path
    from remun.accounts.demo import ensure_demo_accounts

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


def register(cli: click.Group) -> None:
    """Add `remun demo` to the command line (remun/cli/main.py calls this)."""
    cli.add_command(demo)
