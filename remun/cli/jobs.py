"""``remun worker``: does background jobs (remun/jobs) from the RQ queue ``remun`` in Redis (REMUN_REDIS_URL).

Start any number, on any number of machines sharing the database, Redis and the
jobs folder (REMUN_JOB_FILES). Each worker first marks failed the jobs whose
worker was lost, and deletes files past their time.
"""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Do the jobs waiting now, then stop (for tests and scripts).")
@click.option("--queue", "queue_name", default=None, help="Listen to this queue instead of 'remun'.")
@with_appcontext
def worker(burst: bool, queue_name: str | None) -> None:
    """Do background jobs (exports, workbooks) from the queue in Redis (REMUN_REDIS_URL)."""
    from redis import Redis
    from rq import Worker

    from remun.jobs import runner, store, work
    from remun.web.extensions import db

    url = runner.redis_url(current_app)
    if not url:
        click.echo("Set REMUN_REDIS_URL (for example redis://127.0.0.1:6379/0): workers take jobs from Redis.",
                   err=True)
        sys.exit(2)
    if queue_name:
        current_app.config["REMUN_JOB_QUEUE"] = queue_name
    with db.sessionmaker() as session:
        lost = store.fail_lost_jobs(session)
        store.expire(session)
    if lost:
        click.echo(f"Marked {lost} job(s) failed: their worker stopped before finishing.")
    db.engine.dispose()  # no pooled connection for the work horses to inherit
    work.worker_pid = os.getpid()
    connection = Redis.from_url(url)
    queue = runner.queue(current_app, connection=connection)
    Worker([queue], connection=connection).work(burst=burst)


def register(cli: click.Group) -> None:
    cli.add_command(worker)
