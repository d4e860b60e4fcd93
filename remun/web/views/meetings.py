"""Sessions of a project (Meeting in code) and who attended them."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from remun.project_records.attendance_defaults import fill_blanks, usual_hours
from remun.project_records.enums import ExpenseCategory
from remun.ledger.claims import has_decided_claims
from remun.ledger.posting import ClaimDecided
from remun.pay.mileage import NoMileageRate
from remun.project_records.models import Attendance, Meeting, Person, Project
from remun.money import NotANumber
from remun.project_records import operations
from remun.project_records.rules import NoRoleThatDay, people_in_project, role_on
from remun.typed_numbers import example, read_number
from remun.web.extensions import db
from remun.web.forms import AttendanceForm, MeetingForm, options, page_locale
from remun.web.labels import EXPENSE_LABELS
from remun.web.mileage_fields import check_vehicle, no_mileage_rate
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


def _meeting_fields(form: MeetingForm) -> dict:
    return {name: form[name].data for name in MEETING_FIELDS}


def _crumbs(project: Project) -> list[dict]:
    return project_crumbs(project) + [{"text": _("Sessions"), "href": url_for("meetings.index", project_id=project.id)}]


@bp.get("/")
def index(project_id: int):
    from remun.sessions import told as told_sessions

    project = db.get_or_abort(Project, project_id)
    return render_template("meetings/index.html", title=_("Sessions"), project=project,
                           told=told_sessions.waiting_for(db.session, project.id), told_form=FlaskForm(),
                           breadcrumbs=project_crumbs(project), active_section="projects")


@bp.route("/new", methods=["GET", "POST"])
def new(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = operations.add_meeting(db.session, current_user_id(), project, **_meeting_fields(form))
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
        operations.change_meeting(db.session, current_user_id(), meeting, **_meeting_fields(form))
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


def _entry(form: AttendanceForm) -> operations.AttendanceEntry:
    return operations.AttendanceEntry(
        person_id=int(form.person_id.data), hours=form.hours.data, prep_hours=form.prep_hours.data,
        travel_hours=form.travel_hours.data, expense_amount=form.expense_amount.data,
        expense_category=ExpenseCategory(form.expense_category.data), expense_note=form.expense_note.data,
        miles=form.miles.data, vehicle=form.vehicle.data)


DECIDED = _l("This attendance has been approved for payment, so it cannot be changed. "
             "To correct it, reverse its claim on the Claims page first.")


def _attendance_page(meeting: Meeting, attendance: Attendance | None):
    back = url_for("meetings.show", project_id=meeting.project_id, meeting_id=meeting.id)
    if attendance is not None and has_decided_claims(db.session, attendance.id):
        flash(str(DECIDED), "important")
        return redirect(back)
    form = _attendance_form(meeting, attendance)
    if form.validate_on_submit() and check_vehicle(form):
        try:
            operations.record_attendance(db.session, rate_book(), current_user_id(), meeting, attendance, _entry(form))
        except NoRoleThatDay as problem:
            db.session.rollback()
            name = db.session.get(Person, int(form.person_id.data)).name
            if problem.roles:
                message = _("%(name)s had more than one role on this date. Change their appointments so only one applies.", name=name)
            else:
                message = _("%(name)s did not have a role in this project on this date. Check their appointment dates.", name=name)
            form.person_id.errors = [message]
        except NoMileageRate:
            db.session.rollback()
            no_mileage_rate(form)
        except ClaimDecided:
            db.session.rollback()  # approved by someone else a moment ago: the approved amount stands
            flash(str(DECIDED), "important")
            return redirect(back)
        except IntegrityError:
            db.session.rollback()
            form.person_id.errors = [
                _("This person's attendance is already recorded for this session. Change it instead.")]
        else:
            return save(_("Attendance saved"), lambda: back)
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
    return remove_page(attendance, _("Remove %(name)s's attendance?", name=attendance.person.name), back, back,
                       _("Attendance removed"), caption=meeting.title, remove=operations.remove_attendance)


# --- Attendance for several people at once ------------------------------------------------------

SEVERAL_NUMBERS = ("hours", "prep_hours", "travel_hours", "expense_amount")


def _rows_to_record(meeting: Meeting) -> list[dict]:
    """One row for each person in the session's roles on its date, not yet recorded, with their usual hours."""
    recorded = {attendance.person_id for attendance in meeting.attendances}
    rows = []
    for person in people_in_project(db.session, meeting.project):
        if person.id in recorded:
            continue
        try:
            role = role_on(db.session, person, meeting.project, meeting.date)
        except NoRoleThatDay:
            continue
        rows.append({"person": person, "role": role, "usual": usual_hours(role, meeting), "values": {}, "errors": {}})
    return rows


