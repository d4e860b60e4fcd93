"""The finance workbook: one file a finance team can use unchanged.

Sheets, in order:

- **Summary**: per project (with its cost centre), time and expenses, paid by
  bank, vouchers, training, donations, declined and still owed. Every figure is
  a formula over the Ledger sheet, so a finance officer can audit it, with a
  total per currency.
- **Ledger**: one row per posting.
- **Payments due**: per payee and way of paying (bank, card, cheque, or to someone
  else), approved money not yet paid, whether in an open batch or still to batch.
- **Vouchers**, **Training**, **Donations**: what was given in the period and
  what is still to give, per person (a split's share included), with what it
  needs: the voucher provider, the course or the charity.
- **Expenses**: each expense of each approved claim, with its category and note.
- **Parity**: the parity report, with a native bar chart.
- **About**: the filters, who made it and when, the app version and control totals.

Written with openpyxl in write-only mode (lxml does the XML): each sheet's
rows go straight to a temporary file, and the postings are read from the
database in chunks, so a million postings take the same memory as a hundred.
Styled cells are made once per column and reused for every row: openpyxl
writes a cell as soon as its row is appended, and building style objects per
cell is what makes naive exports slow (bench/export_bench.py measures both).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from remun.enums import Reciprocity
from remun.exports import headings as H
from remun.exports import queries
from remun.exports.context import MAX_SHEET_ROWS, ExportContext, ExportFilters, ExportTooLarge
from remun.exports.formats import Formats
from remun.exports.safety import TextGuard, clean_text, text_cell
from remun.ledger.models import Account, TransactionKind
from remun.money import HUNDRED, ZERO, round_money

#: Called with (postings written, postings in all) as the Ledger sheet fills.
Progress = Callable[[int, int], None]

HEADING_STYLE = "Remun heading"
TITLE_STYLE = "Remun title"

#: Where the Ledger sheet keeps what the Summary's formulas read.
LEDGER_DEBIT, LEDGER_CREDIT, LEDGER_PROJECT_ID, LEDGER_ACCOUNT_CODE = "L", "M", "Q", "R"
LEDGER_WIDTHS = (11, 11, 26, 12, 24, 24, 16, 24, 10, 40, 8, 12, 12, 11, 7, 9, 10, 20)

#: Summary columns D..L: (Ledger account, sign): debits less credits (1) or credits less debits (-1).
SUMMARY_ACCOUNTS = (
    (Account.COST_TIME, 1),
    (Account.COST_EXPENSES, 1),
    None,  # Project cost: time + expenses
    (Account.BANK, -1),
    (Account.VOUCHERS, -1),
    (Account.TRAINING, -1),
    (Account.DONATIONS, -1),
    (Account.DECLINED, 1),
    (Account.OWED, -1),
)

IN_KIND_SHEETS = (
    (H.SHEET_VOUCHERS, Account.VOUCHERS, Reciprocity.VOUCHERS),
    (H.SHEET_TRAINING, Account.TRAINING, Reciprocity.TRAINING),
    (H.SHEET_DONATIONS, Account.DONATIONS, Reciprocity.DONATION),
)

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


def write_finance_workbook(
    session: Session,
    target: str | IO[bytes],
    filters: ExportFilters,
    context: ExportContext,
    *,
    rate_book=None,
    progress: Progress | None = None,
    chunk: int = queries.CHUNK,
) -> ExportResult:
    """Write the finance workbook to ``target`` (a path or a binary file)."""
    total = queries.count_postings(session, filters)
    if total > MAX_SHEET_ROWS:
        raise ExportTooLarge(total)
    book = Book(context)
    t = book.t
    result = ExportResult()
    chosen = queries.projects(session, filters)

    # Sheets are made in the order they appear; each is filled when its figures are known
    # (the Summary last but one: its formulas need the Ledger's last row).
    summary = book.sheet(H.SHEET_SUMMARY, H.SUMMARY_COLUMNS, (30, 12, 9) + (13,) * 9 + (9,))
    ledger = book.sheet(H.SHEET_LEDGER, H.LEDGER_COLUMNS, LEDGER_WIDTHS)
    due = book.sheet(H.SHEET_PAYMENTS_DUE, H.PAYMENTS_DUE_COLUMNS, (26, 12, 24, 16, 8, 13, 9, 10, 12, 18, 30))
    in_kind = [(book.sheet(name, H.IN_KIND_COLUMNS, (26, 12, 24, 16, 13, 13, 9, 9, 30)), account, choice)
               for name, account, choice in IN_KIND_SHEETS]
    expenses = book.sheet(H.SHEET_EXPENSES, H.EXPENSES_COLUMNS, (11, 26, 12, 24, 24, 16, 22, 30, 12, 9, 8, 11, 8, 8, 12, 10))
    parity = book.sheet(H.SHEET_PARITY, H.PARITY_COLUMNS, (26, 20, 26, 16, 14, 10, 12, 12, 12, 8, 13, 12, 9,
                                                                     12, 12, 10, 12, 10, 12))
    tax_year = book.sheet(H.SHEET_TAX_YEAR, H.TAX_YEAR_COLUMNS, (11, 26, 12, 12, 12, 12, 14, 14, 14, 10))
    about = book.sheet(H.SHEET_ABOUT, None, (42, 60), freeze=False)
    result.sheets = [ws.title for ws in book.wb.worksheets]

    ledger_last = _write_ledger(book, ledger, session, filters, total, progress, chunk)
    result.postings = ledger_last - 1
    # Asked once for the four sheets that show what is still to pay or give.
    waiting = queries.waiting_parts(session, filters)
    _write_payments_due(book, due, session, filters, waiting)
    for ws, account, choice in in_kind:
        _write_in_kind(book, ws, session, filters, account, choice, waiting)
    del waiting
    _write_expenses(book, expenses, session, filters, chunk)
    _write_parity(book, parity, session, chosen, rate_book, filters)
    _write_tax_year(book, tax_year, session, filters)
    _write_summary(book, summary, ledger, chosen, ledger_last)
    result.totals = queries.control_totals(session, filters)
    _write_about(book, about, ledger, session, filters, chosen, result, ledger_last)
    _write_stale_rates(book, about, rate_book)

    names = "; ".join(name for _id, name, _cc, _cur in chosen)
    book.set_properties(
        title=t(H.PROPERTIES_TITLE), subject=t(H.PROPERTIES_SUBJECT),
        description=f"{t(H.ABOUT_PROJECTS)}: {names if filters.project_ids is not None else t(H.ABOUT_ALL_PROJECTS)}. "
                    f"{t(H.ABOUT_FROM)}: {filters.date_from.isoformat() if filters.date_from else t(H.ABOUT_NO_START)}. "
                    f"{t(H.ABOUT_TO)}: {filters.date_to.isoformat() if filters.date_to else t(H.ABOUT_NO_END)}.",
        keywords="Remun; finance; ledger", when=context.made_at_utc, who=context.made_by,
    )
    book.wb.save(target)
    return result


def _auto_filter(ws, columns: int, last_row: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"


def _write_ledger(book: Book, ws, session, filters, total, progress, chunk) -> int:
    """Stream the postings into the Ledger sheet; returns the last row written."""
    t, formats = book.t, book.formats
    accounts = {account: t(label) for account, label in H.ACCOUNTS.items()}
    kinds = {kind: t(label) for kind, label in H.CLAIM_KINDS.items()}
    statuses = {
        TransactionKind.ACCRUAL: t(H.STATUS_ACCRUAL), TransactionKind.SETTLEMENT: t(H.STATUS_SETTLEMENT),
        TransactionKind.DECLINED: t(H.STATUS_DECLINED), TransactionKind.REVERSAL: t(H.STATUS_REVERSAL),
    }
    reversed_ = t(H.STATUS_REVERSED)
    with_hours = (Account.COST_TIME, Account.DECLINED)
    guard = TextGuard(ws)
    date_cell = book.styled(ws, formats.date)
    hours_cell = book.styled(ws, formats.hours)
    money = CurrencyCells(book, ws, 2)
    append = ws.append
    row_number = 1
    done = 0
    if progress:
        progress(0, total)
    for rows in queries.ledger_rows(session, filters, chunk):
        for (posted_on, transaction_id, project, cost_centre, account, person, reference, role, claim_kind,
             description, paid_hours, amount, transaction_kind, reversed_by, batch_id, currency, project_id) in rows:
            date_cell.value = posted_on
            debit_cell, credit_cell = money(currency)
            if amount > 0:
                debit_cell.value = amount
                debit, credit = debit_cell, None
            else:
                credit_cell.value = -amount
                debit, credit = None, credit_cell
            hours = None
            if paid_hours is not None and account in with_hours:
                hours_cell.value = paid_hours if amount > 0 else -paid_hours
                hours = hours_cell
            append((
                date_cell, transaction_id, guard(3, project), guard(4, cost_centre), accounts[account],
                guard(6, person), guard(7, reference), guard(8, role), kinds.get(claim_kind),
                guard(10, description), hours, debit, credit,
                reversed_ if reversed_by is not None else statuses[transaction_kind],
                batch_id, currency, project_id, account.value,
            ))
        row_number += len(rows)
        done += len(rows)
        if progress:
            progress(done, total)
    _auto_filter(ws, len(H.LEDGER_COLUMNS), row_number)
    return row_number


def _currency_totals(book: Book, ws, first: int, last: int, currency_column: str, money_columns: list[int],
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


def _write_summary(book: Book, ws, ledger, chosen, ledger_last: int) -> None:
    sheet = quote_sheetname(ledger.title)
    last = max(ledger_last, 2)

    def column(letter: str) -> str:
        return f"{sheet}!${letter}$2:${letter}${last}"

    def sumifs(amounts: str, project_id: int, account: Account) -> str:
        return (f'SUMIFS({column(amounts)},{column(LEDGER_PROJECT_ID)},{project_id},'
                f'{column(LEDGER_ACCOUNT_CODE)},"{account.value}")')

    guard = TextGuard(ws)
    row_number = 1
    currencies: list[str] = []
    for project_id, name, cost_centre, currency in chosen:
        row_number += 1
        currency = safe_currency(currency)
        if currency not in currencies:
            currencies.append(currency)
        row: list = [guard(1, name), guard(2, cost_centre), currency]
        for index, spec in enumerate(SUMMARY_ACCOUNTS):
            if spec is None:
                formula = f"=D{row_number}+E{row_number}"
            else:
                account, sign = spec
                debits, credits = sumifs(LEDGER_DEBIT, project_id, account), sumifs(LEDGER_CREDIT, project_id, account)
                formula = f"={debits}-{credits}" if sign > 0 else f"={credits}-{debits}"
            row.append(book.money(ws, formula, currency))
        row.append(f"=COUNTIFS({column(LEDGER_PROJECT_ID)},{project_id})")
        ws.append(row)
    _auto_filter(ws, len(H.SUMMARY_COLUMNS), row_number)
    if chosen:
        _currency_totals(book, ws, 2, row_number, "C", list(range(4, 13)), len(H.SUMMARY_COLUMNS), 1,
                         currencies, count_columns=(13,))


def _write_payments_due(book: Book, ws, session, filters, waiting: list[queries.WaitingPart]) -> None:
    t = book.t
    methods = {method: t(label) for method, label in H.MONEY_METHODS.items()}
    guard = TextGuard(ws)
    date_cell = book.styled(ws, book.formats.date)
    money = CurrencyCells(book, ws, 1)
    row_number, currencies = 1, []
    for due in queries.payments_due(session, filters, waiting):
        row_number += 1
        currency = safe_currency(due.currency)
        if currency not in currencies:
            currencies.append(currency)
        (amount_cell,) = money(currency)
        amount_cell.value = due.amount
        batch = None
        if due.first_batch is not None:
            batch = str(due.first_batch) if due.first_batch == due.last_batch else f"{due.first_batch}–{due.last_batch}"
        since_date = queries.to_date(due.since)
        date_cell.value = since_date
        ws.append((guard(1, due.project), guard(2, due.cost_centre), guard(3, due.payee), guard(4, due.reference),
                   due.claims, amount_cell, currency, batch, date_cell if since_date else None,
                   methods.get(due.method, due.method.value), guard(11, due.detail)))
    _auto_filter(ws, len(H.PAYMENTS_DUE_COLUMNS), row_number)
    if row_number > 1:
        _currency_totals(book, ws, 2, row_number, "G", [6], len(H.PAYMENTS_DUE_COLUMNS), 3, currencies,
                         count_columns=(5,))


def _write_in_kind(book: Book, ws, session, filters, account: Account, choice: Reciprocity,
                   waiting_parts: list[queries.WaitingPart]) -> None:
    given = queries.account_totals(session, filters, (account,))
    waiting = queries.waiting_in_kind(session, filters, choice, waiting_parts)
    keys = {(project_id, person_id) for project_id, person_id, _a in given} | set(waiting)
    projects = {project_id: (name, cost_centre, safe_currency(currency))
                for project_id, name, cost_centre, currency in queries.projects(session, filters)}
    people = queries.people(session, (person_id for _p, person_id in keys))
    rows = sorted(
        ((projects[project_id], people.get(person_id, ("", None)), project_id, person_id)
         for project_id, person_id in keys if project_id in projects),
        key=lambda item: (item[0][0], item[2], item[1][0], item[3]),
    )
    guard = TextGuard(ws)
    money = CurrencyCells(book, ws, 2)
    nothing = queries.ToGive(0, ZERO, ())
    row_number, currencies = 1, []
    for (project, cost_centre, currency), (name, reference), project_id, person_id in rows:
        row_number += 1
        if currency not in currencies:
            currencies.append(currency)
        given_cell, waiting_cell = money(currency)
        still = waiting.get((project_id, person_id), nothing)
        given_cell.value = given.get((project_id, person_id, account), ZERO)
        waiting_cell.value = still.amount
        ws.append((guard(1, project), guard(2, cost_centre), guard(3, name), guard(4, reference), given_cell,
                   waiting_cell, still.claims, currency, guard(9, "; ".join(still.details) or None)))
    _auto_filter(ws, len(H.IN_KIND_COLUMNS), row_number)
    if row_number > 1:
        _currency_totals(book, ws, 2, row_number, "H", [5, 6], len(H.IN_KIND_COLUMNS), 3, currencies,
                         count_columns=(7,))


def _write_expenses(book: Book, ws, session, filters, chunk: int) -> None:
    t = book.t
    categories = {category: t(label) for category, label in H.EXPENSE_CATEGORIES.items()}
    yes, no = t(H.YES), t(H.NO)
    guard = TextGuard(ws)
    session_date = book.styled(ws, book.formats.date)
    approved_on = book.styled(ws, book.formats.date)
    money = CurrencyCells(book, ws, 1)
    vehicles = {vehicle: t(label) for vehicle, label in H.VEHICLES.items()}
    row_number, currencies = 1, []
    for rows in queries.expense_rows(session, filters, chunk):
        for (day, project, cost_centre, title, person, reference, category, note, amount, currency, claim_id,
             posted_on, settled_at, miles, vehicle) in rows:
            row_number += 1
            currency = safe_currency(currency)
            if currency not in currencies:
                currencies.append(currency)
            (amount_cell,) = money(currency)
            amount_cell.value = amount
            session_date.value = day
            approved_on.value = posted_on
            ws.append((session_date, guard(2, project), guard(3, cost_centre), guard(4, title), guard(5, person),
                       guard(6, reference), categories.get(category), guard(8, note), amount_cell, currency,
                       claim_id, approved_on, yes if settled_at is not None else no,
                       miles, vehicles.get(vehicle), _rate_a_mile(amount, miles)))
    _auto_filter(ws, len(H.EXPENSES_COLUMNS), row_number)
    if row_number > 1:
        _currency_totals(book, ws, 2, row_number, "J", [9], len(H.EXPENSES_COLUMNS), 2, currencies)


def _rate_a_mile(amount, miles):
    """The rate a mile paid (the average, when a journey crossed the 10,000-mile step), to the tenth of a penny."""
    if not miles:
        return None
    from decimal import Decimal

    return (Decimal(amount) / Decimal(miles)).quantize(Decimal("0.001"))


def _parity_reports(session, chosen, rate_book, filters):
    """Each chosen project's parity report, in ``chosen``'s order.

    Every project at once in a fixed number of queries when the export is of all of them
    (a report per project asks the database eight times: 2,400 queries for 300 projects).
    """
    from remun.parity_report import organisation_parity, project_parity

    if filters.project_ids is None:
        reports = {report.project_id: report
                   for report in organisation_parity(session, rate_book, filters.date_to).projects}
        for project_id, *_rest in chosen:
            yield reports.get(project_id) or project_parity(session, project_id, rate_book, filters.date_to)
    else:
        for project_id, *_rest in chosen:
            yield project_parity(session, project_id, rate_book, filters.date_to)


def _write_parity(book: Book, ws, session, chosen, rate_book, filters) -> None:
    t, formats = book.t, book.formats
    guard = TextGuard(ws)
    row_number = 1
    if rate_book is None:
        ws.append([t(H.PARITY_NO_RATES)])
        return
    kinds = {kind: t(label) for kind, label in H.ROLE_KINDS.items()}
    bases = {basis: t(label) for basis, label in H.PAY_BASES.items()}
    yes, no = t(H.YES), t(H.NO)
    basis = None
    for (_project_id, name, _cost_centre, currency), report in zip(chosen, _parity_reports(session, chosen, rate_book,
                                                                                        filters)):
        currency = safe_currency(currency)
        money = formats.money(currency)
        basis = report.basis
        paid = {role.role_id: role for role in report.by_role}
        for group in report.groups:
            comparator_rate = group.comparator.rounded_hourly_rate if group.comparator else None
            for role in group.roles:
                row_number += 1
                if role.is_comparator:
                    status = t(H.PARITY_COMPARATOR)
                elif role.parity is True:
                    status = t(H.PARITY_AT)
                elif role.parity is False:
                    status = t(H.PARITY_BELOW)
                else:
                    status = t(H.PARITY_NOT_COMPARED)
                below = None if role.below_living_wage is None else (yes if role.below_living_wage else no)
                gap = None if role.gap_percent is None else book.value(ws, role.gap_percent / HUNDRED, formats.percent)
                ledger = paid.get(role.offer.key)
                if ledger is None:
                    from_ledger = (None,) * 6
                else:
                    paid_gap = ledger.parity.gap_percent
                    from_ledger = (
                        book.value(ws, round_money(ledger.due), money),
                        book.value(ws, round_money(ledger.paid_or_given), money),
                        book.value(ws, round_money(ledger.paid_hours), formats.hours),
                        None if ledger.parity.hourly_rate is None
                        else book.value(ws, ledger.parity.rounded_hourly_rate, money),
                        None if paid_gap is None else book.value(ws, paid_gap / HUNDRED, formats.percent),
                        book.value(ws, round_money(ledger.declined), money),
                    )
                ws.append((
                    guard(1, name), guard(2, group.name), guard(3, role.offer.title), kinds[role.offer.kind],
                    bases[role.offer.terms.basis], book.value(ws, role.hours_given, formats.hours),
                    book.value(ws, role.pay_per_session, money),
                    None if role.rounded_hourly_rate is None else book.value(ws, role.rounded_hourly_rate, money),
                    None if comparator_rate is None else book.value(ws, comparator_rate, money),
                    gap, status, below, currency, *from_ledger,
                ))
    _auto_filter(ws, len(H.PARITY_COLUMNS), row_number)
    if row_number == 1:
        ws.append([t(H.PARITY_NONE)])
        return
    # The comparator basis, in a sentence under the table (one for the organisation).
    ws.append([])
    ws.append([t(H.PARITY_BASIS), basis.sentence(t)])
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = t(H.PARITY_CHART_TITLE)
    chart.y_axis.title = t(H.PARITY_CHART_AXIS)
    chart.x_axis.title = t(H.PARITY_COLUMNS[2])
    chart.add_data(Reference(ws, min_col=8, max_col=9, min_row=1, max_row=row_number), titles_from_data=True)
    # Role titles are text: a string reference, so every spreadsheet labels the bars with them.
    roles = f"{quote_sheetname(ws.title)}!$C$2:$C${row_number}"
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=roles))
    chart.height = max(7.5, 0.6 * row_number + 3)
    chart.width = 18
    ws.add_chart(chart, f"A{row_number + 5}")


def _write_tax_year(book: Book, ws, session, filters) -> None:
    """Each payee's totals for each tax year the export's dates touch, marking those above the threshold."""
    from decimal import Decimal

    from sqlalchemy import func, select

    from remun.ledger.models import LedgerTransaction, Posting
    from remun.organisation.settings import get_setting
    from remun.tax_year import label, payees_tax_year, tax_year_of

    t, formats = book.t, book.formats
    threshold = Decimal(get_setting(session, "tax.payee_threshold"))
    money = formats.money("GBP")
    span = select(func.min(LedgerTransaction.posted_on), func.max(LedgerTransaction.posted_on)) \
        .join(Posting, Posting.transaction_id == LedgerTransaction.id).where(Posting.person_id.is_not(None))
    if filters.project_ids is not None:
        span = span.where(Posting.project_id.in_(filters.project_ids))
    if filters.date_from:
        span = span.where(LedgerTransaction.posted_on >= filters.date_from)
    if filters.date_to:
        span = span.where(LedgerTransaction.posted_on <= filters.date_to)
    first, last = session.execute(span).one()
    rows = 0
    if first is not None:
        guard = TextGuard(ws)
        project_ids = None if filters.project_ids is None else list(filters.project_ids)
        for year in range(tax_year_of(last), tax_year_of(first) - 1, -1):
            for totals in payees_tax_year(session, year, project_ids):
                rows += 1
                above = totals.income_total > threshold
                ws.append((label(year), guard(2, totals.name),
                           *(book.value(ws, value, money) for value in (
                               totals.paid, totals.vouchers, totals.training, totals.donations, totals.declined,
                               totals.expenses_repaid, totals.income_total)),
                           t(H.YES) if above else t(H.NO)))
    _auto_filter(ws, len(H.TAX_YEAR_COLUMNS), rows + 1)
    ws.append([])
    if not rows:
        ws.append([t(H.TAX_YEAR_NONE)])
    ws.append([book.fill(H.TAX_YEAR_NOTE, threshold=f"£{threshold:,.2f}")])


def ledger_checkpoint_text(session) -> str:
    """The ledger head now: its sequence number and hash, as `remun verify` records checkpoints."""
    from remun.ledger.models import LedgerHead

    head = session.get(LedgerHead, 1)
    return f"{head.sequence} {head.last_hash}" if head is not None else ""


def _write_stale_rates(book: Book, ws, rate_book) -> None:
    """Rate cards overdue for a new figure, said plainly: the Parity sheet may compare with last year's figure."""
    from remun import rate_review

    overdue = rate_review.overdue_cards(rate_review.today(), rate_book)
    ws.append(())
    ws.append((text_cell(ws, book.t(H.ABOUT_RATES), TITLE_STYLE),))
    guard = TextGuard(ws)
    if not overdue:
        ws.append((text_cell(ws, book.t(H.ABOUT_RATES_CURRENT), HEADING_STYLE),))
    for card in overdue:
        ws.append((text_cell(ws, card.source.name, HEADING_STYLE),
                   guard(2, card.message(book.t, book.context.locale))))


