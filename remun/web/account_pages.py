"""Managing accounts (administrators), and a person's account (for their project lead or an administrator).

These pages are on the sign-in blueprint ("auth": remun/web/auth.py), so their addresses and endpoint names
are those they always had. The writes are operations in remun/accounts (users.py, operations.py); each page
commits its one unit of work (remun/web/pages.py).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from remun.accounts import operations as account_operations
from remun.accounts import users
from remun.accounts.models import TokenPurpose, User, UserRole
from remun.project_records.models import Person
from remun.web.account_links import show_link
from remun.web.auth import actor_id, bp
from remun.web.auth_forms import (
    ROLE_HINTS,
    ROLE_LABELS,
    AccessForm,
    ActionForm,
    InviteForm,
    NewUserForm,
    access_choices,
    show_problem,
)
from remun.web.extensions import db
from remun.web.pages import commit, save


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
    access_choices(form)
    if form.validate_on_submit():
        try:
            user, link = account_operations.invite(db.session, actor_id(), form.email.data, form.role.data,
                                                   **_access_from_form(form))
        except users.AccountProblem as problem:
            db.session.rollback()
            show_problem(form, problem)
        else:
            return show_link(user, link, url_for("auth.user", user_id=user.id))
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
    access_choices(form)
    if form.validate_on_submit():
        try:
            users.set_access(db.session, account_, form.role.data, changed_by_id=actor_id(), **_access_from_form(form))
        except users.AccountProblem as problem:
            show_problem(form, problem)
        else:
            return save(_("Access saved"), lambda: url_for("auth.user", user_id=account_.id))
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
    return show_link(account_, link, back_url)


@bp.route("/accounts/<int:user_id>/link/<any(invitation, reset):kind>", methods=["GET", "POST"])
def user_link(user_id: int, kind: str):
    account_ = _user(user_id)
    purpose = TokenPurpose.INVITATION if kind == "invitation" else TokenPurpose.PASSWORD_RESET
    if purpose is TokenPurpose.INVITATION and account_operations.account_in_use(account_):
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
        return save(_("The account has been deactivated. It can no longer sign in."), lambda: back)
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
            return save(_("The account has been reactivated."), lambda: url_for("auth.user", user_id=account_.id))
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
                account_, link = account_operations.invite(db.session, actor_id(), form.email.data,
                                                           UserRole.PARTICIPANT, person_id=person.id)
            except users.AccountProblem as problem:
                db.session.rollback()
                show_problem(form, problem)
            else:
                return show_link(account_, link, back)
        return render_template("auth/person_account.html", title=_("Invite them to sign in"), person=person,
                               account=None, form=form, breadcrumbs=crumbs, active_section="people")
    if account_.role is not UserRole.PARTICIPANT and current_user.role is not UserRole.ADMIN:
        abort(403)  # only an administrator hands over links for staff accounts
    form = ActionForm()
    purpose = TokenPurpose.PASSWORD_RESET if account_.password_hash else TokenPurpose.INVITATION
    may_make = account_operations.may_make_reset_link(account_, current_user.user)
    if request.method == "POST" and not may_make:
        account_operations.reset_link_refused(db.session, actor_id(), account_)
        commit()
        abort(403)  # only the person, or an administrator, may come to hold a way into an account in use
    if form.validate_on_submit():
        return _make_link(account_, purpose, back, form)
    form.submit.label.text = (_("Make a password reset link") if purpose is TokenPurpose.PASSWORD_RESET
                              else _("Make a new invitation link"))
    return render_template("auth/person_account.html", title=_("Their account"), person=person, account=account_,
                           form=form, may_make=may_make, role_labels=ROLE_LABELS, breadcrumbs=crumbs, active_section="people")

