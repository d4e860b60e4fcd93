"""Budgets: plan what involvement costs, fairly, before and during a project (issue 10).

Who may use these pages is in remun/web/permissions.py: administrators;
leads for the budgets of their projects and the drafts they made; finance
may read every budget. The costing is ``remun.budget.planning``; these views
only read forms, save (one transaction for each action) and show.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import format_currency, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from sqlalchemy import select
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from remun.budget import drafts
from remun.budget.actuals import ledger_actuals, plan_against_actual
from remun.budget.models import Budget, BudgetCategory, BudgetDraftRole, BudgetItem, BudgetLine
from remun.budget.planning import (
    MAX_MONTHS,
    SECTIONS,
    TIME,
    Fairness,
    ProblemKind,
    cost_plan,
    month_start,
    months_between,
    plan_months,
    session_schedule,
)
from remun.budget.store import load_budget, may_change, plan_of, projects_without_budget, visible_budgets
from remun.budget.workbook import budget_workbook
from remun.enums import PayBasis, RoleKind
from remun.models import Project
from remun.records import RateCardProblem, check_rate_card, rate_card_choices
from remun.web.auth import audit, audit_created
from remun.web.extensions import db
from remun.web.formatting import month_name
from remun.web.forms import (
    ConfirmForm,
    PlainDateField,
    PlainDecimalField,
    TermsFields,
    choices,
    hours_field,
    not_negative,
    options,
    required,
)
from remun.web.labels import KIND_LABELS
from remun.web.pages import form_page, not_found_unless, rate_book, save, try_save
from remun.web.permissions import can

bp = Blueprint("budget", __name__)

CATEGORY_LABELS = {
    BudgetCategory.EXPENSES: _l("Expenses"),
    BudgetCategory.ACCESSIBILITY: _l("Accessibility and communication support"),
    BudgetCategory.TRAINING: _l("Training and support for participants"),
    BudgetCategory.VENUE: _l("Venue and refreshments"),
    BudgetCategory.VOUCHER_FEES: _l("Fees for buying vouchers"),
    BudgetCategory.STAFF_TIME: _l("Staff time to support involvement"),
    BudgetCategory.OTHER: _l("Other costs"),
}
#: Examples for each category, as the NIHR involvement cost calculator gives them.
CATEGORY_EXAMPLES = {
    BudgetCategory.EXPENSES: _l("For example travel, care and childcare while people take part, and meals."),
    BudgetCategory.ACCESSIBILITY: _l("For example interpreters, translation, easy read versions and British Sign Language (BSL) interpreters."),
    BudgetCategory.TRAINING: _l("For example induction, training courses and one-to-one support for participants."),
    BudgetCategory.VENUE: _l("For example room hire and refreshments."),
    BudgetCategory.VOUCHER_FEES: _l("Some voucher suppliers charge a fee for each voucher or order."),
    BudgetCategory.STAFF_TIME: _l("For example a coordinator’s hours. Choose an NHS pay band to use its hourly rate, with its rises."),
    BudgetCategory.OTHER: _l("Anything else involvement costs."),
}
SECTION_LABELS = {TIME: _l("Payment for time"), **{category.value: label for category, label in CATEGORY_LABELS.items()}}
#: Names of the workbook's sheets (at most 31 characters).
SHEET_LABELS = {
    TIME: _l("Payment for time"),
    BudgetCategory.EXPENSES.value: _l("Expenses"),
    BudgetCategory.ACCESSIBILITY.value: _l("Access and communication"),
    BudgetCategory.TRAINING.value: _l("Training and support"),
    BudgetCategory.VENUE.value: _l("Venue and refreshments"),
    BudgetCategory.VOUCHER_FEES.value: _l("Voucher fees"),
    BudgetCategory.STAFF_TIME.value: _l("Staff time"),
    BudgetCategory.OTHER.value: _l("Other costs"),
}

FREQUENCY = {
    1: _l("Every month"),
    2: _l("Every 2 months"),
    3: _l("Every 3 months"),
    4: _l("Every 4 months"),
    6: _l("Every 6 months"),
    12: _l("Once a year"),
}


def _frequency_choices():
    return options((str(months), label) for months, label in FREQUENCY.items())


class PlainIntegerField(IntegerField):
    """A whole number typed as text, with a message that says what to type."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, example: str = "12", **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "spellcheck": "false"})
        super().__init__(label, validators, **kwargs)
        self.example = example

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip().replace(",", ""))
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Enter a whole number, like %(example)s", example=self.example)) from exc


