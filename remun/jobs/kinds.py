"""What a job can do: each handler writes one file (remun/jobs/runner.py calls them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from remun.jobs.registry import JobRefused, Progress, handler


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def export_params(filters, context) -> dict[str, Any]:
    """What the finance export job needs, as JSON: the filters and who it is for."""
    return {
        "project_ids": None if filters.project_ids is None else list(filters.project_ids),
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "made_by": context.made_by,
        "made_at": context.made_at.isoformat(),
        "locale": context.locale,
    }


@handler("export", ".xlsx")
def finance_workbook(session: Session, params: dict[str, Any], target: Path, progress: Progress) -> str:
    from remun.exports import ExportContext, ExportFilters, ExportTooLarge
    from remun.exports.workbook import write_finance_workbook
    from remun.web.formatting import number

    ids = params.get("project_ids")
    filters = ExportFilters(project_ids=None if ids is None else tuple(ids), date_from=_date(params.get("date_from")),
                            date_to=_date(params.get("date_to")))
    with force_locale(params.get("locale") or "en_GB"):
        context = ExportContext(made_by=params["made_by"], made_at=dt.datetime.fromisoformat(params["made_at"]),
                                locale=params.get("locale") or "en_GB", gettext=gettext)
        try:
            write_finance_workbook(session, str(target), filters, context,
                                   rate_book=current_app.extensions["remun.rates"], progress=progress)
        except ExportTooLarge as problem:
            raise JobRefused(gettext("That is %(rows)s ledger entries, more than one sheet can hold. Choose fewer "
                                     "projects or a shorter date range.", rows=number(problem.rows, 0))) from None
    return f"remun-finance-{context.made_at_utc:%Y-%m-%d}.xlsx"
