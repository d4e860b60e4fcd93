"""Every API error as an RFC 9457 problem detail (``application/problem+json``).

``type`` is ``about:blank`` with the HTTP status's own title, or a Remun address
(``/api/v1/problems/<code>``, described in docs/api.md) for Remun's own problems
such as a closed month; ``detail`` says what happened in plain words; a 422 adds
``errors``, each field's messages (by where it was sent, then by field).

``title`` and ``detail`` are in the request's language (``remun.web.languages.api_language``:
Accept-Language, else the token owner's choice), translated when the problem is made:
a detail is a message marked with ``N_`` (looked up in the catalogue) or a lazy string
(``lazy_gettext`` with its values). The messages in ``errors`` are translated at the same moment
(``remun.api.messages.translated``: marshmallow's and webargs's English, marked there, filled with their
values after translation). ``type`` and ``status`` never change with the language.
"""

from __future__ import annotations

import http
import logging
from typing import Any

from flask import Response, current_app, json
from flask_babel import force_locale, gettext
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException

from remun.api.address import PREFIX, is_api_request  # noqa: F401  (is_api_request: for the app's error pages)
from remun.api.messages import translated
from remun.database_errors import is_busy
from remun.ledger.posting import AlreadyDone
from remun.translation import N_
from remun.web.languages import LOCALES, api_language

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
#: Seconds to wait before trying again when someone else is changing the ledger (as the pages say).
RETRY_AFTER_SECONDS = 5


#: Each status's title, as HTTP names it (RFC 9110), to be translated.
TITLES = {
    400: N_("Bad Request"), 401: N_("Unauthorized"), 403: N_("Forbidden"), 404: N_("Not Found"),
    405: N_("Method Not Allowed"), 409: N_("Conflict"), 413: N_("Content Too Large"),
    415: N_("Unsupported Media Type"), 422: N_("Unprocessable Content"), 429: N_("Too Many Requests"),
    500: N_("Internal Server Error"), 503: N_("Service Unavailable"),
}


def _words(text: Any) -> str:
    """A message in the request's language: a marked message looked up, a lazy string made now."""
    return gettext(text) if isinstance(text, str) else str(text)


def problem(status: int, detail: Any = None, *, code: str | None = None, title: str | None = None,
            errors: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A problem-details response, its title and detail in the request's language."""
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    language = api_language()
    # Chosen here, not taken from Flask-Babel's cache: a request refused before its token signed it in never
    # reached the hook that chooses the request's language afresh.
    with force_locale(LOCALES[language]):
        body: dict[str, Any] = {
            "type": f"{PREFIX}/problems/{code}" if code else "about:blank",
            "title": _words(title or TITLES.get(status, phrase)),
            "status": status,
        }
        if detail:
            body["detail"] = _words(detail)
        if errors:
            body["errors"] = translated(errors)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


#: Plain words for the HTTP errors the API gives without a detail of its own.
DETAILS = {
    400: N_("The request could not be read."),
    401: N_("Send a personal access token in the Authorization header: Bearer followed by the token."),
    403: N_("This token may not do this."),
    404: N_("There is nothing at this address, or it is not yours to see."),
    405: N_("This address does not take that method."),
    413: N_("The request is too big."),
    415: N_("Send the request body as application/json."),
    422: N_("Some of what was sent is not right."),
    429: N_("Too many requests with this token. Wait and try again."),
    500: N_("Something went wrong on the server. Nothing was changed."),
}
#: Remun's own problems that more than one place gives.
BUSY = N_("Someone else is changing this ledger right now. Wait a few seconds and try again. Nothing was saved.")
ALREADY_DONE = N_("This was already done, perhaps by someone else a moment ago. Nothing was done twice.")


def from_http_exception(error: HTTPException) -> Response:
    """A problem for an ``abort`` (flask-smorest's validation errors included)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="remun"')
    if status == 429 and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    errors = data.get("messages") or data.get("errors")
    detail = data.get("message") or DETAILS.get(status)
    if status >= 500:
        detail = DETAILS[500]
    return problem(status, detail, code=data.get("code"), errors=errors, headers=headers)


def _rollback() -> None:
    from remun.web.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the answer must still be given
        log.exception("rollback after a database error failed")


def register_handlers(blueprint) -> None:
    """The blueprint answers its own errors, before the app's error pages (called before it is registered)."""
    @blueprint.errorhandler(HTTPException)
    @blueprint.errorhandler(429)  # before the app's own 429 and 500 pages
    @blueprint.errorhandler(500)
    def _http(error):
        if not isinstance(error, HTTPException):  # pragma: no cover - Flask passes the HTTPException
            return _unexpected(error)
        if (error.code or 500) >= 500:
            _rollback()
        return from_http_exception(error)

    @blueprint.errorhandler(DBAPIError)
    def _database(error: DBAPIError):
        _rollback()
        if is_busy(error):
            return problem(503, BUSY, code="busy", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        if isinstance(error, IntegrityError):
            return problem(409, ALREADY_DONE, code="already-done")
        log.exception("the database refused an API request")
        return problem(500, DETAILS[500])

    @blueprint.errorhandler(AlreadyDone)
    def _already(error: AlreadyDone):
        _rollback()
        return problem(409, ALREADY_DONE, code="already-done")

    @blueprint.errorhandler(Exception)
    def _unexpected(error: Exception):
        _rollback()
        log.exception("an API request failed")
        return problem(500, DETAILS[500])
