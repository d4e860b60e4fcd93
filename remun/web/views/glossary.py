"""The glossary: every term Remun uses, in one plain sentence each (open to anyone)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from remun.glossary import TERMS

bp = Blueprint("glossary", __name__)


@bp.get("/glossary")
def index():
    terms = sorted(((term.slug, _(term.term), _(term.meaning)) for term in TERMS), key=lambda entry: entry[1].casefold())
    return render_template("glossary/index.html", title=_("Words we use"), terms=terms, active_section="glossary")
