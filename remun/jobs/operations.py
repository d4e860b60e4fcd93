"""Background jobs as user actions: asking for one, taking its file, trying again.

Each checks, writes and records its audit entry in the caller's transaction; the caller
commits, then hands the job to the runner (remun.jobs.runner), so a worker never sees a
job that was not saved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.jobs import store
from remun.jobs.models import Job


def request(session: Session, kind: str, user_id: int | None, params: dict[str, Any]) -> Job:
    """A new job of ``kind`` for this user, queued."""
    job = store.create(session, kind, user_id, params)
    audit.record(session, user_id, "job.requested", "background_job", job.id, {"kind": kind})
    return job


def downloaded(session: Session, job: Job, user_id: int | None) -> None:
    """The job's file was taken by its owner (or an administrator)."""
    audit.record(session, user_id, "job.downloaded", "background_job", job.id, {"kind": job.kind, "file": job.file_name})


def retry(session: Session, job: Job, user_id: int | None) -> bool:
    """Queue a failed job again; False when it has not failed (nothing to try again)."""
    if not store.retry(session, job):
        return False
    audit.record(session, user_id, "job.retried", "background_job", job.id, {"kind": job.kind})
    return True
