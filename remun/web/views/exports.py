"""Finance exports in the browser: the Exports page, the workbook or CSV download, and batch files.

Who may export what (remun/web/permissions.py): finance and administrators
every project; a project lead only the projects they lead (the form lists only
those, and a download naming any other project is refused).

The workbook is made as a background job (remun/jobs: on RQ when Redis is
configured, else in a thread of the app), not inside the request: the person is
sent to the job's page, which shows progress and then a link. The CSV is sent
while the postings are read, chunk by chunk.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput
from sqlalchemy import select
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from remun.accounts.models import ProjectLead, UserRole
from remun.exports import ExportContext, ExportFilters
from remun.exports import operations as export_operations
from remun.exports.accounting import FORMATS as ACCOUNTING_FORMATS
from remun.exports.accounting import NoSuchPart, batch_bills, in_kind_bills
from remun.exports.batch_file import batch_facts, batch_file_bytes
from remun.exports.csv_export import iter_ledger_csv
from remun.ledger.models import PaymentBatch
from remun.project_records.models import Project
from remun.organisation.accounting import AccountingSettingsMissing, missing_message
from remun.web.auth import actor_id
from remun.web.extensions import db
from remun.web.forms import PlainDateField, options
from remun.web.pages import commit, not_found_unless

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

FORMATS = {
    "xlsx": _l("Finance workbook (Excel, .xlsx)"),
    "csv": _l("Ledger as CSV, fields separated by commas"),
    "csv-semicolon": _l("Ledger as CSV, fields separated by semicolons (for spreadsheets that write decimals with a comma)"),
}


def _date_order(form, field) -> None:
    if field.data and form.date_from.data and field.data < form.date_from.data:
        raise ValidationError(_l("The end date must be the same as or after the start date"))


class ExportForm(FlaskForm):
    """Sent by GET, so the download is a plain link that changes nothing (no CSRF token needed)."""

    class Meta:
        csrf = False

    projects = SelectMultipleField(_l("Projects"), choices=[], coerce=int, widget=GovCheckboxesInput(),
                                   description=_l("Leave them all unticked for every project you can see."))
    date_from = PlainDateField(_l("From"), description=_l("The first day of ledger entries to include, for example 1 4 2026. Leave empty to start at the beginning."))
    date_to = PlainDateField(_l("To"), validators=[_date_order],
                             description=_l("The last day to include. Leave empty to include everything since."))
    format = RadioField(_l("Format"), choices=[], default="xlsx", widget=GovRadioInput(),
                        validators=[InputRequired(message=_l("Select a format"))])
    submit = SubmitField(_l("Download"), widget=GovSubmitInput())


def visible_projects() -> list[Project]:
    """Every project for finance and administrators; a lead's own projects for a lead."""
    query = select(Project).order_by(Project.name, Project.id)
    if current_user.role is UserRole.LEAD:
        query = query.where(Project.id.in_(select(ProjectLead.project_id).where(ProjectLead.user_id == current_user.id)))
    elif current_user.role not in (UserRole.ADMIN, UserRole.FINANCE):
        query = query.where(False)
    return list(db.session.scalars(query))


def export_context() -> ExportContext:
    locale = get_locale()
    return ExportContext(made_by=current_user.email, locale=str(locale) if locale else "en_GB", gettext=_)


def _form(projects: list[Project]) -> ExportForm:
    form = ExportForm(request.args if request.args else None)
    form.projects.choices = options((project.id, project.name) for project in projects)
    form.format.choices = options(FORMATS.items())
    return form


def _page(form: ExportForm, projects: list[Project], problem: str | None = None, status: int = 200):
    return render_template("exports/index.html", title=_("Finance exports"), form=form, projects=projects,
                           problem=problem, active_section="exports"), status


@bp.get("/exports/")
def index():
    projects = visible_projects()
    return _page(_form(projects), projects)


