"""The finance workbook's writer: a write-only openpyxl workbook with Remun's styles, headings and page set-up.

Shared by the finance workbook (remun/exports/finance_workbook.py) and the payment batch file (remun/exports/batch_file.py).
Styled cells are made once per column and reused for every row: openpyxl writes a cell as soon as its row is
appended, and building style objects per cell is what makes naive exports slow (bench/export_bench.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.worksheet import Worksheet

from remun.exports import headings as H
from remun.exports import queries
from remun.exports.context import ExportContext
from remun.exports.formats import Formats
from remun.exports.safety import clean_text, text_cell

HEADING_STYLE = "Remun heading"
TITLE_STYLE = "Remun title"


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


class Book:
    """A write-only workbook with Remun's styles, headings and page set-up."""

    def __init__(self, context: ExportContext, *, write_only: bool = True):
        self.context = context
        self.t = context.gettext
        self.formats = Formats(context.locale)
        self.wb = Workbook(write_only=write_only)
        self.wb.calculation = CalcProperties(fullCalcOnLoad=True)
        heading = NamedStyle(name=HEADING_STYLE)
        heading.font = Font(bold=True)
        heading.fill = PatternFill("solid", fgColor="DDE3EA")
        heading.alignment = Alignment(wrap_text=True, vertical="top")
        heading.border = Border(bottom=Side(style="thin", color="505A5F"))
        title = NamedStyle(name=TITLE_STYLE)
        title.font = Font(bold=True, size=14)
        self.wb.add_named_style(heading)
        self.wb.add_named_style(title)
        self._used_titles: set[str] = set()

    def fill(self, message: str, **values) -> str:
        """A translated message with its placeholders filled; the English if a translation breaks them."""
        try:
            return self.t(message) % values
        except (KeyError, ValueError, TypeError):
            return message % values

    def title(self, message: str) -> str:
        """A translated sheet name that a spreadsheet accepts, unique in the workbook."""
        name = _SHEET_NAME_FORBIDDEN.sub(" ", self.t(message)).strip()[:31] or "Sheet"
        base, number = name, 2
        while name.lower() in self._used_titles:
            suffix = f" {number}"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        self._used_titles.add(name.lower())
        return name

    def sheet(self, message: str, columns: tuple[str, ...] | None, widths: tuple[int, ...],
              *, freeze: bool = True):
        """A new sheet: A4 landscape, fitted to the page's width, heading row frozen and repeated on each page."""
        ws = self.wb.create_sheet(self.title(message))
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if columns:
            if freeze:
                ws.freeze_panes = "A2"
            ws.print_title_rows = "1:1"
            ws.append([self.heading(ws, text) for text in columns])
        return ws

    def heading(self, ws, message: str) -> WriteOnlyCell:
        return text_cell(ws, self.t(message), HEADING_STYLE)

    def styled(self, ws, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws)
        cell.number_format = number_format
        return cell

    def value(self, ws, value, number_format: str) -> WriteOnlyCell:
        cell = self.styled(ws, number_format)
        cell.value = value
        return cell

    def money(self, ws, value, currency: str) -> WriteOnlyCell:
        return self.value(ws, value, self.formats.money(currency))

    def set_properties(self, title: str, subject: str, description: str, keywords: str,
                       when: dt.datetime, who: str) -> None:
        props = self.wb.properties
        props.title = clean_text(title)
        props.subject = clean_text(subject)
        props.description = clean_text(description)
        props.keywords = clean_text(keywords)
        props.category = "Remun"
        props.creator = clean_text(who)
        props.lastModifiedBy = clean_text(who)
        props.created = when
        props.modified = when
        props.language = self.context.locale.replace("_", "-")
        props.identifier = None
        props.version = self.context.app_version


class CurrencyCells:
    """Money cells, one per column and currency, reused row after row."""

    def __init__(self, book: Book, ws, columns: int):
        self.book, self.ws, self.columns = book, ws, columns
        self._cells: dict[str, list[WriteOnlyCell]] = {}

    def __call__(self, currency: str) -> list[WriteOnlyCell]:
        cells = self._cells.get(currency)
        if cells is None:
            money = self.book.formats.money(currency)
            cells = self._cells[currency] = [self.book.styled(self.ws, money) for _ in range(self.columns)]
        return cells


def auto_filter(ws, columns: int, last_row: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"


def currency_totals(book: Book, ws, first: int, last: int, currency_column: str, money_columns: list[int],
                     width: int, label_column: int, currencies: list[str], count_columns: tuple[int, ...] = ()) -> None:
    """Below a table (after a blank row): one total row per currency, as SUMIFS formulas over the table."""
    ws.append([])
    for currency in currencies:
        row: list = [None] * width
        row[label_column - 1] = text_cell(ws, book.fill(H.TOTAL_IN, currency=currency), HEADING_STYLE)
        row[ord(currency_column) - ord("A")] = currency
        for column in money_columns + list(count_columns):
            letter = get_column_letter(column)
            formula = (f'=SUMIFS({letter}${first}:{letter}${max(last, first)},'
                       f'${currency_column}${first}:${currency_column}${max(last, first)},"{currency}")')
            if column in count_columns:
                row[column - 1] = formula
            else:
                row[column - 1] = book.money(ws, formula, currency)
        ws.append(row)
