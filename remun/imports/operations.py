"""Importing a workbook for someone: the import, who leads a new project, and the claims it makes.

One function for the upload page (a small workbook, at once) and the background job (a large one),
so both do the same. It never commits: the caller commits on success and rolls back on failure.
"""

from __future__ import annotations

import os
from typing import IO

from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.accounts.models import ProjectLead
from remun.pay.rate_cards import RateBook
from remun.imports import N_
from remun.imports.importer import ImportFailed, ImportSummary, Progress, import_workbook
from remun.imports.problems import Problem

#: Uploads with more rows than this are imported by a background job (REMUN_IMPORT_JOB_ROWS overrides it).
JOB_ROWS = 2_000


def import_project(session: Session, source: str | os.PathLike | IO[bytes], rate_book: RateBook, *,
                   by_user_id: int | None, led_project_ids: set[int] | None,
                   progress: Progress | None = None) -> ImportSummary:
    """Import ``source`` for a user, all or nothing; raises ImportFailed with every problem.

    ``led_project_ids`` is None for someone who may update any project, else the projects a lead
    leads: they may update only those, and they lead a project they import that is new to them.
    Attendance becomes claims in the same transaction.
    """
    from remun.ledger.claims import sync_claims
    from remun.ledger.posting import ClaimDecided

    may_update = None if led_project_ids is None else (lambda project: project.id in led_project_ids)
    summary = import_workbook(session, source, rate_book, may_update=may_update, progress=progress)
    if led_project_ids is not None and summary.project_id not in led_project_ids \
            and session.get(ProjectLead, (by_user_id, summary.project_id)) is None:
        session.add(ProjectLead(user_id=by_user_id, project_id=summary.project_id))
        audit.record(session, by_user_id, "project.lead_added", "project", summary.project_id,
                     {"user_id": by_user_id})
    try:
        sync_claims(session, rate_book, project_id=summary.project_id)  # attendance becomes claims
    except ClaimDecided:
        raise ImportFailed([Problem(None, None, None, N_(
            "A claim for attendance in this workbook was approved while it was being imported, so nothing was "
            "imported. Upload it again; approved attendance cannot be changed without reversing it first."))]
        ) from None
    return summary
