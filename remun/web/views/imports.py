"""Importing a project from a workbook, and the blank template to fill in."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from remun.ledger.claims import sync_claims
from remun.web.extensions import db
from remun.web.forms import ImportForm
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
            summary = import_workbook(db.session, form.workbook.data.stream, rate_book())
        except ImportFailed as failure:
            db.session.rollback()  # nothing from a failed import is kept
            # The first SHOWN_PROBLEMS, and how many more: a page of every one of 200,000 would not be read.
            problems = failure.problems[:SHOWN_PROBLEMS]
            more_problems = len(failure.problems) - len(problems)
        else:
            sync_claims(db.session, rate_book(), project_id=summary.project_id)  # attendance becomes claims
            db.session.commit()
            for line in summary.lines():
                flash(_(line.message_id) % line.params if hasattr(line, "message_id") else line, "success")
            return redirect(url_for("projects.show", project_id=summary.project_id))
    return render_template("imports/upload.html", title=_("Import a workbook"), form=form, problems=problems,
                           more_problems=more_problems, active_section="import")


@bp.get("/template.xlsx")
def template():
    from remun.workbook.template import write_template

    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name="remun-template.xlsx")
