"""Each person's choice of how they are thanked: recording it, with history, and finding the one in force.

A choice is one or more parts (a way of being thanked and its percentage).
A single way is one part at 100%. A split has two or more parts summing to
100%, with at most one way of being paid money (a claim goes into a payment
batch once). Recording a choice never changes an earlier one: the newest is in
force, and it applies to whatever is not yet settled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from remun.accounts import audit
from remun.project_records.enums import Reciprocity
from remun.project_records.models import Person
from remun.money import HUNDRED, ZERO
from remun.reciprocity.models import ChoicePart, ReciprocityChoice

#: Ways that need a detail, and may not be saved without it.
NEEDS_DETAIL = {Reciprocity.VOUCHERS, Reciprocity.DONATION, Reciprocity.THIRD_PARTY}
#: Every way a part can be (not "not chosen", not "split").
METHODS = (
    Reciprocity.BANK_TRANSFER, Reciprocity.PAYMENT_CARD, Reciprocity.CHEQUE, Reciprocity.THIRD_PARTY,
    Reciprocity.VOUCHERS, Reciprocity.TRAINING, Reciprocity.DONATION, Reciprocity.NO_PAYMENT,
)


class ChoiceProblem(ValueError):
    """A choice that cannot be saved; ``code`` says why, for a plain message."""

    def __init__(self, code: str, **facts):
        super().__init__(code)
        self.code = code
        self.facts = facts


@dataclass(frozen=True)
class Part:
    method: Reciprocity
    percent: Decimal
    detail: str | None = None


@dataclass(frozen=True)
class CurrentChoice:
    """The choice in force. ``choice_id`` is None when it comes only from Person.reciprocity."""

    summary: Reciprocity
    parts: tuple[Part, ...]
    reason: str | None = None
    choice_id: int | None = None
    chosen_at: dt.datetime | None = None

    @property
    def chosen(self) -> bool:
        return self.summary != Reciprocity.NOT_CHOSEN and bool(self.parts)

    @property
    def money_part(self) -> Part | None:
        return next((part for part in self.parts if part.method.is_money), None)


NOT_CHOSEN = CurrentChoice(Reciprocity.NOT_CHOSEN, ())


def check_parts(parts: list[Part]) -> list[Part]:
    """The parts, cleaned, or ChoiceProblem saying what is wrong."""
    cleaned = [Part(part.method, Decimal(part.percent), (part.detail or "").strip() or None)
               for part in parts if part.percent]
    if not cleaned:
        raise ChoiceProblem("nothing_chosen")
    for part in cleaned:
        if part.method not in METHODS:
            raise ChoiceProblem("unknown_method", method=part.method)
        if part.percent <= ZERO or part.percent > HUNDRED or part.percent != part.percent.quantize(Decimal("0.01")):
            raise ChoiceProblem("bad_percent", method=part.method)
        if part.method in NEEDS_DETAIL and not part.detail:
            raise ChoiceProblem("needs_detail", method=part.method)
        if part.detail and len(part.detail) > 200:
            raise ChoiceProblem("detail_too_long", method=part.method)
    if len({part.method for part in cleaned}) != len(cleaned):
        raise ChoiceProblem("repeated_method")
    if sum((part.percent for part in cleaned), ZERO) != HUNDRED:
        raise ChoiceProblem("not_100", total=sum((part.percent for part in cleaned), ZERO))
    if sum(1 for part in cleaned if part.method.is_money) > 1:
        raise ChoiceProblem("two_money_ways")
    return cleaned


def summary_of(parts: list[Part]) -> Reciprocity:
    return parts[0].method if len(parts) == 1 else Reciprocity.SPLIT


def record_choice(session: Session, person: Person, parts: list[Part], *, user_id: int | None,
                  reason: str | None = None, at: dt.datetime | None = None) -> ReciprocityChoice:
    """Add a new choice (the old ones stay) and keep Person.reciprocity in step with it."""
    cleaned = check_parts(parts)
    summary = summary_of(cleaned)
    reason = (reason or "").strip() or None if summary == Reciprocity.NO_PAYMENT else None
    choice = ReciprocityChoice(
        person_id=person.id, summary=summary, chosen_at=at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        chosen_by_id=user_id, reason=reason,
        parts=[ChoicePart(method=part.method, percent=part.percent, detail=part.detail) for part in cleaned],
    )
    session.add(choice)
    person.reciprocity = summary
    session.flush()
    # The kinds chosen and who recorded it; never the details (a charity or a name can be personal).
    audit.record(session, user_id, "reciprocity.chosen", "person", person.id,
                 {"choice_id": choice.id, "summary": summary.value,
                  "parts": [f"{part.method.value} {part.percent}%" for part in cleaned]})
    return choice


def _latest(session: Session, person_id: int) -> ReciprocityChoice | None:
    return session.scalar(
        select(ReciprocityChoice).where(ReciprocityChoice.person_id == person_id)
        .options(selectinload(ReciprocityChoice.parts))
        .order_by(ReciprocityChoice.chosen_at.desc(), ReciprocityChoice.id.desc()).limit(1)
    )


def current_choice(session: Session, person: Person) -> CurrentChoice:
    """The choice in force for a person.

    The newest recorded choice, unless Person.reciprocity was since changed
    another way (a workbook import): then that single kind, at 100%, with no
    details. A "split" with no recorded parts counts as not chosen, because
    nothing can be assumed about it.
    """
    return _in_force(person, _latest(session, person.id))


def current_choices(session: Session, people: list[Person]) -> dict[int, CurrentChoice]:
    """The choice in force for each of many people, in two queries whatever their number."""
    latest: dict[int, ReciprocityChoice] = {}
    ids = [person.id for person in people]
    for start in range(0, len(ids), 500):
        for choice in session.scalars(
            select(ReciprocityChoice).where(ReciprocityChoice.person_id.in_(ids[start:start + 500]))
            .options(selectinload(ReciprocityChoice.parts))
            .order_by(ReciprocityChoice.chosen_at, ReciprocityChoice.id)
        ):
            latest[choice.person_id] = choice  # ordered oldest first, so the newest stays
    return {person.id: _in_force(person, latest.get(person.id)) for person in people}


def _in_force(person: Person, latest: ReciprocityChoice | None) -> CurrentChoice:
    if latest is not None and latest.summary == person.reciprocity:
        return CurrentChoice(latest.summary, tuple(Part(p.method, p.percent, p.detail) for p in latest.parts),
                             latest.reason, latest.id, latest.chosen_at)
    if person.reciprocity in METHODS:
        return CurrentChoice(person.reciprocity, (Part(person.reciprocity, HUNDRED),))
    return NOT_CHOSEN


def history(session: Session, person_id: int) -> list[ReciprocityChoice]:
    """Every choice a person made, newest first."""
    return list(session.scalars(
        select(ReciprocityChoice).where(ReciprocityChoice.person_id == person_id)
        .options(selectinload(ReciprocityChoice.parts))
        .order_by(ReciprocityChoice.chosen_at.desc(), ReciprocityChoice.id.desc())
    ))
