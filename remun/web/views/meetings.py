"""Sessions of a project (Meeting in code) and who attended them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from flask_babel import gettext as _

from remun.enums import ExpenseCategory
from remun.ledger.claims import has_decided_claims, remove_open_claims, sync_claims
from remun.ledger.posting import ClaimDecided
from remun.models import Attendance, Expense, Meeting, Person, Project
from remun.money import ZERO
from remun.records import NoRoleThatDay, people_in_project, role_on
from remun.web.extensions import db
from remun.web.forms import AttendanceForm, MeetingForm, options
from remun.web.mileage_fields import add_mileage, check_vehicle
from remun.web.pages import current_user_id, form_page, not_found_unless, rate_book, remove_page, save, try_save
from remun.web.views.projects import project_crumbs

bp = Blueprint("meetings", __name__, url_prefix="/projects/<int:project_id>/sessions")

MEETING_FIELDS = ["date", "title", "hours"]
ATTENDANCE_FIELDS = ["person_id", "hours", "prep_hours", "travel_hours", "expense_amount", "expense_category", "expense_note",
                     "miles", "vehicle"]


def _meeting_in(project_id: int, meeting_id: int) -> Meeting:
    meeting = db.get_or_abort(Meeting, meeting_id)
    not_found_unless(meeting.project_id == project_id)
    return meeting


def _crumbs(project: Project) -> list[dict]:
    return project_crumbs(project) + [{"text": _("Sessions"), "href": url_for("meetings.index", project_id=project.id)}]


@bp.get("/")
def index(project_id: int):
    project = db.get_or_abort(Project, project_id)
    return render_template("meetings/index.html", title=_("Sessions"), project=project,
                           breadcrumbs=project_crumbs(project), active_section="projects")


@bp.route("/new", methods=["GET", "POST"])
def new(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = Meeting(project=project)
        form.populate_obj(meeting)
        db.session.add(meeting)
        saved = try_save(form, "title", _("There is already a session with this title on this date."),
                         _("Session added"), lambda: url_for("meetings.show", project_id=project.id, meeting_id=meeting.id))
        if saved:
            return saved
    return form_page(form, _("Add a session"), MEETING_FIELDS, url_for("meetings.index", project_id=project.id),
                     caption=project.name, breadcrumbs=_crumbs(project), active_section="projects")


@bp.get("/<int:meeting_id>")
def show(project_id: int, meeting_id: int):
    meeting = _meeting_in(project_id, meeting_id)
    return render_template("meetings/show.html", title=meeting.title, meeting=meeting, project=meeting.project,
                           breadcrumbs=_crumbs(meeting.project), active_section="projects")


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(project_id: int, meeting_id: int):
    meeting = _meeting_in(project_id, meeting_id)
    form = MeetingForm(obj=meeting)
    if form.validate_on_submit():
        form.populate_obj(meeting)
        saved = try_save(form, "title", _("There is already a session with this title on this date."),
                         _("Session saved"), lambda: url_for("meetings.show", project_id=project_id, meeting_id=meeting.id))
        if saved:
            return saved
    return form_page(form, _("Change the session"), MEETING_FIELDS,
                     url_for("meetings.show", project_id=project_id, meeting_id=meeting.id),
                     caption=meeting.project.name, breadcrumbs=_crumbs(meeting.project), active_section="projects")


@bp.route("/<int:meeting_id>/delete", methods=["GET", "POST"])
def delete(project_id: int, meeting_id: int):
    meeting = _meeting_in(project_id, meeting_id)
    return remove_page(meeting, _("Remove the session %(title)s?", title=meeting.title),
                       url_for("meetings.show", project_id=project_id, meeting_id=meeting.id),
                       url_for("meetings.index", project_id=project_id), _("Session removed"),
                       caption=meeting.project.name)


def _attendance_form(meeting: Meeting, attendance: Attendance | None) -> AttendanceForm:
    data = None
    # Saved values fill the form only when it is first shown, never over what was posted.
    if attendance is not None and request.method == "GET":
        expense = next((e for e in attendance.expenses if e.category != ExpenseCategory.MILEAGE), None)
        mileage = next((e for e in attendance.expenses if e.category == ExpenseCategory.MILEAGE), None)
        data = {
            "miles": mileage.miles if mileage else None, "vehicle": mileage.vehicle if mileage else None,
            "person_id": str(attendance.person_id), "hours": attendance.hours,
            "prep_hours": attendance.prep_hours, "travel_hours": attendance.travel_hours,
            "expense_amount": expense.amount if expense else None,
            "expense_category": expense.category.value if expense else ExpenseCategory.TRAVEL.value,
            "expense_note": expense.note if expense else "",
        }
    form = AttendanceForm(data=data) if data else AttendanceForm(hours=meeting.hours)
    people = people_in_project(db.session, meeting.project)
    form.person_id.choices = options((str(person.id), person.name) for person in people)
    return form


def _record_attendance(meeting: Meeting, attendance: Attendance | None, form: AttendanceForm):
    """Save the form into an attendance; None and an error on the form when the person had no role that day."""
    person = db.session.get(Person, int(form.person_id.data))
    try:
        role = role_on(db.session, person, meeting.project, meeting.date)
    except NoRoleThatDay as problem:
        if problem.roles:
            message = _("%(name)s had more than one role on this date. Change their appointments so only one applies.", name=person.name)
        else:
            message = _("%(name)s did not have a role in this project on this date. Check their appointment dates.", name=person.name)
        form.person_id.errors = [message]
        return None
    if attendance is None:
        attendance = Attendance(meeting=meeting)
        db.session.add(attendance)
    attendance.person = person
    attendance.role = role
    attendance.hours = form.hours.data
    attendance.prep_hours = form.prep_hours.data or ZERO
    attendance.travel_hours = form.travel_hours.data or ZERO
    attendance.expenses.clear()
    if form.expense_amount.data:
        attendance.expenses.append(
            Expense(amount=form.expense_amount.data, category=ExpenseCategory(form.expense_category.data),
                    note=(form.expense_note.data or "").strip() or None)
        )
    return attendance


def _attendance_page(meeting: Meeting, attendance: Attendance | None):
    back = url_for("meetings.show", project_id=meeting.project_id, meeting_id=meeting.id)
    if attendance is not None and has_decided_claims(db.session, attendance.id):
        flash(_("This attendance has been approved for payment, so it cannot be changed. "
                "To correct it, reverse its claim on the Claims page first."), "important")
        return redirect(back)
    form = _attendance_form(meeting, attendance)
    if form.validate_on_submit() and check_vehicle(form):
        recorded = _record_attendance(meeting, attendance, form)
        if recorded is not None:
            try:
                db.session.flush()  # (the person's earlier miles are then counted without this attendance's old ones)
                priced = add_mileage(db.session, rate_book(), recorded, recorded.person_id, meeting.date, form)
                if priced:
                    db.session.flush()
                    # Attendance becomes claims for time and expenses, waiting for approval.
                    sync_claims(db.session, rate_book(), attendance_ids=[recorded.id], user_id=current_user_id())
            except ClaimDecided:
                db.session.rollback()  # approved by someone else a moment ago: the approved amount stands
                flash(_("This attendance has been approved for payment, so it cannot be changed. "
                      "To correct it, reverse its claim on the Claims page first."), "important")
                return redirect(back)
            except IntegrityError:
                db.session.rollback()
                form.person_id.errors = [
                    _("This person's attendance is already recorded for this session. Change it instead.")]
            else:
                if priced:
                    return save(_("Attendance saved"), lambda: back)
                db.session.rollback()
    title = _("Record attendance") if attendance is None else _("Change attendance")
    return form_page(form, title, ATTENDANCE_FIELDS, back, caption=meeting.title,
                     breadcrumbs=_crumbs(meeting.project), active_section="projects")


@bp.route("/<int:meeting_id>/attendance/new", methods=["GET", "POST"])
def new_attendance(project_id: int, meeting_id: int):
    return _attendance_page(_meeting_in(project_id, meeting_id), None)


def _attendance_in(meeting: Meeting, attendance_id: int) -> Attendance:
    attendance = db.get_or_abort(Attendance, attendance_id)
    not_found_unless(attendance.meeting_id == meeting.id)
    return attendance


@bp.route("/<int:meeting_id>/attendance/<int:attendance_id>/edit", methods=["GET", "POST"])
def edit_attendance(project_id: int, meeting_id: int, attendance_id: int):
    meeting = _meeting_in(project_id, meeting_id)
    return _attendance_page(meeting, _attendance_in(meeting, attendance_id))


@bp.route("/<int:meeting_id>/attendance/<int:attendance_id>/delete", methods=["GET", "POST"])
def delete_attendance(project_id: int, meeting_id: int, attendance_id: int):
    meeting = _meeting_in(project_id, meeting_id)
    attendance = _attendance_in(meeting, attendance_id)
    back = url_for("meetings.show", project_id=project_id, meeting_id=meeting.id)
    if request.method == "POST" and not has_decided_claims(db.session, attendance.id):
        remove_open_claims(db.session, attendance.id)  # claims not yet approved go with it
    return remove_page(attendance, _("Remove %(name)s's attendance?", name=attendance.person.name), back, back,
                       _("Attendance removed"), caption=meeting.title)
