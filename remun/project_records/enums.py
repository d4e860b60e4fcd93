"""The fixed choices Remun's records use, shared by the model, the rules and the forms."""

from __future__ import annotations

import enum


class RoleKind(enum.StrEnum):
    LIVED_EXPERIENCE = "lived_experience"
    CARER = "carer"
    CLINICAL = "clinical"
    PROFESSIONAL = "professional"
    OTHER = "other"

    @property
    def is_lived_experience_side(self) -> bool:
        """Lived-experience and carer roles are the ones whose pay is checked for parity."""
        return self in LIVED_SIDE

    @property
    def is_comparator_side(self) -> bool:
        """Clinical and professional roles set the rate a group is compared with."""
        return self in COMPARATOR_SIDE


#: The kinds on each side, as sets: where every person is counted, a look-up is cheaper than the properties.
LIVED_SIDE = frozenset({RoleKind.LIVED_EXPERIENCE, RoleKind.CARER})
COMPARATOR_SIDE = frozenset({RoleKind.CLINICAL, RoleKind.PROFESSIONAL})


class PayBasis(enum.StrEnum):
    HOUR = "hour"
    SESSION = "session"
    HALF_DAY = "half_day"
    DAY = "day"
    SALARY = "salary"  # paid by the employer for every hour given; rate is hourly

    @property
    def is_flat(self) -> bool:
        """A flat fee per session, whatever the hours."""
        return self in (PayBasis.SESSION, PayBasis.HALF_DAY, PayBasis.DAY)


class Reciprocity(enum.StrEnum):
    NOT_CHOSEN = "not_chosen"
    BANK_TRANSFER = "bank_transfer"
    VOUCHERS = "vouchers"
    TRAINING = "training"
    DONATION = "donation"
    NO_PAYMENT = "no_payment"
    # Issue 6: ways of being paid without a bank account, paid to someone else, and splits.
    PAYMENT_CARD = "payment_card"
    CHEQUE = "cheque"
    THIRD_PARTY = "third_party"  # paid to someone else on the person's behalf
    SPLIT = "split"  # a split by percentage: the parts are in reciprocity_choice_parts

    @property
    def is_money(self) -> bool:
        """Paid as money (so through a payment batch), whichever way it reaches the person."""
        return self in (Reciprocity.BANK_TRANSFER, Reciprocity.PAYMENT_CARD, Reciprocity.CHEQUE,
                        Reciprocity.THIRD_PARTY)


class ExpenseCategory(enum.StrEnum):
    TRAVEL = "travel"
    CARE = "care"  # care and childcare costs while taking part
    MEALS = "meals"
    COMMUNICATION = "communication"  # phone, data, printing
    OTHER = "other"
    MILEAGE = "mileage"  # miles in the person's own vehicle, repaid at HMRC's approved rate (remun/pay/mileage.py)
