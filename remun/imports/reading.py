"""Reading a workbook's data sheets as a stream: headings found, blank rows left out, rows counted for progress."""

from __future__ import annotations

import io
import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from openpyxl import __version__ as _OPENPYXL_VERSION
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from remun.imports import N_
from remun.imports import layout as L
from remun.imports.limits import measure_workbook
from remun.imports.problems import Problem, Problems
from remun.imports.cells import is_blank
from remun.imports.layout import heading_key
from remun.imports.results import ImportFailed

log = logging.getLogger(__name__)

#: progress(rows done, rows to do)
Progress = Callable[[int, int], None]


@dataclass
class Sheet:
    name: str
    #: canonical heading -> column index
    columns: dict[str, int]
    #: (row number as Excel shows it, the row's cells) for each row that is not blank
    rows: list[tuple[int, tuple]]


def open_workbook(source: str | os.PathLike | IO[bytes]):
    """The workbook opened to be read as a stream, and how many rows its data sheets hold."""
    if not isinstance(source, (str, os.PathLike)):
        seekable = getattr(source, "seekable", None)
        if not (callable(seekable) and seekable()):
            source = io.BytesIO(source.read())
    # Refused before parsing when it would unpack too large, or a sheet is too wide or long (issue 19).
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            problems, rows = measure_workbook(handle)
    else:
        problems, rows = measure_workbook(source)
    if problems:
        raise ImportFailed(problems)
    reader = _Reader(source, read_only=True, data_only=True)
    reader.read()
    return reader.wb, rows


_INLINE_STRING = f"{{{SHEET_MAIN_NS}}}is"
_TEXT = f"{{{SHEET_MAIN_NS}}}t"


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, reading a plain inline string (``<is><t>text</t></is>``) as its text directly.

    openpyxl builds a rich-text ``Text`` object for every inline string and then asks it for its text: a
    fifth of the CPU of reading a workbook written by openpyxl, which writes every text cell so (Excel
    writes shared strings, read as before).
    An inline string with runs or phonetic text, or anything else, is still read by openpyxl itself.
    """

    def parse_cell(self, element):
        inline = element.find(_INLINE_STRING) if element.get("t") == "inlineStr" and not self.rich_text else None
        if inline is None or len(inline) != 1 or inline[0].tag != _TEXT:
            return super().parse_cell(element)
        element.remove(inline)  # openpyxl then leaves the value empty (the rows are cleared once read)
        cell = super().parse_cell(element)
        if cell["data_type"] == "inlineStr":  # where openpyxl would have read the inline string
            cell["value"] = inline[0].text or ""  # Text(t=None).content is ""
            cell["data_type"] = "s"
        return cell


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not read its size when opened, and reads rows with ``_Parser``.

    openpyxl reads a sheet's XML up to its <dimension> element to learn its size, and all of it when there is
    none (as in files written by openpyxl's write-only mode): a third parse of every row. ``read_sheet`` never
    uses the size (it resets it: a file's size can lie), so it is not read.
    """

    def _get_size(self) -> None:
        pass

    def _cells_by_row(self, min_col, min_row, max_col, max_row, values_only=False):
        """openpyxl 3.1's ``ReadOnlyWorksheet._cells_by_row`` with ``_Parser`` for its parser (another
        version of openpyxl reads as it always does: its internals may differ)."""
        if not _OPENPYXL_VERSION.startswith("3.1."):
            yield from super()._cells_by_row(min_col, min_row, max_col, max_row, values_only)
            return
        filler = None if values_only else EMPTY_CELL
        max_col = max_col or self.max_column
        max_row = max_row or self.max_row
        empty_row = []
        if max_col is not None:
            empty_row = (filler,) * (max_col + 1 - min_col)
        counter = min_row
        idx = 1
        with self._get_source() as src:
            parser = _Parser(src, self._shared_strings, data_only=self.parent.data_only, epoch=self.parent.epoch,
                             date_formats=self.parent._date_formats,
                             timedelta_formats=self.parent._timedelta_formats)
            for idx, row in parser.parse():
                if max_row is not None and idx > max_row:
                    break
                for _ in range(counter, idx):  # rows missing from the file
                    counter += 1
                    yield empty_row
                if counter <= idx:
                    row = self._get_row(row, min_col, max_col, values_only)
                    counter += 1
                    yield row
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield empty_row


