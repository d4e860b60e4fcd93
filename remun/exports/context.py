"""What an export is of (filters), and who it is for (context): shared by every export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from remun.version import __version__

#: One sheet holds at most 1,048,576 rows; one is the header.
MAX_SHEET_ROWS = 1_048_575


def _identity(message: str) -> str:
    return message


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class ExportTooLarge(ValueError):
    """More postings than one sheet can hold: narrow the projects or the dates."""

    def __init__(self, rows: int):
        self.rows = rows
        super().__init__(f"{rows} postings is more than one sheet holds ({MAX_SHEET_ROWS})")


@dataclass(frozen=True)
class ExportFilters:
    """Which postings: some projects (None for all) between two dates (each optional, inclusive)."""

    project_ids: tuple[int, ...] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __post_init__(self):
        if self.project_ids is not None:
            object.__setattr__(self, "project_ids", tuple(sorted(set(self.project_ids))))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("the start date is after the end date")


@dataclass(frozen=True)
class ExportContext:
    """Who made the export, when, and in which language and locale."""

    made_by: str
    made_at: dt.datetime = field(default_factory=utc_now)
    #: A Babel locale code: number, date and currency formats follow it.
    locale: str = "en_GB"
    #: Translates a heading (flask_babel.gettext in the app); English when not given.
    gettext: Callable[[str], str] = _identity
    app_version: str = __version__

    @property
    def made_at_utc(self) -> dt.datetime:
        """Naive UTC, as spreadsheets store times."""
        when = self.made_at
        if when.tzinfo is not None:
            when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return when.replace(microsecond=0)
