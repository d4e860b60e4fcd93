"""The finance workbook's writer: XlsxWriter in constant-memory mode, with Remun's styles, headings and page set-up.

Each sheet's rows go to its own temporary file as they are written, so a million postings take the
same memory as a hundred; rows must be written in order, which ``Sheet.append`` (a row counter)
makes the only way. Text is always written with ``write_string`` (never ``write``, which can turn
text into a formula, a number or a link), with the "quote prefix" flag when a spreadsheet could read
it as a formula (remun/exports/safety.py); formulas are written only from a ``Formula``, which only
Remun's own code makes. The payment batch file keeps its own small openpyxl writer
(remun/exports/batch_file.py), for its pinned bytes; both share the names, texts and formats here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, NamedTuple

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from remun.exports import headings as H
from remun.exports import queries
from remun.exports.context import ExportContext
from remun.exports.formats import Formats
from remun.exports.safety import clean_text, is_dangerous

HEADING_STYLE = "Remun heading"
TITLE_STYLE = "Remun title"
#: The styles as XlsxWriter formats (the batch file's openpyxl named styles look the same).
STYLES = {
    HEADING_STYLE: {"bold": True, "bg_color": "#DDE3EA", "text_wrap": True, "valign": "top",
                    "bottom": 1, "bottom_color": "#505A5F"},
    TITLE_STYLE: {"bold": True, "font_size": 14},
}
A4 = 9

_SHEET_NAME_FORBIDDEN = re.compile(r"[:\\/?*\[\]]")
_CURRENCY = re.compile(r"[^A-Z]")


@dataclass
class ExportResult:
    """What was written: for the command line's message and the control totals."""

    postings: int = 0
    totals: list[queries.ControlTotal] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def safe_currency(code: str | None) -> str:
    """A currency code fit to appear inside a formula (three capital letters)."""
    return _CURRENCY.sub("", (code or "GBP").upper())[:3] or "GBP"


def quote_sheetname(name: str) -> str:
    """A sheet's name as a formula refers to it: always quoted."""
    return "'" + name.replace("'", "''") + "'"


class Formula(str):
    """A formula Remun wrote (``=…``): the only text written as a formula."""


class Cell(NamedTuple):
    """A value with its number format and style (HEADING_STYLE or TITLE_STYLE)."""

    value: object
    number_format: str | None = None
    style: str | None = None


class Names:
    """What both workbooks share: translated texts and sheet names, and the locale's formats."""

    def __init__(self, context: ExportContext):
        self.context = context
        self.t = context.gettext
        self.formats = Formats(context.locale)
        self._used_titles: set[str] = set()

    def fill(self, message: str, **values) -> str:
        """A translated message with its placeholders filled; the English if a translation breaks them."""
        try:
            return self.t(message) % values
        except (KeyError, ValueError, TypeError):
            return message % values

    def title(self, message: str) -> str:
        """A translated sheet name that a spreadsheet accepts, unique in the workbook."""
        name = _SHEET_NAME_FORBIDDEN.sub(" ", self.t(message)).strip().strip("'")[:31].strip() or "Sheet"
        base, number = name, 2
        while name.lower() in self._used_titles:
            suffix = f" {number}"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        self._used_titles.add(name.lower())
        return name


