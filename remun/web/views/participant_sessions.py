"""A participant's sessions: telling the project about a session they took part in (with expenses and a
receipt), one not in the list, and their receipts. These pages are on the participant blueprint
(remun/web/views/participant.py), so their addresses and endpoint names are those they always had.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from remun.project_records.attendance_defaults import usual_hours
from remun.project_records.enums import ExpenseCategory
from remun.pay.mileage import NoMileageRate
from remun.project_records.models import Appointment, Attendance, Expense, Meeting, Person, Role
from remun.project_records import operations
from remun.reciprocity import receipts
from remun.reciprocity.models import Receipt
from remun.web import kept_receipt
from remun.web.extensions import db
from remun.web.forms import PlainDateField, PlainDecimalField, hours_field, miles_field, options, vehicle_field
from remun.web.forms import choices as label_choices
from remun.web.labels import EXPENSE_LABELS
from remun.web.mileage_fields import check_vehicle, no_mileage_rate
from remun.web.pages import commit, current_user_id, rate_book
from remun.web.views.participant import bp, crumbs, open_sessions, person_or_404


class SessionForm(FlaskForm):
    hours = hours_field(_l("How many hours were you at the session?"))
    prep_hours = hours_field(_l("Hours spent getting ready (optional)"),
                             _l("Reading papers and preparing. Leave blank for your role's usual time; enter 0 if none."),
                             optional=True)
    travel_hours = hours_field(_l("Hours spent travelling (optional)"),
                               _l("There and back. Leave blank for your role's usual time; enter 0 if none."), optional=True)
    expense_amount = PlainDecimalField(
        _l("Out-of-pocket expenses (optional)"),
        [Optional(), NumberRange(min=Decimal("0.01"), message=_l("Enter an amount more than zero"))],
        description=_l("For example bus fares or care costs. Expenses are always repaid as money, and are not earnings."),
        example="7.40", unit="money")
    expense_category = SelectField(_l("What were the expenses for?"), choices=label_choices(
        {category: label for category, label in EXPENSE_LABELS.items() if category != "mileage"}),
                                   widget=GovSelect())
    expense_note = StringField(_l("Note about the expenses (optional)"), [Optional(), Length(max=500)], widget=GovTextInput())
    miles = miles_field()
    vehicle = vehicle_field()
    receipt = FileField(_l("A photo or PDF of the receipt (optional)"), widget=GovFileInput(),
                        description=_l("A PNG or JPEG photo, or a PDF, up to 5 MB."),
                        render_kw={"accept": ".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf"})
    submit = SubmitField(_l("Send to the project lead"), widget=GovSubmitInput())


RECEIPT_PROBLEMS = {
    "empty": _l("The receipt file is empty"),
    "too_big": _l("The receipt must be smaller than 5 MB"),
    "wrong_type": _l("The receipt must be a PNG or JPEG photo, or a PDF"),
}


@bp.get("/people/<int:person_id>/sessions")
def sessions(person_id: int):
    person = person_or_404(person_id)
    from remun.sessions.models import ToldSession

    told = db.session.scalars(select(ToldSession).where(ToldSession.person_id == person.id)
                              .order_by(ToldSession.date.desc(), ToldSession.id.desc()).limit(20)).all()
    return render_template("participant/sessions.html", title=_("Tell us about a session"), person=person,
                           open_sessions=open_sessions(person), told=told, breadcrumbs=crumbs(person), active_section="home")


@bp.route("/people/<int:person_id>/sessions/<int:meeting_id>", methods=["GET", "POST"])
def submit_session(person_id: int, meeting_id: int):
    person = person_or_404(person_id)
    meeting = db.get_or_abort(Meeting, meeting_id)
    found = [role for open_meeting, role in open_sessions(person) if open_meeting.id == meeting.id]
    if not found:
        flash(_("This session is already recorded for you, or you did not hold a role in it that day."), "important")
        return redirect(url_for("participant.sessions", person_id=person.id))
    form = SessionForm()
    usual = usual_hours(found[0], meeting)
    kept = kept_receipt.find(request.form.get("kept_receipt"), person.id) if request.method == "POST" else None
    if form.is_submitted():
        receipt_error = None
        upload = form.receipt.data
        chosen = upload is not None and bool(getattr(upload, "filename", ""))
        data = upload.read() if chosen else b""
        if chosen and not data:
            receipt_error = _("The receipt file is empty. Choose the photo or PDF of the receipt again.")
        elif data:
            try:
                kind = receipts.check(data, upload.mimetype)
            except receipts.ReceiptProblem as problem:
                receipt_error = str(RECEIPT_PROBLEMS[problem.code])
            else:
                # A new receipt replaces one kept from before; it is kept too, in case the form comes back.
                kept_receipt.forget(kept.token if kept else None)
                kept = kept_receipt.keep(data, kind, upload.filename, person.id)
        valid = form.validate()
        if receipt_error:
            form.receipt.errors = [receipt_error]
        elif kept and not form.expense_amount.data and not form.expense_amount.errors:
            form.expense_amount.errors = [_("Enter the amount of the expenses the receipt is for")]
        if valid and not form.receipt.errors and not form.expense_amount.errors and check_vehicle(form):
            response = _save_session(person, meeting, found[0], form, kept)
            if response is not None:
                kept_receipt.forget(kept.token if kept else None)
                return response
    return render_template("participant/submit_session.html", title=_("Your time at %(title)s", title=meeting.title),
                           form=form, person=person, meeting=meeting, kept=kept, usual=usual,
                           cancel_url=url_for("participant.sessions", person_id=person.id),
                           breadcrumbs=crumbs(person), active_section="home")


def _entry(form) -> operations.AttendanceEntry:
    """What the person says about their time: a blank preparation or travel box means the role's usual; 0 none."""
    return operations.AttendanceEntry(
        person_id=0, hours=form.hours.data, prep_hours=form.prep_hours.data, travel_hours=form.travel_hours.data,
        expense_amount=form.expense_amount.data, expense_category=ExpenseCategory(form.expense_category.data),
        expense_note=form.expense_note.data, miles=getattr(form, "miles", None) and form.miles.data,
        vehicle=getattr(form, "vehicle", None) and form.vehicle.data)


