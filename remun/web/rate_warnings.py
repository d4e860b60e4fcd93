"""Overdue rate cards and the living-wage window, said plainly on every page that uses a card's figures.

Templates call ``overdue_rates('real-living-wage', ...)`` (the cards the page uses; none means all) and
render the result with the ``rate_warnings`` macro in templates/_rate_warnings.html. The words are built here
so they are translated and the money and dates are formatted for the reader's language.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import gettext as _

from remun.pay import rate_review
from remun.pay.rate_cards import LivingWageWindow, RateEntry
from remun.web.formatting import long_date


def _locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale) if locale else "en_GB"


def overdue_text(card: rate_review.OverdueCard) -> str:
    return card.message(_, _locale())


def window_text(window: LivingWageWindow) -> str:
    return rate_review.window_message(window, _, _locale())


def provenance(entry: RateEntry | None) -> str:
    """Where a figure comes from: added by the organisation, or Remun's rate card."""
    if entry is None:
        return ""
    if entry.added_by_organisation:
        return _("Added by your organisation on %(date)s, from %(source)s.",
                 date=long_date(entry.added_on), source=entry.url)
    return _("From Remun's rate card: %(source)s.", source=entry.url)


def overdue_rates(*source_ids: str, day: dt.date | None = None) -> list[rate_review.OverdueCard]:
    from remun.web.pages import rate_book

    return rate_review.overdue_for(rate_book(), day or rate_review.today(), source_ids or None)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(overdue_rates=overdue_rates, overdue_text=overdue_text, window_text=window_text,
                                 rate_provenance=provenance)
