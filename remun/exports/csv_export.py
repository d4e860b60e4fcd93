"""The Ledger sheet as CSV, for systems that import it.

UTF-8 with a byte-order mark, so Excel reads accented names correctly; a
comma or a semicolon between fields (Excel in most of Europe expects ``;``,
because the comma is its decimal mark). Amounts are plain numbers: with the
semicolon they use the locale's decimal mark (Babel), with the comma a point.
Dates are ISO (2026-04-30), which every spreadsheet reads as a date. Text
that could run as a formula is prefixed with a single quote (remun.exports.safety);
numbers never are, so a credit of -5.00 stays a number.

The rows are produced chunk by chunk from the database, so the web download
can stream them as they are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO

from sqlalchemy.orm import Session

from remun.exports import headings as H
from remun.exports import queries
from remun.exports.context import ExportContext, ExportFilters
from remun.exports.formats import decimal_separator
from remun.exports.safety import csv_text

BOM = "\ufeff"
DELIMITERS = (",", ";")


def decimal_mark(delimiter: str, locale: str) -> str:
    """A point with commas between fields; the locale's own mark with semicolons."""
    return "." if delimiter == "," else decimal_separator(locale)


def _number(value: Decimal, mark: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", mark) if mark != "." else text


def _text(value: str | None) -> str:
    if value is None:
        return ""
    return csv_text(value.replace("\x00", ""))


def iter_ledger_csv(
    session: Session,
    filters: ExportFilters,
    context: ExportContext,
    *,
    delimiter: str = ",",
    decimal: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = queries.CHUNK,
    total: int | None = None,
) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes, a chunk of rows at a time (the first chunk starts with the BOM)."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"the delimiter must be one of {DELIMITERS}")
    t = context.gettext
    mark = decimal or decimal_mark(delimiter, context.locale)
    accounts, kinds, statuses, reversed_ = H.ledger_words(t)
    with_hours = H.ACCOUNTS_WITH_HOURS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def take() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    buffer.write(BOM)
    writer.writerow([_text(t(heading)) for heading in H.LEDGER_COLUMNS])
    if progress and total is None:
        total = queries.count_postings(session, filters)
    done = 0
    for rows in queries.ledger_rows(session, filters, chunk):
        for (posted_on, transaction_id, project, cost_centre, account, person, reference, role, claim_kind,
             description, paid_hours, amount, transaction_kind, reversed_by, batch_id, currency, project_id) in rows:
            hours = ""
            if paid_hours is not None and account in with_hours:
                hours = _number(paid_hours if amount > 0 else -paid_hours, mark)
            writer.writerow((
                posted_on.isoformat(), transaction_id, _text(project), _text(cost_centre), _text(accounts[account]),
                _text(person), _text(reference), _text(role), _text(kinds.get(claim_kind)), _text(description),
                hours, _number(amount, mark) if amount > 0 else "", _number(-amount, mark) if amount < 0 else "",
                _text(reversed_ if reversed_by is not None else statuses[transaction_kind]),
                "" if batch_id is None else batch_id, _text(currency), project_id, account.value,
            ))
        done += len(rows)
        if progress:
            progress(done, total or done)
        yield take()
    rest = take()
    if rest:
        yield rest


def write_ledger_csv(session: Session, target: str | IO[bytes], filters: ExportFilters, context: ExportContext,
                     **options) -> int:
    """Write the CSV to a path or binary file; returns the number of bytes written."""
    written = 0
    if isinstance(target, (str, bytes)) or hasattr(target, "__fspath__"):
        with open(target, "wb") as stream:
            for data in iter_ledger_csv(session, filters, context, **options):
                stream.write(data)
                written += len(data)
        return written
    for data in iter_ledger_csv(session, filters, context, **options):
        target.write(data)
        written += len(data)
    return written
