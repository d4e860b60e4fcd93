"""When the database says no: plain pages instead of a hung worker or a bare "Internal Server Error".

- A lock or statement timeout (someone else is changing the same ledger): 503 with Retry-After.
- The loser of a race (a unique rule or an AlreadyDone from the ledger): the page again, saying
  "This was already done".
- Any other server error: Remun's own error page, even when the database cannot be reached
  to show the usual layout.
"""

from __future__ import annotations

import logging

from flask import Flask, flash, redirect, render_template, request
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from remun.database_errors import is_busy
from remun.ledger.posting import AlreadyDone, ClaimDecided

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _rollback() -> None:
    from remun.web.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the page must still be shown
        log.exception("rollback after a database error failed")


def already_done_message() -> str:
    return _("This was already done, perhaps by someone else a moment ago. Nothing was done twice.")


def fallback_page(title: str, advice: str, code: int):
    """A page that needs nothing but this code: for when the usual layout cannot be drawn."""
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} – Remun</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="font-family: arial, sans-serif; margin: 2em; max-width: 40em">'
            f'<h1>{escape(title)}</h1><p>{escape(advice)}</p><p><a href="/">Go to the start</a></p></body></html>')
    return html, code, {"Content-Type": "text/html; charset=utf-8"}


def error_page(title: str, advice: str, code: int, headers: dict | None = None):
    try:
        body = render_template("error.html", title=title, advice=advice, code=code)
    except Exception:  # the layout needs the database (who is signed in): show the plain page
        log.exception("the error page could not be drawn")
        return fallback_page(title, advice, code)[:2] + ({**(headers or {}),
                                                          "Content-Type": "text/html; charset=utf-8"},)
    return body, code, headers or {}


def register(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def _operational(error: OperationalError):
        _rollback()
        if is_busy(error):
            return error_page(
                _("Someone else is changing this ledger"),
                _("Someone else is changing this ledger right now. Wait a few seconds and try again. "
                  "Nothing you entered was saved."),
                503, {"Retry-After": str(RETRY_AFTER_SECONDS)})
        log.exception("the database could not be reached")
        return error_page(_("Sorry, there is a problem with the service"),
                          _("Nothing you saved has been lost. Try again later."), 500)

    @app.errorhandler(DBAPIError)
    def _dbapi(error: DBAPIError):
        if is_busy(error):
            return _operational(error)  # type: ignore[arg-type]
        _rollback()
        log.exception("the database refused a change")
        return error_page(_("Sorry, there is a problem with the service"),
                          _("Nothing you saved has been lost. Try again later."), 500)

    @app.errorhandler(IntegrityError)
    @app.errorhandler(AlreadyDone)
    def _race_lost(error: Exception):
        # Two people (or a double click) did the same thing at once; the first one counted.
        _rollback()
        if request.method in {"POST", "PUT", "DELETE"}:
            log.warning("a change lost a race (or was refused by the database): %s", error, exc_info=True)
            flash(already_done_message(), "important")
            return redirect(request.full_path if request.query_string else request.path, code=303)
        log.exception("the database refused a change while showing a page")
        return error_page(_("Sorry, there is a problem with the service"),
                          _("Nothing you saved has been lost. Try again later."), 500)

    @app.errorhandler(ClaimDecided)
    def _approved_meanwhile(error: ClaimDecided):
        # A claim was approved while its attendance was being changed (an import, an edit): nothing is kept.
        _rollback()
        flash(_("This attendance has been approved for payment, so it cannot be changed. "
                "To correct it, reverse its claim on the Claims page first."), "important")
        if request.method in {"POST", "PUT", "DELETE"}:
            return redirect(request.full_path if request.query_string else request.path, code=303)
        return error_page(_("Sorry, there is a problem with the service"),
                          _("Nothing you saved has been lost. Try again later."), 500)

    @app.errorhandler(500)
    def _server_error(error):
        _rollback()
        return error_page(_("Sorry, there is a problem with the service"),
                          _("Nothing you saved has been lost. Try again later."), 500)