def _read_row(row: dict, form) -> dict[str, Decimal | None]:
    """The numbers typed in one person's row, read for the page's language; errors go on the row."""
    locale = page_locale()
    person_id = row["person"].id
    numbers: dict[str, Decimal | None] = {}
    for name in SEVERAL_NUMBERS:
        text = (form.get(f"{name}_{person_id}") or "").strip()
        row["values"][name] = text
        if not text:
            numbers[name] = None
            continue
        try:
            value = read_number(text, locale)
        except NotANumber:
            row["errors"][name] = _("Enter a number, like %(example)s", example=example("2.5" if name != "expense_amount" else "7.40", locale))
            continue
        if value < 0 or (name == "expense_amount" and value == 0):
            row["errors"][name] = _("Enter zero or more") if name != "expense_amount" else _("Enter an amount more than zero")
            continue
        numbers[name] = value
    return numbers


@bp.route("/<int:meeting_id>/attendance/several", methods=["GET", "POST"])
def several_attendance(project_id: int, meeting_id: int):
    """Record who took part, several people at once: one row each, prefilled with their role's usual hours."""
    meeting = _meeting_in(project_id, meeting_id)
    back = url_for("meetings.show", project_id=project_id, meeting_id=meeting.id)
    rows = _rows_to_record(meeting)
    form = FlaskForm()
    errors = []
    if form.validate_on_submit():
        chosen = [row for row in rows if request.form.get(f"took_part_{row['person'].id}") == "yes"]
        for row in rows:
            row["took_part"] = row in chosen
        read = [(row, _read_row(row, request.form)) for row in chosen]
        errors = [(row, name, message) for row in chosen for name, message in row["errors"].items()]
        if not chosen:
            errors.append((None, None, _("Select everyone who took part")))
        if not errors:
            new = []
            for row, numbers in read:
                given = fill_blanks(row["usual"], numbers["hours"], numbers["prep_hours"], numbers["travel_hours"])
                category = request.form.get(f"expense_category_{row['person'].id}") or ExpenseCategory.TRAVEL.value
                if category not in {item.value for item in ExpenseCategory}:
                    category = ExpenseCategory.OTHER.value
                new.append(operations.NewAttendance(row["person"], row["role"], given.hours, given.prep_hours,
                                                    given.travel_hours, numbers["expense_amount"], ExpenseCategory(category)))
            try:
                added = operations.record_several(db.session, rate_book(), current_user_id(), meeting, new)
            except IntegrityError:
                db.session.rollback()
                flash(_("Someone else recorded attendance for this session at the same time. Check the list and try again."),
                      "important")
                return redirect(back)
            return save(ngettext("Attendance saved for %(num)d person", "Attendance saved for %(num)d people", len(added)),
                        lambda: back)
    return render_template("meetings/several.html", title=_("Record who took part"), meeting=meeting,
                           project=meeting.project, rows=rows, form=form, errors=errors, cancel_url=back,
                           expense_labels=EXPENSE_LABELS, breadcrumbs=_crumbs(meeting.project),
                           active_section="projects")


# --- Sessions participants told us about ----------------------------------------------------------

def _told_in(project_id: int, told_id: int):
    from remun.sessions.models import ToldSession

    told = db.get_or_abort(ToldSession, told_id)
    not_found_unless(told.project_id == project_id)
    return told


@bp.post("/told/<int:told_id>/confirm")
def confirm_told(project_id: int, told_id: int):
    """Confirm a session a participant told us about: it becomes a session with their attendance, then claims."""
    from remun.ledger.posting import LedgerError

    told = _told_in(project_id, told_id)
    back = url_for("meetings.index", project_id=project_id)
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    try:
        attendance = operations.confirm_told(db.session, rate_book(), current_user_id(), told)
    except LedgerError:
        db.session.rollback()
        flash(_("This session was already decided, or this person is already recorded at it."), "important")
        return redirect(back)
    return save(_("Session added with %(name)s's attendance. Its claims wait for approval.", name=told.person.name),
                lambda: url_for("meetings.show", project_id=project_id, meeting_id=attendance.meeting_id))


@bp.route("/told/<int:told_id>/decline", methods=["GET", "POST"])
def decline_told(project_id: int, told_id: int):
    from remun.ledger.posting import LedgerError
    from remun.web.forms import ReasonForm

    told = _told_in(project_id, told_id)
    back = url_for("meetings.index", project_id=project_id)
    form = ReasonForm()
    form.submit.label.text = _("Decline this session")
    if form.validate_on_submit():
        try:
            operations.decline_told(db.session, current_user_id(), told, form.reason.data)
        except LedgerError:
            db.session.rollback()
            flash(_("This session was already decided."), "important")
            return redirect(back)
        return save(_("Session declined. The person will see your reason."), lambda: back)
    return form_page(form, _("Decline the session %(title)s from %(name)s?", title=told.title, name=told.person.name),
                     ["reason"], back, caption=told.project.name, breadcrumbs=_crumbs(told.project),
                     active_section="projects")
