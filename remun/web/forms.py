"""Forms, rendered with GOV.UK Frontend widgets, with plain-English messages."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovCheckboxesInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms.fields.choices import SelectChoice
from wtforms import (DateField, DecimalField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from remun.project_records.enums import PayBasis
from remun.money import NotANumber
from remun.pay.terms import Terms
from remun.typed_numbers import example as typed_example
from remun.typed_numbers import read_number
from remun.web.labels import BASIS_LABELS, EXPENSE_LABELS, KIND_LABELS, VEHICLE_LABELS

def page_locale() -> str:
    """The language of the page being answered, for reading numbers typed on it."""
    locale = get_locale()
    return str(locale) if locale is not None else "en_GB"


def options(pairs) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


YES_NO = options([("yes", _l("Yes")), ("no", _l("No"))])


class TranslatedDateInput(GovDateInput):
    """GOV.UK's date input, with its Day, Month and Year labels translated."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(params["items"], (_l("Day"), _l("Month"), _l("Year"))):
            item["label"] = str(label)
        return params


class UnitTextInput(GovTextInput):
    """A text input that shows what the number is in: "£" before money, "%" or "hours" after."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        unit = getattr(field, "unit", None)
        if unit == "money":
            params["prefix"] = {"text": getattr(field, "currency_symbol", "£")}
        elif unit == "percent":
            params["suffix"] = {"text": "%"}
        elif unit == "hours":
            params["suffix"] = {"text": str(_l("hours"))}
        if unit:
            params.setdefault("classes", "govuk-input--width-5")
        return params


class PlainDecimalField(DecimalField):
    """A number typed as text, read for the page's language ("6,40" in Polish), with a message that says what to type.

    ``unit`` ("money", "percent" or "hours") puts "£", "%" or "hours" beside the box.
    """

    widget = UnitTextInput()

    def __init__(self, label=None, validators=None, example: str = "12.50", unit: str | None = None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false"})
        super().__init__(label, validators, places=None, **kwargs)
        self.example = example
        self.unit = unit
        self.currency_symbol = "£"

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        locale = page_locale()
        try:
            self.data = read_number(valuelist[0], locale)
        except NotANumber as exc:
            self.data = None
            raise ValueError(_l("Enter a number, like %(example)s", example=typed_example(self.example, locale))) from exc


class PlainDateField(DateField):
    widget = TranslatedDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            # Not sent as day, month and year boxes: the widget then shows the saved date.
            self.raw_data = None
        if not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Enter a real date, like 27 3 2026")) from exc


def required(what) -> InputRequired:
    return InputRequired(message=_l("Enter %(what)s", what=what))


def not_negative() -> NumberRange:
    return NumberRange(min=0, message=_l("Enter zero or more"))


def hours_field(label, hint=None, optional: bool = False) -> PlainDecimalField:
    checks = [Optional()] if optional else [required(_l("the number of hours"))]
    return PlainDecimalField(label, checks + [not_negative()], description=hint or "", example="2.5", unit="hours")


def yes_no_field(label, hint=None) -> RadioField:
    return RadioField(
        label,
        choices=YES_NO,
        default="no",
        widget=GovRadioInput(),
        description=hint or "",
        validators=[InputRequired(message=_l("Select yes or no"))],
    )


def miles_field() -> PlainDecimalField:
    """Miles in the person's own vehicle: Remun works out the amount at HMRC's rate (remun/pay/mileage.py)."""
    return PlainDecimalField(
        _l("Miles in your own vehicle (optional)"),
        [Optional(), NumberRange(min=Decimal("0.1"), max=Decimal("2000"), message=_l("Enter the miles, from 0.1 to 2,000"))],
        description=_l("There and back. Remun pays the HMRC rate a mile, so you do not need to work out the amount."),
        example="30")


def vehicle_field() -> RadioField:
    return RadioField(_l("Which vehicle? (if you give miles)"), choices=options(VEHICLE_LABELS.items()),
                      validators=[Optional()], widget=GovRadioInput())


def choices(labels: dict) -> list[SelectChoice]:
    return options((member.value, label) for member, label in labels.items())


def _end_not_before_start(form, field) -> None:
    start = form.start_date.data
    if field.data and start and field.data < start:
        raise ValidationError(_l("The end date must be the same as or after the start date"))


def location_field() -> RadioField:
    """London, or the rest of the UK: which Real Living Wage applies (not said means the UK rate)."""
    return RadioField(_l("Where is the work? (optional)"),
                      choices=options([("rest_of_uk", _l("Rest of the UK")), ("london", _l("London"))]),
                      validators=[Optional()], widget=GovRadioInput(),
                      description=_l("Work in London is compared with the London Living Wage."))


class ProjectForm(FlaskForm):
    name = StringField(
        _l("Project name"),
        [required(_l("the project name")), Length(max=200)],
        widget=GovTextInput(),
    )
    cost_centre = StringField(
        _l("Cost centre code (optional)"),
        [Optional(), Length(max=50)],
        widget=GovTextInput(),
        description=_l("The code finance uses for this project's spending."),
    )
    currency = SelectField(
        _l("Currency"),
        choices=options([("GBP", _l("Pounds sterling (GBP)")), ("EUR", _l("Euros (EUR)"))]),
        default="GBP",
        widget=GovSelect(),
    )
    start_date = PlainDateField(_l("Start date (optional)"), [Optional()], description=_l("For example, 1 4 2026"))
    end_date = PlainDateField(_l("End date (optional)"), [Optional(), _end_not_before_start])
    location = location_field()
    submit = SubmitField(_l("Save project"), widget=GovSubmitInput())


class GroupForm(FlaskForm):
    name = StringField(
        _l("Name of the equal role"),
        [required(_l("a name, like Co-chair")), Length(max=200)],
        widget=GovTextInput(),
        description=_l("Roles in this group do the same job, so should be paid the same. For example, Co-chair."),
    )
    description = TextAreaField(_l("What the role involves (optional)"), [Optional(), Length(max=2000)], widget=GovTextArea())
    submit = SubmitField(_l("Save equal role"), widget=GovSubmitInput())


class TermsFields:
    """Pay terms: used when a role is created and when its terms change."""

    basis = RadioField(
        _l("How is this role paid?"),
        choices=choices(BASIS_LABELS),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select how this role is paid"))],
    )
    rate = PlainDecimalField(
        _l("Rate (optional if you choose a published rate below)"),
        [Optional(), not_negative()],
        description=_l("The amount per hour, session, half day or day. For salaried staff, the hourly rate."),
        example="25.00", unit="money",
    )
    rate_card_ref = SelectField(
        _l("Or use a published rate"),
        choices=[],
        widget=GovSelect(),
        description=_l("The rate in force on each session's date is used, so rises are included."),
    )
    session_hours = hours_field(_l("Hours in a session"))
    prep_hours = hours_field(_l("Preparation hours for each session"), _l("Reading papers and getting ready."))
    prep_paid = yes_no_field(_l("Is preparation time paid?"))
    travel_hours = hours_field(_l("Travel hours for each session"), _l("There and back."))
    travel_paid = yes_no_field(_l("Is travel time paid?"))

    def validate(self, extra_validators=None) -> bool:
        # Checked here, not on the field: an empty optional field skips its own checks.
        valid = super().validate(extra_validators)
        has_rate = self.rate.data is not None
        has_card = bool(self.rate_card_ref.data)
        if not self.rate.errors and has_rate == has_card:
            message = (
                _l("Enter a rate or choose a published rate, not both")
                if has_rate
                else _l("Enter a rate, or choose a published rate")
            )
            self.rate.errors = list(self.rate.errors) + [message]
            return False
        return valid


def terms_from(form: TermsFields) -> Terms:
    """The pay terms a form with ``TermsFields`` gives."""
    return Terms(
        basis=PayBasis(form.basis.data), rate=form.rate.data, rate_card_ref=form.rate_card_ref.data or None,
        session_hours=form.session_hours.data, prep_hours=form.prep_hours.data, prep_paid=form.prep_paid.data == "yes",
        travel_hours=form.travel_hours.data, travel_paid=form.travel_paid.data == "yes",
    )


class RoleForm(TermsFields, FlaskForm):
    title = StringField(
        _l("Role title"),
        [required(_l("the role title")), Length(max=200)],
        widget=GovTextInput(),
        description=_l("For example, Lived experience co-chair."),
    )
    kind = RadioField(
        _l("What kind of role is it?"),
        choices=choices(KIND_LABELS),
        widget=GovRadioInput(),
        validators=[InputRequired(message=_l("Select the kind of role"))],
    )
    group_id = SelectField(_l("Equal role group"), choices=[], widget=GovSelect())
    submit = SubmitField(_l("Save role"), widget=GovSubmitInput())


class RoleDetailsForm(FlaskForm):
    title = RoleForm.title
    kind = RoleForm.kind
    group_id = RoleForm.group_id
    submit = SubmitField(_l("Save role"), widget=GovSubmitInput())


class TermsForm(TermsFields, FlaskForm):
    effective_from = PlainDateField(
        _l("From which date do these terms apply?"),
        [InputRequired(message=_l("Enter the date the new terms start"))],
        description=_l("Sessions before this date keep the terms they had."),
    )
    submit = SubmitField(_l("Save pay terms"), widget=GovSubmitInput())


class PersonForm(FlaskForm):
    name = StringField(_l("Full name"), [required(_l("their name")), Length(max=200)], widget=GovTextInput())
    email = StringField(
        _l("Email address (optional)"),
        [Optional(), Email(message=_l("Enter an email address like name@example.com")), Length(max=254)],
        widget=GovTextInput(),
        render_kw={"spellcheck": "false", "autocomplete": "email"},
    )
    preferred_language = SelectField(_l("Preferred language"), choices=[], widget=GovSelect())
    payee_reference = StringField(
        _l("Payee reference (optional)"),
        [Optional(), Length(max=100)],
        widget=GovTextInput(),
        description=_l("The number finance uses to pay this person, such as a supplier number."),
    )
    # How they would like to be thanked is not asked here: it is recorded, with its history and
    # details, on its own pages (remun.reciprocity), by the person or by a lead for them.
    submit = SubmitField(_l("Save person"), widget=GovSubmitInput())


class AppointmentForm(FlaskForm):
    person_id = SelectField(_l("Person"), choices=[], widget=GovSelect())
    role_id = SelectField(_l("Role"), choices=[], widget=GovSelect())
    start_date = PlainDateField(_l("Start date"), [InputRequired(message=_l("Enter the date they start in the role"))])
    end_date = PlainDateField(_l("End date (optional)"), [Optional(), _end_not_before_start])
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class MeetingForm(FlaskForm):
    date = PlainDateField(_l("Date of the session"), [InputRequired(message=_l("Enter the date of the session"))])
    title = StringField(
        _l("Title"),
        [required(_l("a title, like Steering group")), Length(max=200)],
        widget=GovTextInput(),
    )
    hours = hours_field(_l("Length in hours"))
    submit = SubmitField(_l("Save session"), widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    person_id = SelectField(_l("Who took part?"), choices=[], widget=GovSelect())
    hours = hours_field(_l("Hours at the session"), _l("Leave blank for the length of the session."), optional=True)
    prep_hours = hours_field(_l("Preparation hours"),
                             _l("Leave blank for the role's usual preparation time. Enter 0 if there was none."),
                             optional=True)
    travel_hours = hours_field(_l("Travel hours"),
                               _l("Leave blank for the role's usual travel time. Enter 0 if there was none."),
                               optional=True)
    expense_amount = PlainDecimalField(
        _l("Out-of-pocket expenses (optional)"),
        [Optional(), NumberRange(min=Decimal("0.01"), message=_l("Enter an amount more than zero"))],
        description=_l("For example bus fares or care costs. Expenses are always repaid as money."),
        example="7.40", unit="money",
    )
    expense_category = SelectField(
        _l("What were the expenses for?"), choices=choices(
            {category: label for category, label in EXPENSE_LABELS.items() if category != "mileage"}),
        widget=GovSelect()
    )
    expense_note = StringField(_l("Note about the expenses (optional)"), [Optional(), Length(max=500)], widget=GovTextInput())
    miles = miles_field()
    vehicle = vehicle_field()
    submit = SubmitField(_l("Save attendance"), widget=GovSubmitInput())


class CalculatorForm(FlaskForm):
    session_hours = hours_field(_l("How long is the session, in hours?"))
    prep_hours = hours_field(_l("Preparation hours (optional)"), _l("Reading papers and getting ready."), optional=True)
    travel_hours = hours_field(_l("Travel hours (optional)"), _l("There and back."), optional=True)
    comparator_rate = PlainDecimalField(
        _l("Hourly rate of the person to compare with (optional if you choose a pay band)"),
        [Optional(), not_negative()],
        description=_l("For example, what the clinical co-chair earns an hour."),
        example="30.00", unit="money",
    )
    band = SelectField(_l("Or choose their NHS pay band"), choices=[], widget=GovSelect())
    location = location_field()
    submit = SubmitField(_l("Work out a fair fee"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.comparator_rate.errors and (self.comparator_rate.data is None) == (not self.band.data):
            message = (
                _l("Enter a rate or choose a pay band, not both")
                if self.band.data
                else _l("Enter the hourly rate to compare with, or choose a pay band")
            )
            self.comparator_rate.errors = list(self.comparator_rate.errors) + [message]
            return False
        return valid


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        [InputRequired(message=_l("Enter a reason")), Length(max=2000)],
        widget=GovTextArea(),
        description=_l("Write it plainly: the person will read it."),
    )
    submit = SubmitField(_l("Confirm"), widget=GovSubmitInput())


class CloseMonthForm(FlaskForm):
    month = SelectField(_l("Month to close"), choices=[], widget=GovSelect())
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with only a button: carries the CSRF token for deletions."""

    submit = SubmitField(_l("Yes, remove it"), widget=GovSubmitInput())


class ImportForm(FlaskForm):
    workbook = FileField(
        _l("Upload a workbook"),
        validators=[
            FileRequired(message=_l("Choose a workbook to upload")),
            FileAllowed(["xlsx"], message=_l("The file must be an Excel workbook (.xlsx)")),
        ],
        widget=GovFileInput(),
    )
    submit = SubmitField(_l("Import workbook"), widget=GovSubmitInput())


class ProjectLeadsForm(FlaskForm):
    """Who leads a project (issue 15): any of the project lead accounts, or none."""

    leads = SelectMultipleField(_l("Project leads"), choices=[], coerce=str, widget=GovCheckboxesInput(),
                      description=_l("They can see and change this project, its people and its claims. "
                                     "Only accounts that are project leads are listed."))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())
