"""Calm, plain error pages that say what to do next and leak nothing."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Something in the request was not right"), _l("Go back, check what you entered and try again.")),
    403: (_l("You cannot see this page"), _l("If you think you should, ask your project lead or administrator.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct. The page may have been moved or removed.")),
    405: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    413: (_l("The file is too big"), _l("Files must be smaller than 20 MB. Try a smaller file.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Nothing you saved has been lost. Try again later.")),
}


def register(app: Flask) -> None:
    # Unhandled exceptions reach this as a 500 (InternalServerError) outside
    # testing, so one handler covers every error page.
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        from remun.api.problems import from_http_exception, is_api_request

        if is_api_request():  # an API address that matched no route (404, 405): a problem, not a page
            return from_http_exception(error)
        code = error.code or 500
        title, advice = MESSAGES.get(code, MESSAGES[500])
        return render_template("error.html", title=title, advice=advice, code=code), code
