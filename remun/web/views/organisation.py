"""The organisation's settings, for administrators (remun/organisation/settings.py declares them)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from remun.organisation.settings import change_setting, get_setting
from remun.web.auth import actor_id
from remun.web.extensions import db
from remun.web.forms import options
from remun.web.pages import form_page

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
            db.session.commit()
        flash(_("Settings saved"), "success")
        return redirect(url_for("settings.index"))
    return form_page(form, _("Organisation settings"), ["leads_may_create"], url_for("home.index"),
                     active_section="settings",
                     related=[(url_for("settings.parity"), _("How pay parity is compared, the tax year and letters"))])
