"""What an import reports: every problem (``ImportFailed``), or what it added and updated (``ImportSummary``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from remun.imports import N_
from remun.imports.problems import Problem, Problems


class ImportFailed(Exception):
    """The workbook has problems; nothing was written. ``problems`` lists the first
    ``SHOWN_PROBLEMS`` of them, in the order found; ``more`` counts the rest."""

    def __init__(self, problems: Iterable[Problem]):
        kept = problems if isinstance(problems, Problems) else Problems(problems)
        self.problems: list[Problem] = list(kept)
        self.more = kept.more
        count = kept.total
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the workbook"
            + (f"; the first: {self.problems[0]}" if self.problems else "")
        )


@dataclass
class Tally:
    """How many records of one kind the import added, changed, left alone or removed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.removed


class SummaryLine(str):
    """One line of an import summary: English text that also carries its
    ``message_id`` and ``params``, so a web page can translate it."""

    message_id: str
    params: dict[str, Any]

    def __new__(cls, message_id: str, params: dict[str, Any]) -> SummaryLine:
        line = super().__new__(cls, message_id % params)
        line.message_id = message_id
        line.params = params
        return line


SUMMARY_MESSAGES = {
    "groups": N_("Equal role groups: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "roles": N_("Roles: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "terms": N_("Pay terms: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "people": N_("People: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "appointments": N_("People in roles: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "sessions": N_("Sessions: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "attendance": N_("Attendance: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."),
    "expenses": N_(
        "Expenses: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, %(removed)d removed."
    ),
}


@dataclass
class ImportSummary:
    """What an import did, kind by kind."""

    project_id: int
    project_name: str
    project: Tally = field(default_factory=Tally)
    groups: Tally = field(default_factory=Tally)
    roles: Tally = field(default_factory=Tally)
    terms: Tally = field(default_factory=Tally)
    people: Tally = field(default_factory=Tally)
    appointments: Tally = field(default_factory=Tally)
    sessions: Tally = field(default_factory=Tally)
    attendance: Tally = field(default_factory=Tally)
    expenses: Tally = field(default_factory=Tally)

    KINDS = ("project", "groups", "roles", "terms", "people", "appointments", "sessions", "attendance",
             "expenses")

    def tallies(self) -> dict[str, Tally]:
        return {kind: getattr(self, kind) for kind in self.KINDS}

    @property
    def changed(self) -> bool:
        """Whether the import added, changed or removed anything at all."""
        return any(t.created or t.updated or t.removed for t in self.tallies().values())

    def lines(self) -> list[SummaryLine]:
        """Plain lines such as "Roles: 3 added, 1 updated, 0 unchanged." (kinds with nothing left out)."""
        name = {"name": self.project_name}
        if self.project.created:
            lines = [SummaryLine(N_("Project '%(name)s' added."), name)]
        elif self.project.updated:
            lines = [SummaryLine(N_("Project '%(name)s' updated."), name)]
        else:
            lines = [SummaryLine(N_("Project '%(name)s' was already up to date."), name)]
        for kind, message in SUMMARY_MESSAGES.items():
            tally: Tally = getattr(self, kind)
            if tally.total:
                lines.append(
                    SummaryLine(
                        message,
                        {"created": tally.created, "updated": tally.updated,
                         "unchanged": tally.unchanged, "removed": tally.removed},
                    )
                )
        return lines
