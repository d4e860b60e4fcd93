"""The rate cards Remun has loaded: every figure with its dates and source; an administrator adds new figures."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from remun.pay import rate_review
from remun.organisation import rate_figures
from remun.web.extensions import db
from remun.web.forms import PlainDateField, PlainDecimalField, _end_not_before_start, options
from remun.web.pages import commit, current_user_id, rate_book

bp = Blueprint("rates", __name__, url_prefix="/rates")


@bp.get("/")
def index():
    book = rate_book()
    by_source = {source_id: [] for source_id in book.sources}
    for entry in book.entries():
        by_source[entry.source.id].append(entry)
    figures = db.session.query(rate_figures.OrganisationRateFigure).order_by(
        rate_figures.OrganisationRateFigure.id.desc()).all()
    return render_template("rates/index.html", title=_("Where our rates come from"), book=book,
                           by_source=by_source, figures=figures,
                           overdue=rate_review.overdue_cards(rate_review.today(), book), active_section="rates")


def _web_address(form, field) -> None:
    if not (field.data or "").strip().lower().startswith(("https://", "http://")):
        raise ValidationError(_l("Enter the web address where the figure is published, starting https://"))


class FigureForm(FlaskForm):
    ref = SelectField(_l("Which figure?"), choices=[], widget=GovSelect(),
                      validators=[InputRequired(message=_l("Choose the figure this is a new amount for"))])
    amount = PlainDecimalField(
        _l("Amount"), [InputRequired(message=_l("Enter the amount, for example 13.45")),
                       NumberRange(min=Decimal("0.0001"), message=_l("Enter an amount more than zero"))],
        description=_l("As published, without the £ sign."), example="13.45")
    start_date = PlainDateField(_l("First day it applies"), [InputRequired(message=_l("Enter the day the figure starts"))],
                                description=_l("For the Real Living Wage, the day it was announced."))
    end_date = PlainDateField(_l("Last day it applies (optional)"), [Optional(), _end_not_before_start],
                              description=_l("Leave empty if it applies until a newer figure."))
    source_url = StringField(_l("Where is it published?"), [InputRequired(message=_l("Enter the web address where the figure is published")),
                                                           Length(max=500), _web_address],
                             description=_l("The publisher's page, starting https://"), widget=GovTextInput())
    note = TextAreaField(_l("Note (optional)"), [Optional(), Length(max=2000)], widget=GovTextArea())
    submit = SubmitField(_l("Add this figure"), widget=GovSubmitInput())


@bp.route("/add", methods=["GET", "POST"])
def add_figure():
    from flask import request

    book = rate_book()
    form = FigureForm()
    form.ref.choices = options([("", _("Choose a figure"))] + [
        (ref, f"{book.latest(ref).source.name}: {book.latest(ref).label}") for ref in book.history])
    if request.method == "GET" and request.args.get("ref") in book.history:
        form.ref.data = request.args["ref"]
    if form.validate_on_submit():
        figure = rate_figures.add_figure(
            db.session, book, form.ref.data, form.amount.data, form.start_date.data, form.source_url.data,
            effective_to=form.end_date.data, note=form.note.data, by_user_id=current_user_id())
        commit()
        flash(_("The figure was added. Remun uses it from %(date)s.", date=figure.effective_from.isoformat()), "success")
        return redirect(url_for("rates.index", _anchor=book.latest(figure.ref).source.id))
    return render_template("form_page.html", form=form, title=_("Add a published figure"),
                           fields=["ref", "amount", "start_date", "end_date", "source_url", "note"],
                           cancel_url=url_for("rates.index"),
                           intro=_("Add a figure when its publisher announces a new one, for example the Real Living Wage "
                                   "each October. Remun uses it from its first day, alongside the figures it came with. "
                                   "It is recorded in the audit log. Approved claims keep the figure they were worked out with."))


def _refusal(refused: rate_figures.FigureRefused) -> str:
    if refused.reason == "before_start":
        return _("The last day must be on or after the day the figure starts. To take it away altogether, withdraw it.")
    if refused.reason == "after_end":
        return _("The figure already ends before that day.")
    if refused.reason == "used_after":
        return ngettext("%(num)d approved claim was worked out with this figure after that day. Reverse it first, or add a later figure.",
                        "%(num)d approved claims were worked out with this figure after that day. Reverse them first, or add a later figure.",
                        refused.claims)
    if refused.reason == "used":
        return ngettext("%(num)d approved claim was worked out with this figure, so it cannot be withdrawn. Reverse it first, or add a later figure.",
                        "%(num)d approved claims were worked out with this figure, so it cannot be withdrawn. Reverse them first, or add a later figure.",
                        refused.claims)
    return str(refused)


class EndFigureForm(FlaskForm):
    last_day = PlainDateField(_l("Last day it applies"), [InputRequired(message=_l("Enter the last day the figure applies"))])
    submit = SubmitField(_l("End the figure"), widget=GovSubmitInput())


def _figure(figure_id: int) -> rate_figures.OrganisationRateFigure:
    from flask import abort

    figure = db.session.get(rate_figures.OrganisationRateFigure, figure_id)
    if figure is None or figure.withdrawn_at is not None:
        abort(404)
    return figure


@bp.route("/figures/<int:figure_id>/end", methods=["GET", "POST"])
def end_figure(figure_id: int):
    figure = _figure(figure_id)
    form = EndFigureForm()
    if form.validate_on_submit():
        try:
            rate_figures.end_figure(db.session, figure, form.last_day.data, by_user_id=current_user_id())
        except rate_figures.FigureRefused as refused:
            db.session.rollback()
            form.last_day.errors = list(form.last_day.errors) + [_refusal(refused)]
        else:
            commit()
            flash(_("The figure now ends on %(date)s.", date=form.last_day.data.isoformat()), "success")
            return redirect(url_for("rates.index"))
    return render_template("form_page.html", form=form, title=_("End a figure your organisation added"),
                           fields=["last_day"], cancel_url=url_for("rates.index"), caption=figure.ref,
                           intro=_("After its last day, the figure Remun came with applies again, unless a later figure was added."))


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw the figure"), widget=GovSubmitInput())


@bp.route("/figures/<int:figure_id>/withdraw", methods=["GET", "POST"])
def withdraw_figure(figure_id: int):
    figure = _figure(figure_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            rate_figures.withdraw_figure(db.session, figure, by_user_id=current_user_id())
        except rate_figures.FigureRefused as refused:
            db.session.rollback()
            flash(_refusal(refused), "important")
            return redirect(url_for("rates.index"))
        else:
            commit()
            flash(_("The figure was withdrawn. It no longer applies on any day."), "success")
            return redirect(url_for("rates.index"))
    return render_template("form_page.html", form=form, title=_("Withdraw a figure added by mistake"), fields=[],
                           cancel_url=url_for("rates.index"), caption=figure.ref,
                           intro=_("The figure will no longer apply on any day; the figures Remun came with apply instead. "
                                   "This is recorded in the audit log."))
