"""Every heading, label and note the exported files show, in one place.

Strings are marked with ``N_`` so Babel's extractor finds them (N_ is one of
its default keywords), and translated when a file is made, with the
``gettext`` of the export's context (flask_babel's in the app). Many are the
same English text as the pages use, so they share one translation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from remun.ledger.models import Account, ClaimKind, TransactionKind
from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.translation import N_


# --- Sheet names (31 characters at most, none of : \ / ? * [ ]) -------------------------------
SHEET_SUMMARY = N_("Summary")
SHEET_LEDGER = N_("Ledger")
SHEET_PAYMENTS_DUE = N_("Payments due")
SHEET_VOUCHERS = N_("Vouchers")
SHEET_TRAINING = N_("Training")
SHEET_DONATIONS = N_("Donations")
SHEET_EXPENSES = N_("Expenses")
SHEET_PARITY = N_("Parity")
SHEET_ABOUT = N_("About")
SHEET_BATCH = N_("Payments")

# --- Ledger (also the CSV's columns) ---------------------------------------------------------
LEDGER_COLUMNS = (
    N_("Date"),
    N_("Transaction"),
    N_("Project"),
    N_("Cost centre"),
    N_("Account"),
    N_("Person"),
    N_("Payee reference"),
    N_("Role"),
    N_("Kind"),
    N_("Description"),
    N_("Hours"),
    N_("Debit"),
    N_("Credit"),
    N_("Status"),
    N_("Batch"),
    N_("Currency"),
    N_("Project ID"),
    N_("Account code"),
)

# --- Summary -------------------------------------------------------------------------------
SUMMARY_COLUMNS = (
    N_("Project"),
    N_("Cost centre"),
    N_("Currency"),
    N_("Time"),
    N_("Expenses"),
    N_("Project cost"),
    N_("Paid as money"),
    N_("Vouchers"),
    N_("Training"),
    N_("Donations"),
    N_("Declined"),
    N_("Still owed"),
    N_("Postings"),
)
TOTAL_IN = N_("Total in %(currency)s")

# --- Payments due, and vouchers, training and donations to give ------------------------------
PAYMENTS_DUE_COLUMNS = (
    N_("Project"),
    N_("Cost centre"),
    N_("Payee"),
    N_("Payee reference"),
    N_("Claims"),
    N_("Amount"),
    N_("Currency"),
    N_("In payment batch"),
    N_("Approved since"),
    N_("Paid by"),
    N_("Pay to, or details"),
)
IN_KIND_COLUMNS = (
    N_("Project"),
    N_("Cost centre"),
    N_("Person"),
    N_("Payee reference"),
    N_("Given in the period"),
    N_("Still to give"),
    N_("Claims waiting"),
    N_("Currency"),
    N_("Details"),
)

# --- Expenses ------------------------------------------------------------------------------
EXPENSES_COLUMNS = (
    N_("Session date"),
    N_("Project"),
    N_("Cost centre"),
    N_("Session"),
    N_("Person"),
    N_("Payee reference"),
    N_("Category"),
    N_("Note"),
    N_("Amount"),
    N_("Currency"),
    N_("Claim"),
    N_("Approved on"),
    N_("Repaid"),
    N_("Miles"),
    N_("Vehicle"),
    N_("Rate a mile"),
)
VEHICLES = {"car": N_("Car or van"), "motorcycle": N_("Motorcycle"), "bicycle": N_("Bicycle")}

# --- Parity --------------------------------------------------------------------------------
PARITY_COLUMNS = (
    N_("Project"),
    N_("Equal role"),
    N_("Role"),
    N_("Kind"),
    N_("Paid by"),
    N_("Hours given per session"),
    N_("Pay per session"),
    N_("Pay per hour"),
    N_("Comparator pay per hour"),
    N_("Gap"),
    N_("Status"),
    N_("Below the Real Living Wage"),
    N_("Currency"),
    # From the ledger (issue 18): what is due, what was paid or given, and what was declined (apart).
    N_("Due"),
    N_("Paid or given"),
    N_("Hours paid or given"),
    N_("Paid or given per hour"),
    N_("Gap on what was paid or given"),
    N_("Declined"),
)
PARITY_BASIS = N_("How pay is compared")

# --- Tax year (issue 18) ---------------------------------------------------------------------
SHEET_TAX_YEAR = N_("Tax year")
TAX_YEAR_COLUMNS = (
    N_("Tax year"),
    N_("Payee"),
    N_("Paid"),
    N_("Vouchers"),
    N_("Training"),
    N_("Donations"),
    N_("Declined (not income)"),
    N_("Expenses repaid (not income)"),
    N_("Income in the tax year"),
    N_("Above the threshold"),
)
TAX_YEAR_NOTE = N_("Whole tax years (6 April to 5 April) by the date money was paid or given, for the projects "
                   "chosen. Marked: income above %(threshold)s (HMRC's trading allowance is £1,000). Declined "
                   "payments and expenses repaid are not income (docs/reciprocity.md).")
TAX_YEAR_NONE = N_("Nothing was paid or given in these dates.")
PARITY_CHART_TITLE = N_("Pay for each hour given, by role")
PARITY_CHART_AXIS = N_("Pay per hour")
PARITY_COMPARATOR = N_("Comparator")
PARITY_AT = N_("At parity")
PARITY_BELOW = N_("Below parity")
PARITY_NOT_COMPARED = N_("Not compared")
PARITY_NONE = N_("No equal roles to compare.")
PARITY_NO_RATES = N_("The parity report needs the rate cards, which were not loaded.")

# --- About ---------------------------------------------------------------------------------
ABOUT_TITLE = N_("Remun finance workbook")
ABOUT_WHAT = N_("What it holds")
ABOUT_WHAT_TEXT = N_(
    "Every ledger posting of the chosen projects in the date range (sheet Ledger), totals per project "
    "worked out by formulas over the Ledger sheet (Summary), what is waiting to be paid or given, "
    "expenses claims, and the pay parity report."
)
ABOUT_PROJECTS = N_("Projects")
ABOUT_ALL_PROJECTS = N_("All projects")
ABOUT_FROM = N_("From")
ABOUT_TO = N_("To")
ABOUT_NO_START = N_("The first entry")
ABOUT_NO_END = N_("The last entry")
ABOUT_MADE_AT = N_("Made at (UTC)")
ABOUT_MADE_BY = N_("Made by")
ABOUT_VERSION = N_("App version")
ABOUT_LOCALE = N_("Formats")
ABOUT_DATES_NOTE = N_("Dates")
ABOUT_DATES_TEXT = N_(
    "Ledger amounts are those posted in the date range, by the day each transaction counts in. "
    "Payments due and the amounts still to give are as at the time the workbook was made."
)
ABOUT_CONTROL = N_("Control totals")
ABOUT_RATES = N_("Published rates")
ABOUT_RATES_CURRENT = N_("Every rate card Remun uses has its newest figure.")
ABOUT_POSTINGS = N_("Postings")
ABOUT_DEBITS = N_("Debits in %(currency)s (from the database)")
ABOUT_CREDITS = N_("Credits in %(currency)s (from the database)")
ABOUT_SHEET_DEBITS = N_("Debits in the Ledger sheet")
ABOUT_SHEET_CREDITS = N_("Credits in the Ledger sheet")
ABOUT_DIFFERENCE = N_("Debits less credits (should be 0)")
ABOUT_SHEET_ROWS = N_("Rows in the Ledger sheet")
#: The ledger's head when the file was made, to compare with the checkpoints `remun verify` keeps.
LEDGER_CHECKPOINT = N_("Ledger checkpoint (newest transaction number and hash)")

# --- Payment batch file --------------------------------------------------------------------
BATCH_COLUMNS = (
    N_("Payee reference"),
    N_("Payee"),
    N_("Amount"),
    N_("Currency"),
    N_("Payment reference"),
    N_("Claims"),
    N_("Paid by"),
    N_("Pay to, or details"),
)
BATCH_REFERENCE = N_("Remun batch %(batch)s")
BATCH_TITLE = N_("Payment batch %(batch)s")
BATCH_PROJECT = N_("Project")
BATCH_CREATED = N_("Created at (UTC)")
BATCH_PAYEES = N_("Payees")
BATCH_TOTAL = N_("Total")
BATCH_TOTAL_CHECK = N_("Total of the Payments sheet")

# --- Workbook properties -------------------------------------------------------------------
PROPERTIES_TITLE = N_("Remun finance workbook")
PROPERTIES_SUBJECT = N_("Ledger postings, totals, payments due and pay parity")
PROPERTIES_BATCH_SUBJECT = N_("Payments to make")

# --- Values --------------------------------------------------------------------------------
YES = N_("Yes")
NO = N_("No")

ACCOUNTS = {
    Account.COST_TIME: N_("Project cost: time"),
    Account.COST_EXPENSES: N_("Project cost: expenses"),
    Account.OWED: N_("Owed to the person"),
    Account.BANK: N_("Paid as money"),
    Account.VOUCHERS: N_("Vouchers given"),
    Account.TRAINING: N_("Training given"),
    Account.DONATIONS: N_("Donations made"),
    Account.DECLINED: N_("Payment declined"),
    Account.DECLINED_OFFSET: N_("Payment declined (balancing entry)"),
}

#: How money reaches a payee (Payments due, and the payment batch file).
MONEY_METHODS = {
    Reciprocity.BANK_TRANSFER: N_("Bank transfer"),
    Reciprocity.PAYMENT_CARD: N_("Payment card"),
    Reciprocity.CHEQUE: N_("Cheque"),
    Reciprocity.THIRD_PARTY: N_("To someone else on their behalf"),
}

CLAIM_KINDS = {ClaimKind.TIME: N_("Time"), ClaimKind.EXPENSES: N_("Expenses")}

#: The Ledger's Status column: what the transaction did, or that it was later reversed.
STATUS_ACCRUAL = N_("Approved")
STATUS_SETTLEMENT = N_("Settled")
STATUS_DECLINED = N_("Declined")
STATUS_REVERSAL = N_("Reversal")
STATUS_REVERSED = N_("Reversed")

#: The accounts whose Ledger rows show the hours paid (time given, and time declined).
ACCOUNTS_WITH_HOURS = (Account.COST_TIME, Account.DECLINED)


class LedgerWords(NamedTuple):
    """The Ledger's words in the reader's language, made once per file (the workbook's sheet and the CSV)."""

    accounts: dict[Account, str]
    kinds: dict[ClaimKind, str]
    statuses: dict[TransactionKind, str]
    reversed: str


def ledger_words(t: Callable[[str], str]) -> LedgerWords:
    return LedgerWords(
        accounts={account: t(label) for account, label in ACCOUNTS.items()},
        kinds={kind: t(label) for kind, label in CLAIM_KINDS.items()},
        statuses={
            TransactionKind.ACCRUAL: t(STATUS_ACCRUAL), TransactionKind.SETTLEMENT: t(STATUS_SETTLEMENT),
            TransactionKind.DECLINED: t(STATUS_DECLINED), TransactionKind.REVERSAL: t(STATUS_REVERSAL),
        },
        reversed=t(STATUS_REVERSED),
    )

ROLE_KINDS = {
    RoleKind.LIVED_EXPERIENCE: N_("Lived experience"),
    RoleKind.CARER: N_("Carer"),
    RoleKind.CLINICAL: N_("Clinical"),
    RoleKind.PROFESSIONAL: N_("Professional"),
    RoleKind.OTHER: N_("Other"),
}

PAY_BASES = {
    PayBasis.HOUR: N_("hour"),
    PayBasis.SESSION: N_("session"),
    PayBasis.HALF_DAY: N_("half day"),
    PayBasis.DAY: N_("day"),
    PayBasis.SALARY: N_("salaried hour"),
}

EXPENSE_CATEGORIES = {
    ExpenseCategory.TRAVEL: N_("Travel"),
    ExpenseCategory.CARE: N_("Care or childcare"),
    ExpenseCategory.MEALS: N_("Meals"),
    ExpenseCategory.COMMUNICATION: N_("Phone, internet or printing"),
    ExpenseCategory.OTHER: N_("Something else"),
    ExpenseCategory.MILEAGE: N_("Mileage"),
}
