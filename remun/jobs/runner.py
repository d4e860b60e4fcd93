"""Hands a job to RQ (REMUN_REDIS_URL set) or a thread of the app, and does the work either way.

``submit(app, job_id)`` is called after the job's row is committed. The work is
``perform(job_id)`` (remun/jobs/work.py): RQ's workers call it by name (``remun worker``);
the thread calls ``_perform`` inside the app. Handlers (remun/jobs/kinds.py) write one file and return the name
the person downloads it as; they report rows done through ``progress``.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time

from flask import Flask, current_app

from remun.jobs import store
from remun.jobs.registry import HANDLERS, JobRefused

log = logging.getLogger(__name__)

#: The RQ queue every Remun worker listens to (shared with the other branches' `remun worker`).
QUEUE = "remun"
#: Longest a job may run on RQ before its worker stops it (REMUN_JOB_TIMEOUT seconds).
DEFAULT_TIMEOUT = 3 * 60 * 60

def redis_url(app: Flask | None = None) -> str | None:
    app = app or current_app
    return app.config.get("REMUN_REDIS_URL") or os.environ.get("REMUN_REDIS_URL") or None


def mode(app: Flask | None = None) -> str:
    """"rq" when Redis is configured, else "thread"; tests may ask for "inline" (at once, in the request)."""
    app = app or current_app
    chosen = app.config.get("REMUN_JOB_RUNNER") or os.environ.get("REMUN_JOB_RUNNER")
    if chosen:
        return chosen
    return "rq" if redis_url(app) else "thread"


def queue(app: Flask | None = None, connection=None):
    from redis import Redis
    from rq import Queue

    app = app or current_app
    connection = connection or Redis.from_url(redis_url(app))
    return Queue(app.config.get("REMUN_JOB_QUEUE") or os.environ.get("REMUN_JOB_QUEUE") or QUEUE, connection=connection)


def submit(app: Flask, job_id: int) -> None:
    """Start the committed job's work: on the queue, in a thread, or (tests) at once."""
    how = mode(app)
    if how == "rq":
        try:
            queue(app).enqueue_call("remun.jobs.work.perform", args=(job_id,), job_id=f"remun-job-{job_id}-{secrets.token_hex(4)}",
                                    timeout=int(os.environ.get("REMUN_JOB_TIMEOUT", DEFAULT_TIMEOUT)),
                                    result_ttl=3600, failure_ttl=24 * 3600)
        except Exception:  # noqa: BLE001  (Redis unreachable: say so on the job's page, let it be retried)
            log.exception("job %s could not be queued", job_id)
            from remun.web.extensions import db

            with db.sessionmaker() as session:
                store.fail(session, job_id, QUEUE_DOWN)
    elif how == "thread":
        threading.Thread(target=_in_thread, args=(app, job_id), name=f"remun-job-{job_id}", daemon=True).start()
    elif how == "inline":
        _perform(job_id, heartbeat=False)
    else:
        raise ValueError(f"REMUN_JOB_RUNNER must be rq, thread or inline, not {how!r}")


QUEUE_DOWN = "The queue of work could not be reached, so this file was not started."


def _in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        _perform(job_id, heartbeat=True)


def _beat(factory, job_id: int, stop: threading.Event) -> None:
    while not stop.wait(store.HEARTBEAT_SECONDS):
        try:
            with factory() as session:
                store.beat(session, job_id)
        except Exception:  # noqa: BLE001  (a missed beat is not the work failing)
            log.exception("heartbeat of job %s", job_id)


def _perform(job_id: int, *, heartbeat: bool) -> None:
    from remun.jobs import kinds  # noqa: F401  (registers the handlers)
    from remun.web.extensions import db

    factory = db.sessionmaker
    with factory() as session:
        store.expire(session)
        job = store.start(session, job_id)
        if job is None:
            return  # taken by another worker, or no longer queued
        kind, params = job.kind, store.params_of(job)
    function, suffix = HANDLERS[kind]
    target_name = f"{job_id}-{secrets.token_hex(12)}{suffix}"
    target = store.files_folder() / target_name
    stop = threading.Event()
    if heartbeat:
        threading.Thread(target=_beat, args=(factory, job_id, stop), name=f"remun-job-{job_id}-heartbeat",
                         daemon=True).start()
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        moment = time.monotonic()
        if moment - last >= 0.5 or done >= total:
            last = moment
            with factory() as progress_session:
                store.progress(progress_session, job_id, done, total)

    try:
        with factory() as session:
            file_name = function(session, params, target, progress)
            session.rollback()
    except JobRefused as refusal:
        stop.set()
        target.unlink(missing_ok=True)
        with factory() as session:
            store.fail(session, job_id, str(refusal))
        return
    except Exception:
        stop.set()
        log.exception("job %s (%s) failed", job_id, kind)
        target.unlink(missing_ok=True)
        with factory() as session:
            store.fail(session, job_id, store.UNEXPECTED)
        if mode(current_app) == "inline":
            raise
        return
    stop.set()
    with factory() as session:
        if not store.finish(session, job_id, file_name, target_name, target.stat().st_size):
            target.unlink(missing_ok=True)  # marked lost meanwhile: the person was told to try again
