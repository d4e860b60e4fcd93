"""Importing a project from a workbook, and the blank template to fill in."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from remun.accounts.models import ProjectLead, UserRole

from remun.ledger.claims import sync_claims
from remun.web.extensions import db
from remun.web.forms import ImportForm
from remun.web.auth import audit
from remun.web.pages import rate_book

bp = Blueprint("imports", __name__, url_prefix="/import")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_PROBLEMS = 200


@bp.route("/", methods=["GET", "POST"])
def upload():
    from remun.workbook.importer import ImportFailed, import_workbook

    form = ImportForm()
    problems = []
    more_problems = 0
    if form.validate_on_submit():
        try:
            summary = import_workbook(db.session, form.workbook.data.stream, rate_book(),
                                      may_update=_may_update())
        except ImportFailed as failure:
            db.session.rollback()  # nothing from a failed import is kept
            # The first SHOWN_PROBLEMS, and how many more: a page of every one of 200,000 would not be read.
            problems = failure.problems[:SHOWN_PROBLEMS]
            more_problems = len(failure.problems) - len(problems)
        else:
            _lead_what_they_imported(summary.project_id)
            sync_claims(db.session, rate_book(), project_id=summary.project_id)  # attendance becomes claims
            db.session.commit()
            # One banner summing up the import: its first line, then one line for each kind of record.
            flash("\n".join(_(line.message_id) % line.params if hasattr(line, "message_id") else str(line)
                             for line in summary.lines()), "success")
            return redirect(url_for("projects.show", project_id=summary.project_id))
    return render_template("imports/upload.html", title=_("Import a workbook"), form=form, problems=problems,
                           more_problems=more_problems, active_section="import")


def _may_update():
    """A project lead may update only the projects they lead; anyone else any project."""
    if current_user.role is not UserRole.LEAD:
        return None
    led = {project.id for project in current_user.user.led_projects}
    return lambda project: project.id in led


def _lead_what_they_imported(project_id: int) -> None:
    """A project lead who imports a new project leads it."""
    if current_user.role is UserRole.LEAD and db.session.get(ProjectLead, (current_user.id, project_id)) is None:
        db.session.add(ProjectLead(user_id=current_user.id, project_id=project_id))
        audit("project.lead_added", "project", project_id, user_id=current_user.id)


@bp.get("/template.xlsx")
def template():
    from remun.workbook.template import write_template

    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name="remun-template.xlsx")
