"""The organisation's settings, for administrators (remun/organisation/settings.py declares them)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from remun.project_records.models import Project
from remun.organisation.accounting import FIELD_LABELS, PROJECT_FIELDS, change_project_accounting, project_values
from remun.organisation.settings import all_settings, change_setting, get_setting
from remun.web.auth import actor_id
from remun.web.extensions import db
from remun.web.forms import options
from remun.web.pages import commit, form_page

bp = Blueprint("settings", __name__, url_prefix="/settings")


class SettingsForm(FlaskForm):
    leads_may_create = RadioField(
        _l("Who may create projects and import workbooks?"), choices=[], widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select who may create projects"))],
        description=_l("A project lead who creates a project leads it. Either way, administrators choose "
                       "each project’s leads on the project’s page."))
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())


@bp.route("/", methods=["GET", "POST"])
def index():
    current = get_setting(db.session, "projects.leads_may_create")
    form = SettingsForm(data=None if request.method == "POST" else {"leads_may_create": "yes" if current else "no"})
    form.leads_may_create.choices = options([
        ("yes", _("Project leads and administrators")),
        ("no", _("Only administrators")),
    ])
    if form.validate_on_submit():
        wanted = form.leads_may_create.data == "yes"
        if wanted != current:
            change_setting(db.session, "projects.leads_may_create", wanted, by_user_id=actor_id())
            commit()
        flash(_("Settings saved"), "success")
        return redirect(url_for("settings.index"))
    return form_page(form, _("Organisation settings"), ["leads_may_create"], url_for("home.index"),
                     active_section="settings",
                     related=[(url_for("settings.parity"), _("How pay parity is compared, the tax year and letters")),
                              (url_for("settings.accounting"), _("Accounting codes for import files"))])


# --- Accounting import files (issue 20): account codes for the organisation, and a project's own ---------------

def _code_field(label: str, longest: int, description=None) -> StringField:
    """A text field for a code; ``label`` is one of FIELD_LABELS (marked there, translated here)."""
    too_long = {50: _l("Use 50 characters or fewer"), 100: _l("Use 100 characters or fewer")}[longest]
    return StringField(_l(label), [Length(max=longest, message=too_long)],
                       widget=GovTextInput(), description=description)


class AccountingForm(FlaskForm):
    """The organisation's codes, as the accounting system names them (empty: not given yet)."""

    code_time = _code_field(FIELD_LABELS["code_time"], 50, _l("The nominal (account) code in your accounting "
                                                                "system, for example 5100."))
    code_expenses = _code_field(FIELD_LABELS["code_expenses"], 50)
    code_vouchers = _code_field(FIELD_LABELS["code_vouchers"], 50)
    code_training = _code_field(FIELD_LABELS["code_training"], 50)
    code_donation = _code_field(FIELD_LABELS["code_donation"], 50)
    tax_type = _code_field(FIELD_LABELS["tax_type"], 100, _l("Exactly as your accounting system names it, "
                                                              "for example No VAT."))
    tracking_name = _code_field(FIELD_LABELS["tracking_name"], 100, _l("Optional. The tracking category that holds "
                                                                        "cost centres, for example Cost centre. "
                                                                        "Each project's cost centre is its option."))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class ProjectAccountingForm(AccountingForm):
    tracking_option = _code_field(FIELD_LABELS["tracking_option"], 100, _l("Leave empty to use the project's cost "
                                                                            "centre."))


ORGANISATION_FIELDS = [field for field in PROJECT_FIELDS if field != "tracking_option"]


@bp.route("/accounting", methods=["GET", "POST"])
def accounting():
    current = all_settings(db.session)
    form = AccountingForm(data={field: current[f"accounting.{field}"] for field in ORGANISATION_FIELDS})
    if form.validate_on_submit():
        for field in ORGANISATION_FIELDS:
            value = (form[field].data or "").strip()
            if value != current[f"accounting.{field}"]:
                change_setting(db.session, f"accounting.{field}", value, by_user_id=actor_id())
        commit()
        flash(_("Settings saved"), "success")
        return redirect(url_for("settings.accounting"))
    return form_page(form, _("Accounting codes for import files"), ORGANISATION_FIELDS, url_for("home.index"),
                     intro=_("The codes the Xero and purchase-ledger files give each cost. A project can have its "
                             "own; where it has none, these are used. Leave a code empty until you know it: "
                             "Remun never guesses one."), active_section="settings")


@bp.route("/projects/<int:project_id>/accounting", methods=["GET", "POST"])
def project_accounting(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = ProjectAccountingForm(data=project_values(db.session, project.id))
    if form.validate_on_submit():
        change_project_accounting(db.session, project.id, {field: form[field].data for field in PROJECT_FIELDS},
                                  by_user_id=actor_id())
        commit()
        flash(_("Settings saved"), "success")
        return redirect(url_for("settings.project_accounting", project_id=project.id))
    return form_page(form, _("Accounting codes for this project"), list(PROJECT_FIELDS),
                     url_for("ledger.batches", project_id=project.id), caption=project.name,
                     intro=_("Leave a field empty to use the organisation's."),
                     related=[(url_for("settings.accounting"), _("Accounting codes for the whole organisation"))],
                     active_section="projects")
