"""Projects and their equal-role groups."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from remun.accounts.models import ProjectLead, User, UserRole
from remun.project_records.models import Project, RoleGroup
from remun.project_records import operations
from remun.project_records.rules import people_in_project
from remun.web.extensions import db
from remun.web.forms import GroupForm, ProjectForm
from remun.web.pages import current_user_id, form_page, not_found_unless, remove_page, save, try_save
from remun.web.permissions import visible_projects

bp = Blueprint("projects", __name__, url_prefix="/projects")

PROJECT_FIELDS = ["name", "cost_centre", "currency", "start_date", "end_date", "location"]
GROUP_FIELDS = ["name", "description"]


def _fields(form, names: list[str]) -> dict:
    return {name: form[name].data for name in names}


def project_crumbs(project: Project | None = None) -> list[dict]:
    crumbs = [{"text": _("Projects"), "href": url_for("projects.index")}]
    if project is not None and project.id is not None:
        crumbs.append({"text": project.name, "href": url_for("projects.show", project_id=project.id)})
    return crumbs


@bp.get("/")
def index():
    projects = db.session.scalars(visible_projects(select(Project).order_by(Project.name))).all()
    return render_template("projects/index.html", title=_("Projects"), projects=projects, active_section="projects")


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ProjectForm()
    if form.validate_on_submit():
        project = operations.create_project(db.session, current_user_id(), **_fields(form, PROJECT_FIELDS))
        saved = try_save(
            form, "name", _("A project with this name already exists. Choose another name."),
            _("Project created"), lambda: url_for("projects.show", project_id=project.id),
        )
        if saved:
            return saved
    return form_page(form, _("Create a project"), PROJECT_FIELDS, url_for("projects.index"),
                     breadcrumbs=project_crumbs(), active_section="projects")


def project_leads(project: Project) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ProjectLead, ProjectLead.user_id == User.id)
        .where(ProjectLead.project_id == project.id).order_by(User.email)))


@bp.get("/<int:project_id>")
def show(project_id: int):
    project = db.get_or_abort(Project, project_id)
    return render_template(
        "projects/show.html",
        title=project.name,
        project=project,
        leads=project_leads(project),
        people=people_in_project(db.session, project),
        breadcrumbs=project_crumbs(),
        active_section="projects",
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        operations.change_project(db.session, current_user_id(), project, **_fields(form, PROJECT_FIELDS))
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
        operations.add_group(db.session, current_user_id(), project, **_fields(form, GROUP_FIELDS))
        saved = try_save(
            form, "name", _("This project already has an equal role with this name."),
            _("Equal role added"), lambda: url_for("projects.show", project_id=project.id),
        )
        if saved:
            return saved
    return form_page(form, _("Add an equal role"), GROUP_FIELDS,
                     url_for("projects.show", project_id=project.id),
                     caption=project.name, breadcrumbs=project_crumbs(project), active_section="projects")


@bp.route("/<int:project_id>/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(project_id: int, group_id: int):
    group = db.get_or_abort(RoleGroup, group_id)
    not_found_unless(group.project_id == project_id)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        operations.change_group(db.session, current_user_id(), group, **_fields(form, GROUP_FIELDS))
        saved = try_save(
            form, "name", _("This project already has an equal role with this name."),
            _("Equal role saved"), lambda: url_for("projects.show", project_id=project_id),
        )
        if saved:
            return saved
    return form_page(form, _("Change the equal role"), GROUP_FIELDS,
                     url_for("projects.show", project_id=project_id),
                     caption=group.project.name, breadcrumbs=project_crumbs(group.project), active_section="projects")


@bp.route("/<int:project_id>/groups/<int:group_id>/delete", methods=["GET", "POST"])
def delete_group(project_id: int, group_id: int):
    group = db.get_or_abort(RoleGroup, group_id)
    not_found_unless(group.project_id == project_id)
    back = url_for("projects.show", project_id=project_id)
    return remove_page(group, _("Remove the equal role %(name)s?", name=group.name), back, back,
                       _("Equal role removed"), caption=group.project.name)


@bp.route("/<int:project_id>/leads", methods=["GET", "POST"])
def leads(project_id: int):
    """An administrator chooses who leads the project, among the lead accounts."""
    from remun.accounts import users
    from remun.web.auth import actor_id
    from remun.web.forms import ProjectLeadsForm, options

    project = db.get_or_abort(Project, project_id)
    current = project_leads(project)
    form = ProjectLeadsForm(data=None if request.method == "POST" else {"leads": [str(u.id) for u in current]})
    accounts = db.session.scalars(
        select(User).where(User.role == UserRole.LEAD, User.active.is_(True)).order_by(User.email)).all()
    accounts = sorted(set(accounts) | set(current), key=lambda u: u.email)
    form.leads.choices = options((str(u.id), u.email) for u in accounts)
    back = url_for("projects.show", project_id=project.id)
    if form.validate_on_submit():
        try:
            users.set_project_leads(db.session, project, [int(v) for v in form.leads.data or []],
                                    changed_by_id=actor_id())
        except users.AccountProblem:
            db.session.rollback()
            form.leads.errors = [_("Choose project lead accounts from the list")]
        else:
            return save(_("Project leads saved"), lambda: back)
    intro = None if accounts else _("There are no project lead accounts yet. Create one on the Accounts page.")
    return form_page(form, _("Who leads this project?"), ["leads"], back, caption=project.name, intro=intro,
                     breadcrumbs=project_crumbs(project), active_section="projects")
