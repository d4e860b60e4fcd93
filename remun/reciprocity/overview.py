"""What leads and finance see: each person's choice, totals by way of thanks per project, who has not chosen.

Never the benefits answer: that is the person's own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from remun.project_records.enums import Reciprocity, RoleKind
from remun.ledger.models import Claim, ClaimKind, ClaimStatus
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Role
from remun.money import ZERO
from remun.reciprocity.choices import CurrentChoice, current_choice, current_choices
from remun.reciprocity.models import SettlementPart
from remun.reciprocity.routing import current_accruals, for_this_approval, route


@dataclass(frozen=True)
class PersonChoice:
    person: Person
    choice: CurrentChoice


@dataclass(frozen=True)
class ProjectOverview:
    people: list[PersonChoice]
    #: Approved pay for time, by way of thanks (settled as it was, waiting by the current choice).
    totals: dict[Reciprocity, Decimal]
    not_chosen: list[Person]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)


def people_in(session: Session, project_id: int) -> list[Person]:
    """People in a role of the project, or who took part in one of its sessions."""
    in_role = select(Appointment.person_id).join(Role, Appointment.role_id == Role.id).where(Role.project_id == project_id)
    attended = (select(Attendance.person_id).join(Meeting, Attendance.meeting_id == Meeting.id)
                .where(Meeting.project_id == project_id))
    return list(session.scalars(
        select(Person).where(or_(Person.id.in_(in_role), Person.id.in_(attended))).order_by(Person.name, Person.id)
    ))


def project_overview(session: Session, project_id: int) -> ProjectOverview:
    everyone = people_in(session, project_id)
    in_force = current_choices(session, everyone)
    people = [PersonChoice(person, in_force[person.id]) for person in everyone]
    choices = {item.person.id: item.choice for item in people}
    totals: dict[Reciprocity, Decimal] = defaultdict(lambda: ZERO)
    claims = session.scalars(
        select(Claim).where(Claim.project_id == project_id, Claim.kind == ClaimKind.TIME,
                            Claim.status == ClaimStatus.APPROVED, Claim.amount > 0).order_by(Claim.id)
    ).all()
    stored: dict[int, list[SettlementPart]] = defaultdict(list)
    for part in session.scalars(select(SettlementPart).where(SettlementPart.project_id == project_id)):
        stored[part.claim_id].append(part)
    accruals = current_accruals(session, [claim.id for claim in claims])
    for claim in claims:
        parts_now = for_this_approval(accruals.get(claim.id), stored.get(claim.id, []))
        if parts_now:
            for part in parts_now:
                totals[part.method] += part.amount
        elif claim.settled_as is not None and claim.settled_as != Reciprocity.SPLIT:
            totals[claim.settled_as] += claim.amount
        else:
            choice = choices.get(claim.person_id)
            if choice is None:
                choice = current_choice(session, session.get(Person, claim.person_id))
            parts = route(claim, choice)
            if parts is None:
                totals[Reciprocity.NOT_CHOSEN] += claim.amount
            for part in parts or ():
                totals[part.method] += part.amount
    # Who is asked to choose: people with claims here, or in a lived-experience or carer role (not salaried staff).
    thanked = set(session.scalars(select(Claim.person_id).where(Claim.project_id == project_id)))
    thanked |= set(session.scalars(
        select(Appointment.person_id).join(Role, Appointment.role_id == Role.id)
        .where(Role.project_id == project_id, Role.kind.in_((RoleKind.LIVED_EXPERIENCE, RoleKind.CARER)))
    ))
    return ProjectOverview(people, dict(totals),
                           [item.person for item in people if not item.choice.chosen and item.person.id in thanked])
