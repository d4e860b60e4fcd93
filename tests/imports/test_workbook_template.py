"""The blank workbook (remun/imports/template.py): its layout, and that a filled-in copy imports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Attendance, Expense, Meeting, Person, Project, Role
from remun.imports import layout
from remun.imports.importer import ImportFailed, import_workbook
from remun.imports.template import write_template
from tests.helpers.workbooks import template_bytes  # noqa: F401  (fixtures too)

#: The headings exactly as the brief gives them (written out, so a change to layout.py shows up here).
HEADINGS = {
    "Project": ["Field", "Value"],
    "Roles": ["Role", "Equal role group", "Kind", "Pay basis", "Rate", "Rate card", "Session hours", "Prep hours",
              "Prep paid", "Travel hours", "Travel paid"],
    "People": ["Name", "Role", "Start", "End", "Email", "Language", "Payee reference", "Reciprocity"],
    "Sessions": ["Date", "Title", "Hours"],
    "Attendance": ["Date", "Session", "Name", "Hours", "Prep hours", "Travel hours", "Expenses", "Expense category",
                   "Expense note"],
}


@pytest.fixture(scope="module")
def template():
    return load_workbook(io.BytesIO(template_bytes()))


def column_of(sheet, heading: str) -> str:
    for cell in sheet[1]:
        if cell.value == heading:
            return cell.column_letter
    raise AssertionError(f"no column {heading!r}")


def test_the_sheets_come_in_order_with_instructions_first(template):
    assert template.sheetnames == ["Instructions", "Project", "Roles", "People", "Sessions", "Attendance"]
    assert template.active.title == "Instructions"


def test_the_headings_are_exactly_right(template):
    for name, headings in HEADINGS.items():
        sheet = template[name]
        assert [cell.value for cell in sheet[1]] == headings, name
        assert headings == list(layout.COLUMNS[name])


def test_the_heading_row_is_bold_and_frozen_and_columns_are_wide_enough(template):
    for name, headings in HEADINGS.items():
        sheet = template[name]
        assert sheet.freeze_panes == "A2", name
        assert all(cell.font.bold for cell in sheet[1]), name
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= len(cell.value), (name, cell.value, width)
    assert template["Attendance"].column_dimensions[column_of(template["Attendance"], "Expense note")].width >= 30


def test_the_data_sheets_have_no_made_up_records(template):
    for name in ("Roles", "People", "Sessions", "Attendance"):
        assert template[name].max_row == 1, name
    # The Project sheet names its fields and leaves their values blank.
    rows = list(template["Project"].iter_rows(min_row=2, values_only=True))
    assert rows == [("Name", None), ("Cost centre", None), ("Currency", None), ("Start", None), ("End", None),
                    ("Location", None)]


@pytest.mark.parametrize(
    ("sheet", "heading", "choices"),
    [
        ("Roles", "Kind", "Lived experience,Carer,Clinical,Professional,Other"),
        ("Roles", "Pay basis", "Hour,Session,Half day,Day,Salary"),
        ("Roles", "Prep paid", "Yes,No"),
        ("Roles", "Travel paid", "Yes,No"),
        ("People", "Reciprocity", "Not chosen yet,Bank transfer,Vouchers,Training,Donation,No payment"),
        ("People", "Language", "en,gd,pl"),
        ("Attendance", "Expense category", "Travel,Care,Meals,Communication,Other"),
    ],
)
def test_fixed_choices_have_drop_down_lists(template, sheet, heading, choices):
    worksheet = template[sheet]
    letter = column_of(worksheet, heading)
    [validation] = [
        validation for validation in worksheet.data_validations.dataValidation
        if f"{letter}2" in validation.sqref
    ]
    assert validation.type == "list"
    assert validation.formula1 == f'"{choices}"'
    assert validation.allow_blank
    assert f"{letter}1" not in validation.sqref  # not on the heading
    assert f"{letter}500" in validation.sqref


def test_the_instructions_are_plain_and_explain_equal_role_groups(template):
    text = "\n".join(str(cell.value) for row in template["Instructions"].iter_rows() for cell in row if cell.value)
    assert "Equal role group: roles that do the same job and should be paid the same." in text
    for name in ("Project", "Roles", "People", "Sessions", "Attendance"):
        assert name in text
    assert "Example:" in text  # the examples live here, not in the data sheets
    assert "nhs-scotland-afc/band-7-entry" in text
    # Short sentences: none of more than 30 words.
    sentences = [s for line in text.splitlines() for s in line.replace("?", ".").split(". ")]
    assert max(len(sentence.split()) for sentence in sentences if not sentence.startswith("Example")) <= 30


def test_another_reader_can_open_the_template():
    reader = CalamineWorkbook.from_filelike(io.BytesIO(template_bytes()))
    assert reader.sheet_names == ["Instructions", *HEADINGS]
    assert reader.get_sheet_by_name("Roles").to_python()[0] == HEADINGS["Roles"]


def test_the_template_can_be_written_to_a_path(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_template(path)
    assert load_workbook(path).sheetnames[1:] == list(HEADINGS)


def test_the_blank_template_only_needs_a_project_name(session, rate_book):
    with pytest.raises(ImportFailed) as failure:
        import_workbook(session, io.BytesIO(template_bytes()), rate_book)
    assert [(p.sheet, p.row, p.column, p.text) for p in failure.value.problems] == [
        ("Project", 2, "Value", "Give the project a name.")
    ]


def test_a_filled_in_template_imports(session, rate_book):
    book = load_workbook(io.BytesIO(template_bytes()))
    project_sheet = book["Project"]
    project_sheet["B2"] = "Template test project"
    project_sheet["B5"] = dt.date(2025, 4, 1)
    book["Roles"].append(["Lived experience co-chair", "Co-chairs", "Lived experience", "Session", 90, None, 3, 2,
                          "No", 1, "No"])
    book["Roles"].append(["Clinical co-chair", "Co-chairs", "Clinical", "Salary", None,
                          "nhs-scotland-afc/band-7-entry", 3, 2, "Yes", 0, "No"])
    book["People"].append(["Alex Morgan", "Lived experience co-chair", dt.date(2025, 4, 1), None,
                           "alex@example.org", "gd", None, "Vouchers"])
    book["People"].append(["Sam Lee", "Clinical co-chair", "01/04/2025", None, None, None, None, None])
    book["Sessions"].append([dt.date(2025, 5, 14), "Panel meeting", 3])
    book["Attendance"].append([dt.date(2025, 5, 14), "Panel meeting", "Alex Morgan", None, 2, 1, "£12.40", "Travel",
                               "Bus fare"])
    book["Attendance"].append(["2025-05-14", "Panel meeting", "Sam Lee", 3, 2, None, None, None, None])
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)

    summary = import_workbook(session, filled, rate_book, today=dt.date(2025, 9, 1))

    project = session.get(Project, summary.project_id)
    assert project.name == "Template test project" and project.currency == "GBP"
    roles = {role.title: role for role in session.scalars(select(Role).where(Role.project_id == project.id))}
    assert roles["Lived experience co-chair"].kind is RoleKind.LIVED_EXPERIENCE
    assert roles["Clinical co-chair"].current_terms.basis is PayBasis.SALARY
    assert roles["Clinical co-chair"].group is roles["Lived experience co-chair"].group
    named = select(func.count()).select_from(Person).where(Person.name.in_(["Alex Morgan", "Sam Lee"]))
    assert session.scalar(named) == 2
    attendances = list(session.scalars(select(Attendance).join(Meeting).where(Meeting.project_id == project.id)))
    assert len(attendances) == 2
    assert session.scalar(select(Expense.amount)) == Decimal("12.40")
    assert summary.lines()[0] == "Project 'Template test project' added."
