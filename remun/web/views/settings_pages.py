"""Organisation settings an administrator chooses: how pay parity is compared, and the tax-year threshold."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from remun.parity.comparator_basis import WORKING_DAYS, basis_from_settings
from remun.organisation.settings import all_settings, change_setting
from remun.web.auth import actor_id
from remun.web.extensions import db
from remun.web.forms import PlainDecimalField, options
from remun.web.pages import commit

from remun.web.views.organisation import bp  # one "settings" section: these pages join it


class ParityBasisForm(FlaskForm):
    comparator = RadioField(
        _l("Who do lived experience and carer roles compare with?"),
        choices=options([("best", _l("The best-paid clinical or professional role in the group (recommended)")),
                         ("median", _l("The median of the clinical and professional roles in the group"))]),
        widget=GovRadioInput(), validators=[InputRequired(message=_l("Choose who to compare with"))])
    salary_hours = RadioField(
        _l("How is a salary turned into an hourly rate?"),
        choices=options([("contracted", _l("Per contracted hour, as NHS hourly rates are published (recommended)")),
                         ("worked", _l("Per hour actually worked: paid leave and public holidays are not worked"))]),
        widget=GovRadioInput(), validators=[InputRequired(message=_l("Choose how to work out a salary's hourly rate"))])
    leave_days = PlainDecimalField(
        _l("Days of paid leave a year (used only per hour actually worked)"),
        [Optional(), NumberRange(min=0, max=100, message=_l("Enter a number of days from 0 to 100"))],
        description=_l("From your staff's contracts. Remun has no confirmed figure for every contract."), example="27")
    public_holiday_days = PlainDecimalField(
        _l("Public holidays a year (used only per hour actually worked)"),
        [Optional(), NumberRange(min=0, max=30, message=_l("Enter a number of days from 0 to 30"))], example="8")
    on_costs_percent = PlainDecimalField(
        _l("Employer on-costs, as a percentage of salary (optional)"),
        [Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100"))],
        description=_l("Employer National Insurance and pension, for a total-cost comparison. Leave empty to compare pay only."),
        example="25")
    payee_threshold = PlainDecimalField(
        _l("Tax year sheet: mark payees who received more than (£)"),
        [Optional(), NumberRange(min=0, message=_l("Enter zero or more"))],
        description=_l("£1,000 is HMRC's trading allowance."), example="1000")
    organisation_name = StringField(
        _l("Your organisation's name, for letters and statements (optional)"),
        [Length(max=200, message=_l("Use 200 characters or fewer"))], widget=GovTextInput())
    contact = StringField(
        _l("Contact for letters: a name, phone number or email address (optional)"),
        [Length(max=300, message=_l("Use 300 characters or fewer"))], widget=GovTextInput(),
        description=_l("Left empty, letters give the email addresses of the person's project leads."))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.salary_hours.data == "worked":
            off = (self.leave_days.data or 0) + (self.public_holiday_days.data or 0)
            if off >= WORKING_DAYS:
                self.leave_days.errors = [_l("Leave and public holidays together must leave some working days")]
                return False
        return valid


@bp.route("/parity", methods=["GET", "POST"], endpoint="parity")
def parity():
    current = all_settings(db.session)
    form = ParityBasisForm(data={
        "comparator": current["parity.comparator"], "salary_hours": current["parity.salary_hours"],
        "leave_days": Decimal(current["parity.leave_days"]),
        "public_holiday_days": Decimal(current["parity.public_holiday_days"]),
        "on_costs_percent": None if current["parity.on_costs_percent"] is None else Decimal(current["parity.on_costs_percent"]),
        "payee_threshold": Decimal(current["tax.payee_threshold"]),
        "organisation_name": current["letters.organisation_name"], "contact": current["letters.contact"],
    })
    if form.validate_on_submit():
        chosen = {
            "parity.comparator": form.comparator.data, "parity.salary_hours": form.salary_hours.data,
            "parity.leave_days": str(form.leave_days.data or 0),
            "parity.public_holiday_days": str(form.public_holiday_days.data or 0),
            "parity.on_costs_percent": None if form.on_costs_percent.data is None else str(form.on_costs_percent.data),
            "tax.payee_threshold": str(form.payee_threshold.data if form.payee_threshold.data is not None else 1000),
            "letters.organisation_name": (form.organisation_name.data or "").strip(),
            "letters.contact": (form.contact.data or "").strip(),
        }
        for key, value in chosen.items():
            if value != current[key]:
                change_setting(db.session, key, value, by_user_id=actor_id())
        commit()
        flash(_("Saved. Every parity page, report and export now says: %(sentence)s",
                sentence=basis_from_settings(db.session).sentence(_)))
        return redirect(url_for("settings.parity"))
    return render_template("settings/parity.html", title=_("How pay parity is compared, the tax year and letters"), form=form,
                           sentence=basis_from_settings(db.session).sentence(_), active_section="settings")