@bp.get("/exports/download")
def download():
    projects = visible_projects()
    allowed = {project.id for project in projects}
    # A project the user may not export is refused outright, not quietly left out.
    asked = [int(value) for value in request.args.getlist("projects") if value.isdigit()]
    if any(project_id not in allowed for project_id in asked):
        abort(403)
    form = _form(projects)
    if not form.validate():
        return _page(form, projects, status=400)
    chosen = tuple(form.projects.data or ()) or tuple(sorted(allowed))
    everything = not form.projects.data and current_user.role in (UserRole.ADMIN, UserRole.FINANCE)
    filters = ExportFilters(project_ids=None if everything else chosen, date_from=form.date_from.data,
                            date_to=form.date_to.data)
    context = export_context()
    fmt = form.format.data
    export_operations.ledger_exported(db.session, actor_id(), project_ids=filters.project_ids,
                                      date_from=filters.date_from, date_to=filters.date_to, format=fmt)
    commit()
    stamp = context.made_at_utc.strftime("%Y-%m-%d")
    if fmt == "xlsx":
        # Written by a worker (or a thread without Redis), not inside the request: the page shows its progress.
        from remun.jobs.kinds import export_params
        from remun.web.views.jobs import submit_job

        job = submit_job("export", export_params(filters, context))
        return redirect(url_for("jobs.show", job_id=job.id))
    delimiter = ";" if fmt == "csv-semicolon" else ","
    body = stream_with_context(iter_ledger_csv(db.session, filters, context, delimiter=delimiter))
    return Response(body, mimetype=CSV, headers={
        "Content-Disposition": f'attachment; filename="remun-ledger-{stamp}.csv"', "Cache-Control": "no-store",
    })


def _batch_file(project_id: int, batch_id: int, fmt: str):
    batch = db.get_or_abort(PaymentBatch, batch_id)
    not_found_unless(batch.project_id == project_id)
    facts = batch_facts(db.session, batch.id)
    options = {"delimiter": ";" if request.args.get("delimiter") == "semicolon" else ","} if fmt == "csv" else {}
    body, mimetype = batch_file_bytes(facts, export_context(), fmt, **options), XLSX if fmt == "xlsx" else CSV
    export_operations.batch_exported(db.session, actor_id(), batch.id, fmt)
    commit()
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="remun-batch-{batch.id}.{fmt}"', "Cache-Control": "no-store",
    })


@bp.get("/projects/<int:project_id>/batches/<int:batch_id>/file.xlsx")
def batch_workbook_file(project_id: int, batch_id: int):
    """The payment batch file as a workbook: the same bytes every time."""
    return _batch_file(project_id, batch_id, "xlsx")


@bp.get("/projects/<int:project_id>/batches/<int:batch_id>/file.csv")
def batch_csv_file(project_id: int, batch_id: int):
    """The payment batch file as CSV (?delimiter=semicolon for ;): the same bytes every time."""
    return _batch_file(project_id, batch_id, "csv")


# --- Accounting import files (issue 20) -------------------------------------------------------------------------

def _accounting_response(make, fmt: str, back: str):
    """The file export_operations.take_accounting_file chooses (the API's too: ?part=N for one numbered file of a
    split, 404 for a part there is not); or, when codes are missing, a page saying plainly which."""
    asked = request.args.get("part", "")
    if fmt not in ACCOUNTING_FORMATS or (asked and not asked.isdigit()):
        abort(404)
    try:
        chosen = export_operations.take_accounting_file(db.session, actor_id(), make(), fmt,
                                                        int(asked) if asked else None)
    except AccountingSettingsMissing as problem:
        db.session.rollback()
        return render_template("exports/accounting_missing.html", title=_("Accounting codes needed"),
                               message=missing_message(problem.missing, _), project_id=problem.project_id,
                               back=back, active_section="projects"), 409
    except NoSuchPart:
        abort(404)
    commit()
    return Response(chosen.file.data, mimetype="application/zip" if chosen.is_zip else CSV, headers={
        "Content-Disposition": f'attachment; filename="{chosen.file.name}"', "Cache-Control": "no-store",
    })


@bp.get("/projects/<int:project_id>/batches/<int:batch_id>/accounting/<fmt>")
def batch_accounting_file(project_id: int, batch_id: int, fmt: str):
    """A payment batch as bills to import: Xero's bill CSV (xero) or a plain purchase-ledger CSV (ledger-csv)."""
    batch = db.get_or_abort(PaymentBatch, batch_id)
    not_found_unless(batch.project_id == project_id)
    return _accounting_response(lambda: batch_bills(db.session, batch.id, export_context()), fmt,
                                url_for("ledger.batch", project_id=project_id, batch_id=batch.id))


@bp.get("/projects/<int:project_id>/in-kind/accounting/<fmt>")
def in_kind_accounting_file(project_id: int, fmt: str):
    """What the project gave in kind (?from=YYYY-MM-DD&to=YYYY-MM-DD, each optional) as bills to import."""
    project = db.get_or_abort(Project, project_id)
    try:
        dates = [dt.date.fromisoformat(request.args[key]) if request.args.get(key) else None for key in ("from", "to")]
    except ValueError:
        abort(400)
    return _accounting_response(
        lambda: in_kind_bills(db.session, project, export_context(), date_from=dates[0], date_to=dates[1]),
        fmt, url_for("ledger.batches", project_id=project.id))
