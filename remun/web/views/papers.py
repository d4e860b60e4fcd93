"""Papers a participant needs (issue 18): a letter for a benefits adviser or work coach, and a year-end statement.

Both are pages made to print cleanly on A4 (remun/static/papers.css); the browser's "Save as PDF"
makes a PDF. They are written in the person's own language, whoever opens them: the person
(from their benefits page or home) or their project lead.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from remun.project_records.models import Person
from remun.organisation.settings import get_setting
from remun.papers.statements import benefits_letter as letter_facts
from remun.papers.statements import year_statement as statement_facts
from remun.project_records import operations
from remun.papers.tax_year import label
from remun.web.extensions import db
from remun.web.languages import LOCALES
from remun.web.pages import commit

bp = Blueprint("papers", __name__)


def _person(person_id: int) -> Person:
    return db.get_or_abort(Person, person_id)


def _viewed(person: Person, paper: str) -> None:
    if getattr(current_user, "person_id", None) != person.id:
        operations.viewed(db.session, current_user.id, person, page=paper)
        commit()


def _from() -> dict:
    return {"organisation": get_setting(db.session, "letters.organisation_name"),
            "contact": get_setting(db.session, "letters.contact")}


def _back(person) -> str:
    """The person's own home for them; for staff, the person's page (they may not open the home)."""
    from remun.web.permissions import may_open

    home = url_for("participant.home", person_id=person.id)
    return home if may_open(home) else url_for("people.show", person_id=person.id)


@bp.get("/people/<int:person_id>/letters/benefits-adviser")
def benefits_letter(person_id: int):
    person = _person(person_id)
    _viewed(person, "benefits_letter")
    letter = letter_facts(db.session, person, **_from())
    with force_locale(LOCALES.get(person.preferred_language, LOCALES["en"])):
        return render_template("papers/benefits_letter.html", title=_("Letter for a benefits adviser or work coach"),
                               letter=letter, person=person, back=_back(person))


@bp.get("/people/<int:person_id>/tax-years/<int:year>/statement")
def year_statement(person_id: int, year: int):
    person = _person(person_id)
    if not 2000 <= year <= dt.date.today().year + 1:
        abort(404)
    _viewed(person, "year_statement")
    statement = statement_facts(db.session, person, year, **_from())
    with force_locale(LOCALES.get(person.preferred_language, LOCALES["en"])):
        return render_template("papers/year_statement.html",
                               title=_("Statement for the tax year %(year)s", year=label(year)),
                               statement=statement, person=person, today_date=dt.date.today(),
                               back=_back(person))
