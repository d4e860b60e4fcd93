"""The rate cards Remun has loaded: every figure with its dates and source."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from remun.web.pages import rate_book

bp = Blueprint("rates", __name__, url_prefix="/rates")


@bp.get("/")
def index():
    book = rate_book()
    by_source = {source_id: [] for source_id in book.sources}
    for entry in book.entries():
        by_source[entry.source.id].append(entry)
    return render_template("rates/index.html", title=_("Where our rates come from"), book=book,
                           by_source=by_source, active_section="rates")
