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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from remun.money import NotANumber, to_decimal

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_KINDS = frozenset({"wage_floor", "pay_scale", "involvement_rate", "benefit_limit"})
UNITS = frozenset({"hour", "session", "half_day", "day", "week", "month", "year"})
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
        entry = self.lookup(LONDON_LIVING_WAGE_REF if london else LIVING_WAGE_REF, day)
        return entry.amount if entry else None


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
    )


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
