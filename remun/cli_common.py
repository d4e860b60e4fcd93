"""What the command modules share: the command's database session and finding a project by name.

Command modules (remun/cli.py, remun/cli_ledger.py, remun/cli_exports.py,
remun/reciprocity/cli.py) import from here, never from remun/cli.py, which
imports them all to register their commands in one place.
"""

from __future__ import annotations

import click


def session():
    """The command's session (one unit of work: the command commits or rolls back)."""
    from remun.web.extensions import db

    return db.session


def project_named(name: str):
    """The project called ``name``, or a plain usage error naming the projects there are."""
    from sqlalchemy import select

    from remun.models import Project

    project = session().scalar(select(Project).where(Project.name == name))
    if project is None:
        names = session().scalars(select(Project.name).order_by(Project.name)).all()
        known = "; ".join(names) if names else "there are no projects yet"
        raise click.UsageError(f"There is no project called “{name}”. Projects: {known}.")
    return project
