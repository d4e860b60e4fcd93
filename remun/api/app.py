"""Sets up the API on the app: flask-smorest, its OpenAPI 3.1 document, problem details, no CSRF.

The document is made by flask-smorest from the schemas that validate requests
(remun/api/schemas.py), and served with the human documentation by
``remun.api.docs``. Errors are problem details (remun/api/problems.py): each API
blueprint answers its own errors, and the app's error pages hand over requests
for /api/ that matched no route (remun/web/errors.py).
"""

from __future__ import annotations

import os

from flask import Flask
from flask_smorest import Api

from remun.api import schemas
from remun.api.auth import DEFAULT_RATE_LIMIT
from remun.version import __version__


class RemunApi(Api):
    """flask-smorest, leaving the app's own error pages alone: the API's blueprints answer their errors."""

    ERROR_SCHEMA = schemas.ProblemSchema

    def _register_error_handlers(self) -> None:
        pass


def init_app(app: Flask) -> Api:
    from remun.api import docs, reads, writes  # noqa: F401  (writes adds its paths to reads.bp)
    from remun.web.extensions import csrf

    app.config.update(
        API_TITLE="Remun API", API_VERSION=__version__, OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=None,  # served by remun.api.docs, within the app's Content-Security-Policy
        API_SPEC_OPTIONS={
            "info": {"description": "Remun's JSON API. Send a personal access token (made on your account page) "
                                    "as `Authorization: Bearer <token>`. Money is a string with two decimals. "
                                    "Errors are problem details (RFC 9457), their words (title, detail, a 422's field "
                                    "messages) in the language Accept-Language asks for (en, gd, pl). "
                                    "Lists are paged: follow `next`."},
            "security": [{"bearerAuth": []}],
        },
    )
    # Requests each token may make (Flask-Limiter's notation), counted in REMUN_RATELIMIT_STORAGE_URI.
    app.config.setdefault("REMUN_API_RATE_LIMIT", os.environ.get("REMUN_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    api = RemunApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                       "description": "A personal access token."})
    for field, kind in ((schemas.Money, "string"), (schemas.DecimalString, "string")):
        api.register_field(field, kind, None)
    api.register_blueprint(reads.bp)
    csrf.exempt(reads.bp)  # the API takes tokens, never cookies, so a form on another site cannot use it
    app.register_blueprint(docs.bp)
    app.extensions["remun.api"] = api
    return api
