"""Projects and their equal-role groups."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from remun.models import Project, RoleGroup
from remun.records import people_in_project
from remun.web.extensions import db
from remun.web.forms import GroupForm, ProjectForm
from remun.web.pages import form_page, not_found_unless, remove_page, try_save

bp = Blueprint("projects", __name__, url_prefix="/projects")

PROJECT_FIELDS = ["name", "cost_centre", "currency", "start_date", "end_date", "location"]


def project_crumbs(project: Project | None = None) -> list[dict]:
    crumbs = [{"text": _("Projects"), "href": url_for("projects.index")}]
    if project is not None and project.id is not None:
        crumbs.append({"text": project.name, "href": url_for("projects.show", project_id=project.id)})
    return crumbs


@bp.get("/")
def index():
    projects = db.session.scalars(select(Project).order_by(Project.name)).all()
    return render_template("projects/index.html", title=_("Projects"), projects=projects, active_section="projects")


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ProjectForm()
    if form.validate_on_submit():
        project = Project()
        form.populate_obj(project)
        db.session.add(project)
        saved = try_save(
            form, "name", _("A project with this name already exists. Choose another name."),
            _("Project created"), lambda: url_for("projects.show", project_id=project.id),
        )
        if saved:
            return saved
    return form_page(form, _("Create a project"), PROJECT_FIELDS, url_for("projects.index"),
                     breadcrumbs=project_crumbs(), active_section="projects")


@bp.get("/<int:project_id>")
def show(project_id: int):
    project = db.get_or_abort(Project, project_id)
    return render_template(
        "projects/show.html",
        title=project.name,
        project=project,
        people=people_in_project(db.session, project),
        breadcrumbs=project_crumbs(),
        active_section="projects",
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        form.populate_obj(project)
        saved = try_save(
            form, "name", _("A project with this name already exists. Choose another name."),
            _("Project details saved"), lambda: url_for("projects.show", project_id=project.id),
        )
        if saved:
            return saved
    return form_page(form, _("Change project details"), PROJECT_FIELDS,
                     url_for("projects.show", project_id=project.id),
                     caption=project.name, breadcrumbs=project_crumbs(project), active_section="projects")


@bp.route("/<int:project_id>/delete", methods=["GET", "POST"])
def delete(project_id: int):
    project = db.get_or_abort(Project, project_id)
    return remove_page(
        project,
        title=_("Remove the project %(name)s?", name=project.name),
        cancel_url=url_for("projects.show", project_id=project.id),
        done_url=url_for("projects.index"),
        done_message=_("Project removed"),
        caption=_("Its roles, equal role groups and sessions will be removed too."),
    )


@bp.route("/<int:project_id>/groups/new", methods=["GET", "POST"])
def new_group(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = GroupForm()
    if form.validate_on_submit():
        group = RoleGroup(project=project)
        form.populate_obj(group)
        db.session.add(group)
        saved = try_save(
            form, "name", _("This project already has an equal role with this name."),
            _("Equal role added"), lambda: url_for("projects.show", project_id=project.id),
        )
        if saved:
            return saved
    return form_page(form, _("Add an equal role"), ["name", "description"],
                     url_for("projects.show", project_id=project.id),
                     caption=project.name, breadcrumbs=project_crumbs(project), active_section="projects")


@bp.route("/<int:project_id>/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(project_id: int, group_id: int):
    group = db.get_or_abort(RoleGroup, group_id)
    not_found_unless(group.project_id == project_id)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        form.populate_obj(group)
        saved = try_save(
            form, "name", _("This project already has an equal role with this name."),
            _("Equal role saved"), lambda: url_for("projects.show", project_id=project_id),
        )
        if saved:
            return saved
    return form_page(form, _("Change the equal role"), ["name", "description"],
                     url_for("projects.show", project_id=project_id),
                     caption=group.project.name, breadcrumbs=project_crumbs(group.project), active_section="projects")


@bp.route("/<int:project_id>/groups/<int:group_id>/delete", methods=["GET", "POST"])
def delete_group(project_id: int, group_id: int):
    group = db.get_or_abort(RoleGroup, group_id)
    not_found_unless(group.project_id == project_id)
    back = url_for("projects.show", project_id=project_id)
    return remove_page(group, _("Remove the equal role %(name)s?", name=group.name), back, back,
                       _("Equal role removed"), caption=group.project.name)
