"""What a person's attendance at a session is, when nobody says otherwise: the role's usual hours.

A lead records attendance by the session's length and the preparation and
travel hours the role's pay terms (in force on the session's date) allow. A
blank means "the usual"; an explicit 0 means "none", so a lead who leaves
preparation blank never silently underpays someone whose role pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from remun.project_records.models import Meeting, Role
from remun.money import ZERO


@dataclass(frozen=True)
class UsualHours:
    hours: Decimal
    prep_hours: Decimal
    travel_hours: Decimal


def usual_hours(role: Role, meeting: Meeting) -> UsualHours:
    """The session's length, and the role's usual preparation and travel on the session's date."""
    terms = role.terms_on(meeting.date)
    if terms is None:
        return UsualHours(meeting.hours, ZERO, ZERO)
    return UsualHours(meeting.hours, terms.prep_hours or ZERO, terms.travel_hours or ZERO)


def fill_blanks(usual: UsualHours, hours: Decimal | None, prep_hours: Decimal | None,
                travel_hours: Decimal | None) -> UsualHours:
    """What was typed, with each blank (None) taken as the usual; 0 stays 0."""
    return UsualHours(usual.hours if hours is None else hours,
                      usual.prep_hours if prep_hours is None else prep_hours,
                      usual.travel_hours if travel_hours is None else travel_hours)
