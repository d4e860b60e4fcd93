"""Where approved money goes: a claim split into parts by the person's choice.

Time follows the choice: each part gets its percentage of the claim, rounded
to the penny (half up), and the last part gets what is left, so the parts
always add up to the claim exactly. Expenses are always repaid as money: by
the person's payment card or cheque if that is how they are paid, otherwise
by bank transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from remun.project_records.enums import Reciprocity
from remun.ledger.models import Claim, ClaimKind
from remun.money import HUNDRED, ZERO, round_money
from remun.reciprocity.choices import CurrentChoice

#: Ways expenses may be repaid, other than bank transfer (always to the person themselves).
EXPENSE_WAYS = (Reciprocity.PAYMENT_CARD, Reciprocity.CHEQUE)


@dataclass(frozen=True)
class RoutedPart:
    method: Reciprocity
    amount: Decimal
    detail: str | None = None


def split_amount(amount: Decimal, shares: list[tuple[Reciprocity, Decimal, str | None]]) -> list[RoutedPart]:
    """Share an amount by percentages; the last share takes the remainder. Zero shares are left out."""
    parts, given = [], ZERO
    for index, (method, percent, detail) in enumerate(shares):
        share = amount - given if index == len(shares) - 1 else round_money(amount * percent / HUNDRED)
        given += share
        if share > ZERO:
            parts.append(RoutedPart(method, share, detail))
    return parts


def route(claim: Claim, choice: CurrentChoice) -> list[RoutedPart] | None:
    """The parts a claim is settled in, or None while the person has not chosen (time waits)."""
    if claim.kind == ClaimKind.EXPENSES:
        money = choice.money_part
        way = money.method if money is not None and money.method in EXPENSE_WAYS else Reciprocity.BANK_TRANSFER
        return [RoutedPart(way, claim.amount, money.detail if money is not None and way == money.method else None)]
    if not choice.chosen:
        return None
    return split_amount(claim.amount, [(part.method, part.percent, part.detail) for part in choice.parts])



def current_accruals(session, claim_ids: list[int]) -> dict[int, int]:
    """Each claim's current approval: its newest accrual transaction (a re-approval posts a new one)."""
    from sqlalchemy import func, select

    from remun.ledger.models import LedgerTransaction, TransactionKind

    found: dict[int, int] = {}
    for start in range(0, len(claim_ids), 500):
        found.update(session.execute(
            select(LedgerTransaction.claim_id, func.max(LedgerTransaction.id))
            .where(LedgerTransaction.claim_id.in_(claim_ids[start:start + 500]),
                   LedgerTransaction.kind == TransactionKind.ACCRUAL)
            .group_by(LedgerTransaction.claim_id)
        ).all())
    return found


def for_this_approval(accrual_id: int | None, parts: list) -> list:
    """A claim's settlement parts from its current approval only.

    A reversed claim can be corrected and approved again; the parts of its
    earlier approval (given, then reversed in the ledger) no longer apply.
    """
    return [part for part in parts if part.accrual_id == accrual_id]
