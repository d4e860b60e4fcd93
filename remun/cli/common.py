"""What the command modules share: the command's database session and finding a project by name.

Command modules (remun/cli/main.py, remun/cli/ledger.py, remun/cli/exports.py,
remun/cli/thanks.py) import from here, never from remun/cli/main.py, which
imports them all to register their commands in one place.
"""

from __future__ import annotations

import click
from flask import current_app

from remun.pay.rate_cards import RateBook


def session():
    """The command's session (one unit of work: the command commits or rolls back)."""
    from remun.web.extensions import db

    return db.session


def project_named(name: str):
    """The project called ``name``, or a plain usage error naming the projects there are."""
    from sqlalchemy import select

    from remun.project_records.models import Project

    project = session().scalar(select(Project).where(Project.name == name))
    if project is None:
        names = session().scalars(select(Project.name).order_by(Project.name)).all()
        known = "; ".join(names) if names else "there are no projects yet"
        raise click.UsageError(f"There is no project called “{name}”. Projects: {known}.")
    return project


def rate_book() -> RateBook:
    """The shipped rate cards with the organisation's own figures laid over them."""
    from remun.organisation.rate_figures import book_in_use

    return book_in_use(session(), current_app.extensions["remun.rates"], only_if_migrated=True)


def password_hasher():
    from remun.accounts.passwords import hasher

    return hasher(current_app.config.get("REMUN_ARGON2_PROFILE", "default"))
