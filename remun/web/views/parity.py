"""Pay parity: per project, across the organisation, and a calculator that needs no project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, abort, current_app, jsonify, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import NoResultFound

from remun.pay.calculator import fair_fees
from remun.parity.rules import MEDIAN_TITLE
from remun.parity.report_json import report_as_json
from remun.pay.rate_cards import living_wage_ref
from remun.parity.report_cache import PageCache, cached_organisation_parity, cached_project_parity  # issue 19
from remun.web import glossary_links
from remun.web.charts import bar_chart
from remun.web.extensions import db
from remun.web.forms import CalculatorForm, options
from remun.web.pages import kept_parity, rate_book
from remun.web.views.projects import project_crumbs

bp = Blueprint("parity", __name__)



def _page(report, template: str, context: Callable[[], dict]) -> Markup:
    """The body of a parity page, made once for each report served and each reader: the report's
    figures under its version, the language, and the user and role (links follow permissions).
    ``context`` is called only when the body has to be made (charts and sentences cost time too)."""
    pages = current_app.extensions.get("remun.report_pages")
    if pages is None:
        pages = current_app.extensions["remun.report_pages"] = PageCache()
    reader = (template, str(get_locale()), current_user.get_id(), getattr(current_user, "role", None))
    return Markup(pages.get_or_make(report, reader, lambda: _linked_body(template, report, context)))


def _linked_body(template: str, report, context: Callable[[], dict]) -> str:
    """The body rendered as main content, so its glossary terms are linked (and kept linked with it)."""
    glossary_links.begin_page()
    try:
        return render_template(template, report=report, **context())
    finally:
        glossary_links.end_page()


class ProjectNamed(NamedTuple):
    """What the page shows of the project beside its report (its id and name, from the report)."""

    id: int
    name: str


def _report(project_id: int):
    """The project (as the report names it: no second query) and its parity report; 404 for no project."""
    try:
        report = cached_project_parity(db.session, project_id, **kept_parity())
    except NoResultFound:
        abort(404)
    return ProjectNamed(report.project_id, report.project_name), report


def group_chart(group, living_wage):
    items = [
        (role.offer.title, role.rounded_hourly_rate, role.is_comparator)
        for role in group.roles
    ]
    if group.comparator_is_median:
        items.append((_(MEDIAN_TITLE), group.comparator.rounded_hourly_rate, True))
    return bar_chart(items, living_wage)


@bp.get("/projects/<int:project_id>/parity")
def project(project_id: int):
    project, report = _report(project_id)
    title = _("Pay parity")
    page = _page(report, "parity/_project_page.html", lambda: {
        "title": title, "project": project, "basis_sentence": report.basis.sentence(_),
        "charts": {group.name: group_chart(group, report.living_wage) for group in report.groups},
        "median_title": _(MEDIAN_TITLE)})
    return render_template("parity/project.html", title=title, page=page, breadcrumbs=project_crumbs(project),
                           active_section="projects")


@bp.get("/projects/<int:project_id>/parity.json")
def project_json(project_id: int):
    _project, report = _report(project_id)
    return jsonify(report_as_json(report))


@bp.get("/parity")
def organisation():
    report = cached_organisation_parity(db.session, **kept_parity())
    title = _("Pay parity across all projects")
    page = _page(report, "parity/_organisation_page.html",
                 lambda: {"title": title, "basis_sentence": report.basis.sentence(_)})
    return render_template("parity/organisation.html", title=title, page=page, active_section="parity")


@bp.route("/calculator", methods=["GET", "POST"])
def calculator():
    book = rate_book()
    form = CalculatorForm()
    form.band.choices = options([("", _("None: I have typed a rate"))] + [
        (ref, book.latest(ref).label) for ref in book.refs(kind="pay_scale", per="hour")
    ])
    result = comparator_rate = None
    london = form.location.data == "london"
    if form.validate_on_submit():
        today = dt.date.today()
        if form.band.data:
            entry = book.lookup(form.band.data, today) or book.latest(form.band.data)
            comparator_rate = entry.amount
        else:
            comparator_rate = form.comparator_rate.data
        result = fair_fees(form.session_hours.data, form.prep_hours.data or 0, form.travel_hours.data or 0,
                           comparator_rate, book.living_wage(today, london))
    return render_template("parity/calculator.html", title=_("Fair fee calculator"), form=form, result=result,
                           comparator_rate=comparator_rate, living_wage=book.living_wage(dt.date.today(), london),
                           living_wage_entry=book.lookup(living_wage_ref(london), dt.date.today()),
                           lw_window=book.living_wage_window(dt.date.today(), london),
                           active_section="calculator")
