"""Importing a project from a workbook, and the blank template to fill in.

A workbook of up to ``JOB_ROWS`` rows (2,000 unless REMUN_IMPORT_JOB_ROWS says otherwise) is imported
at once, as most are: a project's roles, people and a year of sessions take a second or two, and the
person sees the result without a page in between. A larger one is kept in the jobs folder and
imported by a background job (remun/jobs/kinds.py), whose page shows the rows read and then the
result: what was imported, or the problems (and nothing written). Both use
``remun.imports.operations.import_project``.
"""

from __future__ import annotations

import io
import os

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from remun.accounts.models import UserRole
from remun.web.extensions import db
from remun.web.forms import ImportForm
from remun.web.pages import commit, import_summary, rate_book

bp = Blueprint("imports", __name__, url_prefix="/import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/", methods=["GET", "POST"])
def upload():
    from remun.imports.importer import ImportFailed
    from remun.imports.limits import measure_workbook
    from remun.imports.operations import import_project

    form = ImportForm()
    problems = []
    more_problems = 0
    if form.validate_on_submit():
        stream = form.workbook.data.stream
        if not (callable(getattr(stream, "seekable", None)) and stream.seekable()):
            stream = io.BytesIO(stream.read())
        try:
            refused, rows = measure_workbook(stream)
        except Exception:  # noqa: BLE001  (not a zip: the import says so in words, at once)
            refused, rows = [], 0
        if not refused and rows > _job_rows():
            return _import_in_the_background(stream)
        try:
            summary = import_project(db.session, stream, rate_book(), by_user_id=current_user.id,
                                     led_project_ids=_led_project_ids())
        except ImportFailed as failure:
            db.session.rollback()  # nothing from a failed import is kept
            problems, more_problems = failure.problems, failure.more
        else:
            commit()
            # One banner summing up the import.
            flash("\n".join(import_summary((getattr(line, "message_id", str(line)), getattr(line, "params", {}))
                                            for line in summary.lines())), "success")
            return redirect(url_for("projects.show", project_id=summary.project_id))
    return render_template("imports/upload.html", title=_("Import a workbook"), form=form, problems=problems,
                           more_problems=more_problems, active_section="import")


def _job_rows() -> int:
    """Uploads with more rows than this are imported by a background job (REMUN_IMPORT_JOB_ROWS)."""
    from remun.imports.operations import JOB_ROWS

    return int(current_app.config.get("REMUN_IMPORT_JOB_ROWS") or os.environ.get("REMUN_IMPORT_JOB_ROWS") or JOB_ROWS)


def _import_in_the_background(stream):
    from remun.jobs import store
    from remun.jobs.kinds import import_params
    from remun.web.views.jobs import submit_job

    kept = store.keep_upload(stream)
    job = submit_job("import", import_params(kept, current_user.id, _led_project_ids(),
                                             str(get_locale() or "en_GB")))
    return redirect(url_for("jobs.show", job_id=job.id))


def _led_project_ids() -> set[int] | None:
    """A project lead may update only the projects they lead; anyone else any project (None)."""
    if current_user.role is not UserRole.LEAD:
        return None
    return {project.id for project in current_user.user.led_projects}


@bp.get("/template.xlsx")
def template():
    from remun.imports.template import write_template

    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name="remun-template.xlsx")
