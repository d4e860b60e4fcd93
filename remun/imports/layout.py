"""The workbook's sheets, column headings and fixed choices, shared by the
template and the import so the two can never disagree."""

from __future__ import annotations

from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind

INSTRUCTIONS = "Instructions"
PROJECT = "Project"
ROLES = "Roles"
PEOPLE = "People"
SESSIONS = "Sessions"
ATTENDANCE = "Attendance"

#: The sheets the import reads, in the order it reads them.
DATA_SHEETS = (PROJECT, ROLES, PEOPLE, SESSIONS, ATTENDANCE)

# Project sheet: two columns, one row per field.
FIELD = "Field"
VALUE = "Value"
PROJECT_NAME = "Name"
COST_CENTRE = "Cost centre"
CURRENCY = "Currency"
START = "Start"
END = "End"
LOCATION = "Location"  # optional: London, or the rest of the UK (which Real Living Wage applies)
PROJECT_FIELDS = (PROJECT_NAME, COST_CENTRE, CURRENCY, START, END, LOCATION)

# Roles
ROLE = "Role"
GROUP = "Equal role group"
KIND = "Kind"
BASIS = "Pay basis"
RATE = "Rate"
RATE_CARD = "Rate card"
SESSION_HOURS = "Session hours"
PREP_HOURS = "Prep hours"
PREP_PAID = "Prep paid"
TRAVEL_HOURS = "Travel hours"
TRAVEL_PAID = "Travel paid"
TERMS_FROM = "Terms from"  # optional: when these pay terms start

# People
NAME = "Name"
EMAIL = "Email"
LANGUAGE = "Language"
PAYEE_REFERENCE = "Payee reference"
RECIPROCITY = "Reciprocity"

# Sessions
DATE = "Date"
TITLE = "Title"
HOURS = "Hours"

# Attendance
SESSION = "Session"
EXPENSES = "Expenses"
EXPENSE_CATEGORY = "Expense category"
EXPENSE_NOTE = "Expense note"
MILES = "Miles"  # optional: miles in the person's own vehicle, repaid at HMRC's rate
VEHICLE = "Vehicle"  # optional: Car, Motorcycle or Bicycle (needed with Miles)

#: Every sheet's columns, in template order. All of them must be in the workbook.
COLUMNS: dict[str, tuple[str, ...]] = {
    PROJECT: (FIELD, VALUE),
    ROLES: (ROLE, GROUP, KIND, BASIS, RATE, RATE_CARD, SESSION_HOURS, PREP_HOURS, PREP_PAID,
            TRAVEL_HOURS, TRAVEL_PAID),
    PEOPLE: (NAME, ROLE, START, END, EMAIL, LANGUAGE, PAYEE_REFERENCE, RECIPROCITY),
    SESSIONS: (DATE, TITLE, HOURS),
    ATTENDANCE: (DATE, SESSION, NAME, HOURS, PREP_HOURS, TRAVEL_HOURS, EXPENSES, EXPENSE_CATEGORY,
                 EXPENSE_NOTE),
}

#: Columns the import reads when they are there, but does not need.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    PROJECT: (),
    ROLES: (TERMS_FROM,),
    PEOPLE: (),
    SESSIONS: (),
    ATTENDANCE: (MILES, VEHICLE),
}

# The words people type (and pick from the drop-downs) for each fixed choice.
KIND_CHOICES: dict[str, RoleKind] = {
    "Lived experience": RoleKind.LIVED_EXPERIENCE,
    "Carer": RoleKind.CARER,
    "Clinical": RoleKind.CLINICAL,
    "Professional": RoleKind.PROFESSIONAL,
    "Other": RoleKind.OTHER,
}
BASIS_CHOICES: dict[str, PayBasis] = {
    "Hour": PayBasis.HOUR,
    "Session": PayBasis.SESSION,
    "Half day": PayBasis.HALF_DAY,
    "Day": PayBasis.DAY,
    "Salary": PayBasis.SALARY,
}
RECIPROCITY_CHOICES: dict[str, Reciprocity] = {
    "Not chosen yet": Reciprocity.NOT_CHOSEN,
    "Bank transfer": Reciprocity.BANK_TRANSFER,
    "Vouchers": Reciprocity.VOUCHERS,
    "Training": Reciprocity.TRAINING,
    "Donation": Reciprocity.DONATION,
    "No payment": Reciprocity.NO_PAYMENT,
}
VEHICLE_CHOICES: dict[str, str] = {"Car": "car", "Motorcycle": "motorcycle", "Bicycle": "bicycle"}
LOCATION_CHOICES: dict[str, str] = {"London": "london", "Rest of the UK": "rest_of_uk"}

EXPENSE_CHOICES: dict[str, ExpenseCategory] = {
    "Travel": ExpenseCategory.TRAVEL,
    "Care": ExpenseCategory.CARE,
    "Meals": ExpenseCategory.MEALS,
    "Communication": ExpenseCategory.COMMUNICATION,
    "Other": ExpenseCategory.OTHER,
}
YES_NO_CHOICES: dict[str, bool] = {"Yes": True, "No": False}
LANGUAGES = ("en", "gd", "pl")

#: Which label to show for a pay basis (the reverse of the choices above).
BASIS_LABEL = {basis: label for label, basis in BASIS_CHOICES.items()}


def heading_key(text: str) -> str:
    """How headings, sheet names and choices are compared: case and spacing do not matter."""
    return " ".join(text.split()).casefold()
