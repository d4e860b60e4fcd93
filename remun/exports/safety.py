"""Nothing a person typed can run as a formula in a spreadsheet.

Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
what spreadsheets may read as a formula (OWASP, "CSV Injection"). In a
workbook such text is written as a string cell with the "quote prefix" flag,
so it shows exactly as typed and stays text even when someone edits the cell.
In CSV, which has no types, it is prefixed with a single quote. Numbers are
never touched: a credit of -5.00 is a number, not text.
"""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell

#: The characters that make a spreadsheet read text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Characters a workbook cannot hold (XML 1.0): removed. Tabs and line breaks stay.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: The most a spreadsheet cell holds.
MAX_CELL_TEXT = 32_767


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_STARTS)


def clean_text(text: str) -> str:
    """Text a workbook can hold: no control characters, no longer than a cell allows."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT]
    return text


def csv_text(text: str) -> str:
    """Text for a CSV field: prefixed with ' when it could run as a formula."""
    return "'" + text if is_dangerous(text) else text


def text_cell(worksheet, text: str, style: str | None = None) -> WriteOnlyCell:
    """A string cell that never becomes a formula, shown as typed (openpyxl would make "=…" one)."""
    cell = WriteOnlyCell(worksheet)
    if style:
        cell.style = style
    set_text(cell, text)
    return cell


def set_text(cell, text: str) -> None:
    """Put ``text`` in a cell as a string, with the quote prefix when it could be read as a formula."""
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = is_dangerous(text)


class TextGuard:
    """For openpyxl's write-only mode (the payment batch file): plain text as is; text that could be a
    formula in a guarded cell. (The finance workbook's XlsxWriter sheets guard every string they write.)

    One guarded cell per column is reused from row to row (openpyxl writes a
    cell as soon as its row is appended), so guarding costs nothing for the
    ordinary text that needs none.
    """

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self._cells: dict[int, WriteOnlyCell] = {}

    def __call__(self, column: int, value):
        if value is None or not isinstance(value, str):
            return value
        value = clean_text(value)
        if not value or not (value[0] in "=+-@\t\r"):
            return value
        cell = self._cells.get(column)
        if cell is None:
            cell = self._cells[column] = WriteOnlyCell(self.worksheet)
            cell.quotePrefix = True
        cell.value = value
        cell.data_type = "s"
        return cell


def is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)
