"""gunicorn settings for Remun in production: `make serve`, or
`gunicorn --config deploy/gunicorn.conf.py` with REMUN_DATABASE_URL set.

The app keeps nothing in process memory between requests: sessions are signed
cookies (REMUN_SECRET_KEY, the same on every machine), data is in PostgreSQL
and sign-in rate limits are counted in a shared store
(REMUN_RATELIMIT_STORAGE_URI, for example redis://127.0.0.1:6379). So any
number of workers, on any number of machines, can serve it behind a load
balancer. Measured choices are in docs/performance.md.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

# Metrics (issue 21): every worker writes its counts to files in this folder, which must be set
# before prometheus_client is imported (the app is loaded after this file); the master adds them
# up for the metrics server. Set PROMETHEUS_MULTIPROC_DIR to choose the folder (systemd:
# RuntimeDirectory), else one is made per server and removed when it stops.
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="remun-metrics-")
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
_metrics_dir.mkdir(parents=True, exist_ok=True)
for _old in _metrics_dir.glob("*.db"):  # counts from an earlier run of the server
    _old.unlink()
#: Where Prometheus scrapes /metrics: its own address, not the app's, so not public by default.
_metrics_bind = os.environ.get("REMUN_METRICS_BIND", "127.0.0.1:9180")

wsgi_app = "remun:create_app()"
bind = os.environ.get("REMUN_BIND", "127.0.0.1:8000")
# Pages are CPU-bound Python: one sync worker per core serves most. gthread
# workers gave no gain here and could pile keep-alive connections onto one
# worker; put a reverse proxy (nginx) in front to absorb slow clients.
workers = int(os.environ.get("REMUN_WORKERS", os.cpu_count() or 2))
worker_class = "sync"
timeout = int(os.environ.get("REMUN_WORKER_TIMEOUT", "120"))  # a large export can take a minute
graceful_timeout = 30
keepalive = 5
# Restart a worker now and then, so memory a big export run in a thread of the app (no Redis) is
# given back. Not often: a new worker makes the organisation's parity reports again before it takes
# requests (post_worker_init), from the projects' totals kept in the database (under a second at a
# health board's scale; seconds when the totals must be summed again).
max_requests = 20000
max_requests_jitter = 2000
# Load the app once in the master, so a bad setting stops start-up with one clear message
# and workers share its memory.
preload_app = True
accesslog = os.environ.get("REMUN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("REMUN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 24+ opens an admin socket at one fixed path in the home folder, so a second server on the
# machine (a benchmark, a second site) would take it over; Remun does not use it.
control_socket_disable = True


def on_starting(server) -> None:
    storage = os.environ.get("REMUN_RATELIMIT_STORAGE_URI", "memory://")
    if workers > 1 and storage.startswith("memory://"):
        server.log.warning(
            "REMUN_RATELIMIT_STORAGE_URI is memory://: each of the %d workers counts sign-in attempts on its own. "
            "Use a shared store such as redis://127.0.0.1:6379 in production.", workers)


def when_ready(server) -> None:
    if not _metrics_bind:
        return
    from remun.config import instance_path
    from remun.upkeep.checks import status_path
    from remun.upkeep.metrics import serve_metrics

    try:
        serve_metrics(_metrics_bind, status_path(instance_path()), os.environ.get("REMUN_REDIS_URL"))
    except OSError as error:  # the app still serves; only the metrics are missing
        server.log.error("No metrics: cannot listen on %s (REMUN_METRICS_BIND): %s", _metrics_bind, error)
        return
    server.log.info("Metrics at http://%s/metrics", _metrics_bind)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _made_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


_warmed = False


def _warm(app) -> None:
    """Compile every template and load every language's catalogue once, in the master: each worker
    (and each one started again after max_requests) then begins with them, sharing their memory,
    instead of making them on its first requests while others wait behind it (issue 19)."""
    from flask_babel import force_locale, get_translations
    from jinja2 import TemplateError

    from remun.web.languages import LOCALES

    for name in app.jinja_env.list_templates(extensions=["html"]):
        try:
            app.jinja_env.get_template(name)
        except TemplateError:  # a template only ever included from another that sets it up: made when used
            continue
    with app.test_request_context():
        for locale in LOCALES.values():
            with force_locale(locale):
                get_translations()


def pre_fork(server, worker) -> None:
    global _warmed
    if not _warmed:
        _warm(server.app.wsgi())
        _warmed = True
    # Everything loaded so far (modules, templates, the rate book) lives as long as the process:
    # keep it out of the garbage collector's sweeps, which caused the latency tail under load.
    gc.freeze()


def post_worker_init(worker) -> None:
    """Make the organisation's parity reports before this worker takes a request, so nobody's first
    dashboard from a new worker waits for them (issue 19). Nothing is lost if it fails: the first
    dashboard makes them."""
    from remun.web.extensions import db
    from remun.web.pages import kept_parity
    from remun.parity.report_cache import cached_organisation_parity

    app = worker.app.wsgi()
    with app.app_context():
        try:
            cached_organisation_parity(db.session, **kept_parity())
        except Exception as error:  # noqa: BLE001 (a database not yet migrated or unreachable: served anyway)
            worker.log.warning("Parity reports not made before serving: %s", error)
        finally:
            db.session.rollback()
            db.session.close()


def post_fork(server, worker) -> None:
    # Fewer, larger young-generation collections: page rendering makes many short-lived objects.
    gc.set_threshold(50_000, 20, 20)
    # Never share a database connection made before the fork.
    from remun.web.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
