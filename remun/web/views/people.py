"""People, and their appointments to roles in projects."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from remun.project_records.models import Appointment, Person, Project
from remun.project_records import operations
from remun.web.extensions import db
from remun.web.forms import AppointmentForm, PersonForm, options
from remun.web.languages import LANGUAGES
from remun.web.pages import commit, current_user_id, form_page, not_found_unless, remove_page, try_save
from remun.web.permissions import visible_people
from remun.web.views.projects import project_crumbs

bp = Blueprint("people", __name__)

PERSON_FIELDS = ["name", "email", "preferred_language", "payee_reference"]
APPOINTMENT_FIELDS = ["person_id", "role_id", "start_date", "end_date"]


def _people_crumbs() -> list[dict]:
    return [{"text": _("People"), "href": url_for("people.index")}]


def _language_choices(form: PersonForm) -> None:
    form.preferred_language.choices = options(LANGUAGES.items())


def _person_details(form: PersonForm) -> dict:
    return {name: form[name].data for name in PERSON_FIELDS}


@bp.get("/people/")
def index():
    # Each row lists the person's roles: load them all in two queries, not two per person.
    people = db.session.scalars(visible_people(select(Person).order_by(Person.name)).options(
        selectinload(Person.appointments).selectinload(Appointment.role))).all()
    return render_template("people/index.html", title=_("People"), people=people, active_section="people")


@bp.route("/people/new", methods=["GET", "POST"])
def new():
    form = PersonForm()
    _language_choices(form)
    if form.validate_on_submit():
        person = operations.add_person(db.session, current_user_id(), **_person_details(form))
        saved = try_save(form, "email", _("Someone else already has this email address."),
                         _("Person added"), lambda: url_for("people.show", person_id=person.id))
        if saved:
            return saved
    return form_page(form, _("Add a person"), PERSON_FIELDS, url_for("people.index"),
                     breadcrumbs=_people_crumbs(), active_section="people")


@bp.get("/people/<int:person_id>")
def show(person_id: int):
    person = db.get_or_abort(Person, person_id)
    operations.viewed(db.session, current_user_id(), person)
    commit()  # the look is recorded whatever happens next
    return render_template("people/show.html", title=person.name, person=person,
                           breadcrumbs=_people_crumbs(), active_section="people")


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id: int):
    person = db.get_or_abort(Person, person_id)
    form = PersonForm(obj=person)
    _language_choices(form)
    if form.validate_on_submit():
        operations.change_person(db.session, current_user_id(), person, **_person_details(form))
        saved = try_save(form, "email", _("Someone else already has this email address."),
                         _("Details saved"), lambda: url_for("people.show", person_id=person.id))
        if saved:
            return saved
    return form_page(form, _("Change details"), PERSON_FIELDS, url_for("people.show", person_id=person.id),
                     caption=person.name, breadcrumbs=_people_crumbs(), active_section="people")


@bp.route("/people/<int:person_id>/delete", methods=["GET", "POST"])
def delete(person_id: int):
    person = db.get_or_abort(Person, person_id)
    return remove_page(person, _("Remove %(name)s?", name=person.name), url_for("people.show", person_id=person.id),
                       url_for("people.index"), _("Person removed"),
                       caption=_("Their appointments to roles will be removed too."), remove=operations.remove_person)


def _appointment_choices(form: AppointmentForm, project: Project) -> None:
    form.person_id.choices = options((str(p.id), p.name) for p in db.session.scalars(visible_people(select(Person).order_by(Person.name))))
    form.role_id.choices = options((str(role.id), role.title) for role in project.roles)


def _appointment_fields(form: AppointmentForm) -> dict:
    return {"person_id": int(form.person_id.data), "role_id": int(form.role_id.data),
            "start_date": form.start_date.data, "end_date": form.end_date.data}


@bp.route("/projects/<int:project_id>/appointments/new", methods=["GET", "POST"])
def new_appointment(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = AppointmentForm(start_date=project.start_date)
    _appointment_choices(form, project)
    if form.validate_on_submit():
        operations.add_appointment(db.session, current_user_id(), **_appointment_fields(form))
        saved = try_save(form, "start_date", _("This person already starts in this role on this date."),
                         _("Person added to the role"), lambda: url_for("projects.show", project_id=project.id))
        if saved:
            return saved
    return form_page(form, _("Put a person in a role"), APPOINTMENT_FIELDS, url_for("projects.show", project_id=project.id),
                     caption=project.name, breadcrumbs=project_crumbs(project), active_section="projects",
                     intro=_("Add the person first on the People page if they are not in the list."))


def _appointment_in(project_id: int, appointment_id: int) -> Appointment:
    appointment = db.get_or_abort(Appointment, appointment_id)
    not_found_unless(appointment.role.project_id == project_id)
    return appointment


@bp.route("/projects/<int:project_id>/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
def edit_appointment(project_id: int, appointment_id: int):
    appointment = _appointment_in(project_id, appointment_id)
    project = appointment.role.project
    form = AppointmentForm(obj=appointment, person_id=str(appointment.person_id), role_id=str(appointment.role_id))
    _appointment_choices(form, project)
    if form.validate_on_submit():
        operations.change_appointment(db.session, current_user_id(), appointment, **_appointment_fields(form))
        saved = try_save(form, "start_date", _("This person already starts in this role on this date."),
                         _("Appointment saved"), lambda: url_for("projects.show", project_id=project_id))
        if saved:
            return saved
    return form_page(form, _("Change the appointment"), APPOINTMENT_FIELDS, url_for("projects.show", project_id=project_id),
                     caption=project.name, breadcrumbs=project_crumbs(project), active_section="projects")


@bp.route("/projects/<int:project_id>/appointments/<int:appointment_id>/delete", methods=["GET", "POST"])
def delete_appointment(project_id: int, appointment_id: int):
    appointment = _appointment_in(project_id, appointment_id)
    back = url_for("projects.show", project_id=project_id)
    return remove_page(appointment,
                       _("Take %(name)s out of the role %(role)s?", name=appointment.person.name, role=appointment.role.title),
                       back, back, _("Appointment removed"), caption=appointment.role.project.name)
