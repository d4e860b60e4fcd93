"""Remun: fair remuneration calculator and ledger for co-production."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

from remun.version import __version__  # noqa: F401  (kept here too: ``remun.__version__``)


def create_app(test_config: dict[str, Any] | None = None) -> "Flask":
    """The Flask application factory.

    Imported lazily so the domain modules (pay, parity, rates, ledger) can be
    used without Flask.
    """
    from remun.web.app import build_app

    return build_app(test_config)
