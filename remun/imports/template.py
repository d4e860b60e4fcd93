"""The blank workbook people fill in to set up a project.

The data sheets have their headings only (and, on the Project sheet, the names
of the fields), so the blank workbook holds no made-up records. Examples are on
the Instructions sheet, which the import does not read.
"""

from __future__ import annotations

import os
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from remun.imports import layout as L

LAST_ROW = 5000  # drop-down lists cover this many rows
HEADING_FILL = PatternFill("solid", fgColor="DDE5EE")
BOLD = Font(bold=True)

#: Column widths (in characters); others get a width from their heading.
WIDTHS = {
    L.FIELD: 16, L.VALUE: 40, L.ROLE: 30, L.GROUP: 26, L.KIND: 18, L.BASIS: 12, L.RATE: 10,
    L.RATE_CARD: 32, L.NAME: 26, L.START: 12, L.END: 12, L.EMAIL: 30, L.LANGUAGE: 10,
    L.PAYEE_REFERENCE: 18, L.RECIPROCITY: 16, L.DATE: 12, L.TITLE: 36, L.SESSION: 36,
    L.EXPENSES: 10, L.EXPENSE_CATEGORY: 18, L.EXPENSE_NOTE: 36,
}

#: Drop-down lists: (sheet, column) -> (choices, what the list is, shown when something else is typed).
DROP_DOWNS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    (L.ROLES, L.KIND): (tuple(L.KIND_CHOICES), "Kind of role"),
    (L.ROLES, L.BASIS): (tuple(L.BASIS_CHOICES), "Pay basis"),
    (L.ROLES, L.PREP_PAID): (tuple(L.YES_NO_CHOICES), "Is preparation paid?"),
    (L.ROLES, L.TRAVEL_PAID): (tuple(L.YES_NO_CHOICES), "Is travel time paid?"),
    (L.PEOPLE, L.LANGUAGE): (L.LANGUAGES, "Language"),
    (L.PEOPLE, L.RECIPROCITY): (tuple(L.RECIPROCITY_CHOICES), "How they are paid or thanked"),
    (L.ATTENDANCE, L.EXPENSE_CATEGORY): (tuple(L.EXPENSE_CHOICES), "What the expenses were for"),
}

