"""The start page and the language choice."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from remun.accounts.models import UserRole
from remun.project_records.models import Project
from remun.web.languages import remember_choice
from remun.web.extensions import db
from remun.web.permissions import visible_projects

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    from flask_login import current_user

    from remun.web.auth import landing_url

    if current_user.role is UserRole.PARTICIPANT:
        return redirect(landing_url())  # a participant's start is their own home
    projects = db.session.scalars(visible_projects(select(Project).order_by(Project.name))).all()
    return render_template("home.html", title=_("Fair pay for co-production"), projects=projects)


@bp.get("/language/<code>")
def set_language(code: str):
    target = request.args.get("next") or url_for("home.index")
    # Only same-site paths, so the link cannot send people elsewhere.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    return remember_choice(redirect(target), code)
