"""Bounds on an uploaded workbook, checked before openpyxl reads it (issue 19).

An .xlsx file is a zip of XML parts: a small upload can unpack to hundreds of
megabytes (openpyxl holds every shared string in memory), and one cell in
column XFD makes every row of a sheet 16,384 cells wide. So before anything is
parsed, ``check_workbook`` refuses, with a plain message:

- a file whose parts unpack to more than ``MAX_UNPACKED_BYTES`` in all, or whose
  shared strings unpack to more than ``MAX_SHARED_STRINGS_BYTES`` (both read from the
  zip's directory: reading a part never yields more than the size it declares);
- a data sheet with anything beyond the template's columns and a few spare ones
  for notes, or more than ``MAX_ROWS`` rows (its XML is read as a stream, one
  element at a time, so this check takes the same memory for any sheet);
- more than ``MAX_ROWS`` rows on the data sheets together: the importer holds every row
  until it has checked them all (nothing is written unless all are right), so the rows
  in all, not each sheet's, decide its memory (under 100 MB at this limit with every
  cell filled: bench/upload_bench.py's "full-rows").
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import IO

from lxml import etree

from remun.imports import N_
from remun.imports import layout as L

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 10 * 1024 * 1024  # openpyxl holds about five times the XML in memory (bench/upload_bench.py)
MAX_ROWS = 100_000
#: Columns after the template's that may hold notes (ignored by the import).
SPARE_COLUMNS = 10

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CELL_REF = re.compile(r"([A-Z]+)")


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def allowed_columns(sheet_name: str) -> int:
    return len(L.COLUMNS[sheet_name]) + len(L.OPTIONAL_COLUMNS[sheet_name]) + SPARE_COLUMNS


def _megabytes(size: int) -> int:
    return round(size / (1024 * 1024))


def check_workbook(source: IO[bytes]) -> list:
    """Problems (remun.imports.problems.Problem) that stop the file being read at all; [] when within bounds.

    ``source`` must be seekable; it is left at its start. Raises zipfile.BadZipFile for a file that is not a zip.
    """
    return measure_workbook(source)[0]


def measure_workbook(source: IO[bytes]) -> tuple[list, int]:
    """``check_workbook``'s problems, and how many rows the data sheets hold (read as a stream, as it checks)."""
    from remun.imports.problems import Problem
    from remun.imports.layout import heading_key

    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > MAX_UNPACKED_BYTES:
                return [Problem(None, None, None,
                                N_("This workbook unpacks to %(size)s MB, more than the %(limit)s MB Remun can read "
                                   "at once. Split it into smaller workbooks (for example one per project or "
                                   "per year), or remove pictures and unused sheets, and upload them one by one."),
                                {"size": _megabytes(unpacked), "limit": _megabytes(MAX_UNPACKED_BYTES)})], 0
            strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
            if strings > MAX_SHARED_STRINGS_BYTES:
                return [Problem(None, None, None,
                                N_("This workbook holds %(size)s MB of text, more than the %(limit)s MB Remun can "
                                   "read at once. Split it into smaller workbooks and upload them one by one."),
                                {"size": _megabytes(strings), "limit": _megabytes(MAX_SHARED_STRINGS_BYTES)})], 0
            problems = []
            rows = 0
            wanted = {heading_key(name): name for name in L.DATA_SHEETS}
            for title, part in _sheet_parts(archive):
                sheet_name = wanted.get(heading_key(title))
                if sheet_name is None or part not in archive.NameToInfo:
                    continue  # other sheets are never read
                problem, sheet_rows = _check_sheet(archive, part, sheet_name)
                rows += sheet_rows
                if problem is not None:
                    problems.append(problem)
            if rows > MAX_ROWS and not problems:  # each sheet within the limit, but not all of them together
                problems.append(Problem(None, None, None,
                                        N_("This workbook has more than %(limit)s rows on its sheets, more than Remun "
                                           "imports at once. Split it into smaller workbooks and upload them one by "
                                           "one."), {"limit": MAX_ROWS}))
            return problems, rows
    finally:
        source.seek(0)


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet title, its part's path in the zip), from the workbook's small index parts."""
    try:
        book = etree.fromstring(archive.read("xl/workbook.xml"))
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, etree.XMLSyntaxError):
        return []
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{RELS}}}Relationship")}
    found = []
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{DOC_RELS}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        found.append((sheet.get("name", ""), path))
    return found


def _check_sheet(archive: zipfile.ZipFile, part: str, sheet_name: str) -> tuple[object | None, int]:
    """The sheet's first problem (or None), and its rows (counted up to the first problem)."""
    from remun.imports.problems import Problem

    limit = allowed_columns(sheet_name)
    last = column_letters(limit)
    cell_tag = f"{{{MAIN}}}c"
    rows = 0
    with archive.open(part) as stream:
        # Only rows are events (a cell is only read as part of a row, by openpyxl too); their cells are
        # checked here, each column's letters against the last allowed: longer, or as long and later, is beyond.
        for _event, element in etree.iterparse(stream, events=("end",), tag=f"{{{MAIN}}}row",
                                               huge_tree=False, resolve_entities=False, no_network=True):
            for cell in element:
                if cell.tag != cell_tag:
                    continue
                match = CELL_REF.match(cell.get("r") or "")
                if match is None:
                    continue
                letters = match.group(1)
                if len(letters) > len(last) or (len(letters) == len(last) and letters > last):
                    return Problem(sheet_name, None, letters,
                                   N_("The sheet '%(sheet)s' has something in column %(column)s. Remun reads only "
                                      "the first %(count)d columns, up to column %(last)s. Move anything beyond it "
                                      "nearer, or delete those columns, then upload the workbook again."),
                                   {"sheet": sheet_name, "column": letters, "count": limit, "last": last}), rows
            rows += 1
            if rows > MAX_ROWS:
                return Problem(sheet_name, None, None,
                               N_("The sheet '%(sheet)s' has more than %(limit)s rows, more than Remun imports at "
                                  "once. Split it into smaller workbooks and upload them one by one."),
                               {"sheet": sheet_name, "limit": MAX_ROWS}), rows
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return None, rows
