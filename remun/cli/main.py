"""The ``remun`` command line.

Each command calls the same domain code as the web pages. Problems are
reported in plain words with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from remun import create_app
from remun.cli import accounts as cli_accounts
from remun.cli import database as cli_database
from remun.cli import demo as cli_demo
from remun.cli import exports as cli_exports
from remun.cli import imports as cli_imports
from remun.cli import jobs as cli_jobs
from remun.cli import ledger as cli_ledger
from remun.cli import papers as cli_papers
from remun.cli import parity as cli_parity
from remun.cli import rates as cli_rates
from remun.cli import thanks as cli_thanks
from remun.cli import upkeep as cli_upkeep
from remun.pay.rate_cards import RateCardError


@click.group(cls=FlaskGroup, create_app=lambda: create_app({"REMUN_TIMEOUTS": "command"}), add_version_option=False)
def cli() -> None:
    """Remun: fair pay for co-production. Run `remun COMMAND --help` for any command."""


# --- Every command group, registered here: the one place (none registers itself) ---

cli_database.register(cli)
cli_imports.register(cli)
cli_demo.register(cli)
cli_parity.register(cli)
cli_accounts.register(cli)
cli_ledger.register(cli)  # approve, batch, settle, balances, close, verify
cli_exports.register(cli)  # `remun export`; `remun batch export` joins the ledger's `batch` group, so after it
cli_thanks.register(cli)  # `remun thanks`
cli_upkeep.register(cli)  # `remun backup`, `remun restore`, `remun checks`
cli.add_command(cli_rates.rates)
cli_rates.register(cli_rates.rates)  # `remun rates check`, `add`, `end`, `withdraw`
cli_papers.register(cli)  # `remun settings`, `remun statement`
cli_jobs.register(cli)  # `remun worker`


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
