"""A problem found in a workbook, shared by the importer and the checks made before it reads a file
(remun/imports/limits.py), so neither needs the other."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Problems kept and shown; any more are only counted. A workbook of 100,000 wrong rows has
#: hundreds of thousands of problems: keeping them all cost a worker tens of megabytes, and a page
#: listing them all would not be read.
SHOWN_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """Something in the workbook to fix: where it is, and what to do.

    ``row`` is the row number Excel shows; ``sheet``, ``row`` and ``column`` are
    None when the problem is with the whole file, sheet or column.
    ``message_id`` is the English message (a ``%(name)s`` format string, marked
    with N_ for translation) and ``params`` fills it in.
    """

    sheet: str | None
    row: int | None
    column: str | None
    message_id: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The message in English."""
        return self.message_id % self.params

    message = text

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"sheet {self.sheet}" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.text}" if where else self.text


class Problems(list):
    """The problems found so far, in the order they were found: the first ``keep`` are kept, and
    ``total`` counts every one (so memory stays bounded however many rows are wrong)."""

    def __init__(self, problems: Iterable[Problem] = (), keep: int = SHOWN_PROBLEMS):
        super().__init__()
        self.keep = keep
        self.total = 0
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        self.total += 1
        if len(self) < self.keep:
            super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> Problems:
        self.extend(problems)
        return self

    @property
    def more(self) -> int:
        """How many were found beyond those kept."""
        return self.total - len(self)
