"""`remun settings show/set` (organisation settings) and `remun statement` (a person's tax year)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from remun.cli import _session, cli


@cli.group("settings")
def settings_group() -> None:
    """Organisation settings: how pay parity is compared, the tax-year threshold and more."""


@settings_group.command("show")
@with_appcontext
def settings_show() -> None:
    """List every organisation setting with its value (defaults included)."""
    from remun.comparator_basis import basis_from_settings
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
