"""Builds the Flask app: configuration, extensions, templates and blueprints."""

from __future__ import annotations

import datetime as dt
import os
from collections import ChainMap
from typing import Any

from flask import Flask
from flask.templating import Environment
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from remun import config
from remun.database import begin_writing, end_writing, engine_options, ensure_sqlite_folder
from remun.pay.rate_cards import load_rate_book
from remun.web import auth, chrome, errors, failures, formatting, glossary_links, labels, languages, permissions, security
from remun.web import rate_warnings
from remun.web.languages import LANGUAGES, request_locale
from remun.web.extensions import babel, csrf, db
from remun.web import observability



class _TemplateGlobals(ChainMap):
    """A template's globals (its own over the environment's), as Jinja makes them, with a quicker
    ``keys()``: each ``{% from ... import ... %}`` compares the importing page's globals with these,
    and ChainMap's own keys view asks every map about every name in Python (about a tenth of a
    page's time, for the ten imports GOV.UK's templates make on every page)."""

    def keys(self):  # type: ignore[override]  (a dict's keys: the same names, looked up at once)
        merged: dict[str, Any] = {}
        for mapping in reversed(self.maps):
            merged.update(mapping)
        return merged.keys()


class _Environment(Environment):
    def make_globals(self, d):  # type: ignore[override]
        return _TemplateGlobals({} if d is None else d, self.globals)


class _Flask(Flask):
    jinja_environment = _Environment


