"""Bounded uploads (issue 19): a workbook that would take unbounded memory is refused before parsing.

Each case is a small upload that unpacks large: a cell in column XFD on every row, a shared-strings
part of many megabytes, a part padded past the total limit, a sheet past the row limit. Memory is
measured with tracemalloc around the import (every cell openpyxl makes is a Python object).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tracemalloc
import zipfile

import pytest

from remun.imports import limits
from remun.imports.importer import ImportFailed, import_workbook
from remun.imports.problems import SHOWN_PROBLEMS, Problem, Problems
from tests.helpers.workbooks import ATTENDANCE_HEADINGS, good_sheets, workbook

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def replaced(book: io.BytesIO, changes: dict[str, bytes | callable]) -> io.BytesIO:
    """A copy of the workbook zip with some parts replaced (or added): a callable writes the part itself."""
    out = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename not in changes:
                target.writestr(part, source.read(part.filename))
        for name, content in changes.items():
            if callable(content):
                with target.open(name, "w", force_zip64=True) as stream:
                    content(stream)
            else:
                target.writestr(name, content)
    out.seek(0)
    return out


def shared_strings_part(writer) -> dict[str, bytes | callable]:
    """Changes that give a workbook a shared-strings part, referenced as Excel does, written by ``writer``."""
    def rels(book: io.BytesIO) -> bytes:
        with zipfile.ZipFile(book) as archive:
            text = archive.read("xl/_rels/workbook.xml.rels")
        book.seek(0)
        return text.replace(b"</Relationships>", b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="'
                            b'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                            b"</Relationships>")

    def types(book: io.BytesIO) -> bytes:
        with zipfile.ZipFile(book) as archive:
            text = archive.read("[Content_Types].xml")
        book.seek(0)
        return text.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')

    return {"rels": rels, "types": types, "writer": writer}


def with_shared_strings(book: io.BytesIO, writer) -> io.BytesIO:
    parts = shared_strings_part(writer)
    return replaced(book, {"xl/_rels/workbook.xml.rels": parts["rels"](book),
                           "[Content_Types].xml": parts["types"](book), "xl/sharedStrings.xml": writer})


def sheet_part(book: io.BytesIO, title: str) -> str:
    with zipfile.ZipFile(book) as archive:
        parts = dict(limits._sheet_parts(archive))
    book.seek(0)
    return parts[title]


def attendance_rows(rows: int, extra_cell: str | None = None) -> bytes:
    """An Attendance sheet of ``rows`` rows after its headings, each with a cell at ``extra_cell`` too."""
    headings = "".join(f'<c r="{limits.column_letters(i + 1)}1" t="inlineStr"><is><t>{name}</t></is></c>'
                       for i, name in enumerate(ATTENDANCE_HEADINGS))
    body = [f'<row r="1">{headings}</row>']
    for number in range(2, rows + 2):
        extra = f'<c r="{extra_cell}{number}"><v>1</v></c>' if extra_cell else ""
        body.append(f'<row r="{number}"><c r="A{number}"><v>45792</v></c>'
                    f'<c r="B{number}" t="inlineStr"><is><t>Panel meeting</t></is></c>{extra}</row>')
    return f'<worksheet {MAIN}><sheetData>{"".join(body)}</sheetData></worksheet>'.encode()


def refused(session, rate_book, upload: io.BytesIO) -> tuple[list, int]:
    """Import an upload that must be refused: its problems, and the peak memory (bytes) of trying."""
    tracemalloc.start()
    try:
        with pytest.raises(ImportFailed) as failure:
            import_workbook(session, upload, rate_book, today=dt.date(2026, 1, 5))
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return failure.value.problems, peak


def test_a_cell_in_column_xfd_is_refused_before_parsing(session, rate_book):
    book = workbook(good_sheets())
    upload = replaced(book, {sheet_part(book, "Attendance"): attendance_rows(6_000, extra_cell="XFD")})
    assert len(upload.getvalue()) < 200_000  # a small upload...
    problems, peak = refused(session, rate_book, upload)
    assert [(p.sheet, p.column) for p in problems] == [("Attendance", "XFD")]
    from openpyxl.utils import get_column_letter

    from remun.imports.limits import allowed_columns

    count = allowed_columns("Attendance")  # the template's columns, its optional ones and a few spare
    assert count >= 19
    assert problems[0].text == (
        f"The sheet 'Attendance' has something in column XFD. Remun reads only the first {count} columns, "
        f"up to column {get_column_letter(count)}. "
        "Move anything beyond it nearer, or delete those columns, then upload the workbook again.")
    # ...that made openpyxl build 6,000 rows of 16,384 cells (about 800 MB) before it was refused.
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_notes_a_few_columns_after_the_template_are_still_allowed(session, rate_book):
    book = workbook(good_sheets())
    upload = replaced(book, {sheet_part(book, "Attendance"): attendance_rows(3, extra_cell="S")})
    problems, _peak = refused(session, rate_book, upload)  # refused for its rows' content, not its width
    assert all(p.column != "S" for p in problems) and problems


def test_a_huge_shared_strings_part_is_refused_before_parsing(session, rate_book):
    def strings(stream) -> None:  # 25 MB of text that compresses to a few hundred kilobytes
        stream.write(f'<sst {MAIN} count="500000" uniqueCount="500000">'.encode())
        chunk = b"".join(b"<si><t>%06d padding text</t></si>" % i for i in range(1000))
        for _ in range(int(25 * 1024 * 1024 / len(chunk)) + 1):
            stream.write(chunk)
        stream.write(b"</sst>")

    upload = with_shared_strings(workbook(good_sheets()), strings)
    assert len(upload.getvalue()) < 3 * 1024 * 1024
    problems, peak = refused(session, rate_book, upload)
    assert len(problems) == 1 and problems[0].sheet is None
    assert re.fullmatch(r"This workbook holds 25 MB of text, more than the 10 MB Remun can read at once\. .*",
                        problems[0].text)
    assert peak < 5 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_a_workbook_unpacking_past_the_limit_is_refused(session, rate_book):
    def padding(stream) -> None:
        block = b"\0" * (1024 * 1024)
        for _ in range(60):
            stream.write(block)

    upload = replaced(workbook(good_sheets()), {"xl/media/padding.bin": padding})
    problems, peak = refused(session, rate_book, upload)
    assert problems[0].text.startswith("This workbook unpacks to 60 MB, more than the 50 MB Remun can read at once.")
    assert peak < 5 * 1024 * 1024


def test_a_sheet_with_more_rows_than_the_limit_is_refused(session, rate_book, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 2_000)  # the same check as at 100,000, quicker
    book = workbook(good_sheets())
    upload = replaced(book, {sheet_part(book, "Attendance"): attendance_rows(2_000)})
    problems, _peak = refused(session, rate_book, upload)
    assert [p.text for p in problems] == [
        "The sheet 'Attendance' has more than 2000 rows, more than Remun imports at once. Split it into smaller "
        "workbooks and upload them one by one."]


def test_the_error_page_lists_the_first_200_problems_and_counts_the_rest(client):
    sheets = good_sheets()
    for number in range(250):  # each a session the Sessions sheet does not have
        sheets["Attendance"].append([dt.date(2025, 5, 14), f"Unknown session {number}", "Alex Morgan", None, 2,
                                     None, None, None, None])
    page = client.post("/import/", data={"workbook": (workbook(sheets), "big.xlsx")},
                       content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count('<td class="govuk-table__cell">Attendance</td>') == 200
    assert "There are 50 more problems, not listed here" in text


def test_sheets_each_within_the_limit_but_over_it_together_are_refused(session, rate_book, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 1_500)  # the importer holds every row: the rows in all decide its memory
    sheets = good_sheets()
    for number in range(800):
        sheets["People"].append([f"Person {number}", "Co-chair (lived experience)", None, None, None, None, None, None])
    book = workbook(sheets)
    upload = replaced(book, {sheet_part(book, "Attendance"): attendance_rows(800)})
    problems, _peak = refused(session, rate_book, upload)
    assert [p.text for p in problems] == [
        "This workbook has more than 1500 rows on its sheets, more than Remun imports at once. Split it into smaller "
        "workbooks and upload them one by one."]


def test_only_the_first_problems_are_kept_and_the_rest_counted(session, rate_book):
    """Every row wrong: the problems are bounded in memory, the first ones kept in the order found."""
    sheets = good_sheets()
    for number in range(600):  # each a session the Sessions sheet does not have
        sheets["Attendance"].append([dt.date(2025, 5, 14), f"Unknown session {number}", "Alex Morgan", None, 2,
                                     None, None, None, None])
    with pytest.raises(ImportFailed) as failure:
        import_workbook(session, workbook(sheets), rate_book, today=dt.date(2026, 1, 5))
    kept = failure.value.problems
    assert len(kept) == SHOWN_PROBLEMS == 200
    assert failure.value.more >= 400  # at least one for each of the 600 rows, less the 200 kept
    assert [p.row for p in kept] == sorted(p.row for p in kept)  # the order they were found in: row by row
    assert str(failure.value).startswith(f"{200 + failure.value.more} problems in the workbook")


def test_problems_keep_the_first_and_count_every_one():
    found = Problems(keep=3)
    for row in range(2, 9):
        found.append(Problem("Attendance", row, "A", "Row %(row)s", {"row": row}))
    found += [Problem(None, None, None, "One more")]
    assert [p.row for p in found] == [2, 3, 4]
    assert (found.total, found.more) == (8, 5)
    failure = ImportFailed(found)
    assert ([p.row for p in failure.problems], failure.more) == ([2, 3, 4], 5)
    assert ImportFailed([Problem(None, None, None, "Only")]).more == 0