INSTRUCTIONS: list[tuple[str, str] | str] = [
    ("title", "How to fill in this workbook"),
    "Fill in one sheet for each part of your project. Then upload the workbook to Remun.",
    "Do not rename the sheets or the headings in the first row. "
    "You can add columns of your own: Remun leaves them alone.",
    "If something needs fixing, Remun imports nothing and lists every problem, with the sheet, row and column.",
    "You can upload the workbook again after changes. Remun updates what changed and does not make copies.",
    "Write dates like 2025-03-31 or 31/03/2025. Write money like 12.50 or £12.50.",
    ("heading", "Project"),
    "One value on each row. Name is needed. The others can be blank.",
    "Currency is a three-letter code such as GBP. Leave it blank for pounds.",
    "Location is London or Rest of the UK: a London project is compared with the London Living Wage. "
    "Leave it blank for the rest of the UK.",
    ("example", "Field: Name | Value: Community mental health panel"),
    ("example", "Field: Start | Value: 2025-04-01"),
    ("heading", "Roles"),
    "One row for each role in the project, such as a lived-experience co-chair or a clinical co-chair.",
    "Equal role group: roles that do the same job and should be paid the same. Give them the same group name. "
    "Remun checks that the people in them are paid the same for each hour they give.",
    "Kind: Lived experience, Carer, Clinical, Professional or Other.",
    "Pay basis: Hour, Session, Half day, Day or Salary. "
    "Salary means their employer pays them for every hour they give.",
    "Give the Rate (the amount for each hour, session, half day or day), or a Rate card, not both.",
    "A Rate card is a published rate, such as nhs-scotland-afc/band-7-entry. The Rates page in Remun lists them.",
    "Session hours: how long a usual session is. Prep hours and Travel hours: the time people usually spend "
    "getting ready and travelling. Prep paid and Travel paid: Yes or No.",
    "If you change a rate later, the new rate starts today. Sessions before today keep the old rate. "
    "To choose another start date, add a column called Terms from.",
    ("example", "Role: Lived experience co-chair | Equal role group: Co-chairs | Kind: Lived experience | "
                "Pay basis: Session | Rate: 90 | Session hours: 3 | Prep hours: 2 | Prep paid: No"),
    ("example", "Role: Clinical co-chair | Equal role group: Co-chairs | Kind: Clinical | Pay basis: Salary | "
                "Rate card: nhs-scotland-afc/band-7-entry | Session hours: 3 | Prep hours: 2 | Prep paid: Yes"),
    ("heading", "People"),
    "One row for each person in each role. Someone with two roles has two rows.",
    "Role must be a role from the Roles sheet. Start and End are when they had the role. "
    "Leave End blank if they still have it.",
    "Email is optional, but it helps Remun find the same person next time.",
    "Language: en (English), gd (Gaelic) or pl (Polish). Blank means English.",
    "Payee reference: the number your finance team uses to pay them, if they have one.",
    "Reciprocity: how they want to be paid or thanked. Blank means they have not chosen yet.",
    ("example", "Name: Alex Morgan | Role: Lived experience co-chair | Start: 2025-04-01 | "
                "Email: alex@example.org | Reciprocity: Bank transfer"),
    ("heading", "Sessions"),
    "One row for each meeting, workshop or panel: its date, its title and how many hours it lasted.",
    ("example", "Date: 2025-05-14 | Title: Panel meeting | Hours: 3"),
    ("heading", "Attendance"),
    "One row for each person at each session. Date and Session must match a row on the Sessions sheet. "
    "Name must match the People sheet.",
    "Leave Hours blank if they stayed for the whole session. Prep hours and Travel hours: blank means none.",
    "Expenses: money they spent to take part. If you give an amount, say what it was for in Expense category: "
    "Travel, Care, Meals, Communication or Other.",
    "Miles and Vehicle (optional columns: add them after Expense note if you need them): miles in their own "
    "Car, Motorcycle or Bicycle. Remun pays the HMRC rate a mile on the session's date, counting each person's "
    "miles across the tax year for the lower car rate after 10,000 miles.",
    ("example", "Date: 2025-05-14 | Session: Panel meeting | Name: Alex Morgan | Prep hours: 2 | "
                "Travel hours: 1 | Expenses: 12.40 | Expense category: Travel | Expense note: Bus fare"),
]


def write_template(target: str | os.PathLike | IO[bytes]) -> None:
    """Write the blank workbook to a path or a binary stream."""
    book = Workbook()
    _instructions(book.active)
    for sheet_name in L.DATA_SHEETS:
        _data_sheet(book.create_sheet(sheet_name), sheet_name)
    book.active = 0
    book.save(target)


def _instructions(sheet: Worksheet) -> None:
    sheet.title = L.INSTRUCTIONS
    sheet.column_dimensions["A"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, item in enumerate(INSTRUCTIONS, start=1):
        style, text = item if isinstance(item, tuple) else ("text", item)
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = wrap
        if style == "title":
            cell.font = Font(bold=True, size=16)
        elif style == "heading":
            cell.font = Font(bold=True, size=13)
        elif style == "example":
            cell.value = f"Example: {text}"
            cell.font = Font(italic=True, color="505A5F")


def _data_sheet(sheet: Worksheet, sheet_name: str) -> None:
    columns = L.COLUMNS[sheet_name]
    for index, heading in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=heading)
        cell.font = BOLD
        cell.fill = HEADING_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(heading, max(12, len(heading) + 4))
        drop_down = DROP_DOWNS.get((sheet_name, heading))
        if drop_down is not None:
            choices, prompt_title = drop_down
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=prompt_title,
                error="Choose one of: " + ", ".join(choices),
                showInputMessage=True,
                promptTitle=prompt_title,
                prompt="Choose from the list",
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    if sheet_name == L.PROJECT:
        for row, field_name in enumerate(L.PROJECT_FIELDS, start=2):
            sheet.cell(row=row, column=1, value=field_name).font = BOLD