def build_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = _Flask(
        "remun",
        instance_path=str(config.instance_path()),
        template_folder=str(config.TEMPLATES_DIR),
        static_folder=str(config.PROJECT_ROOT / "remun" / "static"),
        static_url_path="/static",
    )
    database_url = config.database_url()
    app.config.from_mapping(
        # Pages wait seconds for a lock; commands (remun ...) build the app with REMUN_TIMEOUTS="command".
        SQLALCHEMY_ENGINES={"default": {"url": database_url, **engine_options(
            database_url, (test_config or {}).get("REMUN_TIMEOUTS", "web"))}},
        REMUN_RATES_DIR=str(config.rates_dir()),
        BABEL_DEFAULT_LOCALE="en_GB",
        BABEL_DEFAULT_TIMEZONE="Europe/London",
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,  # workbooks and receipts
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # a form left open for hours must still save
        # Accounts: see docs/privacy.md and remun/web/auth.py.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=int(os.environ.get("REMUN_SESSION_HOURS", "12"))),
        # A session also ends after this long without use (issue 15; sessions are kept on the server).
        REMUN_SESSION_IDLE=dt.timedelta(minutes=int(os.environ.get("REMUN_SESSION_IDLE_MINUTES", "120"))),
        # Set the cookie only when the session changes: otherwise a slow response (a stylesheet)
        # can put back an older cookie and lose the form's CSRF token.
        SESSION_REFRESH_EACH_REQUEST=False,
        RATELIMIT_STORAGE_URI=os.environ.get("REMUN_RATELIMIT_STORAGE_URI", "memory://"),
        REMUN_BASE_URL=os.environ.get("REMUN_BASE_URL"),
    )
    if test_config:
        app.config.update(test_config)
    # Session cookies go only over HTTPS, except in tests or when REMUN_HTTPS=0
    # (browsers treat http://127.0.0.1 and localhost as secure, so `make run` works).
    if "SESSION_COOKIE_SECURE" not in (test_config or {}):
        app.config["SESSION_COOKIE_SECURE"] = not app.testing and os.environ.get("REMUN_HTTPS", "1") != "0"
    if os.environ.get("REMUN_PROXY_COUNT"):  # behind this many reverse proxies: trust their X-Forwarded-*
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(os.environ["REMUN_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if "SECRET_KEY" not in app.config or not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.secret_key(config.instance_path())

    ensure_sqlite_folder(app.config["SQLALCHEMY_ENGINES"]["default"]["url"])
    # A bad rates file stops start-up here, naming the file, entry and reason.
    app.extensions["remun.rates"] = load_rate_book(app.config["REMUN_RATES_DIR"])

    # GOV.UK's templates name each other with their package as a prefix.
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(config.TEMPLATES_DIR)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    _async_teardown_only_when_needed(app)
    _writes_wait_their_turn(app)  # before anything reads: the request's transaction begins as it means to go on
    permissions.register(app)  # first of all: deny any page without a rule
    auth.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    languages.register(app)
    WTFormsHelpers(app)
    formatting.register(app)
    labels.register(app)
    security.register(app)
    errors.register(app)
    failures.register(app)
    glossary_links.register(app)
    chrome.register(app)
    observability.register(app)  # issue 21: request id, JSON log line, metrics
    rate_warnings.register(app)
    _register_blueprints(app)

    @app.context_processor
    def _layout_globals() -> dict[str, Any]:
        from flask_babel import get_locale

        locale = get_locale()
        return {"languages": LANGUAGES, "current_language": locale.language if locale else "en"}

    return app


def _select_locale() -> str:
    # The account's choice, their person's language, the switcher's cookie, then Accept-Language.
    return request_locale()


def _register_blueprints(app: Flask) -> None:
    from remun.web.views import admin, budget, exports, home, imports, ledger, meetings, parity, people, projects, rates, roles
    from remun.web.views import glossary

    from remun.web import account_pages  # noqa: F401  (its pages are on the sign-in blueprint, auth.bp)

    for module in (home, projects, roles, people, meetings, parity, ledger, imports, rates, auth, admin, exports, budget, glossary):
        app.register_blueprint(module.bp)
    from remun.web.views import participant, participant_sessions, reciprocity  # issue 6  # noqa: F401

    for module in (participant, reciprocity):
        app.register_blueprint(module.bp)
    from remun.web.views import health  # issue 21: /healthz, /readyz

    app.register_blueprint(health.bp)
    from remun.web.views import papers, settings_pages  # noqa: F401  (settings_pages adds its page to the settings section)

    app.register_blueprint(papers.bp)
    from remun.web.views import organisation  # issue 15: organisation settings

    app.register_blueprint(organisation.bp)
    from remun.web.views import jobs  # issue 19: background jobs

    app.register_blueprint(jobs.bp)
    from remun.web.views import tokens  # issue 20: personal access tokens for the API

    app.register_blueprint(tokens.bp)
    from remun.api.app import init_app as init_api  # issue 20: the JSON API under /api/v1

    init_api(app)


def _async_teardown_only_when_needed(app: Flask) -> None:
    """Flask-SQLAlchemy-Lite closes async sessions in an async teardown, which Flask runs through
    asgiref: a new thread and event loop at the end of every request (about a tenth of a parity
    page's time). Remun opens no async session, so it runs only when one was opened."""
    from flask import g
    from flask_sqlalchemy_lite import _extension as sqlalchemy_lite

    close_async = sqlalchemy_lite._close_async_sessions
    funcs = app.teardown_appcontext_funcs
    if close_async not in funcs:
        return

    def _close_async_sessions(error: BaseException | None = None) -> None:
        if "_sqlalchemy_async_sessions" in g:
            app.ensure_sync(close_async)(error)

    funcs[funcs.index(close_async)] = _close_async_sessions


#: Requests that may change something: on SQLite their transaction takes the write lock as it begins.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _writes_wait_their_turn(app: Flask) -> None:
    """A request that may write begins with SQLite's write lock (remun.database.begin_writing), so a
    background job saving its progress meanwhile makes it wait a moment instead of failing with
    "someone else is changing this"."""
    from flask import g, request

    @app.before_request
    def _begin_writing() -> None:
        if request.method in WRITING_METHODS:
            g.remun_writing = begin_writing()

    @app.teardown_request
    def _end_writing(_error: BaseException | None = None) -> None:
        token = g.pop("remun_writing", None)
        if token is not None:
            end_writing(token)
