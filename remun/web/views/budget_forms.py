"""The budget pages' forms, their labels, and reading a form into the budget operations' details.

The pages are remun/web/views/budget.py; the changes they make are
remun/budget/operations.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from remun.budget.models import Budget, BudgetCategory
from remun.budget.operations import BudgetDetails, DraftRoleDetails, ItemDetails, LineDetails
from remun.budget.planning import MAX_MONTHS, TIME, months_between, plan_months, session_schedule
from remun.project_records.enums import PayBasis, RoleKind
from remun.pay.terms import terms_of
from remun.project_records.rules import RateCardProblem, check_rate_card, rate_card_choices
from remun.web.formatting import month_name
from remun.web.forms import (
    PlainDateField,
    PlainDecimalField,
    TermsFields,
    choices,
    hours_field,
    not_negative,
    options,
    required,
    terms_from,
)
from remun.web.labels import KIND_LABELS
from remun.web.pages import rate_book

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


def frequency_choices():
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
        description=_l("Money kept aside for costs you cannot foresee. For example, 10."), example="10", unit="percent",
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
                                  [Optional(), not_negative()], example="25.00", unit="money")
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


# --- Months, published rates and schedules ---------------------------------------------------------

def month_value(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def month_choices(budget: Budget):
    return options((month_value(month), month_name(month)) for month in plan_months(budget.start_date, budget.end_date))


def unit_money(amount: Decimal | None, currency: str) -> str:
    """A cost each, with up to four decimal places (a cost each of £4.175 is not £4.18)."""
    if amount is None:
        return "–"
    return format_currency(amount, currency, format="¤#,##0.00##", currency_digits=False)


def rate_card_valid(field, basis: PayBasis | None) -> bool:
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


def rate_card_options(none_label: str):
    return options([("", none_label)] + rate_card_choices(rate_book()))


def schedule_fits(form: LineForm | ItemForm, budget: Budget, count: int, per_month: int, field) -> bool:
    first = parse_month(form.first_month.data)
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


# --- A form's answers as an operation's details -----------------------------------------------------

def budget_details(form: BudgetForm) -> BudgetDetails:
    return BudgetDetails(
        start_date=form.start_date.data, end_date=form.end_date.data,
        contingency_percent=form.contingency_percent.data, notes=form.notes.data,
        name=form.name.data if "name" in form else None,
        currency=form.currency.data if "currency" in form else None,
    )


def draft_role_details(form: DraftRoleForm) -> DraftRoleDetails:
    return DraftRoleDetails(**terms_of(terms_from(form)), title=form.title.data, kind=RoleKind(form.kind.data),
                            group_name=form.group_name.data)


def line_role(value: str | None) -> dict:
    """The role chosen in the list ("role-3" or "draft-5") as the line's pointer; {} when not one."""
    kind, _dash, number = (value or "").partition("-")
    if not number.isdigit():
        return {}
    if kind == "role":
        return {"role_id": int(number)}
    if kind == "draft":
        return {"draft_role_id": int(number)}
    return {}


def line_details(form: LineForm) -> LineDetails:
    return LineDetails(
        **line_role(form.role_id.data), description=form.description.data, sessions=form.sessions.data,
        per_month=form.per_month.data, first_month=parse_month(form.first_month.data),
        every_months=int(form.every_months.data), people=form.people.data,
        session_hours=form.session_hours.data, prep_hours=form.prep_hours.data,
        travel_hours=form.travel_hours.data, in_total=form.in_total.data == "yes", notes=form.notes.data,
    )


def item_details(form: ItemForm) -> ItemDetails:
    return ItemDetails(
        category=BudgetCategory(form.category.data), description=form.description.data,
        quantity=form.quantity.data, unit_cost=form.unit_cost.data, rate_card_ref=form.rate_card_ref.data or None,
        first_month=parse_month(form.first_month.data), times=form.times.data,
        every_months=int(form.every_months.data), notes=form.notes.data,
    )
