"""Exports as user actions: each download of finance's files is recorded in the audit log.

The files themselves are made by the other modules of this package; these functions record
who took which file, in the caller's transaction (the page, the API or the command line commits).
``user_id`` None is the command line, which says so in the entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from remun.accounts import audit
from remun.exports.accounting import Bills, ChosenFile, choose_file

#: What the command line adds to each entry, since it has no signed-in user.
COMMAND_LINE = {"via": "command line"}


def _record(session: Session, user_id: int | None, action: str, object_type: str | None, object_id: Any,
            detail: dict[str, Any]) -> None:
    audit.record(session, user_id, action, object_type, object_id, {**detail, **(COMMAND_LINE if user_id is None else {})})


def ledger_exported(session: Session, user_id: int | None, *, project_ids: Iterable[int] | None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None, **detail: Any) -> None:
    """The ledger (workbook or CSV) of some projects, or of all (``project_ids`` None), was taken."""
    _record(session, user_id, "ledger.exported", None, None, {
        **detail, "projects": "all" if project_ids is None else list(project_ids),
        "date_from": date_from, "date_to": date_to})


def batch_exported(session: Session, user_id: int | None, batch_id: int, file_format: str, **detail: Any) -> None:
    """A payment batch's file (CSV, workbook, or bills to import) was taken."""
    _record(session, user_id, "batch.exported", "batch", batch_id, {"format": file_format, **detail})


def in_kind_exported(session: Session, user_id: int | None, project_id: int, file_format: str, **detail: Any) -> None:
    """A project's list of what was given in kind, as bills to import, was taken."""
    _record(session, user_id, "in_kind.exported", "project", project_id, {"format": file_format, **detail})


def take_accounting_file(session: Session, user_id: int | None, bills: Bills, file_format: str,
                         part: int | None = None) -> ChosenFile:
    """Finance downloads bills to import (a payment batch's, or a project's in-kind list): the file
    ``accounting.choose_file`` picks, its download recorded against the batch or the project.
    The page and the API both come here; raises accounting.NoSuchPart (nothing recorded) for a part
    the file does not have."""
    chosen = choose_file(bills, file_format, part)
    if bills.batch_id is not None:
        batch_exported(session, user_id, bills.batch_id, file_format, files=chosen.parts, part=part)
    else:
        in_kind_exported(session, user_id, bills.project.id, file_format, files=chosen.parts, part=part)
    return chosen
