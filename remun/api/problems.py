"""Every API error as an RFC 9457 problem detail (``application/problem+json``).

``type`` is ``about:blank`` with the HTTP status's own title, or a Remun address
(``/api/v1/problems/<code>``, described in docs/api.md) for Remun's own problems
such as a closed month; ``detail`` says what happened in plain words; a 422 adds
``errors``, each field's messages.
"""

from __future__ import annotations

import http
import logging
from typing import Any

from flask import Response, current_app, json, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException

from remun.database_errors import is_busy
from remun.ledger.posting import AlreadyDone

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
PROBLEM_JSON = "application/problem+json"
#: Seconds to wait before trying again when someone else is changing the ledger (as the pages say).
RETRY_AFTER_SECONDS = 5


def is_api_request() -> bool:
    """Is this request for the API (its documents included)?"""
    path = request.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def problem(status: int, detail: str | None = None, *, code: str | None = None, title: str | None = None,
            errors: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A problem-details response."""
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": f"{PREFIX}/problems/{code}" if code else "about:blank",
        "title": title or phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


#: Plain words for the HTTP errors the API gives without a detail of its own.
DETAILS = {
    400: "The request could not be read.",
    401: "Send a personal access token in the Authorization header: Bearer followed by the token.",
    403: "This token may not do this.",
    404: "There is nothing at this address, or it is not yours to see.",
    405: "This address does not take that method.",
    413: "The request is too big.",
    415: "Send the request body as application/json.",
    422: "Some of what was sent is not right.",
    429: "Too many requests with this token. Wait and try again.",
    500: "Something went wrong on the server. Nothing was changed.",
}


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
            return problem(503, "Someone else is changing this ledger right now. Wait a few seconds and "
                                         "try again. Nothing was saved.", code="busy",
                                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        if isinstance(error, IntegrityError):
            return problem(409, "This was already done, perhaps by someone else a moment ago. "
                                         "Nothing was done twice.", code="already-done")
        log.exception("the database refused an API request")
        return problem(500, DETAILS[500])

    @blueprint.errorhandler(AlreadyDone)
    def _already(error: AlreadyDone):
        _rollback()
        return problem(409, "This was already done, perhaps by someone else a moment ago. "
                                     "Nothing was done twice.", code="already-done")

    @blueprint.errorhandler(Exception)
    def _unexpected(error: Exception):
        _rollback()
        log.exception("an API request failed")
        return problem(500, DETAILS[500])
