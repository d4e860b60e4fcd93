"""/healthz (the process answers) and /readyz (it can serve: database, migrations, Redis, workers).

For load balancers and monitoring: no sign-in, nothing from the data, never cached.
"""

from __future__ import annotations

import os

from flask import Blueprint, jsonify

from remun.upkeep.readiness import database_checks, redis_checks
from remun.web.extensions import db

bp = Blueprint("health", __name__)


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _uncached(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    checks = database_checks(db.session) + redis_checks(os.environ.get("REMUN_REDIS_URL"))
    ready = all(check.ok for check in checks)
    body = jsonify(status="ready" if ready else "not ready", checks={check.name: check.detail for check in checks})
    return _uncached(body), 200 if ready else 503
