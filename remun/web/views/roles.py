"""Roles in a project, and the history of their pay terms."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Project, Role
from remun.project_records import operations
from remun.project_records.rules import RateCardProblem, check_rate_card, rate_card_choices
from remun.web.extensions import db
from remun.web.forms import RoleDetailsForm, RoleForm, TermsForm, options, terms_from
from remun.web.pages import current_user_id, form_page, not_found_unless, rate_book, remove_page, save, try_save
from remun.web.views.projects import project_crumbs

bp = Blueprint("roles", __name__, url_prefix="/projects/<int:project_id>/roles")

TERMS_FIELDS = ["basis", "rate", "rate_card_ref", "session_hours", "prep_hours", "prep_paid", "travel_hours", "travel_paid"]
DETAIL_FIELDS = ["title", "kind", "group_id"]


def _offer_choices(form, project: Project) -> None:
    if hasattr(form, "group_id"):
        form.group_id.choices = options([("", _("Not in an equal role group"))] + [
            (str(group.id), group.name) for group in project.groups
        ])
    if hasattr(form, "rate_card_ref"):
        form.rate_card_ref.choices = options([("", _("None: I have entered a rate"))] + rate_card_choices(rate_book()))


def _terms_valid(form) -> bool:
    """Check a chosen published rate suits the pay basis; add the message to the form."""
    if not form.rate_card_ref.data or not form.basis.data:
        return True
    try:
        check_rate_card(rate_book(), PayBasis(form.basis.data), form.rate_card_ref.data)
    except RateCardProblem as problem:
        if problem.code == "unknown":
            form.rate_card_ref.errors = [_("Choose a published rate from the list")]
        else:
            form.rate_card_ref.errors = [
                _("This published rate is not paid in the way you chose. Choose a rate that matches how the role is paid.")
            ]
        return False
    return True


def _details(form) -> dict:
    return {"title": form.title.data, "kind": RoleKind(form.kind.data),
            "group_id": int(form.group_id.data) if form.group_id.data else None}


def _role_in(project_id: int, role_id: int) -> Role:
    role = db.get_or_abort(Role, role_id)
    not_found_unless(role.project_id == project_id)
    return role


@bp.route("/new", methods=["GET", "POST"])
def new(project_id: int):
    project = db.get_or_abort(Project, project_id)
    form = RoleForm()
    _offer_choices(form, project)
    if form.validate_on_submit() and _terms_valid(form):
        role = operations.add_role(db.session, current_user_id(), project, _details(form), terms_from(form))
        saved = try_save(form, "title", _("This project already has a role with this title."),
                         _("Role added"), lambda: url_for("roles.show", project_id=project.id, role_id=role.id))
        if saved:
            return saved
    return form_page(form, _("Add a role"), DETAIL_FIELDS + TERMS_FIELDS, url_for("projects.show", project_id=project.id),
                     caption=project.name, breadcrumbs=project_crumbs(project), active_section="projects")


@bp.get("/<int:role_id>")
def show(project_id: int, role_id: int):
    role = _role_in(project_id, role_id)
    book = rate_book()
    return render_template("roles/show.html", title=role.title, role=role, project=role.project,
                           rate_for=lambda terms: book.latest(terms.rate_card_ref) if terms.rate_card_ref else None,
                           counted=_parity_counts(role, book),
                           breadcrumbs=project_crumbs(role.project), active_section="projects")


def _parity_counts(role, book) -> dict:
    """For each of the role's terms, how parity counts a session on them (None without a rate that day)."""
    import datetime as dt

    from remun.pay.terms import NoRateOnDate, pay_terms
    from remun.parity.terms_explained import parity_count

    today = dt.date.today()
    counted = {}
    for terms in role.terms:
        day = max(terms.effective_from, today) if terms is role.terms[-1] else terms.effective_from
        try:
            counted[terms.id] = parity_count(pay_terms(terms, book, day))
        except NoRateOnDate:
            counted[terms.id] = None
    return counted


@bp.route("/<int:role_id>/edit", methods=["GET", "POST"])
def edit(project_id: int, role_id: int):
    role = _role_in(project_id, role_id)
    form = RoleDetailsForm(obj=role, group_id=str(role.group_id or ""), kind=role.kind.value)
    _offer_choices(form, role.project)
    if form.validate_on_submit():
        operations.change_role(db.session, current_user_id(), role, **_details(form))
        saved = try_save(form, "title", _("This project already has a role with this title."),
                         _("Role saved"), lambda: url_for("roles.show", project_id=project_id, role_id=role.id))
        if saved:
            return saved
    return form_page(form, _("Change the role"), DETAIL_FIELDS, url_for("roles.show", project_id=project_id, role_id=role.id),
                     caption=role.project.name, breadcrumbs=project_crumbs(role.project), active_section="projects")


@bp.route("/<int:role_id>/terms/new", methods=["GET", "POST"])
def new_terms(project_id: int, role_id: int):
    role = _role_in(project_id, role_id)
    current = role.current_terms
    defaults = {}
    if current is not None and request.method == "GET":
        defaults = {
            "basis": current.basis.value, "rate": current.rate, "rate_card_ref": current.rate_card_ref or "",
            "session_hours": current.session_hours, "prep_hours": current.prep_hours,
            "prep_paid": "yes" if current.prep_paid else "no", "travel_hours": current.travel_hours,
            "travel_paid": "yes" if current.travel_paid else "no", "effective_from": dt.date.today(),
        }
    form = TermsForm(data=defaults or None)
    _offer_choices(form, role.project)
    if form.validate_on_submit() and _terms_valid(form):
        operations.save_terms(db.session, current_user_id(), role, form.effective_from.data, terms_from(form))
        return save(_("Pay terms saved"), lambda: url_for("roles.show", project_id=project_id, role_id=role.id))
    return form_page(form, _("Change pay terms"), ["effective_from"] + TERMS_FIELDS,
                     url_for("roles.show", project_id=project_id, role_id=role.id),
                     caption=role.title, intro=_("Changes apply from the date you give. Sessions before it keep the terms they had."),
                     breadcrumbs=project_crumbs(role.project), active_section="projects")


@bp.route("/<int:role_id>/delete", methods=["GET", "POST"])
def delete(project_id: int, role_id: int):
    role = _role_in(project_id, role_id)
    back = url_for("projects.show", project_id=project_id)
    return remove_page(role, _("Remove the role %(title)s?", title=role.title),
                       url_for("roles.show", project_id=project_id, role_id=role.id), back, _("Role removed"),
                       caption=role.project.name)
