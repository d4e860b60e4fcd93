"""Signing in and out, passwords, one-time links, and managing accounts.

Sessions are Flask-Login's; passwords are argon2 hashes (``remun.accounts``).
Sign-in attempts that fail are counted per account and per address with
Flask-Limiter's storage (``REMUN_RATELIMIT_STORAGE_URI``; memory:// by default,
which only works for one process: several workers need a shared store such as
redis://). No mail server is assumed: links are shown to the administrator or
project lead who made them, to hand over, and also emailed to the account when
a mail server is configured (``REMUN_SMTP_*``, see ``remun.accounts.mail``).
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from limits import parse_many
from sqlalchemy import select
from wtforms import PasswordField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from remun.accounts import audit as audit_log
from remun.accounts import mail, passwords, sign_in_sessions, users
from remun.accounts.models import TokenPurpose, User, UserRole
from remun.models import Person, Project
from remun.web.extensions import db
from remun.web.forms import options

bp = Blueprint("auth", __name__)

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

#: Optional mail server for sending links (remun.accounts.mail); read from the environment.
SMTP_SETTINGS = ("REMUN_SMTP_HOST", "REMUN_SMTP_PORT", "REMUN_SMTP_SECURITY", "REMUN_SMTP_USERNAME",
                 "REMUN_SMTP_PASSWORD", "REMUN_SMTP_FROM")

DEFAULT_LIMIT_PER_ACCOUNT = "10 per hour"
DEFAULT_LIMIT_PER_ADDRESS = "30 per hour"


# --- The signed-in account ----------------------------------------------------------------------

class Account(UserMixin):
    """The signed-in user, as Flask-Login sees them; everything else reads through to ``User``.

    ``key`` names their session on the server (remun/accounts/sign_in_sessions.py).
    """

    def __init__(self, user: User, key: str):
        self.user = user
        self.key = key

    def get_id(self) -> str:
        return self.key

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


login_manager = LoginManager()
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(key: str) -> Account | None:
    config = current_app.config
    user = sign_in_sessions.find(db.session, key, idle=config["REMUN_SESSION_IDLE"],
                                 lifetime=config["PERMANENT_SESSION_LIFETIME"])
    if db.session.dirty or db.session.deleted:
        db.session.commit()  # the time last seen, or a session that has timed out
    return Account(user, key) if user is not None else None


def actor_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def hasher():
    return passwords.hasher(current_app.config.get("REMUN_ARGON2_PROFILE", "default"))


# --- Audit helpers for the views (one line each where they are used) -----------------------------

def audit(action: str, object_type: str | None = None, object_id: Any = None, **detail: Any) -> None:
    audit_log.record(db.session, actor_id(), action, object_type, object_id, detail or None)


def audit_viewed(obj: Any) -> None:
    """Record that the signed-in user viewed ``obj`` (a person's details), and save it at once."""
    audit_log.record_for(db.session, actor_id(), f"{audit_log.object_type_of(obj)}.viewed", obj)
    db.session.commit()


def audit_created(action: str, obj: Any, **detail: Any) -> None:
    """Record a new record; saved with it (when it gets its id) or not at all."""
    audit_log.record_for(db.session, actor_id(), action, obj, detail or None)


def audit_changes(action: str, obj: Any, **detail: Any) -> None:
    """Record what is about to change on ``obj`` (field names; values only when not personal)."""
    changed = audit_log.changes(obj)
    if changed["fields"] or detail:
        audit_log.record_for(db.session, actor_id(), action, obj, {**detail, **changed})


def audit_removed(action: str, obj: Any) -> None:
    """Record a removal; saved only if ``obj`` is in fact removed."""
    audit_log.record_when_deleted(db.session, actor_id(), action, obj)


# --- Rate limiting of sign-in --------------------------------------------------------------------

def _limiter() -> Limiter:
    return current_app.extensions["remun.limiter"]


def _limit_keys(email: str) -> list[tuple[str, Any, str]]:
    config = current_app.config
    return [
        ("account", parse_many(config.get("REMUN_SIGN_IN_LIMIT_PER_ACCOUNT", DEFAULT_LIMIT_PER_ACCOUNT)), email),
        ("address", parse_many(config.get("REMUN_SIGN_IN_LIMIT_PER_ADDRESS", DEFAULT_LIMIT_PER_ADDRESS)),
         get_remote_address() or "unknown"),
    ]


def _too_many_attempts(email: str) -> bool:
    limiter = _limiter().limiter
    return any(not limiter.test(item, "sign-in", kind, key)
               for kind, items, key in _limit_keys(email) for item in items)


def _count_failure(email: str) -> None:
    limiter = _limiter().limiter
    for kind, items, key in _limit_keys(email):
        for item in items:
            limiter.hit(item, "sign-in", kind, key)


def _forget_failures(email: str) -> None:
    limiter = _limiter().limiter
    for kind, items, key in _limit_keys(email)[:1]:
        for item in items:
            limiter.clear(item, "sign-in", kind, key)


# --- Forms ---------------------------------------------------------------------------------------

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


def _access_choices(form: AccessForm) -> None:
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


# --- Where to go -----------------------------------------------------------------------------------

def landing_url() -> str:
    """The person's own start page: a participant's home, everyone else's start page."""
    if not current_user.is_authenticated:
        return url_for("auth.sign_in")
    if current_user.role is UserRole.PARTICIPANT:
        if current_user.person_id:
            return url_for("participant.home", person_id=current_user.person_id)
        return url_for("auth.account")
    return url_for("home.index")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, never another site (open redirects), and one the person may open."""
    from remun.web.permissions import may_open

    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target if may_open(target) else None


def _sign_in(user: User) -> None:
    session.clear()  # a fresh session: nothing from before signing in carries over
    key = sign_in_sessions.start(db.session, user)
    db.session.commit()
    login_user(Account(user, key))
    session.permanent = True


def _end_this_session() -> None:
    sign_in_sessions.end(db.session, session.get("_user_id"))
    db.session.commit()
    logout_user()
    session.clear()


def _link_url(endpoint: str, token: str) -> str:
    base = current_app.config.get("REMUN_BASE_URL")
    path = url_for(endpoint, token=token)
    return base.rstrip("/") + path if base else url_for(endpoint, token=token, _external=True)


LINK_ENDPOINTS = {TokenPurpose.INVITATION: "auth.accept_invitation", TokenPurpose.PASSWORD_RESET: "auth.reset_password"}


def account_in_use(user: User) -> bool:
    """Has the person set their own password? Then a link to change it is a way to act as them."""
    return bool(user.password_hash)


def may_make_reset_link(user: User) -> bool:
    """Reset links for an account in use are shown only to administrators (issue 15)."""
    return not account_in_use(user) or current_user.role is UserRole.ADMIN


def _show_link(user: User, link, back_url: str):
    shown_for_account_in_use = link.purpose is TokenPurpose.PASSWORD_RESET and account_in_use(user)
    if shown_for_account_in_use:
        # Recorded, and the person is told by email (with the link) that someone saw it on screen.
        audit("user.reset_link_shown", "user", user.id)
    db.session.commit()
    url = _link_url(LINK_ENDPOINTS[link.purpose], link.token)
    emailed = email_link(user, link, url, shown_to=current_user.email if shown_for_account_in_use else None)
    return render_template("auth/link.html", title=_("Give them this link"), account=user, link=link,
                           url=url, back_url=back_url, emailed=emailed, told=shown_for_account_in_use)


def smtp_settings(app: Flask | None = None) -> mail.SmtpSettings | None:
    return (app or current_app).extensions.get("remun.smtp")


def link_email(user: User, link, url: str, shown_to: str | None = None) -> tuple[str, str]:
    """The subject and body of the email carrying a personal link, in the person's language."""
    from remun.web.formatting import long_date
    from remun.web.languages import LOCALES, language_code

    language = language_code(getattr(user, "preferred_language", None)) or (
        language_code(user.person.preferred_language) if user.person is not None else None)
    with force_locale(LOCALES[language]) if language else nullcontext():
        if link.purpose is TokenPurpose.INVITATION:
            subject = _("Your invitation to sign in to Remun")
            opening = _("You have been invited to sign in to Remun. Open this personal link to choose your password:")
            lasts = _("It works once, until %(when)s.", when=long_date(link.expires_at))
        else:
            subject = _("Choose a new password for Remun")
            opening = _("Open this personal link to choose a new password for Remun:")
            lasts = _("It works once, for 24 hours.")
        closing = _("Do not share this link: anyone with it can sign in as you. "
                    "If you were not expecting this email, you can ignore it.")
        if shown_to:
            closing = _("An administrator, %(who)s, made this link and saw it on screen. This has been recorded. "
                        "If you did not ask for a new password, tell your project or another administrator, "
                        "and do not use the link.", who=shown_to)
        return subject, f"{opening}\n\n{url}\n\n{lasts}\n\n{closing}\n"


def email_link(user: User, link, url: str, app: Flask | None = None, shown_to: str | None = None) -> bool | None:
    """Email the link to the account when a mail server is configured.

    None when there is no mail server, True when sent, False when sending failed
    (the reason goes to the log; the person who made the link hands it over).
    """
    settings = smtp_settings(app)
    if settings is None or not user.active:
        return None
    subject, body = link_email(user, link, url, shown_to)
    try:
        mail.send(settings, user.email, subject, body)
    except mail.MailProblem as problem:
        (app or current_app).logger.error("Could not email a %s link to account %s: %s",
                                          link.purpose.value, user.id, problem)
        return False
    return True


# --- Signing in and out --------------------------------------------------------------------------

@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or landing_url())
    form = SignInForm()
    refused = False
    if form.validate_on_submit():
        email = users.normalise_email(form.email.data)
        account = users.by_email(db.session, email)
        if _too_many_attempts(email):
            refused = True
            audit_log.record(db.session, None, "user.sign_in_refused", "user" if account else None,
                             account.id if account else None)
            db.session.commit()
        else:
            user = users.authenticate(db.session, email, form.password.data, hasher())
            if user is None:
                _count_failure(email)
                audit_log.record(db.session, None, "user.sign_in_failed", "user" if account else None,
                                 account.id if account else None)
                db.session.commit()
                form.email.errors = [_("Enter a correct email address and password")]
            else:
                _forget_failures(email)
                audit_log.record(db.session, user.id, "user.signed_in", "user", user.id)
                db.session.commit()
                _sign_in(user)
                return redirect(_safe_next(request.args.get("next")) or landing_url())
    if refused:
        form.email.errors = [_("There have been too many attempts to sign in. Wait an hour and try again, "
                               "or ask your project lead or administrator for a link to reset your password.")]
    first_run = not db.session.scalar(select(User.id).limit(1))  # no accounts at all yet
    return render_template("auth/sign_in.html", title=_("Sign in"), form=form,
                           first_run=first_run), 429 if refused else 200


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    form = ActionForm()
    if form.validate_on_submit():
        audit("user.signed_out", "user", current_user.id)
        _end_this_session()  # a copy of this session's cookie is worth nothing now
        flash(_("You have signed out"), "success")
        return redirect(url_for("auth.sign_in"))
    form.submit.label.text = _("Sign out")
    return render_template("auth/sign_out.html", title=_("Sign out"), form=form)


