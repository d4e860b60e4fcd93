"""Personal access tokens for the JSON API, from the account page (issue 20).

The pages call ``remun.accounts.api_tokens`` (which records the audit entries) and
commit. A new token is shown once, on the page answering the form; it is never
stored, so it cannot be shown again.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from remun.accounts import api_tokens
from remun.accounts.models import TokenScope
from remun.web.auth import ActionForm
from remun.web.extensions import db
from remun.web.forms import options
from remun.web.pages import commit, form_page

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")

SCOPE_LABELS = {
    TokenScope.READ: _l("Read only"),
    TokenScope.WRITE: _l("Read and change"),
}
PROBLEMS = {
    "name_missing": _l("Enter a name for the token"),
    "name_too_long": _l("The name must be %(count)d characters or fewer", count=api_tokens.MAX_NAME),
    "lifetime": _l("Choose how long the token will work"),
    "inactive": _l("This account is not active"),
}


def _lifetime_label(days: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", days)


class NewTokenForm(FlaskForm):
    name = StringField(_l("Name"), [InputRequired(message=PROBLEMS["name_missing"]),
                                    Length(max=api_tokens.MAX_NAME, message=PROBLEMS["name_too_long"])],
                       widget=GovTextInput(),
                       description=_l("Say what the token is for, so you know it again, such as “Finance system”."))
    scope = RadioField(_l("What can the token do?"), [InputRequired(message=_l("Choose what the token can do"))],
                       widget=GovRadioInput(), default=TokenScope.READ.value,
                       description=_l("It can never do more than you can do yourself."))
    days = RadioField(_l("How long will it work?"), [InputRequired(message=PROBLEMS["lifetime"])],
                      widget=GovRadioInput(), default=str(api_tokens.LIFETIMES_DAYS[0]))
    submit = SubmitField(_l("Make token"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = options([(scope.value, label) for scope, label in SCOPE_LABELS.items()])
        self.days.choices = options([(str(days), _lifetime_label(days)) for days in sorted(api_tokens.LIFETIMES_DAYS)])


@bp.get("/")
def index():
    tokens = api_tokens.of_user(db.session, current_user.user)
    return render_template("tokens/index.html", title=_("Personal access tokens"), tokens=tokens,
                           state=api_tokens.state, scope_labels=SCOPE_LABELS, revoke_form=ActionForm(),
                           active_section="account")


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            issued = api_tokens.create(db.session, current_user.user, form.name.data,
                                       TokenScope(form.scope.data), int(form.days.data))
        except api_tokens.TokenProblem as problem:
            form.name.errors = list(form.name.errors) + [str(PROBLEMS.get(problem.code, problem.code))]
        else:
            commit()
            return render_template("tokens/made.html", title=_("Your new token"), issued=issued,
                                   scope_labels=SCOPE_LABELS, active_section="account")
    return form_page(form, _("Make a personal access token"), ["name", "scope", "days"],
                     url_for("tokens.index"), active_section="account",
                     intro=_("A token lets another system, such as a finance system, use Remun’s API as you. "
                             "You will see the token once, when it is made."))


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        try:
            token = api_tokens.revoke(db.session, current_user.user, token_id)
        except api_tokens.TokenProblem:
            flash(_("That token was not found"), "important")
        else:
            commit()
            flash(_("The token “%(name)s” has been revoked. It no longer works.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
