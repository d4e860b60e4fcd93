"""The Ledger sheet (every posting, streamed) and the Summary whose formulas read it."""

from __future__ import annotations

from remun.exports import headings as H
from remun.exports import queries
from remun.ledger.models import Account
from remun.exports.book import Book, Formula, Sheet, currency_totals, quote_sheetname, safe_currency


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


def write_ledger(book: Book, sheet: Sheet, session, filters, total, progress, chunk) -> int:
    """Stream the postings into the Ledger sheet; returns the last row written."""
    t, formats = book.t, book.formats
    accounts, kinds, statuses, reversed_ = H.ledger_words(t)
    with_hours = H.ACCOUNTS_WITH_HOURS
    # The hot loop: XlsxWriter's own calls, a row at a time and in order (as Sheet.append writes).
    ws, text = sheet.ws, sheet.text
    write_number, write_datetime = ws.write_number, ws.write_datetime
    date_format, hours_format = book.format(formats.date), book.format(formats.hours)
    money_formats: dict[str, object] = {}
    row = sheet.rows  # the next row, counting from 0
    done = 0
    if progress:
        progress(0, total)
    for rows in queries.ledger_rows(session, filters, chunk):
        for (posted_on, transaction_id, project, cost_centre, account, person, reference, role, claim_kind,
             description, paid_hours, amount, transaction_kind, reversed_by, batch_id, currency, project_id) in rows:
            money = money_formats.get(currency)
            if money is None:
                money = money_formats[currency] = book.format(formats.money(currency))
            write_datetime(row, 0, posted_on, date_format)
            write_number(row, 1, transaction_id)
            for col, value in ((2, project), (3, cost_centre), (4, accounts[account]), (5, person), (6, reference),
                               (7, role), (8, kinds.get(claim_kind)), (9, description)):
                if value is not None:
                    text(row, col, value)
            if paid_hours is not None and account in with_hours:
                write_number(row, 10, paid_hours if amount > 0 else -paid_hours, hours_format)
            if amount > 0:
                write_number(row, 11, amount, money)
            else:
                write_number(row, 12, -amount, money)
            text(row, 13, reversed_ if reversed_by is not None else statuses[transaction_kind])
            if batch_id is not None:
                write_number(row, 14, batch_id)
            if currency is not None:
                text(row, 15, currency)
            write_number(row, 16, project_id)
            text(row, 17, account.value)
            row += 1
        sheet.rows = row
        done += len(rows)
        if progress:
            progress(done, total)
    sheet.auto_filter(len(H.LEDGER_COLUMNS), sheet.rows)
    return sheet.rows


def write_summary(book: Book, sheet: Sheet, ledger: Sheet, chosen, ledger_last: int) -> None:
    ledger_name = quote_sheetname(ledger.title)
    last = max(ledger_last, 2)

    def column(letter: str) -> str:
        return f"{ledger_name}!${letter}$2:${letter}${last}"

    def sumifs(amounts: str, project_id: int, account: Account) -> str:
        return (f'SUMIFS({column(amounts)},{column(LEDGER_PROJECT_ID)},{project_id},'
                f'{column(LEDGER_ACCOUNT_CODE)},"{account.value}")')

    row_number = 1
    currencies: list[str] = []
    for project_id, name, cost_centre, currency in chosen:
        row_number += 1
        currency = safe_currency(currency)
        if currency not in currencies:
            currencies.append(currency)
        row: list = [name, cost_centre, currency]
        for index, spec in enumerate(SUMMARY_ACCOUNTS):
            if spec is None:
                formula = f"=D{row_number}+E{row_number}"
            else:
                account, sign = spec
                debits, credits = sumifs(LEDGER_DEBIT, project_id, account), sumifs(LEDGER_CREDIT, project_id, account)
                formula = f"={debits}-{credits}" if sign > 0 else f"={credits}-{debits}"
            row.append(book.money(Formula(formula), currency))
        row.append(Formula(f"=COUNTIFS({column(LEDGER_PROJECT_ID)},{project_id})"))
        sheet.append(row)
    sheet.auto_filter(len(H.SUMMARY_COLUMNS), row_number)
    if chosen:
        currency_totals(book, sheet, 2, row_number, "C", list(range(4, 13)), len(H.SUMMARY_COLUMNS), 1,
                         currencies, count_columns=(13,))
