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

Written with XlsxWriter in constant-memory mode (remun/exports/book.py): each
sheet's rows go straight to a temporary file, in order, and the postings are
read from the database in chunks, so a million postings take the same memory
as a hundred. It writes the Ledger sheet with about a third less CPU than
openpyxl's write-only mode (bench/export_bench.py; docs/performance.md).
Nothing is written to ``target`` until every sheet is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from sqlalchemy.orm import Session

from remun.exports import headings as H
from remun.exports import queries
from remun.exports.context import MAX_SHEET_ROWS, ExportContext, ExportFilters, ExportTooLarge
from remun.exports.book import Book, ExportResult
from remun.exports.claim_sheets import IN_KIND_SHEETS, write_expenses, write_in_kind, write_payments_due
from remun.exports.ledger_sheets import LEDGER_WIDTHS, write_ledger, write_summary
from remun.exports.report_sheets import (
    ledger_checkpoint_text,
    write_about,
    write_parity,
    write_stale_rates,
    write_tax_year,
)

__all__ = ["ExportResult", "ledger_checkpoint_text", "write_finance_workbook"]

#: Called with (postings written, postings in all) as the Ledger sheet fills.
Progress = Callable[[int, int], None]


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
    book = Book(context, target)
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
    result.sheets = [sheet.title for sheet in book.sheets]

    ledger_last = write_ledger(book, ledger, session, filters, total, progress, chunk)
    result.postings = ledger_last - 1
    # Asked once for the four sheets that show what is still to pay or give.
    waiting = queries.waiting_parts(session, filters)
    write_payments_due(book, due, session, filters, waiting)
    for ws, account, choice in in_kind:
        write_in_kind(book, ws, session, filters, account, choice, waiting)
    del waiting
    write_expenses(book, expenses, session, filters, chunk)
    write_parity(book, parity, session, chosen, rate_book, filters)
    write_tax_year(book, tax_year, session, filters)
    write_summary(book, summary, ledger, chosen, ledger_last)
    result.totals = queries.control_totals(session, filters)
    write_about(book, about, ledger, session, filters, chosen, result, ledger_last)
    write_stale_rates(book, about, rate_book)

    names = "; ".join(name for _id, name, _cc, _cur in chosen)
    book.set_properties(
        title=t(H.PROPERTIES_TITLE), subject=t(H.PROPERTIES_SUBJECT),
        description=f"{t(H.ABOUT_PROJECTS)}: {names if filters.project_ids is not None else t(H.ABOUT_ALL_PROJECTS)}. "
                    f"{t(H.ABOUT_FROM)}: {filters.date_from.isoformat() if filters.date_from else t(H.ABOUT_NO_START)}. "
                    f"{t(H.ABOUT_TO)}: {filters.date_to.isoformat() if filters.date_to else t(H.ABOUT_NO_END)}.",
        keywords="Remun; finance; ledger", when=context.made_at_utc, who=context.made_by,
    )
    book.close()
    return result
