"""Which rate cards are overdue for a new figure.

Each card in ``rates/`` says when its next figure is normally announced
(``[source.review]``). A card is overdue when that time has passed and the
card's newest figure, shipped or added by the organisation, is from before it:
every comparison against the card may then be against last year's figure.
No Flask here: the pages, ``remun parity``, the export and ``remun rates check``
all ask this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_currency

from remun.pay.rate_cards import LivingWageWindow, RateBook, RateEntry, RateSource, load_rate_book
from remun.translation import N_

OVERDUE_MESSAGE = N_("%(card)s is normally updated %(when)s. Remun's newest figure is %(amount)s, from %(date)s. "
                     "An administrator can add the new figure.")
WINDOW_MESSAGE = N_("Pay is compared with the new Real Living Wage of %(rate)s, which applies from %(date)s. "
                    "Accredited employers have until %(until)s to move to it, so the previous rate, %(previous)s, "
                    "is still within their time.")
WHEN = {"day": N_("on %(date)s"), "early": N_("in early %(month)s"), "mid": N_("in mid %(month)s"),
        "late": N_("in late %(month)s"), None: N_("in %(month)s")}


def _identity(message: str) -> str:
    return message


def _fill(gettext, message: str, **values) -> str:
    """A translated message with its placeholders filled; the English if a translation breaks them."""
    try:
        return gettext(message) % values
    except (KeyError, ValueError, TypeError):
        return message % values


def today() -> dt.date:
    """The day warnings are judged on (one place, so tests can set the clock)."""
    return dt.date.today()


@dataclass(frozen=True)
class OverdueCard:
    source: RateSource
    #: The newest figure of each key still in use that predates the expected update, in file order.
    stale: tuple[RateEntry, ...]
    #: The day from which a new figure was expected.
    expected_by: dt.date
    #: Whether the first stale figure is the card's first (headline) figure, as the card's name describes.
    newest_is_headline: bool = True

    @property
    def newest(self) -> RateEntry:
        """The card's headline figure (its first key), as named in the warning."""
        return self.stale[0]

    @property
    def called(self) -> str:
        """The card's name, or the figure's own label when the card's headline figure is not the stale one."""
        if not self.newest_is_headline:
            return f"The {self.newest.label}"
        return self.source.review.called if self.source.review and self.source.review.called else self.source.name

    def when_updated(self, gettext=_identity, locale: str = "en_GB") -> str:
        """"in late October", "on 1 April", "in April" (in ``locale``'s words when ``gettext`` translates)."""
        review = self.source.review
        assert review is not None and review.month is not None
        if review.day is not None:
            return _fill(gettext, WHEN["day"], date=format_date(dt.date(2000, review.month, review.day), "d MMMM",
                                                                locale=locale))
        month = format_date(dt.date(2000, review.month, 1), "LLLL", locale=locale)
        return _fill(gettext, WHEN[review.part], month=month)

    def message(self, gettext=_identity, locale: str = "en_GB") -> str:
        """The plain warning; English unless a ``gettext`` and ``locale`` are given (pages and exports give theirs)."""
        entry = self.newest
        return _fill(gettext, OVERDUE_MESSAGE, card=self.called, when=self.when_updated(gettext, locale),
                     amount=format_currency(entry.amount, entry.source.currency, locale=locale),
                     date=format_date(entry.effective_from, "long", locale=locale))

    def as_json(self) -> dict:
        return {
            "source": self.source.id,
            "name": self.source.name,
            "expected_by": self.expected_by.isoformat(),
            "newest": [
                {"ref": entry.ref, "amount": str(entry.amount), "effective_from": entry.effective_from.isoformat(),
                 "added_by_organisation": entry.added_by_organisation}
                for entry in self.stale
            ],
            "message": self.message(),
        }


def overdue_cards(today: dt.date, book: RateBook | None = None) -> list[OverdueCard]:
    """Every card whose next figure was expected by ``today`` and has not been added.

    ``book`` is the rate book in use (with the organisation's figures); without one, the shipped cards.
    """
    if book is None:
        from remun.config import rates_dir

        book = load_rate_book(rates_dir())
    overdue = []
    for source in book.sources.values():
        cycle = source.review.latest_cycle(today) if source.review else None
        if cycle is None:
            continue
        starts, expected_by = cycle
        stale = []
        headline = None
        for ref, entries in book.history.items():
            newest = entries[-1]
            if newest.source.id != source.id:
                continue
            headline = headline or ref
            if newest.effective_to is not None and newest.effective_to < today:
                continue  # a figure that has ended on purpose is not waiting for an update
            if entries[0].cycle == "irregular":
                continue  # this figure does not change with the card's yearly cycle
            if newest.effective_from < starts:
                stale.append(newest)
        if stale:
            overdue.append(OverdueCard(source=source, stale=tuple(stale), expected_by=expected_by,
                                       newest_is_headline=stale[0].ref == headline))
    return overdue


def overdue_for(book: RateBook, today: dt.date, source_ids: Iterable[str] | None = None,
                refs: Iterable[str] | None = None) -> list[OverdueCard]:
    """The overdue cards among ``source_ids`` (all cards when None), for a page that uses only some.

    With ``refs``, only those figures count: a UK project is not warned about the London figure.
    """
    wanted = None if source_ids is None else set(source_ids)
    used = None if refs is None else set(refs)
    found = []
    for card in overdue_cards(today, book):
        if wanted is not None and card.source.id not in wanted:
            continue
        if used is not None:
            stale = tuple(entry for entry in card.stale if entry.ref in used)
            if not stale:
                continue
            card = OverdueCard(source=card.source, stale=stale, expected_by=card.expected_by,
                               newest_is_headline=card.newest_is_headline and stale[0] == card.stale[0])
        found.append(card)
    return found


def stale_rates_json(book: RateBook, today: dt.date, source_ids: Iterable[str] | None = None) -> list[dict]:
    return [card.as_json() for card in overdue_for(book, today, source_ids)]


def window_message(window: LivingWageWindow, gettext=_identity, locale: str = "en_GB") -> str:
    """Between a new Real Living Wage's announcement and the following 1 May: which rate and until when."""
    currency = window.current.source.currency
    return _fill(gettext, WINDOW_MESSAGE,
                 rate=format_currency(window.current.amount, currency, locale=locale),
                 date=format_date(window.current.effective_from, "long", locale=locale),
                 until=format_date(window.until, "long", locale=locale),
                 previous=format_currency(window.previous.amount, currency, locale=locale))