def _save_session(person: Person, meeting: Meeting, role: Role, form: SessionForm, kept):
    receipt = None if kept is None else operations.KeptReceipt(kept.data, kept.content_type, kept.name)
    try:
        operations.submit_attendance(db.session, rate_book(), current_user_id(), person, meeting, role, _entry(form),
                                     receipt, current_app.instance_path)
    except NoMileageRate:
        db.session.rollback()
        no_mileage_rate(form)
        return None
    except Exception:
        db.session.rollback()
        raise
    commit()
    flash(_("Thank you. Your project lead will check it and approve it."), "success")
    return redirect(url_for("participant.home", person_id=person.id))


@bp.get("/people/<int:person_id>/receipts/<int:receipt_id>")
def receipt(person_id: int, receipt_id: int):
    from flask import send_file

    found = db.get_or_abort(Receipt, receipt_id)
    expense = db.session.get(Expense, found.expense_id)
    attendance = db.session.get(Attendance, expense.attendance_id)
    if attendance.person_id != person_id:
        abort(404)
    path = receipts.path_of(found, current_app.instance_path)
    if not path.exists():
        abort(404)
    operations.receipt_viewed(db.session, current_user_id(), found)
    commit()
    return send_file(path, mimetype=found.content_type, as_attachment=found.content_type == "application/pdf",
                     download_name=f"receipt-{found.id}.{receipts.SIGNATURES[found.content_type][1]}")


# --- A session that is not in the list ---------------------------------------------------------------

class TellSessionForm(FlaskForm):
    role_id = SelectField(_l("Which of your roles was it for?"), choices=[], widget=GovSelect())
    date = PlainDateField(_l("Date of the session"), [InputRequired(message=_l("Enter the date of the session"))],
                          description=_l("For example, 27 3 2026"))
    title = StringField(_l("What was the session?"), [InputRequired(message=_l("Enter what the session was")),
                                                      Length(max=200)],
                        widget=GovTextInput(), description=_l("For example, Steering group or Interview practice."))
    hours = SessionForm.hours
    prep_hours = SessionForm.prep_hours
    travel_hours = SessionForm.travel_hours
    expense_amount = SessionForm.expense_amount
    expense_category = SessionForm.expense_category
    expense_note = SessionForm.expense_note
    submit = SubmitField(_l("Send to the project lead"), widget=GovSubmitInput())


TELL_FIELDS = ["role_id", "date", "title", "hours", "prep_hours", "travel_hours", "expense_amount", "expense_category",
               "expense_note"]


@bp.route("/people/<int:person_id>/sessions/tell", methods=["GET", "POST"])
def tell_session(person_id: int):
    """Tell the project about a session not in the list: it reaches the lead, who confirms it."""
    from remun.project_records.rules import NoRoleThatDay, role_on

    person = person_or_404(person_id)
    roles = list(db.session.scalars(select(Role).join(Appointment).where(Appointment.person_id == person.id)
                                    .distinct().order_by(Role.title)))
    form = TellSessionForm()
    form.role_id.choices = options((str(role.id), f"{role.title} ({role.project.name})") for role in roles)
    back = url_for("participant.sessions", person_id=person.id)
    if form.validate_on_submit():
        role = next((role for role in roles if str(role.id) == form.role_id.data), None)
        held = None
        if role is not None and form.date.data <= dt.date.today():
            try:
                held = role_on(db.session, person, role.project, form.date.data)
            except NoRoleThatDay:
                held = None
        if form.date.data > dt.date.today():
            form.date.errors = [_("The date must be today or before: tell us about sessions that have happened")]
        elif held is None or held.id != role.id:
            form.role_id.errors = [_("You did not hold this role on that date. Check the date, or choose another role.")]
        else:
            operations.tell_session(db.session, current_user_id(), person, role, form.date.data, form.title.data,
                                    _entry(form))
            commit()
            flash(_("Thank you. Your project lead will check the session and add it."), "success")
            return redirect(url_for("participant.home", person_id=person.id))
    return render_template("form_page.html", form=form, title=_("Tell us about a session that is not in the list"),
                           fields=TELL_FIELDS, cancel_url=back, breadcrumbs=crumbs(person), active_section="home",
                           intro=_("Your project lead checks it, then adds it to the project with your time and expenses."))
