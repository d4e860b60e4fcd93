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
    from remun.exports.finance_workbook import write_finance_workbook
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


def budget_params(budget, made_by: str, locale: str) -> dict[str, Any]:
    """What the budget workbook job needs, as JSON."""
    return {"budget_id": budget.id, "made_by": made_by, "locale": locale,
            "made_at": dt.datetime.now(dt.timezone.utc).isoformat()}


def budget_file_name(budget) -> str:
    name = "".join(character if character.isalnum() else "-" for character in budget.name).strip("-").lower()
    return f"budget-{name or budget.id}.xlsx"


@handler("budget_workbook", ".xlsx")
def budget_workbook_file(session: Session, params: dict[str, Any], target: Path, progress: Progress) -> str:
    """A budget's workbook: its plan, and (for a project's budget) the plan against what was spent."""
    from remun.budget.actuals import ledger_actuals, plan_against_actual
    from remun.budget.planning import cost_plan
    from remun.budget.store import load_budget, plan_of
    from remun.budget.budget_workbook import budget_workbook
    from remun.web.labels import KIND_LABELS
    from remun.web.views.budget_forms import SECTION_LABELS, SHEET_LABELS

    locale = params.get("locale") or "en_GB"
    with force_locale(locale):
        budget = load_budget(session, params["budget_id"])
        if budget is None:
            raise JobRefused(gettext("This budget was deleted before its workbook could be made."))
        rows = len(budget.lines) + len(budget.items)
        progress(0, rows)
        costing = cost_plan(plan_of(budget), current_app.extensions["remun.rates"])
        versus = None
        if budget.project_id is not None:
            versus = plan_against_actual(costing, ledger_actuals(session, budget.project_id))
        content = budget_workbook(costing, section_labels={key: str(label) for key, label in SECTION_LABELS.items()},
                                  kind_labels={kind: str(label) for kind, label in KIND_LABELS.items()},
                                  sheet_labels={key: str(label) for key, label in SHEET_LABELS.items()},
                                  versus=versus, notes=budget.notes, gettext=gettext, locale=locale,
                                  made_by=params["made_by"], made_at=dt.datetime.fromisoformat(params["made_at"]))
    target.write_bytes(content)
    progress(rows, rows)
    return budget_file_name(budget)


def import_params(upload_name: str, user_id: int, led_project_ids: set[int] | None, locale: str) -> dict[str, Any]:
    """What the import job needs: the stored upload's name, who asked and (for a lead) the projects they lead."""
    return {"upload": upload_name, "user_id": user_id, "locale": locale,
            "led_project_ids": None if led_project_ids is None else sorted(led_project_ids)}


@handler("import", ".json")
def import_workbook_result(session: Session, params: dict[str, Any], target: Path, progress: Progress) -> str:
    """Import a stored upload, all or nothing; the file made is the result the job's page shows.

    The result is JSON: the project and the summary's lines when it was imported, or the first
    problems (``failure.problems`` keeps at most SHOWN_PROBLEMS) and how many more. Either way the upload is deleted: it is kept
    only while the job may still need it (a failed job keeps it to be tried again, until it expires).
    """
    import json

    from remun.jobs import store
    from remun.imports.importer import ImportFailed
    from remun.imports.operations import import_project

    upload = store.upload_path(params["upload"])
    if not upload.is_file():
        raise JobRefused(gettext("The uploaded workbook is no longer kept. Upload it again."))
    led = params.get("led_project_ids")
    try:
        summary = import_project(session, upload, current_app.extensions["remun.rates"],
                                 by_user_id=params["user_id"], led_project_ids=None if led is None else set(led),
                                 progress=progress)
    except ImportFailed as failure:
        session.rollback()  # nothing from a failed import is kept
        result = {"problems": [{"sheet": problem.sheet, "row": problem.row, "column": problem.column,
                                "message_id": problem.message_id, "params": dict(problem.params)}
                               for problem in failure.problems],
                  "more_problems": failure.more}
    else:
        session.commit()
        result = {"project_id": summary.project_id,
                  "lines": [[getattr(line, "message_id", str(line)), getattr(line, "params", {})]
                            for line in summary.lines()]}
    target.write_text(json.dumps(result, default=str), encoding="utf-8")
    upload.unlink(missing_ok=True)
    return "import.json"
