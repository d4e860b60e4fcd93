"""A background job's page: its progress (refreshing without JavaScript), then its file or why it failed.

Only the person who asked, and administrators, may see a job or download its file;
each download is recorded in the audit log.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, redirect, render_template, send_file, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from remun.accounts.models import UserRole
from remun.jobs import operations as job_operations
from remun.jobs import runner, store
from remun.jobs.models import Job, JobStatus
from remun.web.extensions import db
from remun.web.pages import commit, import_summary

bp = Blueprint("jobs", __name__)

MIMETYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Seconds between refreshes of the page while the work runs.
REFRESH_SECONDS = 3

#: The sentences a job can fail with before any locale is known; translated when shown.
KNOWN_FAILURES = {
    store.LOST_WORKER: _l("The computer making this file stopped before it finished (it may have been restarted)."),
    store.UNEXPECTED: _l("Something went wrong while making this file."),
    runner.QUEUE_DOWN: _l("The queue of work could not be reached, so this file was not started."),
}


class RetryForm(FlaskForm):
    submit = SubmitField(_l("Try again"), widget=GovSubmitInput())


def submit_job(kind: str, params: dict) -> Job:
    """Save a job for the signed-in user and start it; the caller redirects to its page."""
    job = job_operations.request(db.session, kind, current_user.id, params)
    commit()
    runner.submit(current_app._get_current_object(), job.id)
    return job


def _own_job(job_id: int) -> Job:
    job = db.get_or_abort(Job, job_id)
    if job.owner_id != current_user.id and current_user.role is not UserRole.ADMIN:
        abort(403)
    return job


def _brought_up_to_date(job: Job) -> Job:
    """A lost worker's job is marked failed, and a file past its time deleted, before the page says anything."""
    running, expired = job.status is JobStatus.RUNNING, store.is_expired(job)
    if running or expired:
        # End this request's reading first: on SQLite a write after reading fails at once if the job
        # saved its progress in between (remun.database.writing_transactions); a fresh one waits its turn.
        commit()
    if running:
        store.fail_lost_jobs(db.session)
    if expired:
        store.expire(db.session)
    db.session.refresh(job)
    return job


#: Each kind's part of the menu, and the page to start again from once its file is deleted.
SECTIONS = {"export": "exports", "budget_workbook": "budgets", "import": "import"}


def _start_again(job: Job) -> str:
    if job.kind == "budget_workbook":
        return url_for("budget.show", budget_id=store.params_of(job)["budget_id"])
    if job.kind == "import":
        return url_for("imports.upload")
    return url_for("exports.index")


def _import_result(job: Job) -> dict | None:
    """A finished import's result (remun/jobs/kinds.py): the summary's lines, or the problems found."""
    path = store.file_of(job) if job.kind == "import" else None
    if path is None:
        return None
    result = json.loads(path.read_text(encoding="utf-8"))
    if "lines" in result:
        result["banner"] = import_summary(result["lines"])
    return result


@bp.get("/jobs/<int:job_id>")
def show(job_id: int):
    job = _brought_up_to_date(_own_job(job_id))
    working = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    failure = None
    if job.status is JobStatus.FAILED:
        failure = KNOWN_FAILURES.get(job.error or "", job.error or KNOWN_FAILURES[store.UNEXPECTED])
    expires = format_datetime(store.aware(job.expires_at), format="medium") if job.expires_at else None
    importing = job.kind == "import"
    return render_template("jobs/show.html", title=_("Your import") if importing else _("Your file"), job=job,
                           importing=importing, result=_import_result(job), working=working, failure=failure,
                           expires=expires, refresh=REFRESH_SECONDS if working else None, form=RetryForm(),
                           start_again=_start_again(job), active_section=SECTIONS.get(job.kind, "exports"))


@bp.get("/jobs/<int:job_id>/download")
def download(job_id: int):
    job = _brought_up_to_date(_own_job(job_id))
    path = store.file_of(job)
    if path is None or job.kind == "import":  # an import's result is shown on its page
        return redirect(url_for("jobs.show", job_id=job.id))
    job_operations.downloaded(db.session, job, current_user.id)
    commit()
    suffix = path.suffix
    return send_file(path, mimetype=MIMETYPES.get(suffix, "application/octet-stream"), as_attachment=True,
                     download_name=job.file_name, max_age=0, conditional=False, etag=False)


@bp.post("/jobs/<int:job_id>/retry")
def retry(job_id: int):
    job = _brought_up_to_date(_own_job(job_id))
    if RetryForm().validate_on_submit() and job_operations.retry(db.session, job, current_user.id):
        commit()
        runner.submit(current_app._get_current_object(), job.id)
    return redirect(url_for("jobs.show", job_id=job.id))
