"""Sessions of a project (Meeting in code) and who attended them."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from remun.attendance_defaults import fill_blanks, usual_hours
from remun.enums import ExpenseCategory
from remun.ledger.claims import has_decided_claims, remove_open_claims, sync_claims
from remun.ledger.posting import ClaimDecided
from remun.models import Attendance, Expense, Meeting, Person, Project
from remun.money import NotANumber
from remun.records import NoRoleThatDay, people_in_project, role_on
from remun.typed_numbers import example, read_number
from remun.web.extensions import db
from remun.web.forms import AttendanceForm, MeetingForm, options, page_locale
from remun.web.labels import EXPENSE_LABELS
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
    # A blank means the role's usual hours on the session's date; 0 means none.
    given = fill_blanks(usual_hours(role, meeting), form.hours.data, form.prep_hours.data, form.travel_hours.data)
    if attendance is None:
        attendance = Attendance(meeting=meeting)
        db.session.add(attendance)
    attendance.person = person
    attendance.role = role
    attendance.hours, attendance.prep_hours, attendance.travel_hours = given.hours, given.prep_hours, given.travel_hours
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
            added = []
            for row, numbers in read:
                given = fill_blanks(row["usual"], numbers["hours"], numbers["prep_hours"], numbers["travel_hours"])
                attendance = Attendance(meeting=meeting, person=row["person"], role=row["role"], hours=given.hours,
                                        prep_hours=given.prep_hours, travel_hours=given.travel_hours)
                if numbers["expense_amount"]:
                    category = request.form.get(f"expense_category_{row['person'].id}") or ExpenseCategory.TRAVEL.value
                    if category not in {item.value for item in ExpenseCategory}:
                        category = ExpenseCategory.OTHER.value
                    attendance.expenses.append(Expense(amount=numbers["expense_amount"], category=ExpenseCategory(category)))
                db.session.add(attendance)
                added.append(attendance)
            try:
                db.session.flush()
            except IntegrityError:
                db.session.rollback()
                flash(_("Someone else recorded attendance for this session at the same time. Check the list and try again."),
                      "important")
                return redirect(back)
            sync_claims(db.session, rate_book(), attendance_ids=[item.id for item in added], user_id=current_user_id())
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
    from remun.accounts import audit as audit_log
    from remun.ledger.posting import LedgerError
    from remun.sessions import told as told_sessions

    told = _told_in(project_id, told_id)
    back = url_for("meetings.index", project_id=project_id)
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    try:
        attendance = told_sessions.confirm(db.session, told, current_user_id())
    except LedgerError:
        db.session.rollback()
        flash(_("This session was already decided, or this person is already recorded at it."), "important")
        return redirect(back)
    sync_claims(db.session, rate_book(), attendance_ids=[attendance.id], user_id=current_user_id())
    audit_log.record(db.session, current_user_id(), "session.told_confirmed", "session", attendance.meeting_id,
                     {"told_session_id": told.id})
    return save(_("Session added with %(name)s's attendance. Its claims wait for approval.", name=told.person.name),
                lambda: url_for("meetings.show", project_id=project_id, meeting_id=attendance.meeting_id))


@bp.route("/told/<int:told_id>/decline", methods=["GET", "POST"])
def decline_told(project_id: int, told_id: int):
    from remun.accounts import audit as audit_log
    from remun.ledger.posting import LedgerError
    from remun.sessions import told as told_sessions
    from remun.web.forms import ReasonForm

    told = _told_in(project_id, told_id)
    back = url_for("meetings.index", project_id=project_id)
    form = ReasonForm()
    form.submit.label.text = _("Decline this session")
    if form.validate_on_submit():
        try:
            told_sessions.decline(db.session, told, form.reason.data, current_user_id())
        except LedgerError:
            db.session.rollback()
            flash(_("This session was already decided."), "important")
            return redirect(back)
        audit_log.record(db.session, current_user_id(), "session.told_declined", "project", project_id,
                         {"told_session_id": told.id})
        return save(_("Session declined. The person will see your reason."), lambda: back)
    return form_page(form, _("Decline the session %(title)s from %(name)s?", title=told.title, name=told.person.name),
                     ["reason"], back, caption=told.project.name, breadcrumbs=_crumbs(told.project),
                     active_section="projects")
