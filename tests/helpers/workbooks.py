"""Project workbooks to import: a good one to change cell by cell, and the blank template."""

from __future__ import annotations

import copy
import datetime as dt
import io

from openpyxl import Workbook

from remun.imports.template import write_template


FIRST_DAY = dt.date(2025, 4, 1)
PROJECT_NAME = "Riverside co-production panel"
ROLE_HEADINGS = ["Role", "Equal role group", "Kind", "Pay basis", "Rate", "Rate card", "Session hours",
                 "Prep hours", "Prep paid", "Travel hours", "Travel paid"]
PEOPLE_HEADINGS = ["Name", "Role", "Start", "End", "Email", "Language", "Payee reference", "Reciprocity"]
SESSION_HEADINGS = ["Date", "Title", "Hours"]
ATTENDANCE_HEADINGS = ["Date", "Session", "Name", "Hours", "Prep hours", "Travel hours", "Expenses",
                       "Expense category", "Expense note"]


def good_sheets() -> dict[str, list[list]]:
    """A small, valid project. Row n of a sheet (as Excel numbers it) is rows[n - 1]."""
    return copy.deepcopy({
        "Project": [
            ["Field", "Value"],
            ["Name", PROJECT_NAME],
            ["Cost centre", "CC-101"],
            ["Currency", "GBP"],
            ["Start", FIRST_DAY],
            ["End", dt.date(2026, 3, 31)],
        ],
        "Roles": [
            ROLE_HEADINGS,
            ["Lived experience co-chair", "Co-chairs", "Lived experience", "Session", 90, None, 3, 2, "No", 1, "No"],
            ["Clinical co-chair", "Co-chairs", "Clinical", "Salary", None, "nhs-scotland-afc/band-7-entry", 3, 2,
             "Yes", 0, "No"],
            ["Panel member", None, "Carer", "Hour", "£18.50", None, 2.5, 1, "Yes", 1, "Yes"],
        ],
        "People": [
            PEOPLE_HEADINGS,
            ["Alex Morgan", "Lived experience co-chair", FIRST_DAY, None, "alex@example.org", "en", "P-001",
             "Bank transfer"],
            ["Sam Lee", "Clinical co-chair", "01/04/2025", None, "Sam.Lee@Example.org", None, None, None],
            ["Jo Bloggs", "Panel member", "2025-04-01", "2025-06-30", None, "gd", None, "Vouchers"],
            ["Jo Bloggs", "Lived experience co-chair", "2025-07-01", None, None, None, None, None],
        ],
        "Sessions": [
            SESSION_HEADINGS,
            [dt.date(2025, 5, 14), "Panel meeting", 3],
            [dt.date(2025, 7, 9), "Panel meeting", 2.5],
        ],
        "Attendance": [
            ATTENDANCE_HEADINGS,
            [dt.date(2025, 5, 14), "Panel meeting", "Alex Morgan", None, 2, 1, 12.4, "Travel", "Bus fare"],
            [dt.date(2025, 5, 14), "Panel meeting", "Sam Lee", 3, 2, None, None, None, None],
            ["14/05/2025", "panel meeting", "Jo Bloggs", 2.5, None, None, "£7.50", "care", "Childcare"],
            [dt.date(2025, 7, 9), "Panel meeting", "Jo Bloggs", None, 1, 0.5, None, None, None],
            [dt.date(2025, 7, 9), "Panel meeting", "Alex Morgan", None, 2, 1, None, None, None],
        ],
    })


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def set_cell(sheets: dict, sheet: str, row: int, column: str, value) -> None:
    """Set a cell by its Excel row number and column heading (the row is added if needed)."""
    rows = sheets[sheet]
    index = rows[0].index(column)
    while len(rows) < row:
        rows.append([None] * len(rows[0]))
    cells = rows[row - 1]
    cells.extend([None] * (index + 1 - len(cells)))
    cells[index] = value


def template_bytes() -> bytes:
    buffer = io.BytesIO()
    write_template(buffer)
    return buffer.getvalue()
