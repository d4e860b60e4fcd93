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

from remun.rates import RateBook, RateEntry, RateSource, load_rate_book


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

    @property
    def newest(self) -> RateEntry:
        """The card's headline figure (its first key), as named in the warning."""
        return self.stale[0]

    @property
    def called(self) -> str:
        return self.source.review.called if self.source.review and self.source.review.called else self.source.name

    def when_updated(self) -> str:
        """In English: "in late October", "on 1 April", "in April"."""
        review = self.source.review
        assert review is not None and review.month is not None
        month = dt.date(2000, review.month, 1).strftime("%B")
        if review.day is not None:
            return f"on {review.day} {month}"
        return f"in {review.part} {month}" if review.part else f"in {month}"

    def message(self) -> str:
        """The plain English warning, for the command line and JSON (pages translate their own)."""
        entry = self.newest
        return (f"{self.called} is normally updated {self.when_updated()}. "
                f"Remun's newest figure is £{entry.amount:,.2f}, from {entry.effective_from.day} "
                f"{entry.effective_from:%B %Y}. An administrator can add the new figure.")

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
        for ref, entries in book.history.items():
            newest = entries[-1]
            if newest.source.id != source.id:
                continue
            if newest.effective_to is not None and newest.effective_to < today:
                continue  # a figure that has ended on purpose is not waiting for an update
            if entries[0].cycle == "irregular":
                continue  # this figure does not change with the card's yearly cycle
            if newest.effective_from < starts:
                stale.append(newest)
        if stale:
            overdue.append(OverdueCard(source=source, stale=tuple(stale), expected_by=expected_by))
    return overdue


def overdue_for(book: RateBook, today: dt.date, source_ids: Iterable[str] | None = None) -> list[OverdueCard]:
    """The overdue cards among ``source_ids`` (all cards when None), for a page that uses only some."""
    wanted = None if source_ids is None else set(source_ids)
    return [card for card in overdue_cards(today, book) if wanted is None or card.source.id in wanted]


def stale_rates_json(book: RateBook, today: dt.date, source_ids: Iterable[str] | None = None) -> list[dict]:
    return [card.as_json() for card in overdue_for(book, today, source_ids)]