class _Reader(ExcelReader):
    """openpyxl's reader for ``load_workbook(read_only=True)``, with sheets that do not read their size."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def bad_file() -> ImportFailed:
    return ImportFailed(
        [
            Problem(
                None, None, None,
                N_("This file could not be read as an Excel workbook (.xlsx). Save it as an Excel "
                   "workbook and upload it again, or start from the blank workbook."),
            )
        ]
    )


class Reading:
    """Counts the rows read, telling ``progress`` (rows read, rows to read) every ``EVERY`` rows."""

    EVERY = 500

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.done = 0
        self.total = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % self.EVERY == 0:
            self.progress(min(self.done, self.total), self.total)

    def finished(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def read_workbook(source, progress: Progress | None = None) -> dict[str, Sheet]:
    """Every data sheet's headings and non-blank rows; raises ImportFailed for a bad file or layout."""
    reading = Reading(progress)
    problems: list[Problem] = Problems()
    sheets: dict[str, Sheet] = {}
    try:
        with warnings.catch_warnings():
            # Files from other programs make openpyxl warn (styles, extensions); they still read.
            warnings.simplefilter("ignore")
            book, reading.total = open_workbook(source)
            try:
                by_key = {heading_key(name): name for name in book.sheetnames}
                for sheet_name in L.DATA_SHEETS:
                    actual = by_key.get(heading_key(sheet_name))
                    if actual is None:
                        problems.append(
                            Problem(sheet_name, None, None,
                                    N_("The workbook has no sheet called '%(sheet)s'. Add it, or start "
                                       "from the blank workbook."),
                                    {"sheet": sheet_name})
                        )
                        continue
                    sheet = read_sheet(book[actual], sheet_name, problems, reading.tick)
                    if sheet is not None:
                        sheets[sheet_name] = sheet
            finally:
                book.close()
    except ImportFailed:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error for a file it cannot read
        log.info("workbook could not be read: %r", exc)
        raise bad_file() from exc
    if problems:
        raise ImportFailed(problems)
    reading.finished()
    return sheets


def read_sheet(worksheet, sheet_name: str, problems: list[Problem], tick: Callable[[], None]) -> Sheet | None:
    worksheet.reset_dimensions()  # do not trust the size the file claims
    rows = worksheet.iter_rows(values_only=True)
    heading_row = 0
    headings: tuple = ()
    for number, cells in enumerate(rows, start=1):
        tick()
        if any(not is_blank(cell) for cell in cells):
            heading_row, headings = number, cells
            break
    wanted = {heading_key(name): name for name in L.COLUMNS[sheet_name] + L.OPTIONAL_COLUMNS[sheet_name]}
    columns: dict[str, int] = {}
    ok = True
    for index, cell in enumerate(headings):
        if not isinstance(cell, str):
            continue
        name = wanted.get(heading_key(cell))
        if name is None:
            continue  # other columns are allowed and ignored
        if name in columns:
            problems.append(
                Problem(sheet_name, heading_row, name,
                        N_("There are two columns called '%(column)s'. Keep only one."), {"column": name})
            )
            ok = False
        columns[name] = index
    for name in L.COLUMNS[sheet_name]:
        if name not in columns:
            problems.append(
                Problem(sheet_name, heading_row or 1, name,
                        N_("The column '%(column)s' is missing. Add it to the first row of the sheet."),
                        {"column": name})
            )
            ok = False
    if not ok:
        return None
    known = sorted(columns.values())
    data: list[tuple[int, tuple]] = []
    for number, cells in enumerate(rows, start=heading_row + 1):
        tick()
        # A row is blank when every known column is blank (notes in other columns do not count).
        for index in known:
            if index < len(cells) and not is_blank(cells[index]):
                data.append((number, cells))
                break
    return Sheet(sheet_name, columns, data)
