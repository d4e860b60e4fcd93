"""The work a `remun worker` process does for one job: RQ calls ``perform`` by its name.

Apart from the runner, so the runner (which the app's pages use) need not import the app
that a worker builds for itself.
"""

from __future__ import annotations

import os

from flask import Flask, has_app_context

from remun.jobs.runner import _perform

_worker_app: Flask | None = None
#: The process id of `remun worker`: its work horses are forks, and must not share its database connections.
worker_pid: int | None = None


def perform(job_id: int) -> None:
    """RQ's entry point: the work of one job, inside the app (made once per worker process)."""
    global _worker_app
    if has_app_context():
        if worker_pid is not None and os.getpid() != worker_pid:
            from remun.web.extensions import db

            db.engine.dispose(close=False)  # a forked horse: new connections, leaving the parent's alone
        _perform(job_id, heartbeat=True)
        return
    if _worker_app is None:
        from remun.web.app import build_app

        _worker_app = build_app()
    with _worker_app.app_context():
        _perform(job_id, heartbeat=True)
