"""Budgets: plan what involvement costs, fairly, before and during a project (issue 10).

Who may use these pages is in remun/web/permissions.py: administrators;
leads for the budgets of their projects and the drafts they made; finance
may read every budget. The costing is ``remun.budget.planning``; every change
is one function of ``remun.budget.operations`` (it checks, writes and records
the audit entry). These views read forms (remun/web/views/budget_forms.py),
call an operation, commit the request's one transaction, and show.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from remun.budget import drafts
from remun.budget import operations as budget_operations
from remun.budget.actuals import ledger_actuals, plan_against_actual
from remun.budget.models import Budget, BudgetCategory, BudgetDraftRole, BudgetItem, BudgetLine
from remun.budget.operations import BudgetProblem
from remun.budget.planning import SECTIONS, TIME, Fairness, ProblemKind, cost_plan, month_start
from remun.budget.store import (
    budget_for_project,
    load_budget,
    may_change,
    plan_of,
    projects_without_budget,
    visible_budgets,
)
from remun.project_records.enums import PayBasis
from remun.project_records.models import Project
from remun.web.extensions import db
from remun.web.forms import ConfirmForm, choices, options
from remun.web.pages import form_page, not_found_unless, rate_book, save, try_save
from remun.web.permissions import can
from remun.web.views.budget_forms import (
    CATEGORY_EXAMPLES,
    CATEGORY_LABELS,
    FREQUENCY,
    SECTION_LABELS,
    BudgetForm,
    DraftRoleForm,
    ItemForm,
    LineForm,
    MakeProjectForm,
    budget_details,
    draft_role_details,
    frequency_choices,
    item_details,
    line_details,
    line_role,
    month_choices,
    month_value,
    rate_card_options,
    rate_card_valid,
    schedule_fits,
    unit_money,
)

bp = Blueprint("budget", __name__)

# --- Helpers -----------------------------------------------------------------------------------

def _budget(budget_id: int) -> Budget:
    budget = load_budget(db.session, budget_id)
    if budget is None:
        abort(404)
    return budget


def _crumbs(budget: Budget | None = None) -> list[dict]:
    crumbs = [{"text": _("Budgets"), "href": url_for("budget.index")}]
    if budget is not None and budget.id is not None:
        crumbs.append({"text": budget.name, "href": url_for("budget.show", budget_id=budget.id)})
    return crumbs


def _caption(budget: Budget) -> str:
    return _("Draft budget") if budget.is_draft else _("Budget")


def _show_url(budget: Budget, anchor: str | None = None) -> str:
    return url_for("budget.show", budget_id=budget.id, _anchor=anchor)


# --- Budgets ----------------------------------------------------------------------------------

@bp.get("/budgets/")
def index():
    budgets = visible_budgets(db.session, current_user.user)
    return render_template("budget/index.html", title=_("Budgets"), budgets=budgets,
                           projects=projects_without_budget(db.session, current_user.user), active_section="budgets")


@bp.route("/budgets/new", methods=["GET", "POST"])
def new_draft():
    form = BudgetForm()
    if form.validate_on_submit():
        budget = budget_operations.start_draft(db.session, budget_details(form), by_user_id=current_user.id)
        return save(_("Draft budget started. Add the roles you plan."), lambda: _show_url(budget))
    return form_page(form, _("Start a draft budget"),
                     ["name", "start_date", "end_date", "currency", "contingency_percent", "notes"],
                     url_for("budget.index"), breadcrumbs=_crumbs(), active_section="budgets",
                     intro=_("Plan what involvement will cost before the project is set up in Remun. "
                             "When it is agreed, an administrator can turn the draft into the project, with its roles."))


@bp.get("/projects/<int:project_id>/budget")
def for_project(project_id: int):
    project = db.get_or_abort(Project, project_id)
    budget = budget_for_project(db.session, project.id)
    if budget is not None:
        return redirect(_show_url(budget))
    if can("budget.new_for_project", project_id=project.id):
        return redirect(url_for("budget.new_for_project", project_id=project.id))
    return render_template("budget/none.html", title=_("Budget"), project=project, breadcrumbs=_crumbs(),
                           active_section="budgets")


@bp.route("/projects/<int:project_id>/budget/new", methods=["GET", "POST"])
def new_for_project(project_id: int):
    project = db.get_or_abort(Project, project_id)
    existing = budget_for_project(db.session, project.id)
    if existing is not None:
        return redirect(_show_url(existing))
    data = None
    if request.method == "GET":
        data = {"start_date": project.start_date, "end_date": project.end_date, "contingency_percent": Decimal("0")}
    form = BudgetForm(data=data)
    del form.name, form.currency
    if form.validate_on_submit():
        budget = budget_operations.start_project_budget(db.session, project, budget_details(form),
                                                        by_user_id=current_user.id)
        return save(_("Budget started. Plan the sessions of each role."), lambda: _show_url(budget))
    return form_page(form, _("Start a budget"), ["start_date", "end_date", "contingency_percent", "notes"],
                     url_for("projects.show", project_id=project.id), caption=project.name,
                     breadcrumbs=_crumbs(), active_section="budgets")


@bp.get("/budgets/<int:budget_id>")
def show(budget_id: int):
    budget = _budget(budget_id)
    costing = cost_plan(plan_of(budget), rate_book())
    versus = None
    if budget.project_id is not None:
        versus = plan_against_actual(costing, ledger_actuals(db.session, budget.project_id))
    return render_template(
        "budget/show.html", title=budget.name, budget=budget, costing=costing, versus=versus,
        editable=may_change(current_user.user, budget, db.session), caption=_caption(budget),
        section_labels=SECTION_LABELS, category_labels=CATEGORY_LABELS, category_examples=CATEGORY_EXAMPLES,
        categories=list(BudgetCategory), sections=SECTIONS, frequency=FREQUENCY, Fairness=Fairness,
        ProblemKind=ProblemKind, TIME=TIME, today=dt.date.today(), unit_money=unit_money, breadcrumbs=_crumbs(), active_section="budgets",
    )


@bp.get("/budgets/<int:budget_id>/workbook.xlsx")
def workbook(budget_id: int):
    """The workbook is made by a background job (remun/jobs/kinds.py); its page gives the link when it is ready."""
    from remun.jobs.kinds import budget_params
    from remun.web.views.jobs import submit_job

    budget = _budget(budget_id)
    budget_operations.record_workbook_download(db.session, budget, by_user_id=current_user.id, file_format="xlsx")
    job = submit_job("budget_workbook", budget_params(budget, current_user.email, str(get_locale() or "en_GB")))
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
def edit(budget_id: int):
    budget = _budget(budget_id)
    form = BudgetForm(obj=budget)
    fields = ["name", "start_date", "end_date", "currency", "contingency_percent", "notes"]
    if not budget.is_draft:
        del form.name, form.currency
        fields = ["start_date", "end_date", "contingency_percent", "notes"]
    if form.validate_on_submit():
        budget_operations.save_details(budget, budget_details(form))
        return save(_("Budget details saved"), lambda: _show_url(budget))
    return form_page(form, _("Change the budget’s details"), fields, _show_url(budget), caption=budget.name,
                     breadcrumbs=_crumbs(budget), active_section="budgets")


def _confirm(title: str, budget: Budget, cancel_url: str, blockers: list[str] | None = None):
    return render_template("confirm_delete.html", form=ConfirmForm(), title=title, caption=budget.name,
                           blockers=blockers or [], cancel_url=cancel_url, breadcrumbs=_crumbs(budget),
                           active_section="budgets")


@bp.route("/budgets/<int:budget_id>/delete", methods=["GET", "POST"])
def delete(budget_id: int):
    budget = _budget(budget_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        budget_operations.remove_budget(db.session, budget, by_user_id=current_user.id)
        return save(_("Budget removed"), lambda: url_for("budget.index"))
    return _confirm(_("Remove the budget %(name)s?", name=budget.name), budget, _show_url(budget))


# --- Draft roles ------------------------------------------------------------------------------

ROLE_FIELDS = ["title", "kind", "group_name", "basis", "rate", "rate_card_ref", "session_hours", "prep_hours",
               "prep_paid", "travel_hours", "travel_paid"]


def _draft_role(budget: Budget, draft_role_id: int) -> BudgetDraftRole:
    role = db.get_or_abort(BudgetDraftRole, draft_role_id)
    not_found_unless(role.budget_id == budget.id)
    return role


def _draft_only(budget: Budget) -> None:
    not_found_unless(budget.is_draft)


def _role_form_page(form, budget: Budget, title: str):
    return form_page(form, title, ROLE_FIELDS, _show_url(budget, "roles"), caption=budget.name,
                     breadcrumbs=_crumbs(budget), active_section="budgets",
                     intro=_("The pay this role is planned on. The published rate in force each month is used, so rises are included."))


@bp.route("/budgets/<int:budget_id>/roles/new", methods=["GET", "POST"])
def new_role(budget_id: int):
    budget = _budget(budget_id)
    _draft_only(budget)
    form = DraftRoleForm()
    form.rate_card_ref.choices = rate_card_options(_("None: I have entered a rate"))
    if form.validate_on_submit() and rate_card_valid(form.rate_card_ref, PayBasis(form.basis.data)):
        budget_operations.add_draft_role(db.session, budget, draft_role_details(form))
        saved = try_save(form, "title", _("This budget already has a role with this title."), _("Role added"),
                         lambda: _show_url(budget, "roles"))
        if saved:
            return saved
    return _role_form_page(form, budget, _("Add a role"))


@bp.route("/budgets/<int:budget_id>/roles/<int:draft_role_id>/edit", methods=["GET", "POST"])
def edit_role(budget_id: int, draft_role_id: int):
    budget = _budget(budget_id)
    _draft_only(budget)
    role = _draft_role(budget, draft_role_id)
    data = None
    if request.method == "GET":
        data = {"title": role.title, "kind": role.kind.value, "group_name": role.group_name or "",
                "basis": role.basis.value, "rate": role.rate, "rate_card_ref": role.rate_card_ref or "",
                "session_hours": role.session_hours, "prep_hours": role.prep_hours,
                "prep_paid": "yes" if role.prep_paid else "no", "travel_hours": role.travel_hours,
                "travel_paid": "yes" if role.travel_paid else "no"}
    form = DraftRoleForm(data=data)
    form.rate_card_ref.choices = rate_card_options(_("None: I have entered a rate"))
    if form.validate_on_submit() and rate_card_valid(form.rate_card_ref, PayBasis(form.basis.data)):
        budget_operations.change_draft_role(role, draft_role_details(form))
        saved = try_save(form, "title", _("This budget already has a role with this title."), _("Role saved"),
                         lambda: _show_url(budget, "roles"))
        if saved:
            return saved
    return _role_form_page(form, budget, _("Change the role"))


@bp.route("/budgets/<int:budget_id>/roles/<int:draft_role_id>/delete", methods=["GET", "POST"])
def delete_role(budget_id: int, draft_role_id: int):
    budget = _budget(budget_id)
    _draft_only(budget)
    role = _draft_role(budget, draft_role_id)
    blockers = [_("sessions are planned for it: remove them first")
                for _code in budget_operations.draft_role_blockers(budget, role)]
    form = ConfirmForm()
    if not blockers and form.validate_on_submit():
        budget_operations.remove_draft_role(db.session, budget, role)
        return save(_("Role removed"), lambda: _show_url(budget, "roles"))
    return _confirm(_("Remove the role %(title)s?", title=role.title), budget, _show_url(budget, "roles"), blockers)


# --- Planned sessions -------------------------------------------------------------------------

LINE_FIELDS = ["role_id", "description", "sessions", "first_month", "every_months", "per_month", "people",
               "session_hours", "prep_hours", "travel_hours", "in_total", "notes"]


def _line(budget: Budget, line_id: int) -> BudgetLine:
    line = db.get_or_abort(BudgetLine, line_id)
    not_found_unless(line.budget_id == budget.id)
    return line


def _role_choices(budget: Budget):
    if budget.project is not None:
        roles = [(f"role-{role.id}", role.title) for role in budget.project.roles]
    else:
        roles = [(f"draft-{role.id}", role.title) for role in budget.draft_roles]
    return options([("", _("Choose a role"))] + roles)


def _line_form(budget: Budget, data=None) -> LineForm:
    form = LineForm(data=data)
    form.role_id.choices = _role_choices(budget)
    form.first_month.choices = month_choices(budget)
    form.every_months.choices = frequency_choices()
    return form


def _role_problem(code: str) -> str:
    """What to tell someone whose chosen role cannot be planned (codes from remun/budget/operations.py)."""
    if code == "no_terms":
        return _("This role has no pay terms yet. Add them to the role first.")
    return _("Choose the role")


def _line_valid(form: LineForm, budget: Budget):
    """The form's answers as the operation's details once they are valid; else None (errors on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        budget_operations.usual_terms(budget, **line_role(form.role_id.data))
    except BudgetProblem as problem:
        form.role_id.errors = [_role_problem(problem.code)]
        return None
    if not schedule_fits(form, budget, form.sessions.data, form.per_month.data, form.sessions):
        return None
    return line_details(form)


def _line_page(form: LineForm, budget: Budget, title: str):
    intro = _("Plan the sessions of one role. Each month is costed on the role’s pay in force that month, so rises are included.")
    return form_page(form, title, LINE_FIELDS, _show_url(budget, "sessions"), caption=budget.name,
                     breadcrumbs=_crumbs(budget), active_section="budgets", intro=intro)


@bp.route("/budgets/<int:budget_id>/sessions/new", methods=["GET", "POST"])
def new_line(budget_id: int):
    budget = _budget(budget_id)
    data = {"first_month": month_value(month_start(budget.start_date))} if request.method == "GET" else None
    if data is not None and request.args.get("role"):
        data["role_id"] = request.args["role"]
    form = _line_form(budget, data)
    found = _line_valid(form, budget)
    if found:
        budget_operations.add_line(db.session, budget, found)
        return save(_("Sessions added to the plan"), lambda: _show_url(budget, "sessions"))
    return _line_page(form, budget, _("Plan sessions"))


@bp.route("/budgets/<int:budget_id>/sessions/<int:line_id>/edit", methods=["GET", "POST"])
def edit_line(budget_id: int, line_id: int):
    budget = _budget(budget_id)
    line = _line(budget, line_id)
    data = None
    if request.method == "GET":
        data = {"role_id": f"role-{line.role_id}" if line.role_id else f"draft-{line.draft_role_id}",
                "description": line.description, "sessions": line.sessions, "per_month": line.per_month,
                "first_month": month_value(line.first_month), "every_months": str(line.every_months),
                "people": line.people, "session_hours": line.session_hours, "prep_hours": line.prep_hours,
                "travel_hours": line.travel_hours, "in_total": "yes" if line.in_total else "no",
                "notes": line.notes or ""}
    form = _line_form(budget, data)
    found = _line_valid(form, budget)
    if found:
        budget_operations.change_line(budget, line, found)
        return save(_("Sessions saved"), lambda: _show_url(budget, "sessions"))
    return _line_page(form, budget, _("Change the planned sessions"))


@bp.route("/budgets/<int:budget_id>/sessions/<int:line_id>/delete", methods=["GET", "POST"])
def delete_line(budget_id: int, line_id: int):
    budget = _budget(budget_id)
    line = _line(budget, line_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        budget_operations.remove_line(db.session, line)
        return save(_("Sessions removed from the plan"), lambda: _show_url(budget, "sessions"))
    return _confirm(_("Remove the sessions “%(what)s” from the plan?", what=line.description), budget,
                    _show_url(budget, "sessions"))


# --- Items ------------------------------------------------------------------------------------

ITEM_FIELDS = ["category", "description", "quantity", "unit_cost", "rate_card_ref", "first_month", "times",
               "every_months", "notes"]


def _item(budget: Budget, item_id: int) -> BudgetItem:
    item = db.get_or_abort(BudgetItem, item_id)
    not_found_unless(item.budget_id == budget.id)
    return item


def _item_form(budget: Budget, data=None) -> ItemForm:
    form = ItemForm(data=data)
    form.category.choices = choices(CATEGORY_LABELS)
    form.rate_card_ref.choices = rate_card_options(_("None: I have entered a cost"))
    form.first_month.choices = month_choices(budget)
    form.every_months.choices = frequency_choices()
    return form


def _item_valid(form: ItemForm, budget: Budget) -> bool:
    return (form.validate_on_submit() and rate_card_valid(form.rate_card_ref, None)
            and schedule_fits(form, budget, form.times.data, 1, form.times))


def _item_page(form: ItemForm, budget: Budget, title: str):
    category = BudgetCategory(form.category.data) if form.category.data in set(BudgetCategory) else None
    intro = _("Quantity × cost each, once or repeated.")
    if category is not None:
        intro = f"{intro} {CATEGORY_EXAMPLES[category]}"
    return form_page(form, title, ITEM_FIELDS, _show_url(budget, "items"), caption=budget.name,
                     breadcrumbs=_crumbs(budget), active_section="budgets", intro=intro)


@bp.route("/budgets/<int:budget_id>/items/new", methods=["GET", "POST"])
def new_item(budget_id: int):
    budget = _budget(budget_id)
    data = None
    if request.method == "GET":
        data = {"first_month": month_value(month_start(budget.start_date)), "times": 1}
        if request.args.get("category") in set(BudgetCategory):
            data["category"] = request.args["category"]
    form = _item_form(budget, data)
    if _item_valid(form, budget):
        item = budget_operations.add_item(db.session, budget, item_details(form))
        return save(_("Item added"), lambda: _show_url(budget, f"items-{item.category.value}"))
    return _item_page(form, budget, _("Add an item"))


@bp.route("/budgets/<int:budget_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(budget_id: int, item_id: int):
    budget = _budget(budget_id)
    item = _item(budget, item_id)
    data = None
    if request.method == "GET":
        data = {"category": item.category.value, "description": item.description, "quantity": item.quantity,
                "unit_cost": item.unit_cost, "rate_card_ref": item.rate_card_ref or "",
                "first_month": month_value(item.first_month), "times": item.times,
                "every_months": str(item.every_months), "notes": item.notes or ""}
    form = _item_form(budget, data)
    if _item_valid(form, budget):
        budget_operations.change_item(item, item_details(form))
        return save(_("Item saved"), lambda: _show_url(budget, f"items-{item.category.value}"))
    return _item_page(form, budget, _("Change the item"))


@bp.route("/budgets/<int:budget_id>/items/<int:item_id>/delete", methods=["GET", "POST"])
def delete_item(budget_id: int, item_id: int):
    budget = _budget(budget_id)
    item = _item(budget, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        budget_operations.remove_item(db.session, item)
        return save(_("Item removed"), lambda: _show_url(budget, "items"))
    return _confirm(_("Remove the item “%(what)s”?", what=item.description), budget, _show_url(budget, "items"))


# --- Turning a draft into a project -----------------------------------------------------------

@bp.route("/budgets/<int:budget_id>/make-project", methods=["GET", "POST"])
def make_project(budget_id: int):
    budget = _budget(budget_id)
    _draft_only(budget)
    form = MakeProjectForm()
    problems = drafts.problems_making_project(db.session, budget)
    if not problems and form.validate_on_submit():
        budget_operations.make_project(db.session, budget, by_user_id=current_user.id)  # the draft's owner leads it
        return save(_("Project created from the draft budget, with its roles"), lambda: _show_url(budget))
    groups = sorted({(role.group_name or "").strip() for role in budget.draft_roles} - {""}, key=str.casefold)
    return render_template("budget/make_project.html", title=_("Turn the draft into a project"), budget=budget,
                           form=form, problems=[problem.code for problem in problems], groups=groups,
                           breadcrumbs=_crumbs(budget), active_section="budgets")
