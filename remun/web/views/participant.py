"""A participant's own pages: home, how they would like to be thanked, and benefits information.
Telling the project about a session they took part in is in participant_sessions.py, on this blueprint.

Leads may use the home, choice and session pages for a person they work with
(someone may tell them by phone). The benefits pages are the person's alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from sqlalchemy import func, select
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from remun.project_records.enums import Reciprocity
from remun.ledger import balances as ledger_balances
from remun.ledger.waiting import waiting_for_check
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Role
from remun.money import HUNDRED, ZERO
from remun.project_records import operations
from remun.reciprocity import benefits, choices
from remun.reciprocity.models import BenefitsAnswer
from remun.reciprocity.offers import load_offers
from remun.sessions import told as told_sessions
from remun.papers.tax_year import person_tax_years
from remun.web.extensions import db
from remun.web.forms import PlainDecimalField, options
from remun.web.labels import RECIPROCITY_LABELS
from remun.web.languages import offer_text
from remun.web.pages import commit, current_user_id, rate_book
from remun.web.statement_picture import money_picture

bp = Blueprint("participant", __name__)

#: The first question's answers, in the order shown. "no_bank" asks next which way.
OPTIONS = ("bank_transfer", "no_bank", "third_party", "vouchers", "training", "donation", "no_payment", "split")


def person_or_404(person_id: int) -> Person:
    return db.get_or_abort(Person, person_id)


def _offers():
    return load_offers()


def _own_only(person_id: int) -> None:
    """Benefits answers are private: only the person themselves, whoever else may see their record."""
    if getattr(current_user, "person_id", None) != person_id:
        abort(403)


def crumbs(person: Person) -> list[dict]:
    return [{"text": _("Your home") if _is_self(person) else person.name,
             "href": url_for("participant.home", person_id=person.id)}]


def _is_self(person: Person) -> bool:
    return getattr(current_user, "person_id", None) == person.id


# --- Home -----------------------------------------------------------------------------------------

@bp.get("/people/<int:person_id>/home")
def home(person_id: int):
    person = person_or_404(person_id)
    if not _is_self(person):  # someone else looking at a person's money and choices
        operations.viewed(db.session, current_user_id(), person, page="home")
        commit()
    sessions, hours_given = db.session.execute(
        select(func.count(Attendance.id),
               func.coalesce(func.sum(Attendance.hours + Attendance.prep_hours + Attendance.travel_hours), 0))
        .where(Attendance.person_id == person.id)
    ).one()
    pending = waiting_for_check(db.session, person.id)
    balance = ledger_balances.person_balance(db.session, person.id)
    return render_template(
        "participant/home.html",
        title=_("Your home") if _is_self(person) else _("Home page of %(name)s", name=person.name), person=person,
        own=_is_self(person), sessions=sessions, hours_given=Decimal(hours_given), pending=Decimal(pending),
        balance=balance, picture=money_picture(balance, Decimal(pending)),
        choice=choices.current_choice(db.session, person), history=choices.history(db.session, person.id),
        open_sessions=open_sessions(person), tax_years=person_tax_years(db.session, person), active_section="home",
    )


# --- How they would like to be thanked --------------------------------------------------------------

class ChooseForm(FlaskForm):
    option = RadioField(_l("How would you like to be thanked for your time?"), choices=[],
                        validators=[InputRequired(message=_l("Select how you would like to be thanked"))],
                        widget=GovRadioInput())
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


def _option_texts(offers) -> dict[str, tuple[str, str]]:
    """Each answer to the first question: its label and a short explanation."""
    vouchers = ", ".join(provider.provider for provider in offers.vouchers)
    return {
        "bank_transfer": (_("Payment into my bank account"),
                          _("We pay the money into your bank account after each session is approved.")),
        "no_bank": (_("Payment without a bank account"),
                    _("If you do not have a bank account, or would rather not use it: %(ways)s.",
                      ways=", ".join(offer_text(option.name).lower() for option in offers.no_bank_account) or _("ask your project lead"))),
        "third_party": (_("Payment to someone else for me"),
                        _("We pay the money to a person or organisation you name, on your behalf.")),
        "vouchers": (_("Vouchers"), _("Shopping vouchers of the same value. We offer: %(providers)s.",
                                      providers=vouchers or _("ask your project lead"))),
        "training": (_("Training of the same value"), offer_text(offers.training_explanation) or
                     _("A course or learning budget of the same value.")),
        "donation": (_("A donation to a charity I choose"), _("We give the same value to a charity you name.")),
        "no_payment": (_("No payment"), _("You can choose not to be paid. You do not have to say why.")),
        "split": (_("A mix of these"), _("Share it between ways, by percentage, for example half paid and half vouchers.")),
    }


def _option_of(choice: choices.CurrentChoice) -> str | None:
    if not choice.chosen:
        return None
    if choice.summary == Reciprocity.SPLIT:
        return "split"
    if choice.summary in (Reciprocity.PAYMENT_CARD, Reciprocity.CHEQUE):
        return "no_bank"
    return choice.summary.value


@bp.route("/people/<int:person_id>/thanks", methods=["GET", "POST"])
def choose(person_id: int):
    person = person_or_404(person_id)
    offers = _offers()
    texts = _option_texts(offers)
    current = choices.current_choice(db.session, person)
    form = ChooseForm(data=None if request.method == "POST" else {"option": _option_of(current)})
    form.option.choices = options((key, texts[key][0]) for key in OPTIONS)
    if form.validate_on_submit():
        return redirect(url_for("participant.choose_details", person_id=person.id, option=form.option.data))
    return render_template("participant/choose.html", title=_("How would you like to be thanked?"), person=person,
                           form=form, texts=texts, options_order=OPTIONS, current=current,
                           breadcrumbs=crumbs(person), active_section="home")


class DetailForm(FlaskForm):
    """The second question: what the chosen way needs. Only the field for that way is shown."""

    way = RadioField(_l("Which way would suit you?"), choices=[], validators=[Optional()], widget=GovRadioInput())
    provider = RadioField(_l("Which vouchers would you like?"), choices=[], validators=[Optional()], widget=GovRadioInput())
    detail = StringField(_l("Details"), [Optional(), Length(max=200)], widget=GovTextInput())
    reason = TextAreaField(_l("Would you like to tell us why? (optional)"), [Optional(), Length(max=2000)],
                           widget=GovTextArea(),
                           description=_l("You do not have to give a reason. It helps the project learn."))
    submit = SubmitField(_l("Save my choice"), widget=GovSubmitInput())


def _detail_page(option: str, offers):
    """(title, intro, fields, label for detail, whether detail is required) for a way."""
    if option == "bank_transfer":
        return (_("Payment into your bank account"),
                _("Finance will ask you for your bank details in a safe way. Remun does not keep them."), [], None, False)
    if option == "no_bank":
        return (_("How would you like to be paid without a bank account?"), None, ["way"], None, False)
    if option == "third_party":
        return (_("Who should we pay for you?"),
                _("For example a family member, a carer or an organisation. Finance will contact them for their details."),
                ["detail"], _("Their name"), True)
    if option == "vouchers":
        return (_("Which vouchers would you like?"), None, ["provider"], None, False)
    if option == "training":
        return (_("What training would you like? (optional)"), offer_text(offers.training_explanation) or None, ["detail"],
                _("The course or kind of learning, if you know"), False)
    if option == "donation":
        return (_("Which charity should we give to?"), _("We give the same value to the charity you name."), ["detail"],
                _("The charity's name"), True)
    if option == "no_payment":
        return (_("You have chosen not to be paid"),
                _("That is fine. You can change your mind at any time, and it will apply to anything not yet paid."),
                ["reason"], None, False)
    abort(404)


@bp.route("/people/<int:person_id>/thanks/<option>", methods=["GET", "POST"])
def choose_details(person_id: int, option: str):
    person = person_or_404(person_id)
    if option == "split":
        return redirect(url_for("participant.choose_split", person_id=person.id))
    offers = _offers()
    title, intro, fields, detail_label, detail_required = _detail_page(option, offers)
    form = DetailForm()
    form.way.choices = options((item.method.value, offer_text(item.name)) for item in offers.no_bank_account)
    form.provider.choices = options((item.provider, item.provider) for item in offers.vouchers)
    if detail_label:
        form.detail.label.text = detail_label
    if form.validate_on_submit():
        method, detail = Reciprocity(option) if option not in ("no_bank",) else None, None
        if option == "no_bank":
            if form.way.data not in {item.method.value for item in offers.no_bank_account}:
                form.way.errors = [_("Select how you would like to be paid")]
            else:
                method = Reciprocity(form.way.data)
                detail = offers.no_bank_option(method).name
        elif option == "vouchers":
            if offers.voucher_provider(form.provider.data) is None:
                form.provider.errors = [_("Select which vouchers you would like")]
            else:
                detail = form.provider.data
        elif "detail" in fields:
            detail = (form.detail.data or "").strip() or None
            if detail_required and not detail:
                form.detail.errors = [_("Enter %(what)s", what=detail_label.lower())]
        if not (form.way.errors or form.provider.errors or form.detail.errors):
            choices.record_choice(db.session, person, [choices.Part(method, HUNDRED, detail)],
                                  user_id=current_user_id(), reason=form.reason.data)
            commit()
            flash(_("Your choice is saved: %(choice)s. It applies to everything not yet paid or given.",
                    choice=RECIPROCITY_LABELS[method]), "success")
            return redirect(url_for("participant.home", person_id=person.id))
    return render_template("participant/detail.html", title=title, intro=intro, form=form, fields=fields,
                           person=person, option=option, offers=offers,
                           cancel_url=url_for("participant.choose", person_id=person.id),
                           breadcrumbs=crumbs(person), active_section="home")


SPLIT_METHODS = choices.METHODS


class SplitForm(FlaskForm):
    submit = SubmitField(_l("Save my choice"), widget=GovSubmitInput())


def _split_form(offers):
    """A form with a percentage for each way, and the details the ways need."""
    class Form(SplitForm):
        pass

    for method in SPLIT_METHODS:
        setattr(Form, f"percent_{method.value}", PlainDecimalField(
            RECIPROCITY_LABELS[method], [Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100"))],
            example="50", unit="percent"))
    Form.voucher_provider = SelectField(_l("Which vouchers?"), choices=options(
        [("", _l("Choose vouchers"))] + [(item.provider, item.provider) for item in offers.vouchers]), widget=GovSelect())
    Form.third_party_name = StringField(_l("Name of the person or organisation to pay for you"), [Optional(), Length(max=200)],
                                        widget=GovTextInput())
    Form.charity = StringField(_l("The charity's name"), [Optional(), Length(max=200)], widget=GovTextInput())
    Form.training = StringField(_l("The training you would like (optional)"), [Optional(), Length(max=200)],
                                widget=GovTextInput())
    return Form()


SPLIT_DETAIL_FIELDS = {Reciprocity.VOUCHERS: "voucher_provider", Reciprocity.THIRD_PARTY: "third_party_name",
                      Reciprocity.DONATION: "charity"}

SPLIT_PROBLEMS = {
    "nothing_chosen": _l("Enter a percentage for at least two ways"),
    "bad_percent": _l("Enter each percentage as a number from 0 to 100, with at most two decimal places"),
    "not_100": _l("The percentages must add up to 100. They add up to %(total)s now."),
    "two_money_ways": _l("Choose only one way of being paid money (bank, card, cheque or someone else)"),
    "needs_detail": _l("Fill in the details for %(method)s"),
    "repeated_method": _l("Each way can be chosen once"),
}


@bp.route("/people/<int:person_id>/thanks/split-by-percentage", methods=["GET", "POST"])
def choose_split(person_id: int):
    person = person_or_404(person_id)
    offers = _offers()
    form = _split_form(offers)
    current = choices.current_choice(db.session, person)
    if request.method == "GET" and current.summary == Reciprocity.SPLIT:
        for part in current.parts:
            form[f"percent_{part.method.value}"].data = part.percent
    if form.validate_on_submit():
        details = {Reciprocity.VOUCHERS: form.voucher_provider.data or None,
                   Reciprocity.THIRD_PARTY: form.third_party_name.data, Reciprocity.DONATION: form.charity.data,
                   Reciprocity.TRAINING: form.training.data}
        parts = [choices.Part(method, form[f"percent_{method.value}"].data or ZERO, details.get(method))
                 for method in SPLIT_METHODS]
        problem, field = None, f"percent_{SPLIT_METHODS[0].value}"
        given = [part for part in parts if part.percent]
        if len(given) < 2:
            problem = SPLIT_PROBLEMS["nothing_chosen"]
        else:
            try:
                choices.record_choice(db.session, person, parts, user_id=current_user_id())
            except choices.ChoiceProblem as error:
                message = SPLIT_PROBLEMS.get(error.code, SPLIT_PROBLEMS["bad_percent"])
                problem = (str(message) % {"total": error.facts.get("total", ""),
                                           "method": str(RECIPROCITY_LABELS.get(error.facts.get("method"), "")).lower()})
                # The message goes by the field that needs fixing, so the error summary links to it.
                field = SPLIT_DETAIL_FIELDS.get(error.facts.get("method"), field) if error.code == "needs_detail" else field
        if problem is None:
            commit()
            flash(_("Your choice is saved. It applies to everything not yet paid or given."), "success")
            return redirect(url_for("participant.home", person_id=person.id))
        db.session.rollback()
        form[field].errors = [str(problem)]
    return render_template("participant/split.html", title=_("Share it between ways"), form=form, person=person,
                           methods=SPLIT_METHODS, cancel_url=url_for("participant.choose", person_id=person.id),
                           breadcrumbs=crumbs(person), active_section="home")


# --- Benefits information (the person's own) ---------------------------------------------------------

class BenefitsForm(FlaskForm):
    receives = RadioField(
        _l("Do you receive any benefits?"), choices=[], validators=[Optional()], widget=GovRadioInput(),
        description=_l("You do not have to answer. Only you can see your answer: not your project lead, not finance. "
                       "We use it only to show you information that may help."))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


@bp.route("/people/<int:person_id>/benefits", methods=["GET", "POST"])
def benefits_question(person_id: int):
    _own_only(person_id)
    person = person_or_404(person_id)
    answer = db.session.get(BenefitsAnswer, person.id)
    form = BenefitsForm(data=None if request.method == "POST" else
                        {"receives": "" if answer is None else ("yes" if answer.receives_benefits else "no")})
    form.receives.choices = options([("yes", _l("Yes")), ("no", _l("No")), ("", _l("I would rather not say"))])
    if form.validate_on_submit():
        value = form.receives.data or ""
        operations.answer_benefits(db.session, current_user_id(), person, None if value == "" else value == "yes")
        commit()
        return redirect(url_for("participant.benefits_information", person_id=person.id))
    return render_template("form_page.html", title=_("Benefits"), form=form, fields=["receives"],
                           cancel_url=url_for("participant.home", person_id=person.id),
                           breadcrumbs=crumbs(person), active_section="home")


@bp.get("/people/<int:person_id>/benefits/information")
def benefits_information(person_id: int):
    _own_only(person_id)
    person = person_or_404(person_id)
    answer = db.session.get(BenefitsAnswer, person.id)
    day = dt.date.today()
    if request.args.get("day"):
        try:
            day = dt.date.fromisoformat(request.args["day"])
        except ValueError:
            pass
    # The day their Universal Credit assessment period starts: used for this page only, never stored.
    typed = request.args.get("period_day", "").strip()
    period_day = int(typed) if typed.isdigit() and 1 <= int(typed) <= 31 else None
    period_error = _("Enter a day of the month from 1 to 31") if typed and period_day is None else None
    return render_template("participant/benefits.html", title=_("Benefits: information, not advice"), person=person,
                           answer=answer, period_day=period_day, typed=typed, period_error=period_error,
                           estimate=benefits.estimate(db.session, person, rate_book(), day, period_day),
                           refs={"esa_higher": benefits.ESA_HIGHER, "esa_lower": benefits.ESA_LOWER,
                                 "carers": benefits.CARERS_LIMIT, "taper": benefits.UC_TAPER},
                           breadcrumbs=crumbs(person), active_section="home")


# --- Telling the project about a session ----------------------------------------------------------


def open_sessions(person: Person) -> list[tuple[Meeting, Role]]:
    """Past sessions of projects where the person held a role that day, and not yet recorded for them."""
    today = dt.date.today()
    rows = db.session.execute(
        select(Meeting, Role).join(Role, Role.project_id == Meeting.project_id)
        .join(Appointment, Appointment.role_id == Role.id)
        .where(Appointment.person_id == person.id, Meeting.date <= today, Appointment.start_date <= Meeting.date,
               (Appointment.end_date.is_(None)) | (Appointment.end_date >= Meeting.date),
               ~select(Attendance.id).where(Attendance.meeting_id == Meeting.id, Attendance.person_id == person.id).exists())
        .order_by(Meeting.date.desc(), Meeting.id)
    ).all()
    # Only sessions for the person's own roles (issue 16: not the panels they are not in).
    roles_for = told_sessions.roles_of_meetings(db.session, list({meeting.id for meeting, _role in rows}))
    seen, found = set(), []
    for meeting, role in rows:
        if meeting.id not in seen and told_sessions.is_for_role(roles_for, meeting.id, role.id):
            seen.add(meeting.id)
            found.append((meeting, role))
    return found
