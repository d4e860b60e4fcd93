"""The sign-in and account forms, the words for each kind of account, and the messages for account problems."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import PasswordField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from remun.accounts import passwords, users
from remun.accounts.models import UserRole
from remun.project_records.models import Person, Project
from remun.web.extensions import db
from remun.web.forms import options

ROLE_LABELS = {
    UserRole.ADMIN: _l("Administrator"),
    UserRole.LEAD: _l("Project lead"),
    UserRole.FINANCE: _l("Finance"),
    UserRole.PARTICIPANT: _l("Participant"),
}
ROLE_HINTS = {
    UserRole.ADMIN: _l("Can see and change everything, and manage accounts."),
    UserRole.LEAD: _l("Can see and change the projects they lead, and the people in them."),
    UserRole.FINANCE: _l("Can see every project and person, to pay people. Cannot change roles or people’s details."),
    UserRole.PARTICIPANT: _l("Can see only their own details."),
}



class PasswordInput(GovPasswordInput):
    """GOV.UK's password input, with its Show and Hide button translated."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.update({
            "showPasswordText": str(_l("Show")),
            "hidePasswordText": str(_l("Hide")),
            "showPasswordAriaLabelText": str(_l("Show password")),
            "hidePasswordAriaLabelText": str(_l("Hide password")),
            "passwordShownAnnouncementText": str(_l("Your password is visible")),
            "passwordHiddenAnnouncementText": str(_l("Your password is hidden")),
        })
        return params


class SignInForm(FlaskForm):
    email = StringField(_l("Email address"), [InputRequired(message=_l("Enter your email address")), Length(max=254)],
                        widget=GovTextInput(), render_kw={"autocomplete": "username", "spellcheck": "false"})
    password = PasswordField(_l("Password"), [InputRequired(message=_l("Enter your password")), Length(max=1000)],
                             widget=PasswordInput(), render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


def _new_password_fields():
    new = PasswordField(
        _l("New password"),
        [InputRequired(message=_l("Enter a new password"))],
        widget=PasswordInput(),
        description=_l("At least %(count)d characters. Three random words make a strong password.",
                       count=passwords.MIN_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Type the new password again"),
        [InputRequired(message=_l("Type the new password again")),
         EqualTo("password", message=_l("The passwords do not match"))],
        widget=PasswordInput(),
        render_kw={"autocomplete": "new-password"},
    )
    return new, confirm


class SetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Save password"), widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), [InputRequired(message=_l("Enter your current password"))],
                            widget=PasswordInput(), render_kw={"autocomplete": "current-password"})
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class AccessForm(FlaskForm):
    role = RadioField(_l("What can they do?"), choices=[], widget=GovRadioInput(),
                      validators=[InputRequired(message=_l("Select what they can do"))])
    projects = SelectMultipleField(_l("Projects they lead"), choices=[], coerce=str, widget=GovCheckboxesInput(),
                                   description=_l("Only for project leads."))
    person_id = SelectField(_l("Which person are they?"), choices=[], widget=GovSelect(),
                            description=_l("Only for participants: their own record on the People page."))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class NewUserForm(AccessForm):
    email = StringField(
        _l("Email address"),
        [InputRequired(message=_l("Enter their email address")),
         Email(message=_l("Enter an email address in the correct format, like name@example.org")), Length(max=254)],
        widget=GovTextInput(), render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Create account and make an invitation link"), widget=GovSubmitInput())


class InviteForm(FlaskForm):
    email = NewUserForm.email
    submit = SubmitField(_l("Create account and make an invitation link"), widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())



def access_choices(form: AccessForm) -> None:
    form.role.choices = options((role.value, ROLE_LABELS[role]) for role in UserRole)
    form.projects.choices = options(
        (str(p.id), p.name) for p in db.session.scalars(select(Project).order_by(Project.name))
    )
    form.person_id.choices = options([("", _("Not a participant"))] + [
        (str(p.id), p.name) for p in db.session.scalars(select(Person).order_by(Person.name))
    ])


PROBLEM_MESSAGES = {
    "bad_email": ("email", _l("Enter an email address in the correct format, like name@example.org")),
    "email_taken": ("email", _l("There is already an account with this email address")),
    "bad_role": ("role", _l("Select what they can do")),
    "person_needed": ("person_id", _l("Choose which person this participant is")),
    "unknown_person": ("person_id", _l("Choose which person this participant is")),
    "person_taken": ("person_id", _l("This person already has an account")),
    "unknown_project": ("projects", _l("Choose projects from the list")),
    "last_admin": ("role", _l("There must always be at least one active administrator")),
    "wrong_password": ("current", _l("Your current password is not right")),
}
PASSWORD_MESSAGES = {
    "too_short": _l("Your password must be at least %(count)d characters", count=passwords.MIN_LENGTH),
    "too_long": _l("Your password must be %(count)d characters or fewer", count=passwords.MAX_LENGTH),
    "is_email": _l("Your password must not be your email address"),
}


def show_problem(form: FlaskForm, problem: users.AccountProblem) -> None:
    if problem.code == "weak_password":
        form.password.errors = [str(PASSWORD_MESSAGES[code]) for code in problem.details]
        return
    name, message = PROBLEM_MESSAGES.get(problem.code, ("submit", _l("Something went wrong. Try again.")))
    field = form[name] if name in form else form.submit
    field.errors = list(field.errors or []) + [str(message)]

