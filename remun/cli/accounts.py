"""``remun user``: create the first administrator, invite people, reset links, list accounts."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from remun.cli.common import password_hasher as _hasher, project_named as _project_named, session as _session


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


@click.group("user")
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


def register(cli: click.Group) -> None:
    """Add `remun user` to the command line (remun/cli/main.py calls this)."""
    cli.add_command(user_group)
