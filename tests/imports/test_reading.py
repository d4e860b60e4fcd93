"""Reading a workbook's cells (remun.imports.reading): the same values as openpyxl's own read-only reader.

The importer reads a plain inline string (``<is><t>…</t></is>``, how openpyxl writes every text cell)
itself instead of through openpyxl's rich-text object; every other cell, and an inline string with
runs or phonetic text, is still openpyxl's. Compared here cell by cell, type included, against
``openpyxl.load_workbook(read_only=True, data_only=True)``, for inline and for shared strings.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook, load_workbook

from remun.imports.reading import _Reader


def openpyxl_values(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return {sheet.title: typed(sheet) for sheet in book.worksheets}
    finally:
        book.close()


def importer_values(content: bytes) -> dict[str, list[tuple]]:
    reader = _Reader(io.BytesIO(content), read_only=True, data_only=True)
    reader.read()
    try:
        return {sheet.title: typed(sheet) for sheet in reader.wb.worksheets}
    finally:
        reader.wb.close()


def typed(sheet) -> list[tuple]:
    sheet.reset_dimensions()
    return [tuple((type(value).__name__, value) for value in row) for row in sheet.iter_rows(values_only=True)]


def write_only_book(rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(content: bytes, change) -> bytes:
    """The workbook with its sheet's XML changed by ``change`` (text in, text out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename.startswith("xl/worksheets/sheet"):
                data = change(data.decode()).encode()
            target.writestr(part, data)
    return out.getvalue()


ROWS = [
    ["Text", "  spaced  ", "", None, 1, 2.5, dt.date(2025, 4, 1), True, "=1+1", "Łódź, Gàidhlig", "tab\there"],
    ["RUNS", "EMPTY", "PHONETIC", None, -3, 0.1, dt.datetime(2025, 4, 1, 9, 30), False, "line\nbreak", "x" * 300],
]


def test_inline_strings_read_as_openpyxl_reads_them():
    content = write_only_book(ROWS)
    assert 't="inlineStr"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert importer_values(content) == openpyxl_values(content)


def test_inline_strings_with_runs_phonetic_text_or_no_text_read_as_openpyxl_reads_them():
    content = with_sheet_xml(write_only_book(ROWS), lambda xml: xml.replace(
        "<is><t>RUNS</t></is>", "<is><r><t>rich</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> text</t></r></is>"
    ).replace("<is><t>EMPTY</t></is>", "<is><t/></is>").replace(
        "<is><t>PHONETIC</t></is>", "<is><t>base</t><rPh sb=\"0\" eb=\"1\"><t>ph</t></rPh></is>"))
    values = importer_values(content)
    assert values == openpyxl_values(content)
    assert [value for _type, value in values["Sheet"][1][:3]] == ["rich text", "", "base"]


def with_shared_strings(content: bytes) -> bytes:
    """The workbook with its plain inline strings moved to a shared-strings part, as Excel writes text."""
    strings: list[str] = []

    def shared(match: re.Match) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part.filename).decode()
            if part.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>',
                              shared, data)
            elif part.filename == "[Content_Types].xml":
                data = data.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif part.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace("</Relationships>", '<Relationship Id="rIdStrings" Type="http://schemas.'
                                    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    'Target="sharedStrings.xml"/></Relationships>')
            target.writestr(part, data)
        items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
        target.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')
    return out.getvalue()


def test_shared_strings_read_as_openpyxl_reads_them():
    content = with_shared_strings(write_only_book(ROWS))
    assert 't="s"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    values = importer_values(content)
    assert values == openpyxl_values(content)
    assert values["Sheet"][0][:2] == (("str", "Text"), ("str", "  spaced  "))
