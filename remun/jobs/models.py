"""One row per piece of long work done in the background: who asked, how far it is, its file."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from remun.project_records.models import Base, _enum


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, but its file was kept as long as the organisation keeps them and is gone


class Job(Base):
    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What to do: a key of remun.jobs.registry.HANDLERS ("export", "budget_workbook", "import").
    kind: Mapped[str] = mapped_column(String(40))
    #: Who asked: only they (and administrators) may see the job and download its file.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: JSON text of what the work needs (filters, locale): never personal data beyond what the export names.
    params: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[JobStatus] = mapped_column(
        _enum(JobStatus, "background_job_status"), default=JobStatus.QUEUED
    )
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    #: A plain sentence for the person when the job failed (never a traceback).
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The finished file: its name for the person, and where it is kept under the jobs folder.
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Moved on while the work runs; a running job whose heartbeat stops was lost with its worker.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the finished file is deleted.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FiguresVersion(Base):
    """One row whose token changes, in the same transaction, with every write that changes every project's figures.

    Database triggers (migration 0016) set a new random token on any insert, update or delete of the
    organisation's settings (the comparator basis) and rate figures, however it is written, and on a
    TRUNCATE of any table the reports read. Writes to one project's records move that project's
    :class:`ProjectFiguresVersion` instead (migration 0021). A report cached under both tokens
    (remun/parity/report_cache.py) is therefore never served after a committed change, and a token from
    a transaction that was rolled back is never seen again.
    """

    __tablename__ = "figures_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))


class ProjectFiguresVersion(Base):
    """A token per project, changed in the same transaction as every write to that project's records.

    Database triggers (migration 0021) set a new random token for the projects whose rows an insert,
    update or delete touches: the project, its role groups, roles, pay terms, appointments, sessions,
    attendance, claims, postings and settlement parts, and a person (for the projects they attended).
    A project's parity report is kept under its token and the organisation's (:class:`FiguresVersion`),
    so a change to one project makes only that project's report again. No foreign key: the row of a
    deleted project stays, so a token is never given out twice for the same project.
    """

    __tablename__ = "project_figures_versions"

    project_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(64))
