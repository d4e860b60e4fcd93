"""The Ledger sheet (every posting, streamed) and the Summary whose formulas read it."""

from __future__ import annotations

from openpyxl.utils import quote_sheetname

from remun.exports import headings as H
from remun.exports import queries
from remun.exports.safety import TextGuard
from remun.ledger.models import Account, TransactionKind
from remun.exports.book import Book, CurrencyCells, auto_filter, currency_totals, safe_currency


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


def write_ledger(book: Book, ws, session, filters, total, progress, chunk) -> int:
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
    auto_filter(ws, len(H.LEDGER_COLUMNS), row_number)
    return row_number


def write_summary(book: Book, ws, ledger, chosen, ledger_last: int) -> None:
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
    auto_filter(ws, len(H.SUMMARY_COLUMNS), row_number)
    if chosen:
        currency_totals(book, ws, 2, row_number, "C", list(range(4, 13)), len(H.SUMMARY_COLUMNS), 1,
                         currencies, count_columns=(13,))
