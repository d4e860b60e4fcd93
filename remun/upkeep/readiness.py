"""Is this Remun ready to serve? Cheap checks for /readyz, each naming what is wrong (no data, no Flask).

- the database answers and is at the newest migration (an app older or newer than its
  database must not serve: pages would fail or write the wrong columns);
- Redis answers, when REMUN_REDIS_URL is set;
- at least one job worker (RQ, queue ``remun``) has been seen recently, when Redis is set.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

QUEUE_NAME = "remun"
#: An idle RQ worker renews its heartbeat every few minutes (its worker_ttl, 420 s by default).
WORKER_SEEN_WITHIN_SECONDS = int(os.environ.get("REMUN_WORKER_SEEN_WITHIN_SECONDS", "600"))


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@functools.cache
def newest_migration() -> str | None:
    from alembic.script import ScriptDirectory

    from remun.database import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def database_checks(session) -> list[Check]:
    """The database answers, and its migration is the newest this code knows."""
    try:
        current = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as error:
        session.rollback()
        return [Check("database", False, f"unreachable or not set up ({type(error.orig or error).__name__})")]
    newest = newest_migration()
    if current != newest:
        return [Check("database", True, "ok"),
                Check("migrations", False, f"the database is at {current}, this code needs {newest}: run remun migrate")]
    return [Check("database", True, "ok"), Check("migrations", True, f"at {current}")]


def redis_connection(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def redis_checks(url: str | None) -> list[Check]:
    """Redis and the job workers, when REMUN_REDIS_URL is set."""
    if not url:
        return []
    try:
        connection = redis_connection(url)
        connection.ping()
    except Exception as error:  # noqa: BLE001  (any failure to reach it means not ready)
        return [Check("redis", False, f"unreachable ({type(error).__name__})")]
    return [Check("redis", True, "ok"), workers_check(connection)]


def recent_workers(connection) -> int:
    """How many RQ workers on the ``remun`` queue have a heartbeat within WORKER_SEEN_WITHIN_SECONDS."""
    import datetime as dt

    from rq import Queue, Worker

    now = dt.datetime.now(dt.timezone.utc)
    seen = 0
    for worker in Worker.all(queue=Queue(QUEUE_NAME, connection=connection)):
        beat = worker.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=dt.timezone.utc)
        if beat is not None and (now - beat).total_seconds() <= WORKER_SEEN_WITHIN_SECONDS:
            seen += 1
    return seen


def workers_check(connection) -> Check:
    try:
        seen = recent_workers(connection)
    except ImportError:
        return Check("workers", False, "rq is not installed")
    except Exception as error:  # noqa: BLE001
        return Check("workers", False, f"cannot list workers ({type(error).__name__})")
    if not seen:
        return Check("workers", False, f"no job worker seen in the last {WORKER_SEEN_WITHIN_SECONDS} seconds: "
                                       "start one with remun worker")
    return Check("workers", True, f"{seen} seen recently")
