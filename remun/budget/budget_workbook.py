"""The budget as a workbook a funder's budget form can take: a sheet per section and a summary with formulas.

Sheets, in order:

- **Summary**: the plan's dates and contingency percentage, then a row for each
  section with a column for each year and a total, all formulas over the
  section sheets (SUMIFS on their Year column), then subtotal, contingency
  (=ROUND(subtotal x percentage / 100, 2), per year, as Remun works it out),
  total, and the same with the fair option.
- **Payment for time**: a row for each run of sessions at one rate in one
  year: sessions x people x pay for each session (a formula).
- **Fair pay**: the same runs for lived-experience and carer roles, with the
  fair pay for each session and the extra it costs (formulas).
- **One sheet per item category**: times x (quantity x cost each, rounded to
  the penny) (formulas), with the notes.
- **By month**, and for a project's budget, **Plan against actual**.

Every formula gives exactly the figure Remun shows: money is rounded to the
penny at the same points. Words come through the ``gettext`` passed in, so the
workbook is in the reader's language, and money is shown in the reader's
locale's currency format (Babel, as the finance workbook does). Text someone
typed (names, descriptions, notes) is always written as text, never as a
formula (remun.exports.safety). Every sheet prints on A4 landscape.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from remun.budget.actuals import PlanAgainstActual
from remun.budget.models import BudgetCategory
from remun.budget.planning import SECTIONS, TIME, PlanCosting
from remun.exports.formats import money_format
from remun.exports.safety import clean_text, set_text

BOLD = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDE5EE")
MONTH_FORMAT = "mmm yyyy"
INVALID_TITLE = str.maketrans({character: " " for character in "[]:*?/\\"})


def _identity(text: str, **values) -> str:
    return text % values if values else text


class _Text(str):
    """Text someone typed, or a label: written as text even when it starts with "=" (never a formula)."""


def _text(value) -> _Text | None:
    return None if value is None else _Text(value)


def _put(sheet: Worksheet, row: int, column: int, value):
    """Write one cell: ``_Text`` as text (quote-prefixed when it could run); a str otherwise is a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, _Text):
        set_text(cell, clean_text(str(value)))
    else:
        cell.value = value
    return cell