class Book(Names):
    """The finance workbook, written to ``target`` (a path or a binary file) by ``close``."""

    def __init__(self, context: ExportContext, target: str | IO[bytes]):
        super().__init__(context)
        self.wb = xlsxwriter.Workbook(target if hasattr(target, "write") else str(target), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self._formats: dict[tuple, object] = {}
        self.sheets: list[Sheet] = []

    def format(self, number_format: str | None = None, style: str | None = None, quote: bool = False):
        """The workbook's format for a number format, a style and the quote prefix (made once)."""
        key = (number_format, style, quote)
        found = self._formats.get(key, False)
        if found is False:
            properties = dict(STYLES[style]) if style else {}
            if number_format:
                properties["num_format"] = number_format
            if quote:
                properties["quote_prefix"] = True
            found = self._formats[key] = self.wb.add_format(properties) if properties else None
        return found

    def sheet(self, message: str, columns: tuple[str, ...] | None, widths: tuple[int, ...],
              *, freeze: bool = True) -> Sheet:
        """A new sheet: A4 landscape, fitted to the page's width, heading row frozen and repeated on each page."""
        ws = self.wb.add_worksheet(self.title(message))
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        sheet = Sheet(self, ws)
        self.sheets.append(sheet)
        if columns:
            if freeze:
                ws.freeze_panes(1, 0)
            ws.repeat_rows(0)
            sheet.append([Cell(self.t(text), style=HEADING_STYLE) for text in columns])
        return sheet

    def value(self, value, number_format: str) -> Cell:
        return Cell(value, number_format)

    def money(self, value, currency: str) -> Cell:
        return Cell(value, self.formats.money(currency))

    def set_properties(self, title: str, subject: str, description: str, keywords: str,
                       when: dt.datetime, who: str) -> None:
        self.wb.set_properties({
            "title": clean_text(title), "subject": clean_text(subject), "comments": clean_text(description),
            "keywords": clean_text(keywords), "category": "Remun", "author": clean_text(who), "created": when,
        })
        self.wb.set_custom_property("Language", self.context.locale.replace("_", "-"))
        self.wb.set_custom_property("Remun version", self.context.app_version)

    def close(self) -> None:
        self.wb.close()


class Sheet:
    """One worksheet, written row after row: ``append`` is the only way rows are written."""

    def __init__(self, book: Book, ws):
        self.book, self.ws = book, ws
        self.title: str = ws.name
        #: Rows written so far (the last row's number, counting from 1).
        self.rows = 0

    def text(self, row: int, col: int, value: str, style: str | None = None) -> None:
        """Text as a string, never a formula; quote-prefixed when a spreadsheet could read it as one."""
        value = clean_text(value)
        if value or style:
            self.ws.write_string(row, col, value, self.book.format(None, style, is_dangerous(value)))

    def append(self, cells=()) -> int:
        """Write the next row (None leaves a cell empty); returns its number, counting from 1."""
        row = self.rows
        self.rows += 1
        for col, cell in enumerate(cells):
            if cell is None:
                continue
            if type(cell) is Cell:
                self.put(row, col, cell.value, cell.number_format, cell.style)
            else:
                self.put(row, col, cell)
        return self.rows

    def put(self, row: int, col: int, value, number_format: str | None = None, style: str | None = None) -> None:
        if value is None:
            return
        kind = type(value)
        if kind is Formula:
            self.ws.write_formula(row, col, value, self.book.format(number_format, style), "")
        elif isinstance(value, str):
            self.text(row, col, str(value), style)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(row, col, value,
                                   self.book.format(number_format or self.book.formats.date, style))
        elif isinstance(value, (int, float, Decimal)) and kind is not bool:
            self.ws.write_number(row, col, value, self.book.format(number_format, style))
        else:
            raise TypeError(f"no cell for {kind.__name__}")

    def auto_filter(self, columns: int, last_row: int) -> None:
        self.ws.autofilter(0, 0, max(last_row, 1) - 1, columns - 1)


def column_letter(column: int) -> str:
    """A column's letter, counting from 1."""
    return xl_col_to_name(column - 1)


def currency_totals(book: Book, sheet: Sheet, first: int, last: int, currency_column: str, money_columns: list[int],
                     width: int, label_column: int, currencies: list[str], count_columns: tuple[int, ...] = ()) -> None:
    """Below a table (after a blank row): one total row per currency, as SUMIFS formulas over the table."""
    sheet.append(())
    for currency in currencies:
        row: list = [None] * width
        row[label_column - 1] = Cell(book.fill(H.TOTAL_IN, currency=currency), style=HEADING_STYLE)
        row[ord(currency_column) - ord("A")] = currency
        for column in money_columns + list(count_columns):
            letter = column_letter(column)
            formula = Formula(f'=SUMIFS({letter}${first}:{letter}${max(last, first)},'
                              f'${currency_column}${first}:${currency_column}${max(last, first)},"{currency}")')
            row[column - 1] = formula if column in count_columns else book.money(formula, currency)
        sheet.append(row)