def _write_about(book: Book, ws, ledger, session, filters, chosen, result: ExportResult, ledger_last: int) -> None:
    t, formats, context = book.t, book.formats, book.context
    sheet = quote_sheetname(ledger.title)
    last = max(ledger_last, 2)
    guard = TextGuard(ws)
    rows = 0

    def append(cells) -> int:
        nonlocal rows
        ws.append(cells)
        rows += 1
        return rows

    def line(label: str, value=None) -> int:
        return append((text_cell(ws, label, HEADING_STYLE), guard(2, value) if isinstance(value, str) else value))

    append((text_cell(ws, t(H.ABOUT_TITLE), TITLE_STYLE),))
    line(t(H.ABOUT_WHAT), t(H.ABOUT_WHAT_TEXT))
    if filters.project_ids is not None:
        projects = "; ".join(name for _id, name, _cc, _cur in chosen)
    else:
        projects = t(H.ABOUT_ALL_PROJECTS)
    line(t(H.ABOUT_PROJECTS), projects)
    line(t(H.ABOUT_FROM), book.value(ws, filters.date_from, formats.date) if filters.date_from else t(H.ABOUT_NO_START))
    line(t(H.ABOUT_TO), book.value(ws, filters.date_to, formats.date) if filters.date_to else t(H.ABOUT_NO_END))
    line(t(H.ABOUT_DATES_NOTE), t(H.ABOUT_DATES_TEXT))
    line(t(H.ABOUT_MADE_AT), book.value(ws, context.made_at_utc, formats.date_time))
    line(t(H.ABOUT_MADE_BY), context.made_by)
    line(t(H.ABOUT_VERSION), f"Remun {context.app_version}")
    line(t(H.ABOUT_LOCALE), context.locale)
    append(())
    append((text_cell(ws, t(H.ABOUT_CONTROL), TITLE_STYLE),))
    line(t(H.ABOUT_POSTINGS), result.postings)
    line(t(H.ABOUT_SHEET_ROWS), book.value(ws, f"=COUNTA({sheet}!$B$2:$B${last})", formats.integer))
    for total in result.totals:
        currency = safe_currency(total.currency)
        line(book.fill(H.ABOUT_DEBITS, currency=currency), book.money(ws, total.debits, currency))
        line(book.fill(H.ABOUT_CREDITS, currency=currency), book.money(ws, total.credits, currency))
    # One currency: the sheet's sums in its format; several: plain numbers (they only check debits = credits).
    money = formats.money(safe_currency(result.totals[0].currency)) if len(result.totals) == 1 else formats.hours
    debits = line(t(H.ABOUT_SHEET_DEBITS),
                  book.value(ws, f"=SUM({sheet}!${LEDGER_DEBIT}$2:${LEDGER_DEBIT}${last})", money))
    credits = line(t(H.ABOUT_SHEET_CREDITS),
                   book.value(ws, f"=SUM({sheet}!${LEDGER_CREDIT}$2:${LEDGER_CREDIT}${last})", money))
    line(t(H.ABOUT_DIFFERENCE), book.value(ws, f"=ROUND(B{debits}-B{credits},2)", money))
    line(t(H.LEDGER_CHECKPOINT), ledger_checkpoint_text(session))