def _end_after_start(form, field) -> None:
    start = form.start_date.data
    if field.data and start:
        if field.data < start:
            raise ValidationError(_l("The end date must be the same as or after the start date"))
        if months_between(start, field.data) + 1 > MAX_MONTHS:
            raise ValidationError(_l("A budget can cover at most 10 years"))


class BudgetForm(FlaskForm):
    name = StringField(_l("Name of the project"), [required(_l("the name of the project")), Length(max=200)],
                       widget=GovTextInput(),
                       description=_l("The project will have this name when you turn the draft into a project."))
    start_date = PlainDateField(_l("Start date"), [InputRequired(message=_l("Enter the date the project starts"))],
                                description=_l("For example, 1 4 2026"))
    end_date = PlainDateField(_l("End date"), [InputRequired(message=_l("Enter the date the project ends")),
                                               _end_after_start])
    currency = SelectField(_l("Currency"), choices=options([("GBP", _l("Pounds sterling (GBP)")), ("EUR", _l("Euros (EUR)"))]),
                           default="GBP", widget=GovSelect())
    contingency_percent = PlainDecimalField(
        _l("Contingency, as a percentage"),
        [InputRequired(message=_l("Enter a contingency percentage, or 0")),
         NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100"))],
        description=_l("Money kept aside for costs you cannot foresee. For example, 10."), example="10",
        default=Decimal("0"),
    )
    notes = TextAreaField(_l("Notes (optional)"), [Optional(), Length(max=5000)], widget=GovTextArea(),
                          description=_l("Anything a funder or finance should know. Notes go into the workbook."))
    submit = SubmitField(_l("Save budget"), widget=GovSubmitInput())


class DraftRoleForm(TermsFields, FlaskForm):
    title = StringField(_l("Role title"), [required(_l("the role title")), Length(max=200)], widget=GovTextInput(),
                        description=_l("For example, Lived experience co-chair."))
    kind = RadioField(_l("What kind of role is it?"), choices=choices(KIND_LABELS), widget=GovRadioInput(),
                      validators=[InputRequired(message=_l("Select the kind of role"))])
    group_name = StringField(
        _l("Equal role (optional)"), [Optional(), Length(max=200)], widget=GovTextInput(),
        description=_l("Roles that do the same job get the same name here, for example Co-chair. "
                       "Lived experience and carer roles are compared with the best-paid clinical or professional role of the same equal role."),
    )
    submit = SubmitField(_l("Save role"), widget=GovSubmitInput())


class LineForm(FlaskForm):
    role_id = SelectField(_l("Role"), choices=[], widget=GovSelect(),
                          validators=[InputRequired(message=_l("Choose the role"))])
    description = StringField(_l("What are the sessions?"), [required(_l("what the sessions are, like Steering group")),
                                                             Length(max=200)],
                              widget=GovTextInput(), description=_l("For example, Steering group."))
    sessions = PlainIntegerField(_l("How many sessions in all?"),
                                 [InputRequired(message=_l("Enter how many sessions")),
                                  NumberRange(min=1, max=1000, message=_l("Enter a number from 1 to 1,000"))])
    first_month = SelectField(_l("Month of the first session"), choices=[], widget=GovSelect())
    every_months = SelectField(_l("How often?"), choices=[], default="1", widget=GovSelect())
    per_month = PlainIntegerField(_l("Sessions in each of those months"),
                                  [InputRequired(message=_l("Enter how many sessions in each of those months")),
                                   NumberRange(min=1, max=31, message=_l("Enter a number from 1 to 31"))],
                                  default=1, example="1", description=_l("For example, 4 for a weekly group."))
    people = PlainIntegerField(_l("How many people in this role come to each session?"),
                               [InputRequired(message=_l("Enter how many people")),
                                NumberRange(min=1, max=500, message=_l("Enter a number from 1 to 500"))],
                               default=1, example="1")
    session_hours = hours_field(_l("Hours in each session (optional)"),
                                _l("Leave blank to use the role’s usual hours."), optional=True)
    prep_hours = hours_field(_l("Preparation hours for each session (optional)"),
                             _l("Leave blank to use the role’s usual hours."), optional=True)
    travel_hours = hours_field(_l("Travel hours for each session (optional)"),
                               _l("There and back. Leave blank to use the role’s usual hours."), optional=True)
    in_total = RadioField(
        _l("Is this time paid from this budget?"), choices=options([("yes", _l("Yes")), ("no", _l("No"))]),
        default="yes", widget=GovRadioInput(), validators=[InputRequired(message=_l("Select yes or no"))],
        description=_l("Choose no for staff whose employer pays them. Their time is still shown, so pay can be compared."),
    )
    notes = TextAreaField(_l("Notes (optional)"), [Optional(), Length(max=2000)], widget=GovTextArea())
    submit = SubmitField(_l("Save sessions"), widget=GovSubmitInput())


class ItemForm(FlaskForm):
    category = RadioField(_l("What is it for?"), choices=[], widget=GovRadioInput(),
                          validators=[InputRequired(message=_l("Select what the cost is for"))])
    description = StringField(_l("Item"), [required(_l("what the item is, like BSL interpreter")), Length(max=200)],
                              widget=GovTextInput())
    quantity = PlainDecimalField(_l("Quantity each time"), [InputRequired(message=_l("Enter the quantity")),
                                                             not_negative()],
                                 description=_l("For example 2 interpreters, or 10 hours."), example="2")
    unit_cost = PlainDecimalField(_l("Cost each (optional if you choose a published rate below)"),
                                  [Optional(), not_negative()], example="25.00")
    rate_card_ref = SelectField(_l("Or use a published rate"), choices=[], widget=GovSelect(),
                                description=_l("The rate in force each month is used, so rises are included."))
    first_month = SelectField(_l("Month it is first needed"), choices=[], widget=GovSelect())
    times = PlainIntegerField(_l("How many times?"), [InputRequired(message=_l("Enter how many times")),
                                                       NumberRange(min=1, max=MAX_MONTHS,
                                                                   message=_l("Enter a number from 1 to 120"))],
                              default=1, example="1", description=_l("1 for a cost that falls once."))
    every_months = SelectField(_l("How often?"), choices=[], default="1", widget=GovSelect())
    notes = TextAreaField(_l("Notes (optional)"), [Optional(), Length(max=2000)], widget=GovTextArea(),
                          description=_l("For example where the cost comes from. Notes go into the workbook."))
    submit = SubmitField(_l("Save item"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_cost, has_card = self.unit_cost.data is not None, bool(self.rate_card_ref.data)
        if not self.unit_cost.errors and has_cost == has_card:
            message = (_l("Enter a cost or choose a published rate, not both") if has_cost
                       else _l("Enter the cost each, or choose a published rate"))
            self.unit_cost.errors = list(self.unit_cost.errors) + [message]
            return False
        return valid


class MakeProjectForm(FlaskForm):
    submit = SubmitField(_l("Create the project"), widget=GovSubmitInput())


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


def _month_value(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def _month_choices(budget: Budget):
    return options((_month_value(month), month_name(month)) for month in plan_months(budget.start_date, budget.end_date))


def unit_money(amount: Decimal | None, currency: str) -> str:
    """A cost each, with up to four decimal places (a cost each of £4.175 is not £4.18)."""
    if amount is None:
        return "–"
    return format_currency(amount, currency, format="¤#,##0.00##", currency_digits=False)


def _caption(budget: Budget) -> str:
    return _("Draft budget") if budget.is_draft else _("Budget")


def _show_url(budget: Budget, anchor: str | None = None) -> str:
    return url_for("budget.show", budget_id=budget.id, _anchor=anchor)


def _rate_card_valid(field, basis: PayBasis | None) -> bool:
    if not field.data:
        return True
    try:
        if basis is None:
            if rate_book().latest(field.data) is None:
                raise RateCardProblem("unknown", field.data)
        else:
            check_rate_card(rate_book(), basis, field.data)
    except RateCardProblem as problem:
        field.errors = [_("Choose a published rate from the list") if problem.code == "unknown" else
                        _("This published rate is not paid in the way you chose. Choose a rate that matches how the role is paid.")]
        return False
    return True


def _rate_card_options(none_label: str):
    return options([("", none_label)] + rate_card_choices(rate_book()))


def _fill_budget(budget: Budget, form: BudgetForm) -> None:
    if "name" in form:
        budget.name = form.name.data.strip()
    if "currency" in form:
        budget.currency = form.currency.data
    budget.start_date = form.start_date.data
    budget.end_date = form.end_date.data
    budget.contingency_percent = form.contingency_percent.data
    budget.notes = (form.notes.data or "").strip() or None


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
        budget = drafts.new_draft(form.name.data, form.start_date.data, form.end_date.data,
                                  currency=form.currency.data, contingency_percent=form.contingency_percent.data,
                                  created_by_id=current_user.id, notes=(form.notes.data or "").strip() or None)
        db.session.add(budget)
        audit_created("budget.created", budget, draft=True)
        return save(_("Draft budget started. Add the roles you plan."), lambda: _show_url(budget))
    return form_page(form, _("Start a draft budget"),
                     ["name", "start_date", "end_date", "currency", "contingency_percent", "notes"],
                     url_for("budget.index"), breadcrumbs=_crumbs(), active_section="budgets",
                     intro=_("Plan what involvement will cost before the project is set up in Remun. "
                             "When it is agreed, an administrator can turn the draft into the project, with its roles."))


@bp.get("/projects/<int:project_id>/budget")
def for_project(project_id: int):
    project = db.get_or_abort(Project, project_id)
    budget = db.session.scalar(select(Budget).where(Budget.project_id == project.id))
    if budget is not None:
        return redirect(_show_url(budget))
    if can("budget.new_for_project", project_id=project.id):
        return redirect(url_for("budget.new_for_project", project_id=project.id))
    return render_template("budget/none.html", title=_("Budget"), project=project, breadcrumbs=_crumbs(),
                           active_section="budgets")


@bp.route("/projects/<int:project_id>/budget/new", methods=["GET", "POST"])
def new_for_project(project_id: int):
    project = db.get_or_abort(Project, project_id)
    existing = db.session.scalar(select(Budget).where(Budget.project_id == project.id))
    if existing is not None:
        return redirect(_show_url(existing))
    data = None
    if request.method == "GET":
        data = {"start_date": project.start_date, "end_date": project.end_date, "contingency_percent": Decimal("0")}
    form = BudgetForm(data=data)
    del form.name, form.currency
    if form.validate_on_submit():
        budget = Budget(project=project, name=project.name, currency=project.currency, created_by_id=current_user.id)
        _fill_budget(budget, form)
        db.session.add(budget)
        audit_created("budget.created", budget, project_id=project.id)
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
    budget = _budget(budget_id)
    costing = cost_plan(plan_of(budget), rate_book())
    versus = None
    if budget.project_id is not None:
        versus = plan_against_actual(costing, ledger_actuals(db.session, budget.project_id))
    content = budget_workbook(costing, section_labels={key: str(label) for key, label in SECTION_LABELS.items()},
                              kind_labels={kind: str(label) for kind, label in KIND_LABELS.items()},
                              sheet_labels={key: str(label) for key, label in SHEET_LABELS.items()},
                              versus=versus, notes=budget.notes, gettext=_, locale=str(get_locale() or "en_GB"),
                              made_by=current_user.email, made_at=dt.datetime.now(dt.timezone.utc))
    audit("budget.exported", "budget", budget.id, format="xlsx")
    db.session.commit()
    name = "".join(character if character.isalnum() else "-" for character in budget.name).strip("-").lower()
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="budget-{name or budget.id}.xlsx"',
                             "Cache-Control": "no-store"})


@bp.route("/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
def edit(budget_id: int):
    budget = _budget(budget_id)
    form = BudgetForm(obj=budget)
    fields = ["name", "start_date", "end_date", "currency", "contingency_percent", "notes"]
    if not budget.is_draft:
        del form.name, form.currency
        fields = ["start_date", "end_date", "contingency_percent", "notes"]
    if form.validate_on_submit():
        _fill_budget(budget, form)
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
        audit("budget.removed", "budget", budget.id)
        db.session.delete(budget)
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


def _fill_draft_role(role: BudgetDraftRole, form: DraftRoleForm) -> None:
    role.title = form.title.data.strip()
    role.kind = RoleKind(form.kind.data)
    role.group_name = (form.group_name.data or "").strip() or None
    role.basis = PayBasis(form.basis.data)
    role.rate = form.rate.data
    role.rate_card_ref = form.rate_card_ref.data or None
    role.session_hours = form.session_hours.data
    role.prep_hours = form.prep_hours.data
    role.prep_paid = form.prep_paid.data == "yes"
    role.travel_hours = form.travel_hours.data
    role.travel_paid = form.travel_paid.data == "yes"


def _role_form_page(form, budget: Budget, title: str):
    return form_page(form, title, ROLE_FIELDS, _show_url(budget, "roles"), caption=budget.name,
                     breadcrumbs=_crumbs(budget), active_section="budgets",
                     intro=_("The pay this role is planned on. The published rate in force each month is used, so rises are included."))


@bp.route("/budgets/<int:budget_id>/roles/new", methods=["GET", "POST"])
def new_role(budget_id: int):
    budget = _budget(budget_id)
    _draft_only(budget)
    form = DraftRoleForm()
    form.rate_card_ref.choices = _rate_card_options(_("None: I have entered a rate"))
    if form.validate_on_submit() and _rate_card_valid(form.rate_card_ref, PayBasis(form.basis.data)):
        role = BudgetDraftRole(budget=budget)
        _fill_draft_role(role, form)
        db.session.add(role)
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
    form.rate_card_ref.choices = _rate_card_options(_("None: I have entered a rate"))
    if form.validate_on_submit() and _rate_card_valid(form.rate_card_ref, PayBasis(form.basis.data)):
        _fill_draft_role(role, form)
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
    planned = [line for line in budget.lines if line.draft_role_id == role.id]
    blockers = []
    if planned:
        blockers.append(_("sessions are planned for it: remove them first"))
    form = ConfirmForm()
    if not blockers and form.validate_on_submit():
        db.session.delete(role)
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


def _line_terms(budget: Budget, value: str):
    """The chosen role's usual terms (its latest), and how the line should point at it."""
    kind, _dash, number = (value or "").partition("-")
    if not number.isdigit():
        return None, {}
    if kind == "role" and budget.project is not None:
        role = next((role for role in budget.project.roles if role.id == int(number)), None)
        if role is not None:
            return role.current_terms, {"role_id": role.id, "draft_role_id": None}
    if kind == "draft" and budget.is_draft:
        role = next((role for role in budget.draft_roles if role.id == int(number)), None)
        if role is not None:
            return role, {"role_id": None, "draft_role_id": role.id}
    return None, {}


def _line_form(budget: Budget, data=None) -> LineForm:
    form = LineForm(data=data)
    form.role_id.choices = _role_choices(budget)
    form.first_month.choices = _month_choices(budget)
    form.every_months.choices = _frequency_choices()
    return form


def _schedule_fits(form: LineForm | ItemForm, budget: Budget, count: int, per_month: int, field) -> bool:
    first = _parse_month(form.first_month.data)
    months = plan_months(budget.start_date, budget.end_date)
    if first is None or first not in months:
        form.first_month.errors = [_("Choose a month from the list")]
        return False
    every = int(form.every_months.data) if (form.every_months.data or "").isdigit() else 0
    if every not in FREQUENCY:
        form.every_months.errors = [_("Choose how often from the list")]
        return False
    last = session_schedule(first, count, per_month, every)[-1][0]
    if last > months[-1]:
        field.errors = list(field.errors) + [
            _("The last would be in %(month)s, after the budget ends in %(end)s. Plan fewer, or start earlier.",
              month=month_name(last), end=month_name(months[-1]))]
        return False
    return True


def _fill_line(line: BudgetLine, form: LineForm, terms, pointer: dict) -> None:
    line.role_id, line.draft_role_id = pointer["role_id"], pointer["draft_role_id"]
    line.description = form.description.data.strip()
    line.sessions = form.sessions.data
    line.per_month = form.per_month.data
    line.first_month = _parse_month(form.first_month.data)
    line.every_months = int(form.every_months.data)
    line.people = form.people.data
    for name in ("session_hours", "prep_hours", "travel_hours"):
        value = form[name].data
        setattr(line, name, value if value is not None else getattr(terms, name))
    line.in_total = form.in_total.data == "yes"
    line.notes = (form.notes.data or "").strip() or None


def _line_valid(form: LineForm, budget: Budget):
    if not form.validate_on_submit():
        return None
    terms, pointer = _line_terms(budget, form.role_id.data)
    if not pointer:
        form.role_id.errors = [_("Choose the role")]
        return None
    if terms is None:
        form.role_id.errors = [_("This role has no pay terms yet. Add them to the role first.")]
        return None
    if not _schedule_fits(form, budget, form.sessions.data, form.per_month.data, form.sessions):
        return None
    return terms, pointer


def _line_page(form: LineForm, budget: Budget, title: str):
    intro = _("Plan the sessions of one role. Each month is costed on the role’s pay in force that month, so rises are included.")
    return form_page(form, title, LINE_FIELDS, _show_url(budget, "sessions"), caption=budget.name,
                     breadcrumbs=_crumbs(budget), active_section="budgets", intro=intro)


@bp.route("/budgets/<int:budget_id>/sessions/new", methods=["GET", "POST"])
def new_line(budget_id: int):
    budget = _budget(budget_id)
    data = {"first_month": _month_value(month_start(budget.start_date))} if request.method == "GET" else None
    if data is not None and request.args.get("role"):
        data["role_id"] = request.args["role"]
    form = _line_form(budget, data)
    found = _line_valid(form, budget)
    if found:
        line = BudgetLine(budget=budget)
        _fill_line(line, form, *found)
        db.session.add(line)
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
                "first_month": _month_value(line.first_month), "every_months": str(line.every_months),
                "people": line.people, "session_hours": line.session_hours, "prep_hours": line.prep_hours,
                "travel_hours": line.travel_hours, "in_total": "yes" if line.in_total else "no",
                "notes": line.notes or ""}
    form = _line_form(budget, data)
    found = _line_valid(form, budget)
    if found:
        _fill_line(line, form, *found)
        return save(_("Sessions saved"), lambda: _show_url(budget, "sessions"))
    return _line_page(form, budget, _("Change the planned sessions"))


@bp.route("/budgets/<int:budget_id>/sessions/<int:line_id>/delete", methods=["GET", "POST"])
def delete_line(budget_id: int, line_id: int):
    budget = _budget(budget_id)
    line = _line(budget, line_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(line)
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
    form.rate_card_ref.choices = _rate_card_options(_("None: I have entered a cost"))
    form.first_month.choices = _month_choices(budget)
    form.every_months.choices = _frequency_choices()
    return form


def _item_valid(form: ItemForm, budget: Budget) -> bool:
    return (form.validate_on_submit() and _rate_card_valid(form.rate_card_ref, None)
            and _schedule_fits(form, budget, form.times.data, 1, form.times))


def _fill_item(item: BudgetItem, form: ItemForm) -> None:
    item.category = BudgetCategory(form.category.data)
    item.description = form.description.data.strip()
    item.quantity = form.quantity.data
    item.unit_cost = form.unit_cost.data
    item.rate_card_ref = form.rate_card_ref.data or None
    item.first_month = _parse_month(form.first_month.data)
    item.times = form.times.data
    item.every_months = int(form.every_months.data)
    item.notes = (form.notes.data or "").strip() or None


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
        data = {"first_month": _month_value(month_start(budget.start_date)), "times": 1}
        if request.args.get("category") in set(BudgetCategory):
            data["category"] = request.args["category"]
    form = _item_form(budget, data)
    if _item_valid(form, budget):
        item = BudgetItem(budget=budget)
        _fill_item(item, form)
        db.session.add(item)
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
                "first_month": _month_value(item.first_month), "times": item.times,
                "every_months": str(item.every_months), "notes": item.notes or ""}
    form = _item_form(budget, data)
    if _item_valid(form, budget):
        _fill_item(item, form)
        return save(_("Item saved"), lambda: _show_url(budget, f"items-{item.category.value}"))
    return _item_page(form, budget, _("Change the item"))


@bp.route("/budgets/<int:budget_id>/items/<int:item_id>/delete", methods=["GET", "POST"])
def delete_item(budget_id: int, item_id: int):
    budget = _budget(budget_id)
    item = _item(budget, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(item)
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
        project = drafts.make_project(db.session, budget)
        audit_created("budget.project_made", project, budget_id=budget.id)
        return save(_("Project created from the draft budget, with its roles"), lambda: _show_url(budget))
    groups = sorted({(role.group_name or "").strip() for role in budget.draft_roles} - {""}, key=str.casefold)
    return render_template("budget/make_project.html", title=_("Turn the draft into a project"), budget=budget,
                           form=form, problems=[problem.code for problem in problems], groups=groups,
                           breadcrumbs=_crumbs(budget), active_section="budgets")
