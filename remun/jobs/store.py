"""A job's life in the database: made, started, moved on, done or failed, retried, expired.

Every change is its own short transaction, so progress is seen by the page at once
and nothing the work does is held back by it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from remun import config
from remun.jobs.models import Job, JobStatus

#: How long a finished file is kept, unless REMUN_JOB_KEEP_HOURS says otherwise.
DEFAULT_KEEP_HOURS = 24
#: How often a running job's heartbeat moves, and how long without one means its worker was lost.
HEARTBEAT_SECONDS = 5.0
DEFAULT_LOST_AFTER_SECONDS = 60

#: Plain sentences a person sees when a job failed (translated by the page: see templates/jobs/show.html).
LOST_WORKER = "The computer making this file stopped before it finished (it may have been restarted)."
UNEXPECTED = "Something went wrong while making this file."


def _update():
    # The rows are re-read by whoever shows them: no need to match them in the session (and SQLite's naive times
    # would not compare with aware ones there).
    return update(Job).execution_options(synchronize_session=False)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(when: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive times: they were stored as UTC."""
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=dt.timezone.utc)
    return when


def keep_hours() -> float:
    return float(os.environ.get("REMUN_JOB_KEEP_HOURS", DEFAULT_KEEP_HOURS))


def lost_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(os.environ.get("REMUN_JOB_LOST_AFTER_SECONDS", DEFAULT_LOST_AFTER_SECONDS)))


def files_folder() -> Path:
    """Where finished files are kept: REMUN_JOB_FILES (shared by every machine running workers), else instance/jobs."""
    folder = Path(os.environ.get("REMUN_JOB_FILES") or config.instance_path() / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def uploads_folder() -> Path:
    """Where uploads waiting for their job are kept (a job's params name its file as "upload")."""
    folder = files_folder() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_upload(stream: IO[bytes], suffix: str = ".xlsx") -> str:
    """Copy an upload (its size already bounded) to a file only the job knows the name of; returns that name."""
    name = f"{secrets.token_hex(16)}{suffix}"
    stream.seek(0)
    with open(uploads_folder() / name, "xb") as kept:
        shutil.copyfileobj(stream, kept)
    return name


def upload_path(name: str) -> Path:
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"not an upload's name: {name!r}")
    return uploads_folder() / name


def _remove_upload(job: Job) -> None:
    name = params_of(job).get("upload")
    if name:
        upload_path(name).unlink(missing_ok=True)


def create(session: Session, kind: str, owner_id: int | None, params: dict[str, Any]) -> Job:
    job = Job(kind=kind, owner_id=owner_id, params=json.dumps(params, default=str), status=JobStatus.QUEUED,
              rows_done=0, attempts=0)
    session.add(job)
    session.flush()
    return job


def params_of(job: Job) -> dict[str, Any]:
    return json.loads(job.params or "{}")


def start(session: Session, job_id: int) -> Job | None:
    """Mark a queued job running; None when it is not queued (already taken, or done)."""
    started = session.execute(
        _update().where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now(), heartbeat_at=now(), attempts=Job.attempts + 1,
                rows_done=0, error=None)
    ).rowcount
    session.commit()
    return session.get(Job, job_id) if started else None


def progress(session: Session, job_id: int, done: int, total: int | None) -> None:
    session.execute(_update().where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                    .values(rows_done=done, rows_total=total, heartbeat_at=now()))
    session.commit()


def beat(session: Session, job_id: int) -> None:
    session.execute(_update().where(Job.id == job_id, Job.status == JobStatus.RUNNING).values(heartbeat_at=now()))
    session.commit()


def finish(session: Session, job_id: int, file_name: str, file_path: str, file_size: int) -> bool:
    """Mark the job done; False when it was no longer running (marked lost meanwhile): its file is not used."""
    finished_at = now()
    done = session.execute(
        _update().where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(status=JobStatus.DONE, finished_at=finished_at, heartbeat_at=finished_at, file_name=file_name,
                file_path=file_path, file_size=file_size, expires_at=finished_at + dt.timedelta(hours=keep_hours()),
                rows_done=func.coalesce(Job.rows_total, Job.rows_done))
    ).rowcount
    session.commit()
    return bool(done)


def fail(session: Session, job_id: int, reason: str) -> None:
    session.execute(_update().where(Job.id == job_id, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
                    .values(status=JobStatus.FAILED, error=reason, finished_at=now()))
    session.commit()


def fail_lost_jobs(session: Session, when: dt.datetime | None = None) -> int:
    """Running jobs whose heartbeat stopped longer ago than REMUN_JOB_LOST_AFTER_SECONDS: their worker is gone."""
    when = when or now()
    lost = session.execute(
        _update().where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < when - lost_after())
        .values(status=JobStatus.FAILED, error=LOST_WORKER, finished_at=when)
    ).rowcount
    session.commit()
    return lost


def retry(session: Session, job: Job) -> bool:
    """Queue a failed job again (the caller hands it to the runner after committing)."""
    if job.status is not JobStatus.FAILED:
        return False
    job.status = JobStatus.QUEUED
    job.error = None
    job.rows_done = 0
    job.started_at = job.finished_at = job.heartbeat_at = None
    return True


def expire(session: Session, when: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry and mark them expired.

    A failed job's upload (kept so it can be tried again) is deleted as long after it failed.
    """
    when = when or now()
    count = 0
    folder = files_folder()
    for job in session.scalars(select(Job).where(Job.status == JobStatus.DONE, Job.expires_at <= when)):
        if job.file_path:
            (folder / job.file_path).unlink(missing_ok=True)
        _remove_upload(job)
        job.status = JobStatus.EXPIRED
        job.file_path = None
        count += 1
    failed_before = when - dt.timedelta(hours=keep_hours())
    for job in session.scalars(select(Job).where(Job.status == JobStatus.FAILED, Job.finished_at <= failed_before,
                                                 Job.params.like('%"upload"%'))):
        _remove_upload(job)
    session.commit()
    return count


def is_expired(job: Job, when: dt.datetime | None = None) -> bool:
    return job.status is JobStatus.EXPIRED or (
        job.status is JobStatus.DONE and job.expires_at is not None and aware(job.expires_at) <= (when or now()))


def file_of(job: Job) -> Path | None:
    if job.status is not JobStatus.DONE or not job.file_path:
        return None
    path = files_folder() / job.file_path
    return path if path.is_file() else None
