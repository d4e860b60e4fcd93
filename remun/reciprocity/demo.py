"""The demo people's choices of how they are thanked, recorded as a participant would make them.

Choices with their details (which vouchers, which charity) are recorded
before the demo ledger is settled. Two people then change their minds, so the
demo shows that a change applies only to what is not yet settled.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from remun.project_records.enums import Reciprocity
from remun.project_records.models import Appointment, Person, Project, Role
from remun.money import HUNDRED
from remun.reciprocity.choices import Part, record_choice
from remun.reciprocity.models import ReciprocityChoice

#: The details a demo person gave with the choice already in the demo plan.
_DETAILS = {
    "eilidh.fraser@example.org": "Love2shop",
    "sandra.wilkie@example.org": "Tesco",
    "callum.doherty@example.org": "SAMH (Scottish Association for Mental Health)",
    "iain.buchanan@example.org": "Peer support worker course",
}

#: Later changes of mind: half by cheque and half in vouchers; a payment card.
_CHANGES = {
    "graham.birrell@example.org": [Part(Reciprocity.CHEQUE, Decimal("50"), "A cheque"),
                                   Part(Reciprocity.VOUCHERS, Decimal("50"), "Love2shop")],
    "kirsty.paterson@example.org": [Part(Reciprocity.PAYMENT_CARD, HUNDRED, "A prepaid payment card")],
}


def _has_choices(session: Session, person: Person) -> bool:
    return session.scalar(select(exists().where(ReciprocityChoice.person_id == person.id)))


def _people(session: Session, emails) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.email.in_(list(emails))).order_by(Person.id)))


def record_demo_choices(session: Session, project: Project, at: dt.datetime | None = None) -> None:
    """Record each demo person's planned choice with its details (once)."""
    people = session.scalars(select(Person).join(Appointment).join(Role)
                             .where(Role.project_id == project.id).distinct().order_by(Person.id))
    for person in people:
        if person.reciprocity in (Reciprocity.NOT_CHOSEN, Reciprocity.SPLIT) or _has_choices(session, person):
            continue
        record_choice(session, person, [Part(person.reciprocity, HUNDRED, _DETAILS.get(person.email))],
                      user_id=None, at=at)


def record_demo_changes_of_mind(session: Session, at: dt.datetime | None = None) -> None:
    """Two people choose again after the older sessions were settled (once)."""
    for person in _people(session, _CHANGES):
        if not _has_choices(session, person):
            record_choice(session, person, _CHANGES[person.email], user_id=None, at=at)
