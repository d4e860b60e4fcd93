"""Rate cards: published pay rates and limits, each with its dates and source.

The data lives in ``rates/*.toml`` (one file per source; see rates/README.md).
This module reads and checks those files and answers "what figure was in force
on this day?". A bad file stops start-up with the file, the entry and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from remun.money import NotANumber, to_decimal

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_KINDS = frozenset({"wage_floor", "pay_scale", "involvement_rate", "benefit_limit", "tax_allowance"})
UNITS = frozenset({"hour", "session", "half_day", "day", "week", "month", "year", "mile", "percent"})
#: How often a card's figures change: once a year at a known time, or whenever the publisher decides.
REVIEW_CYCLES = frozenset({"yearly", "irregular"})
#: Part of a month a yearly figure is normally announced in, and the day after which it is overdue.
MONTH_PARTS = {"early": 11, "mid": 21, "late": None}
STATUSES = frozenset({"published", "derived", "unconfirmed"})

#: The Real Living Wage entries the parity checks use.
LIVING_WAGE_REF = "real-living-wage/uk"
LONDON_LIVING_WAGE_REF = "real-living-wage/london"


class RateCardError(ValueError):
    """A rates file that cannot be used, with where and why."""

    def __init__(self, file: Path | str, entry: str | None, reason: str):
        self.file = str(file)
        self.entry = entry
        self.reason = reason
        where = f"{self.file}, entry {entry}" if entry else self.file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class RateReview:
    """When a card's next figure is normally announced, so Remun can say when its newest one is out of date.

    A yearly card's new figure is normally in hand in ``month`` (on ``day``, or early, mid or late in the
    month). From the end of that time a card whose newest figure started before the month is overdue.
    ``employers_until`` is the (month, day) by which accredited employers must pay a newly announced rate
    (the Real Living Wage's following 1 May); until then the previous rate is still within their time.
    """

    cycle: str
    month: int | None = None
    part: str | None = None
    day: int | None = None
    employers_until: tuple[int, int] | None = None
    note: str = ""
    #: How the warning names the card, for example "The Real Living Wage".
    called: str = ""

    def latest_cycle(self, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """(first day a new figure can start, day it becomes overdue) of the latest cycle already overdue."""
        if self.cycle != "yearly" or self.month is None:
            return None
        for year in (today.year, today.year - 1):
            starts = dt.date(year, self.month, self.day or 1)
            if self.day is not None:
                overdue = starts
            elif self.part is not None and MONTH_PARTS[self.part] is not None:
                overdue = dt.date(year, self.month, MONTH_PARTS[self.part])
            else:  # late in the month, or any time in it: overdue from the 1st of the next month
                overdue = dt.date(year + (self.month == 12), self.month % 12 + 1, 1)
            if overdue <= today:
                return starts, overdue
        return None  # pragma: no cover - the previous year's cycle is always before today


@dataclass(frozen=True)
class RateSource:
    id: str
    name: str
    publisher: str
    url: str
    kind: str
    currency: str
    file: str
    retrieved: dt.date | None = None
    notes: str = ""
    review: RateReview | None = None


@dataclass(frozen=True)
class RateEntry:
    source: RateSource
    key: str
    label: str
    amount: Decimal
    per: str
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    source_url: str | None = None
    derivation: str | None = None
    annual: Decimal | None = None
    note: str | None = None
    #: Where the figure came from: "card" (shipped in rates/) or "organisation" (added by an administrator).
    origin: str = "card"
    #: For an organisation's figure: its row id and the day it was added.
    figure_id: int | None = None
    added_on: dt.date | None = None
    #: "irregular" for a figure that does not change with its card's yearly cycle (the Universal Credit taper).
    cycle: str | None = None

    @property
    def added_by_organisation(self) -> bool:
        return self.origin == "organisation"

    @property
    def ref(self) -> str:
        """How a role points at this figure: "source-id/key"."""
        return f"{self.source.id}/{self.key}"

    @property
    def url(self) -> str:
        return self.source_url or self.source.url

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass
class RateBook:
    """Every loaded rate card, searchable by reference and date."""

    sources: dict[str, RateSource] = field(default_factory=dict)
    #: ref -> entries ordered by effective_from
    history: dict[str, list[RateEntry]] = field(default_factory=dict)

    def lookup(self, ref: str, day: dt.date) -> RateEntry | None:
        """The figure for ``ref`` in force on ``day``, or None when none was."""
        for entry in self.history.get(ref, ()):
            if entry.in_force(day):
                return entry
        return None

    def knows(self, ref: str) -> bool:
        return ref in self.history

    def latest(self, ref: str) -> RateEntry | None:
        entries = self.history.get(ref)
        return entries[-1] if entries else None

    def refs(self, kind: str | None = None, per: str | None = None) -> list[str]:
        """References, optionally only those of one source kind or unit, in file order."""
        return [
            ref
            for ref, entries in self.history.items()
            if (kind is None or entries[0].source.kind == kind)
            and (per is None or entries[0].per == per)
        ]

    def entries(self) -> list[RateEntry]:
        return [entry for entries in self.history.values() for entry in entries]

    def living_wage(self, day: dt.date, london: bool = False) -> Decimal | None:
        entry = self.lookup(living_wage_ref(london), day)
        return entry.amount if entry else None

    def living_wage_window(self, day: dt.date, london: bool = False) -> LivingWageWindow | None:
        """The previous rate when ``day`` falls between a new rate's announcement and employers' deadline.

        Accredited employers have until the 1 May after an announcement to pay the new Real Living Wage,
        so in that time the previous rate is still within their time to move.
        """
        ref = living_wage_ref(london)
        current = self.lookup(ref, day)
        if current is None or current.source.review is None or current.source.review.employers_until is None:
            return None
        month, month_day = current.source.review.employers_until
        start = current.effective_from
        until = dt.date(start.year + (dt.date(start.year, month, month_day) <= start), month, month_day)
        if day >= until:
            return None
        previous = self.lookup(ref, start - dt.timedelta(days=1))
        if previous is None:
            return None
        return LivingWageWindow(current=current, previous=previous, until=until)

    def with_figures(self, figures: list[RateEntry]) -> RateBook:
        """A copy of this book with an organisation's figures laid over the cards, later ones winning.

        Each figure replaces whatever covered its dates; a card's figure that it cuts short keeps the
        days before (and after) it.
        """
        merged = RateBook(sources=dict(self.sources), history={ref: list(entries) for ref, entries in self.history.items()})
        for figure in figures:
            entries = []
            for entry in merged.history.get(figure.ref, ()):
                ends_before = entry.effective_to is not None and entry.effective_to < figure.effective_from
                starts_after = figure.effective_to is not None and entry.effective_from > figure.effective_to
                if ends_before or starts_after:
                    entries.append(entry)
                    continue
                if entry.effective_from < figure.effective_from:
                    entries.append(replace(entry, effective_to=figure.effective_from - dt.timedelta(days=1)))
                if figure.effective_to is not None and (entry.effective_to is None or entry.effective_to > figure.effective_to):
                    entries.append(replace(entry, effective_from=figure.effective_to + dt.timedelta(days=1)))
            entries.append(figure)
            entries.sort(key=lambda entry: entry.effective_from)
            merged.history[figure.ref] = entries
        return merged


@dataclass(frozen=True)
class LivingWageWindow:
    """A newly announced Real Living Wage, and the previous one employers may still pay until ``until``."""

    current: RateEntry
    previous: RateEntry
    #: The first day the new rate must be paid (the following 1 May).
    until: dt.date


def living_wage_ref(london: bool = False) -> str:
    return LONDON_LIVING_WAGE_REF if london else LIVING_WAGE_REF


def load_rate_book(folder: Path) -> RateBook:
    """Read every ``*.toml`` in ``folder``; raise RateCardError on the first problem."""
    book = RateBook()
    files = sorted(Path(folder).glob("*.toml"))
    if not files:
        raise RateCardError(folder, None, "no rate card files (*.toml) found")
    collected: dict[str, list[RateEntry]] = defaultdict(list)
    for path in files:
        source, entries = _read_file(path)
        if source.id in book.sources:
            raise RateCardError(
                path, None, f"source id {source.id!r} is also used by {book.sources[source.id].file}"
            )
        book.sources[source.id] = source
        for entry in entries:
            collected[entry.ref].append(entry)
    for ref, entries in collected.items():
        entries.sort(key=lambda entry: entry.effective_from)
        _check_history(ref, entries)
        book.history[ref] = entries
    return book


def _read_file(path: Path) -> tuple[RateSource, list[RateEntry]]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise RateCardError(path, None, f"not valid TOML: {exc}") from exc
    raw_source = data.get("source")
    if not isinstance(raw_source, dict):
        raise RateCardError(path, None, "missing the [source] table")
    source = _read_source(path, raw_source)
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise RateCardError(path, None, "no [[entries]]")
    entries = [_read_entry(path, source, number, raw) for number, raw in enumerate(raw_entries, 1)]
    return source, entries


def _required_text(path: Path, where: str | None, table: dict, name: str) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RateCardError(path, where, f"{name!r} is missing or empty")
    return value.strip()


def _read_source(path: Path, raw: dict) -> RateSource:
    source_id = _required_text(path, None, raw, "id")
    if not SLUG.match(source_id):
        raise RateCardError(path, None, f"source id {source_id!r} must be lowercase letters, digits and hyphens")
    kind = _required_text(path, None, raw, "kind")
    if kind not in SOURCE_KINDS:
        raise RateCardError(path, None, f"kind {kind!r} is not one of {', '.join(sorted(SOURCE_KINDS))}")
    retrieved = raw.get("retrieved")
    if retrieved is not None and not isinstance(retrieved, dt.date):
        raise RateCardError(path, None, "'retrieved' must be a date such as 2026-11-23")
    return RateSource(
        id=source_id,
        name=_required_text(path, None, raw, "name"),
        publisher=_required_text(path, None, raw, "publisher"),
        url=_required_text(path, None, raw, "url"),
        kind=kind,
        currency=str(raw.get("currency", "GBP")),
        file=path.name,
        retrieved=retrieved,
        notes=str(raw.get("notes", "")).strip(),
        review=_read_review(path, raw.get("review")),
    )


def _month_day(path: Path, value: object, name: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(value).split("-"))
        dt.date(2024, month, day)
    except ValueError as exc:
        raise RateCardError(path, None, f"review {name} {value!r} must be a month and day such as \"05-01\"") from exc
    return month, day


def _read_review(path: Path, raw: object) -> RateReview | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RateCardError(path, None, "[source.review] must be a table")
    cycle = raw.get("cycle")
    if cycle not in REVIEW_CYCLES:
        raise RateCardError(path, None, f"review cycle {cycle!r} is not one of {', '.join(sorted(REVIEW_CYCLES))}")
    month, part, day = raw.get("month"), raw.get("part"), raw.get("day")
    if cycle == "yearly":
        if not isinstance(month, int) or not 1 <= month <= 12:
            raise RateCardError(path, None, "a yearly review needs 'month', a number from 1 to 12")
        if part is not None and part not in MONTH_PARTS:
            raise RateCardError(path, None, f"review part {part!r} is not one of {', '.join(MONTH_PARTS)}")
        if day is not None:
            _month_day(path, f"{month}-{day}", "day")
    until = raw.get("employers_until")
    return RateReview(
        cycle=cycle, month=month, part=part, day=day,
        employers_until=None if until is None else _month_day(path, until, "employers_until"),
        note=str(raw.get("note", "")).strip(),
        called=str(raw.get("called", "")).strip(),
    )


def _read_date(path: Path, where: str, raw: dict, name: str, required: bool) -> dt.date | None:
    value = raw.get(name)
    if value is None and not required:
        return None
    # tomllib gives datetime for date-times; a rate changes on a day, not a moment.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RateCardError(path, where, f"{name!r} must be a date such as 2025-04-01")
    return value


def _read_amount(path: Path, where: str, raw: dict, name: str, required: bool) -> Decimal | None:
    value = raw.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise RateCardError(path, where, f"{name!r} must be written as text, for example \"13.45\"")
    try:
        amount = to_decimal(value)
    except NotANumber as exc:
        raise RateCardError(path, where, f"{name!r} {value!r} is not a number") from exc
    if amount <= 0:
        raise RateCardError(path, where, f"{name!r} must be more than zero")
    return amount


def _read_entry(path: Path, source: RateSource, number: int, raw: dict) -> RateEntry:
    key = raw.get("key")
    where = f"{number} ({key})" if isinstance(key, str) else str(number)
    key = _required_text(path, where, raw, "key")
    if not SLUG.match(key):
        raise RateCardError(path, where, f"key {key!r} must be lowercase letters, digits and hyphens")
    per = _required_text(path, where, raw, "per")
    if per not in UNITS:
        raise RateCardError(path, where, f"per {per!r} is not one of {', '.join(sorted(UNITS))}")
    status = _required_text(path, where, raw, "status")
    if status not in STATUSES:
        raise RateCardError(path, where, f"status {status!r} is not one of {', '.join(sorted(STATUSES))}")
    derivation = raw.get("derivation")
    if status == "derived" and not (isinstance(derivation, str) and derivation.strip()):
        raise RateCardError(path, where, "a derived figure needs a 'derivation' saying how it was worked out")
    effective_from = _read_date(path, where, raw, "effective_from", required=True)
    effective_to = _read_date(path, where, raw, "effective_to", required=False)
    assert effective_from is not None
    if effective_to is not None and effective_to < effective_from:
        raise RateCardError(path, where, "effective_to is before effective_from")
    amount = _read_amount(path, where, raw, "amount", required=True)
    assert amount is not None
    return RateEntry(
        source=source,
        key=key,
        label=_required_text(path, where, raw, "label"),
        amount=amount,
        per=per,
        effective_from=effective_from,
        effective_to=effective_to,
        status=status,
        source_url=raw.get("source_url"),
        derivation=derivation,
        annual=_read_amount(path, where, raw, "annual", required=False),
        note=raw.get("note"),
        cycle=_read_cycle(path, where, raw),
    )


def _read_cycle(path: Path, where: str, raw: dict) -> str | None:
    cycle = raw.get("cycle")
    if cycle is not None and cycle not in REVIEW_CYCLES:
        raise RateCardError(path, where, f"cycle {cycle!r} is not one of {', '.join(sorted(REVIEW_CYCLES))}")
    return cycle


def _check_history(ref: str, entries: list[RateEntry]) -> None:
    """Dates for one figure must not overlap, and the unit must not change."""
    for earlier, later in zip(entries, entries[1:]):
        file = later.source.file
        if earlier.per != later.per:
            raise RateCardError(file, ref, f"the unit changes from {earlier.per!r} to {later.per!r}")
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            raise RateCardError(
                file,
                ref,
                f"the figure from {earlier.effective_from} overlaps the one from {later.effective_from}: "
                f"give the earlier one an effective_to before {later.effective_from}",
            )
