"""Signing in and out, passwords, and one-time links: the sign-in blueprint ("auth").

Sessions are Flask-Login's, each with its row on the server (``remun.accounts.sign_in_sessions``);
passwords are argon2 hashes (``remun.accounts``). The writes are operations in remun/accounts
(users.py, operations.py); each page commits its one unit of work (remun/web/pages.py).
Beside this module: the forms (auth_forms.py), counting failed attempts (sign_in_limits.py),
links and their emails (account_links.py), and the pages for managing accounts (account_pages.py,
on this same blueprint).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import select

from remun.accounts import audit as audit_log
from remun.accounts import operations as account_operations
from remun.accounts import passwords, sign_in_sessions, users
from remun.accounts.models import TokenPurpose, User, UserRole
from remun.web import account_links, sign_in_limits
from remun.web.account_links import LINK_ENDPOINTS, email_link  # noqa: F401  (the ``remun user`` commands use them)
from remun.web.auth_forms import ROLE_LABELS, ActionForm, ChangePasswordForm, SetPasswordForm, SignInForm, show_problem
from remun.web.extensions import db
from remun.web.pages import commit

bp = Blueprint("auth", __name__)

__all__ = ["bp", "Account", "login_manager", "actor_id", "hasher", "audit", "landing_url", "ActionForm",
           "LINK_ENDPOINTS", "email_link", "init_app"]


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
        commit()  # the time last seen, or a session that has timed out
    return Account(user, key) if user is not None else None


def actor_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def hasher():
    return passwords.hasher(current_app.config.get("REMUN_ARGON2_PROFILE", "default"))


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


def _signed_in(user: User, key: str) -> None:
    """The browser's side of signing in: a fresh cookie (nothing from before carries over) naming ``key``."""
    session.clear()
    login_user(Account(user, key))
    session.permanent = True


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
        if sign_in_limits.too_many_attempts(email):
            refused = True
            account_operations.sign_in_refused(db.session, account)
            commit()
        else:
            user = users.authenticate(db.session, email, form.password.data, hasher())
            if user is None:
                sign_in_limits.count_failure(email)
                account_operations.sign_in_failed(db.session, account)
                commit()
                form.email.errors = [_("Enter a correct email address and password")]
            else:
                sign_in_limits.forget_failures(email)
                key = account_operations.signed_in(db.session, user)
                commit()
                _signed_in(user, key)
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
        account_operations.signed_out(db.session, current_user.id, session.get("_user_id"))
        commit()
        logout_user()  # a copy of this session's cookie is worth nothing now
        session.clear()
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
        account_operations.sign_out_everywhere(db.session, current_user.user)
        commit()
        logout_user()
        session.clear()
        flash(_("You have signed out on every device"), "success")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user.user
        try:
            key = account_operations.change_password(db.session, user, form.current.data, form.password.data, hasher())
        except users.AccountProblem as problem:
            show_problem(form, problem)
        else:
            commit()
            _signed_in(user, key)  # the session follows the new password; others end
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
            user, key = account_operations.set_password_from_link(db.session, token, purpose, form.password.data,
                                                                  hasher())
        except users.AccountProblem as problem:
            show_problem(form, problem)
        else:
            commit()
            logout_user()
            _signed_in(user, key)
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


# --- Setting up ------------------------------------------------------------------------------------

def _discard_unsaved_audit(_error=None) -> None:
    sessions = g.get("_sqlalchemy_sessions") or {}
    if "default" in sessions:
        audit_log.discard_unsaved(sessions["default"])


def init_app(app: Flask) -> None:
    # "test" makes hashing fast and weak: for the test suite only.
    app.config.setdefault("REMUN_ARGON2_PROFILE", os.environ.get("REMUN_ARGON2_PROFILE", "default"))
    passwords.hasher(app.config["REMUN_ARGON2_PROFILE"])  # an unknown profile stops start-up
    account_links.init_app(app)
    login_manager.init_app(app)
    app.teardown_request(_discard_unsaved_audit)
    sign_in_limits.init_app(app)
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["start_url"] = landing_url
