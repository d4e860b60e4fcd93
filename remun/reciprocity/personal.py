"""What reciprocity holds about a person, for "everything held about me", and erasing it.

Choices' details (a charity, a name paid instead, a reason), the benefits answer and receipts can
be personal. The kinds chosen and the amounts settled stay: finance must keep the payment record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from remun.models import Attendance, Expense, Person
from remun.reciprocity.choices import history
from remun.reciprocity.models import BenefitsAnswer, ChoicePart, Receipt, ReciprocityChoice, SettlementPart
from remun.reciprocity.receipts import path_of


def _receipts(session: Session, person_id: int) -> list[Receipt]:
    return list(session.scalars(
        select(Receipt).join(Expense, Receipt.expense_id == Expense.id)
        .join(Attendance, Expense.attendance_id == Attendance.id).where(Attendance.person_id == person_id)
        .order_by(Receipt.id)
    ))


def held_about(session: Session, person: Person) -> dict[str, Any]:
    answer = session.get(BenefitsAnswer, person.id)
    return {
        "choices": [
            {"chosen_at": choice.chosen_at.isoformat(), "summary": choice.summary.value, "reason": choice.reason,
             "parts": [{"way": part.method.value, "percent": str(part.percent), "detail": part.detail}
                       for part in choice.parts]}
            for choice in history(session, person.id)
        ],
        "receives_benefits": None if answer is None else answer.receives_benefits,
        "receipts": [{"id": receipt.id, "type": receipt.content_type, "size": receipt.size,
                      "uploaded_at": receipt.uploaded_at.isoformat()} for receipt in _receipts(session, person.id)],
    }


def erase(session: Session, person: Person, instance_path: Path | str) -> None:
    """Remove the personal parts: details and reasons, the benefits answer, receipts (files too)."""
    choice_ids = select(ReciprocityChoice.id).where(ReciprocityChoice.person_id == person.id)
    session.execute(update(ChoicePart).where(ChoicePart.choice_id.in_(choice_ids)).values(detail=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(ReciprocityChoice).where(ReciprocityChoice.person_id == person.id).values(reason=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(SettlementPart).where(SettlementPart.person_id == person.id).values(detail=None)
                    .execution_options(synchronize_session=False))
    answer = session.get(BenefitsAnswer, person.id)
    if answer is not None:
        session.delete(answer)
    for receipt in _receipts(session, person.id):
        path_of(receipt, instance_path).unlink(missing_ok=True)
        session.delete(receipt)
    session.flush()