def _page_setup(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _title(text: str, used: set[str]) -> str:
    title = str(text).translate(INVALID_TITLE).strip()[:31] or "Sheet"
    candidate, number = title, 2
    while candidate.casefold() in used:
        suffix = f" {number}"
        candidate, number = title[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate


def _ref(sheet: Worksheet) -> str:
    return "'" + sheet.title.replace("'", "''") + "'!"


class _Sheet:
    """A data sheet: a heading row, then rows; knows where its columns are for the summary's formulas."""

    def __init__(self, sheet: Worksheet, headings: list[str], widths: list[int]):
        self.sheet = sheet
        _page_setup(sheet)
        sheet.print_title_rows = "1:1"
        for column, (heading, width) in enumerate(zip(headings, widths, strict=True), 1):
            cell = _put(sheet, 1, column, _Text(heading))
            cell.font, cell.fill = BOLD, HEADING_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"
        self.row = 1

    def add(self, values: list, formats: Mapping[int, str] | None = None) -> int:
        self.row += 1
        for column, value in enumerate(values, 1):
            cell = _put(self.sheet, self.row, column, value)
            if formats and column in formats and value is not None:
                cell.number_format = formats[column]
        return self.row

    @property
    def last_data_row(self) -> int:
        return max(self.row, 2)

    def column_range(self, column: int) -> str:
        letter = get_column_letter(column)
        return f"{_ref(self.sheet)}${letter}$2:${letter}${self.last_data_row}"

    def total_row(self, label: str, column: int, formula: str, money: str) -> int:
        row = self.last_data_row + 2
        _put(self.sheet, row, 1, _Text(label)).font = BOLD
        cell = self.sheet.cell(row=row, column=column, value=formula)
        cell.font, cell.number_format = BOLD, money
        return row


def budget_workbook(
    costing: PlanCosting,
    *,
    section_labels: Mapping[str, str],
    kind_labels: Mapping,
    sheet_labels: Mapping[str, str] | None = None,
    versus: PlanAgainstActual | None = None,
    notes: str | None = None,
    gettext: Callable[..., str] = _identity,
    locale: str = "en_GB",
    made_by: str | None = None,
    made_at: dt.datetime | None = None,
) -> bytes:
    """The workbook as .xlsx bytes.

    ``section_labels`` names TIME and each item category; ``sheet_labels`` gives shorter names for
    their sheets (a sheet's name can have at most 31 characters). ``locale`` (a Babel locale) sets
    the money format; ``made_by`` and ``made_at`` go into the workbook's properties.
    """
    _ = gettext
    sheet_labels = sheet_labels or section_labels
    plan = costing.plan
    money = money_format(plan.currency or "GBP", locale)
    yes, no = str(_("Yes")), str(_("No"))
    used: set[str] = set()
    book = Workbook()
    summary = book.active
    summary.title = _title(_("Summary"), used)
    _page_setup(summary)

    # --- Payment for time -------------------------------------------------------------------
    time = _Sheet(book.create_sheet(_title(sheet_labels[TIME], used)),
                  [_("Year"), _("Role"), _("Kind of role"), _("Sessions for"), _("From"), _("To"), _("Sessions"),
                   _("People"), _("Pay for each session"), _("Total"), _("In the total?"), _("Notes")],
                  [6, 30, 16, 26, 10, 10, 9, 8, 12, 12, 10, 40])
    formats = {5: MONTH_FORMAT, 6: MONTH_FORMAT, 9: money, 10: money}
    for line in costing.lines:
        role_title = line.role.title if line.role else ""
        kind = str(kind_labels.get(line.role.kind, "")) if line.role else ""
        for piece in line.pieces(with_fair=False):
            row = time.row + 1
            time.add([piece.year, _text(role_title), _text(kind), _text(line.line.description), piece.first_month,
                      piece.last_month, piece.count, line.line.people, piece.each, f"=G{row}*H{row}*I{row}",
                      _text(yes if line.line.in_total else no), _text(line.line.notes or None)], formats)
    time_years, time_totals, time_in = time.column_range(1), time.column_range(10), time.column_range(11)
    time.total_row(_("Total in the budget"), 10, f'=SUMIFS({time_totals},{time_in},"{yes}")', money)

    # --- Fair pay ---------------------------------------------------------------------------
    fair = _Sheet(book.create_sheet(_title(_("Fair pay"), used)),
                  [_("Year"), _("Role"), _("Sessions for"), _("From"), _("To"), _("Sessions"), _("People"),
                   _("Pay for each session now"), _("Fair pay for each session"), _("Extra for each session"),
                   _("Extra in all")],
                  [6, 30, 26, 10, 10, 9, 8, 14, 14, 14, 12])
    formats = {4: MONTH_FORMAT, 5: MONTH_FORMAT, 8: money, 9: money, 10: money, 11: money}
    for line in costing.lines:
        if not line.compared or not line.line.in_total:
            continue
        for piece in line.pieces():
            if piece.each is None or piece.fair_each is None:
                continue
            row = fair.row + 1
            fair.add([piece.year, _text(line.role.title if line.role else ""), _text(line.line.description),
                      piece.first_month,
                      piece.last_month, piece.count, line.line.people, piece.each, piece.fair_each,
                      f"=I{row}-H{row}", f"=F{row}*G{row}*J{row}"], formats)
    fair_years, fair_extra = fair.column_range(1), fair.column_range(11)
    fair.total_row(_("Extra in all"), 11, f"=SUM({fair_extra})", money)

    # --- One sheet per item category --------------------------------------------------------
    item_sheets: dict[str, _Sheet] = {}
    for category in BudgetCategory:
        sheet = _Sheet(book.create_sheet(_title(sheet_labels[category.value], used)),
                       [_("Year"), _("Item"), _("From"), _("To"), _("Times"), _("Quantity"), _("Cost each"),
                        _("Cost each time"), _("Total"), _("Published rate"), _("Notes")],
                       [6, 30, 10, 10, 7, 9, 11, 12, 12, 28, 40])
        formats = {3: MONTH_FORMAT, 4: MONTH_FORMAT, 7: money, 8: money, 9: money}
        for item in costing.items_in(category):
            for piece in item.pieces():
                row = sheet.row + 1
                sheet.add([piece.year, _text(item.item.description), piece.first_month, piece.last_month,
                           piece.count, item.item.quantity, piece.unit_cost, f"=ROUND(F{row}*G{row},2)",
                           f"=E{row}*H{row}", _text(item.item.rate_card_ref), _text(item.item.notes or None)],
                          formats)
        sheet.total_row(_("Total"), 9, f"=SUM({sheet.column_range(9)})", money)
        item_sheets[category.value] = sheet

    # --- Summary ----------------------------------------------------------------------------
    summary.column_dimensions["A"].width = 52
    _put(summary, 1, 1, _Text(plan.name)).font = Font(bold=True, size=14)
    summary.cell(row=2, column=1, value=str(_("From")))
    summary.cell(row=2, column=2, value=costing.months[0] if costing.months else plan.start).number_format = MONTH_FORMAT
    summary.cell(row=3, column=1, value=str(_("To")))
    summary.cell(row=3, column=2, value=plan.end.replace(day=1)).number_format = MONTH_FORMAT
    summary.cell(row=4, column=1, value=str(_("Contingency (%)")))
    summary.cell(row=4, column=2, value=plan.contingency_percent)
    percent = "$B$4"
    header_row = 6
    years = [year.index for year in costing.years]
    summary.cell(row=header_row, column=1, value=str(_("Section"))).font = BOLD
    for offset, index in enumerate(years):
        column = 2 + offset
        summary.cell(row=header_row, column=column, value=str(_("Year %(number)s", number=index))).font = BOLD
        summary.column_dimensions[get_column_letter(column)].width = 14
    total_column = 2 + len(years)
    summary.cell(row=header_row, column=total_column, value=str(_("Total"))).font = BOLD
    summary.column_dimensions[get_column_letter(total_column)].width = 14
    last_year = get_column_letter(total_column - 1)

    def summary_row(row: int, label: str, formula_for_year: Callable[[str, int], str], bold: bool = False) -> None:
        _put(summary, row, 1, _Text(label)).font = Font(bold=bold)
        for offset, index in enumerate(years):
            letter = get_column_letter(2 + offset)
            cell = summary.cell(row=row, column=2 + offset, value=formula_for_year(letter, index))
            cell.number_format, cell.font = money, Font(bold=bold)
        cell = summary.cell(row=row, column=total_column, value=f"=SUM(B{row}:{last_year}{row})")
        cell.number_format, cell.font = money, Font(bold=bold)

    row = header_row + 1
    first_section_row = row
    for section in SECTIONS:
        if section == TIME:
            def formula(letter, index):
                return f'=SUMIFS({time_totals},{time_years},{index},{time_in},"{yes}")'
        else:
            sheet = item_sheets[section]

            def formula(letter, index, sheet=sheet):
                return f"=SUMIFS({sheet.column_range(9)},{sheet.column_range(1)},{index})"
        summary_row(row, section_labels[section], formula)
        row += 1
    subtotal_row = row
    summary_row(subtotal_row, _("Subtotal"), lambda letter, index: f"=SUM({letter}{first_section_row}:{letter}{subtotal_row - 1})", bold=True)
    contingency_row = subtotal_row + 1
    summary_row(contingency_row, _("Contingency"), lambda letter, index: f"=ROUND({letter}{subtotal_row}*{percent}/100,2)")
    total_row = contingency_row + 1
    summary_row(total_row, _("Total"), lambda letter, index: f"={letter}{subtotal_row}+{letter}{contingency_row}", bold=True)

    extra_row = total_row + 2
    summary_row(extra_row, _("Extra to pay lived experience and carer roles fairly"),
                lambda letter, index: f"=SUMIFS({fair_extra},{fair_years},{index})")
    fair_subtotal_row = extra_row + 1
    summary_row(fair_subtotal_row, _("Subtotal with the fair option"),
                lambda letter, index: f"={letter}{subtotal_row}+{letter}{extra_row}")
    fair_contingency_row = fair_subtotal_row + 1
    summary_row(fair_contingency_row, _("Contingency with the fair option"),
                lambda letter, index: f"=ROUND({letter}{fair_subtotal_row}*{percent}/100,2)")
    fair_total_row = fair_contingency_row + 1
    summary_row(fair_total_row, _("Total with the fair option"),
                lambda letter, index: f"={letter}{fair_subtotal_row}+{letter}{fair_contingency_row}", bold=True)
    outside_row = fair_total_row + 2
    summary_row(outside_row, _("Not in the total: time paid by employers"),
                lambda letter, index: f'=SUMIFS({time_totals},{time_years},{index},{time_in},"{no}")')
    note_row = outside_row + 2
    summary.cell(row=note_row, column=1, value=str(_(
        "Each month is costed on the pay terms and published rates in force on its last day. "
        "Contingency is worked out on each year and rounded to the penny.")))
    if notes:
        _put(summary, note_row + 1, 1, _Text(notes))
    summary.freeze_panes = f"B{header_row + 1}"

    # --- By month ---------------------------------------------------------------------------
    by_month = _Sheet(book.create_sheet(_title(_("By month"), used)),
                      [_("Month")] + [section_labels[section] for section in SECTIONS] + [_("Total")],
                      [10] + [14] * len(SECTIONS) + [14])
    formats = {1: MONTH_FORMAT, **{column: money for column in range(2, len(SECTIONS) + 3)}}
    last_section = get_column_letter(1 + len(SECTIONS))
    for month in costing.months:
        values = costing.by_month.get(month, {})
        row = by_month.row + 1
        by_month.add([month] + [values.get(section, Decimal(0)) for section in SECTIONS]
                     + [f"=SUM(B{row}:{last_section}{row})"], formats)

    # --- Plan against actual ----------------------------------------------------------------
    if versus is not None:
        actual = _Sheet(book.create_sheet(_title(_("Plan against actual"), used)),
                        [_("Role or section"), _("Planned"), _("Planned to date"), _("Committed"), _("Spent"),
                         _("Left"), _("Status")],
                        [36, 12, 14, 12, 12, 12, 36])
        formats = {column: money for column in range(2, 7)}
        for rows in (versus.roles, versus.sections):
            for line in rows:
                row = actual.row + 1
                title = section_labels.get(line.title, line.title) if rows is versus.sections else line.title
                title = _text(title)
                if line.actual is None:
                    actual.add([title, line.planned, line.planned_to_date, None, None, None,
                                str(_("Not paid through Remun"))], formats)
                    continue
                status = (_("Over budget") if line.overrun else _("Will overrun if the rest goes as planned")
                          if line.will_overrun else _("Within the plan"))
                actual.add([title, line.planned, line.planned_to_date, line.committed, line.spent,
                            f"=B{row}-D{row}-E{row}", str(status)], formats)
            actual.row += 1

    properties = book.properties
    properties.title = clean_text(str(_("Budget: %(name)s", name=plan.name)))
    properties.subject = clean_text(str(_("What involvement will cost, with the fair option")))
    properties.keywords = "Remun; budget"
    properties.category = "Remun"
    if made_by:
        properties.creator = properties.lastModifiedBy = clean_text(made_by)
    if made_at:
        when = made_at.astimezone(dt.timezone.utc).replace(tzinfo=None) if made_at.tzinfo else made_at
        properties.created = properties.modified = when.replace(microsecond=0)
    properties.language = locale.replace("_", "-")

    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()

