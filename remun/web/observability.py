"""One JSON log line and metrics for every request, and a request id a person can quote.

The log line holds the request id, method, endpoint (the view's name, never the path, which
can carry a token), status and time taken: nothing about who made the request. The request id
comes from the reverse proxy's X-Request-ID when it sends a sane one (nginx's $request_id, so
its access log and ours match), else is made here; it is sent back in X-Request-ID and shown
on error pages.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, request

from remun.upkeep.metrics import observe_request

REQUEST_LOG = logging.getLogger("remun.requests")
CHECKS_LOG = logging.getLogger("remun.checks")
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def configure_logging() -> None:
    """Our JSON lines go to standard error as they are (gunicorn and journald keep them), once per process."""
    if os.environ.get("REMUN_REQUEST_LOG", "on") == "off":
        REQUEST_LOG.disabled = True
    for logger in (REQUEST_LOG, CHECKS_LOG):
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False


def _start() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex


def _finish(response):
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    observe_request(request.endpoint, request.method, response.status_code, seconds)
    REQUEST_LOG.info(json.dumps({
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
        "request_id": request_id,
        "method": request.method,
        "endpoint": request.endpoint or "unknown",
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
    }, sort_keys=True))
    return response


def register(app: Flask) -> None:
    configure_logging()
    # First of all, before the permission check, so refused and redirected requests are timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
