"""Sign-in attempts that fail are counted per account and per address with Flask-Limiter's storage
(``REMUN_RATELIMIT_STORAGE_URI``; memory:// by default, which only works for one process: several workers
need a shared store such as redis://)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

DEFAULT_LIMIT_PER_ACCOUNT = "10 per hour"
DEFAULT_LIMIT_PER_ADDRESS = "30 per hour"


def _limiter() -> Limiter:
    return current_app.extensions["remun.limiter"]


def _limit_keys(email: str) -> list[tuple[str, Any, str]]:
    config = current_app.config
    return [
        ("account", parse_many(config.get("REMUN_SIGN_IN_LIMIT_PER_ACCOUNT", DEFAULT_LIMIT_PER_ACCOUNT)), email),
        ("address", parse_many(config.get("REMUN_SIGN_IN_LIMIT_PER_ADDRESS", DEFAULT_LIMIT_PER_ADDRESS)),
         get_remote_address() or "unknown"),
    ]


def too_many_attempts(email: str) -> bool:
    limiter = _limiter().limiter
    return any(not limiter.test(item, "sign-in", kind, key)
               for kind, items, key in _limit_keys(email) for item in items)


def count_failure(email: str) -> None:
    limiter = _limiter().limiter
    for kind, items, key in _limit_keys(email):
        for item in items:
            limiter.hit(item, "sign-in", kind, key)


def forget_failures(email: str) -> None:
    limiter = _limiter().limiter
    for kind, items, key in _limit_keys(email)[:1]:
        for item in items:
            limiter.clear(item, "sign-in", kind, key)



def _too_many_requests(error):
    return render_template("error.html", title=_("Too many attempts"),
                           advice=_("Wait a while and try again."), code=429), 429


def init_app(app: Flask) -> None:
    # The deployment's shared store when it sets one (several workers must share the counts).
    storage_uri = (app.config.get("REMUN_RATELIMIT_STORAGE_URI") or app.config.get("RATELIMIT_STORAGE_URI")
                   or os.environ.get("REMUN_RATELIMIT_STORAGE_URI") or "memory://")
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri
    limiter = Limiter(get_remote_address, app=app, default_limits=[], headers_enabled=False, storage_uri=storage_uri)
    app.extensions["remun.limiter"] = limiter
    app.register_error_handler(429, _too_many_requests)