@bp.get("/account")
def account():
    form = ActionForm()
    form.submit.label.text = _("Sign out everywhere")
    others = sign_in_sessions.count(db.session, current_user.user) - 1
    return render_template("auth/account.html", title=_("Your account"), role_labels=ROLE_LABELS,
                           everywhere_form=form, other_sessions=max(others, 0), active_section="account")


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    """End every session of this account, on every device, this one too."""
    form = ActionForm()
    if form.validate_on_submit():
        ended = sign_in_sessions.end_all(db.session, current_user.user)
        audit("user.signed_out_everywhere", "user", current_user.id, sessions=ended)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have signed out on every device"), "success")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user.user, form.current.data, form.password.data, hasher())
        except users.AccountProblem as problem:
            show_problem(form, problem)
        else:
            audit("user.password_changed", "user", current_user.id)
            db.session.commit()
            _sign_in(current_user.user)  # the session follows the new password; others end
            flash(_("Your password has been changed"), "success")
            return redirect(url_for("auth.account"))
    return render_template("form_page.html", title=_("Change your password"), form=form,
                           fields=["current", "password", "confirm"], cancel_url=url_for("auth.account"),
                           active_section="account")


def _password_from_link(token: str, purpose: TokenPurpose, title: str):
    from remun.accounts import tokens

    if tokens.find(db.session, token, purpose) is None:
        return render_template("auth/bad_link.html", title=_("This link does not work")), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = users.set_password_from_link(db.session, token, purpose, form.password.data, hasher())
        except users.AccountProblem as problem:
            show_problem(form, problem)
        else:
            db.session.commit()
            logout_user()
            _sign_in(user)
            flash(_("Your password has been saved and you are signed in"), "success")
            return redirect(landing_url())
    return render_template("form_page.html", title=title, form=form, fields=["password", "confirm"],
                           intro=_("Choose a password you do not use anywhere else."))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _password_from_link(token, TokenPurpose.PASSWORD_RESET, _("Choose a new password"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _password_from_link(token, TokenPurpose.INVITATION, _("Welcome to Remun: choose your password"))


# --- Accounts (administrators) --------------------------------------------------------------------

def _users_crumbs() -> list[dict]:
    return [{"text": _("Accounts"), "href": url_for("auth.users")}]


@bp.get("/accounts/", endpoint="users")
def list_users():
    accounts = db.session.scalars(select(User).order_by(User.active.desc(), User.email)).all()
    return render_template("auth/users.html", title=_("Accounts"), accounts=accounts, role_labels=ROLE_LABELS,
                           active_section="accounts")


def _access_from_form(form: AccessForm) -> dict[str, Any]:
    return {
        "project_ids": [int(value) for value in form.projects.data or []],
        "person_id": int(form.person_id.data) if form.person_id.data else None,
    }


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    _access_choices(form)
    if form.validate_on_submit():
        try:
            user = users.create_user(db.session, form.email.data, form.role.data, created_by_id=actor_id(),
                                     **_access_from_form(form))
            db.session.flush()
            link = users.issue_link(db.session, user, TokenPurpose.INVITATION, actor_id())
        except users.AccountProblem as problem:
            db.session.rollback()
            show_problem(form, problem)
        else:
            return _show_link(user, link, url_for("auth.user", user_id=user.id))
    return render_template("auth/access_form.html", title=_("Create an account"), form=form,
                           fields=["email", "role", "projects", "person_id"], cancel_url=url_for("auth.users"),
                           role_hints=ROLE_HINTS, breadcrumbs=_users_crumbs(), active_section="accounts")


def _user(user_id: int) -> User:
    return db.get_or_abort(User, user_id)


@bp.get("/accounts/<int:user_id>", endpoint="user")
def show_user(user_id: int):
    account_ = _user(user_id)
    return render_template("auth/user.html", title=account_.email, account=account_, role_labels=ROLE_LABELS,
                           breadcrumbs=_users_crumbs(), active_section="accounts")


@bp.route("/accounts/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    account_ = _user(user_id)
    form = AccessForm(data=None if request.method == "POST" else {
        "role": account_.role.value, "projects": [str(p.id) for p in account_.led_projects],
        "person_id": str(account_.person_id or ""),
    })
    _access_choices(form)
    if form.validate_on_submit():
        try:
            users.set_access(db.session, account_, form.role.data, changed_by_id=actor_id(), **_access_from_form(form))
        except users.AccountProblem as problem:
            show_problem(form, problem)
        else:
            db.session.commit()
            flash(_("Access saved"), "success")
            return redirect(url_for("auth.user", user_id=account_.id))
    return render_template("auth/access_form.html", title=_("Change what they can do"), form=form, caption=account_.email,
                           fields=["role", "projects", "person_id"], cancel_url=url_for("auth.user", user_id=account_.id),
                           role_hints=ROLE_HINTS, breadcrumbs=_users_crumbs(), active_section="accounts")


def _make_link(account_: User, purpose: TokenPurpose, back_url: str, form: ActionForm):
    """Make and show a link, or explain why not; None to show the confirming page."""
    try:
        link = users.issue_link(db.session, account_, purpose, actor_id())
    except users.AccountProblem:
        flash(_("This account is deactivated. Reactivate it first."), "important")
        return redirect(back_url)
    return _show_link(account_, link, back_url)


@bp.route("/accounts/<int:user_id>/link/<any(invitation, reset):kind>", methods=["GET", "POST"])
def user_link(user_id: int, kind: str):
    account_ = _user(user_id)
    purpose = TokenPurpose.INVITATION if kind == "invitation" else TokenPurpose.PASSWORD_RESET
    if purpose is TokenPurpose.INVITATION and account_in_use(account_):
        purpose = TokenPurpose.PASSWORD_RESET  # an invitation must not be a way round the rules for resets
    back = url_for("auth.user", user_id=account_.id)
    form = ActionForm()
    if form.validate_on_submit():
        return _make_link(account_, purpose, back, form)
    form.submit.label.text = _("Make the link")
    return render_template("auth/confirm.html", form=form, cancel_url=back, caption=account_.email,
                           title=_("Make an invitation link?") if kind == "invitation" else _("Make a password reset link?"),
                           advice=_("Any earlier link of this kind for this account stops working."),
                           breadcrumbs=_users_crumbs(), active_section="accounts")


@bp.route("/accounts/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate_user(user_id: int):
    account_ = _user(user_id)
    back = url_for("auth.user", user_id=account_.id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            users.deactivate(db.session, account_, actor_id())
        except users.AccountProblem:
            flash(_("There must always be at least one active administrator."), "important")
            return redirect(back)
        db.session.commit()
        flash(_("The account has been deactivated. It can no longer sign in."), "success")
        return redirect(back)
    form.submit.label.text = _("Deactivate the account")
    return render_template("auth/confirm.html", form=form, cancel_url=back, caption=account_.email,
                           title=_("Deactivate this account?"), warning=True,
                           advice=_("They will be signed out at once and cannot sign in again until the account is reactivated. "
                                    "Nothing they recorded is removed."),
                           breadcrumbs=_users_crumbs(), active_section="accounts")


@bp.post("/accounts/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    account_ = _user(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            users.reactivate(db.session, account_, actor_id())
        except users.AccountProblem:
            flash(_("This account belonged to someone whose identity was erased. It cannot be used again."), "important")
        else:
            db.session.commit()
            flash(_("The account has been reactivated."), "success")
    return redirect(url_for("auth.user", user_id=account_.id))


# --- A person's account (for their project lead or an administrator) ---------------------------

@bp.route("/people/<int:person_id>/account", methods=["GET", "POST"])
def person_account(person_id: int):
    person = db.get_or_abort(Person, person_id)
    if users.is_erased(db.session, person):
        abort(404)
    account_ = users.account_of(db.session, person)
    back = url_for("people.show", person_id=person.id)
    crumbs = [{"text": _("People"), "href": url_for("people.index")}, {"text": person.name, "href": back}]
    if account_ is None:
        form = InviteForm(data=None if request.method == "POST" else {"email": person.email or ""})
        if form.validate_on_submit():
            try:
                account_ = users.create_user(db.session, form.email.data, UserRole.PARTICIPANT, person_id=person.id,
                                             created_by_id=actor_id())
                db.session.flush()
                link = users.issue_link(db.session, account_, TokenPurpose.INVITATION, actor_id())
            except users.AccountProblem as problem:
                db.session.rollback()
                show_problem(form, problem)
            else:
                return _show_link(account_, link, back)
        return render_template("auth/person_account.html", title=_("Invite them to sign in"), person=person,
                               account=None, form=form, breadcrumbs=crumbs, active_section="people")
    if account_.role is not UserRole.PARTICIPANT and current_user.role is not UserRole.ADMIN:
        abort(403)  # only an administrator hands over links for staff accounts
    form = ActionForm()
    purpose = TokenPurpose.PASSWORD_RESET if account_.password_hash else TokenPurpose.INVITATION
    may_make = may_make_reset_link(account_)
    if request.method == "POST" and not may_make:
        audit("user.reset_link_refused", "user", account_.id)
        db.session.commit()
        abort(403)  # only the person, or an administrator, may come to hold a way into an account in use
    if form.validate_on_submit():
        return _make_link(account_, purpose, back, form)
    form.submit.label.text = (_("Make a password reset link") if purpose is TokenPurpose.PASSWORD_RESET
                              else _("Make a new invitation link"))
    return render_template("auth/person_account.html", title=_("Their account"), person=person, account=account_,
                           form=form, may_make=may_make, role_labels=ROLE_LABELS, breadcrumbs=crumbs, active_section="people")


# --- Setting up ------------------------------------------------------------------------------------

def _discard_unsaved_audit(_error=None) -> None:
    sessions = g.get("_sqlalchemy_sessions") or {}
    if "default" in sessions:
        audit_log.discard_unsaved(sessions["default"])


def _too_many_requests(error):
    return render_template("error.html", title=_("Too many attempts"),
                           advice=_("Wait a while and try again."), code=429), 429


def init_app(app: Flask) -> None:
    # "test" makes hashing fast and weak: for the test suite only.
    app.config.setdefault("REMUN_ARGON2_PROFILE", os.environ.get("REMUN_ARGON2_PROFILE", "default"))
    passwords.hasher(app.config["REMUN_ARGON2_PROFILE"])  # an unknown profile stops start-up
    for name in SMTP_SETTINGS:
        if os.environ.get(name):
            app.config.setdefault(name, os.environ[name])
    # Bad mail settings stop start-up, naming the setting.
    app.extensions["remun.smtp"] = mail.SmtpSettings.from_config(app.config)
    login_manager.init_app(app)
    app.teardown_request(_discard_unsaved_audit)
    # The deployment's shared store when it sets one (several workers must share the counts).
    storage_uri = (app.config.get("REMUN_RATELIMIT_STORAGE_URI") or app.config.get("RATELIMIT_STORAGE_URI")
                   or os.environ.get("REMUN_RATELIMIT_STORAGE_URI") or "memory://")
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri
    limiter = Limiter(get_remote_address, app=app, default_limits=[], headers_enabled=False, storage_uri=storage_uri)
    app.extensions["remun.limiter"] = limiter
    app.register_error_handler(429, _too_many_requests)
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["start_url"] = landing_url
