"""A problem found in a workbook, shared by the importer and the checks made before it reads a file
(remun/imports/limits.py), so neither needs the other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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
