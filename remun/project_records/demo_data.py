"""The demo project's shape: its names, and the plain, frozen data its plan is made of
(``remun.project_records.demo_plan.demo_plan`` builds one; ``remun.project_records.demo.load_demo`` writes it). No Flask, no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from remun.project_records.enums import ExpenseCategory, Reciprocity, RoleKind
from remun.pay.terms import TermsFrom

DEMO_PROJECT_NAME = "Community Mental Health Service Redesign"
SEED = 2026

D = Decimal

# Role titles, used more than once below.
LE_CO_CHAIR = "Lived experience co-chair"
CLINICAL_CO_CHAIR = "Clinical co-chair"
PANEL_MEMBER = "Lived experience panel member"
STAFF_PANEL_MEMBER = "Staff panel member"
PEER_RESEARCHER = "Peer researcher"
RESEARCH_ASSISTANT = "Research assistant"
FOCUS_GROUP_CONTRIBUTOR = "Focus group contributor"
STAFF_FOCUS_GROUP_CONTRIBUTOR = "Staff focus group contributor"
CARER_REPRESENTATIVE = "Carer representative"

# Session titles.
STEERING_GROUP = "Steering group"
PANEL = "Lived experience panel"
WORKSHOP_TITLES = (
    "Peer research workshop: shaping the interview questions",
    "Peer research workshop: interviewing practice",
    "Peer research workshop: making sense of what we heard",
    "Peer research workshop: writing up the findings",
)
FOCUS_GROUP_TITLES = (
    "Focus group: getting help in a crisis",
    "Focus group: leaving hospital",
    "Focus group: support closer to home",
)


# --- the plan as plain data -------------------------------------------------------


@dataclass(frozen=True)
class PlannedGroup:
    name: str
    description: str


#: A role's pay terms from a date (the fields of ``remun.pay.terms.Terms``).
PlannedTerms = TermsFrom


@dataclass(frozen=True)
class PlannedRole:
    title: str
    kind: RoleKind
    group: str | None
    terms: tuple[PlannedTerms, ...]  # in date order

    def terms_on(self, day: dt.date) -> PlannedTerms:
        in_force = self.terms[0]
        for terms in self.terms:
            if terms.effective_from <= day:
                in_force = terms
        return in_force


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    email: str
    preferred_language: str
    payee_reference: str | None
    reciprocity: Reciprocity


@dataclass(frozen=True)
class PlannedAppointment:
    person: str  # the person's email
    role: str  # the role's title
    start_date: dt.date
    end_date: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class PlannedMeeting:
    date: dt.date
    title: str
    hours: Decimal
    roles: tuple[str, ...]  # the role titles invited

    @property
    def key(self) -> tuple[dt.date, str]:
        return (self.date, self.title)


@dataclass(frozen=True)
class PlannedExpense:
    amount: Decimal
    category: ExpenseCategory
    note: str


@dataclass(frozen=True)
class PlannedAttendance:
    meeting: tuple[dt.date, str]  # PlannedMeeting.key
    person: str  # email
    role: str  # title
    hours: Decimal
    prep_hours: Decimal
    travel_hours: Decimal
    expenses: tuple[PlannedExpense, ...] = ()


@dataclass(frozen=True)
class DemoPlan:
    name: str
    cost_centre: str
    currency: str
    start_date: dt.date
    end_date: dt.date
    groups: tuple[PlannedGroup, ...]
    roles: tuple[PlannedRole, ...]
    people: tuple[PlannedPerson, ...]
    appointments: tuple[PlannedAppointment, ...]
    meetings: tuple[PlannedMeeting, ...]
    attendances: tuple[PlannedAttendance, ...]

    def role(self, title: str) -> PlannedRole:
        return next(role for role in self.roles if role.title == title)

    def role_on(self, person: str, day: dt.date) -> str | None:
        """The title of the role a person (by email) held on a day, or None."""
        held = {a.role for a in self.appointments if a.person == person and a.covers(day)}
        if len(held) > 1:  # the plan never does this; records.role_on would refuse it
            raise ValueError(f"{person} holds {len(held)} roles on {day}")
        return held.pop() if held else None
