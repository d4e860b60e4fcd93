"""The figures versions parity reports are kept under (issue 19): the organisation's and each project's.

Triggers move them in the same transaction as the writes (migrations 0016 and 0021):

- ``figures_version`` (one row) for what changes every project's figures: the organisation's settings
  (the comparator basis) and rate figures;
- ``project_figures_versions`` (a row a project) for what changes one project's: its row, groups, roles,
  pay terms, appointments, sessions, attendance, claims, postings and settlement parts, and its people.

A project's report is current while both its tokens are; the organisation's while the organisation's
token and every project's are. Read them *before* the data a report is made from. No Flask here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.jobs.models import FiguresVersion, ProjectFiguresVersion
from remun.project_records.models import Project


@dataclass(frozen=True)
class Versions:
    """The organisation's token, and each project's (the projects there are, as read)."""

    organisation: str
    projects: dict[int, str]

    def of(self, project_id: int) -> tuple[str, str]:
        """What a project's report is kept under: the organisation's token and the project's."""
        return self.organisation, self.projects.get(project_id, "")

    def key(self) -> tuple:
        """Every token, as one hashable value: equal while nothing the organisation's report reads changed."""
        return self.organisation, tuple(sorted(self.projects.items()))


def figures_version(session: Session) -> str:
    """The organisation's token (moved by changes to every project's figures)."""
    return session.scalar(select(FiguresVersion.token).where(FiguresVersion.id == 1)) or ""


def project_version(session: Session, project_id: int) -> str:
    """One project's token ("" before anything was written for it since migration 0021)."""
    return session.scalar(select(ProjectFiguresVersion.token)
                          .where(ProjectFiguresVersion.project_id == project_id)) or ""


def read_versions(session: Session, project_id: int | None = None) -> Versions:
    """The organisation's token and every project's (or one project's), in one query."""
    organisation = select(FiguresVersion.token).where(FiguresVersion.id == 1).scalar_subquery()
    query = (select(Project.id, func.coalesce(ProjectFiguresVersion.token, ""), organisation)
             .outerjoin(ProjectFiguresVersion, ProjectFiguresVersion.project_id == Project.id))
    if project_id is not None:
        query = query.where(Project.id == project_id)
    rows = session.execute(query).all()
    if not rows:  # no projects (or not this one): the organisation's token alone
        return Versions(figures_version(session), {})
    return Versions(rows[0][2] or "", {row[0]: row[1] for row in rows})


def digest(*parts: object) -> str:
    """64 hexadecimal characters standing for the tokens a report was made under (what ``kept_reports`` holds)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def project_digest(versions: Versions, project_id: int) -> str:
    return digest("project", project_id, *versions.of(project_id))


def organisation_digest(versions: Versions) -> str:
    organisation, projects = versions.key()
    return digest("organisation", organisation, *(f"{project_id}:{token}" for project_id, token in projects))
