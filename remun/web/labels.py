"""Plain-English names for Remun's fixed choices, translated for each reader."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.ledger.models import Account

KIND_LABELS = {
    RoleKind.LIVED_EXPERIENCE: _l("Lived experience"),
    RoleKind.CARER: _l("Carer"),
    RoleKind.CLINICAL: _l("Clinical"),
    RoleKind.PROFESSIONAL: _l("Professional"),
    RoleKind.OTHER: _l("Other"),
}

BASIS_LABELS = {
    PayBasis.HOUR: _l("By the hour"),
    PayBasis.SESSION: _l("A fee for each session"),
    PayBasis.HALF_DAY: _l("A fee for each half day"),
    PayBasis.DAY: _l("A fee for each day"),
    PayBasis.SALARY: _l("Salary (paid by their employer for every hour they give)"),
}

#: Short forms for tables.
BASIS_SHORT = {
    PayBasis.HOUR: _l("hour"),
    PayBasis.SESSION: _l("session"),
    PayBasis.HALF_DAY: _l("half day"),
    PayBasis.DAY: _l("day"),
    PayBasis.SALARY: _l("salaried hour"),
}

#: A rate and what it is for, in words that fit each basis ("£27.50 an hour", "£90.00 a session").
RATE_PER = {
    PayBasis.HOUR: _l("%(rate)s an hour"),
    PayBasis.SESSION: _l("%(rate)s a session"),
    PayBasis.HALF_DAY: _l("%(rate)s a half day"),
    PayBasis.DAY: _l("%(rate)s a day"),
    PayBasis.SALARY: _l("%(rate)s an hour, as salary"),
}

RECIPROCITY_LABELS = {
    Reciprocity.NOT_CHOSEN: _l("Not chosen yet"),
    Reciprocity.BANK_TRANSFER: _l("Payment by bank transfer"),
    Reciprocity.VOUCHERS: _l("Vouchers"),
    Reciprocity.TRAINING: _l("Training of the same value"),
    Reciprocity.DONATION: _l("A donation to a charity"),
    Reciprocity.NO_PAYMENT: _l("No payment"),
    Reciprocity.PAYMENT_CARD: _l("Payment onto a payment card"),
    Reciprocity.CHEQUE: _l("Payment by cheque"),
    Reciprocity.THIRD_PARTY: _l("Payment to someone else on their behalf"),
    Reciprocity.SPLIT: _l("A split of these"),
}

#: Vehicles for mileage (remun/pay/mileage.py).
VEHICLE_LABELS = {"car": _l("Car or van"), "motorcycle": _l("Motorcycle"), "bicycle": _l("Bicycle")}

#: The same choices as the person themselves reads them ("on my behalf", not "on their behalf").
OWN_RECIPROCITY_LABELS = {
    **RECIPROCITY_LABELS,
    Reciprocity.THIRD_PARTY: _l("Payment to someone else on my behalf"),
}

#: How money reaches a payee, for a batch's "Paid by" column (the same words as the payment file).
PAID_BY_LABELS = {
    Reciprocity.BANK_TRANSFER: _l("Bank transfer"),
    Reciprocity.PAYMENT_CARD: _l("Payment card"),
    Reciprocity.CHEQUE: _l("Cheque"),
    Reciprocity.THIRD_PARTY: _l("To someone else"),
}

EXPENSE_LABELS = {
    ExpenseCategory.TRAVEL: _l("Travel"),
    ExpenseCategory.CARE: _l("Care or childcare"),
    ExpenseCategory.MEALS: _l("Meals"),
    ExpenseCategory.COMMUNICATION: _l("Phone, internet or printing"),
    ExpenseCategory.OTHER: _l("Something else"),
    ExpenseCategory.MILEAGE: _l("Mileage"),
}


ACCOUNT_LABELS = {
    Account.COST_TIME: _l("Project cost: time"),
    Account.COST_EXPENSES: _l("Project cost: expenses"),
    Account.OWED: _l("Owed to the person"),
    Account.BANK: _l("Paid as money"),
    Account.VOUCHERS: _l("Vouchers given"),
    Account.TRAINING: _l("Training given"),
    Account.DONATIONS: _l("Donations made"),
    Account.DECLINED: _l("Payment declined"),
    Account.DECLINED_OFFSET: _l("Payment declined (balancing entry)"),
}


def register(app) -> None:
    app.jinja_env.globals.update(
        KIND_LABELS=KIND_LABELS,
        BASIS_LABELS=BASIS_LABELS,
        BASIS_SHORT=BASIS_SHORT,
        RECIPROCITY_LABELS=RECIPROCITY_LABELS,
        PAID_BY_LABELS=PAID_BY_LABELS,
        RATE_PER=RATE_PER,
        OWN_RECIPROCITY_LABELS=OWN_RECIPROCITY_LABELS,
        EXPENSE_LABELS=EXPENSE_LABELS,
        ACCOUNT_LABELS=ACCOUNT_LABELS,
    )
